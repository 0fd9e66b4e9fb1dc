package org.samtune.study;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.samtune.testing.Fixtures;

/**
 * The study's statistics against scipy/numpy on fixed inputs ({@code tools/study_stats_fixture.py}): the Wilcoxon
 * signed-rank statistic and p-value (exact, zeros dropped, normal approximation, ties), Holm's adjustment, R-7
 * percentiles and tie-averaged ranks. Tolerance: 1e-12 absolute for exact and closed-form numbers, 1e-9 for the
 * normal approximation (Commons Math's and scipy's normal CDFs differ in the last digits).
 */
class StatisticsParityTest {
    private static final JsonNode FIXTURE = read();

    private static JsonNode read() {
        try {
            return new ObjectMapper().readTree(Fixtures.file("study", "statistics.json").toFile());
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static double[] array(JsonNode n) {
        return StreamSupport.stream(n.spliterator(), false).mapToDouble(JsonNode::asDouble).toArray();
    }

    @Test
    void wilcoxonMatchesScipy() {
        List<String> names = new ArrayList<>();
        for (JsonNode c : FIXTURE.get("wilcoxon")) {
            String name = c.get("name").asText();
            names.add(name);
            SignedRankTest.Result r = SignedRankTest.test(array(c.get("x")), array(c.get("y")));
            double tol = r.method().equals("exact") ? 1e-12 : 1e-9;
            assertThat(r.statistic()).as(name + " statistic (" + c.get("scipy").asText() + ")")
                    .isCloseTo(c.get("statistic").asDouble(), within(1e-9));
            assertThat(r.p()).as(name + " p (" + c.get("scipy").asText() + ")")
                    .isCloseTo(c.get("p").asDouble(), within(tol));
            // the test is symmetric in its two samples
            assertThat(SignedRankTest.test(array(c.get("y")), array(c.get("x"))).p()).isCloseTo(r.p(), within(1e-12));
        }
        assertThat(names).containsExactly("exact_n12", "zeros_n10", "normal_n40", "ties_n16");
        assertThat(SignedRankTest.test(array(FIXTURE.get("wilcoxon").get(0).get("x")),
                array(FIXTURE.get("wilcoxon").get(0).get("y"))).method()).isEqualTo("exact");
        assertThat(SignedRankTest.test(array(FIXTURE.get("wilcoxon").get(3).get("x")),
                array(FIXTURE.get("wilcoxon").get(3).get("y"))).method()).isEqualTo("normal");
    }

    @Test
    void identicalSamplesHaveNoTest() {
        SignedRankTest.Result r = SignedRankTest.test(new double[] {0.5, 0.6}, new double[] {0.5, 0.6});
        assertThat(r.n()).isZero();
        assertThat(r.p()).isNaN();
    }

    @Test
    void holmMatchesTheStepDownFormula() {
        double[] adj = SignedRankTest.holm(array(FIXTURE.at("/holm/p")));
        assertThat(adj).containsExactly(array(FIXTURE.at("/holm/adjusted")), within(1e-12));
        double[] withNaN = SignedRankTest.holm(new double[] {0.01, Double.NaN, 0.04});
        assertThat(withNaN[0]).isCloseTo(0.02, within(1e-15));
        assertThat(withNaN[1]).isNaN();
        assertThat(withNaN[2]).isCloseTo(0.04, within(1e-15));
    }

    @Test
    void percentilesMatchNumpy() {
        double[] q = Bootstrap.percentiles(array(FIXTURE.at("/percentile/values")), array(FIXTURE.at("/percentile/q")));
        assertThat(q).containsExactly(array(FIXTURE.at("/percentile/expected")), within(1e-12));
    }

    @Test
    void ranksShareTiesLikeScipy() {
        assertThat(Ranking.ranks(array(FIXTURE.at("/ranks/scores"))))
                .containsExactly(array(FIXTURE.at("/ranks/expected")), within(0.0));
        assertThat(Ranking.ranks(new double[] {0.5, Double.NaN, 0.7})[1]).isNaN();
    }

    @Test
    void bootstrapIsSeededAndCoversTheMean() {
        double[] d = new double[30];
        java.util.Random r = new java.util.Random(5);
        double sum = 0;
        for (int i = 0; i < d.length; i++) {
            d[i] = 0.03 + 0.05 * r.nextGaussian();
            sum += d[i];
        }
        double[] a = Bootstrap.interval95(d, 2000, 7);
        assertThat(Bootstrap.interval95(d, 2000, 7)).containsExactly(a);
        assertThat(Bootstrap.interval95(d, 2000, 8)).isNotEqualTo(a);
        double mean = sum / d.length;
        assertThat(a[0]).isLessThan(mean);
        assertThat(a[1]).isGreaterThan(mean);
        // the percentile interval's width is close to 2 × 1.96 standard errors of the mean
        double sd = Math.sqrt(java.util.Arrays.stream(d).map(v -> (v - mean) * (v - mean)).sum() / (d.length - 1));
        assertThat(a[1] - a[0]).isCloseTo(2 * 1.96 * sd / Math.sqrt(d.length), within(0.25 * 2 * 1.96 * sd
                / Math.sqrt(d.length)));
    }
}
