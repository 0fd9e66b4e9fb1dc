package org.samtune.eval;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class MetricsTableTest {

    private static ClassMetrics m(double dice, double hd) {
        return new ClassMetrics(dice, dice / (2 - dice), hd, hd / 2, 0.5, 10, 10);
    }

    @Test
    void meansSkipNanKeepInfinityAndSeparateVolumesFromSlices() {
        MetricsTable t = new MetricsTable();
        t.addAll("a", MetricsTable.VOLUME, List.of("liver", "spleen"), List.of(m(0.8, 2), m(Double.NaN, 1)));
        t.addAll("b", MetricsTable.VOLUME, List.of("liver", "spleen"),
                List.of(m(0.6, 4), m(0.5, Double.POSITIVE_INFINITY)));
        t.addAll("a", 3, List.of("liver", "spleen"), List.of(m(1.0, 0), m(0.0, 7)));
        List<MetricsTable.Mean> vol = t.meansPerClass(false);
        assertThat(vol).hasSize(2);
        assertThat(vol.get(0).className()).isEqualTo("liver");
        assertThat(vol.get(0).means()[0]).isEqualTo(0.7, org.assertj.core.api.Assertions.within(1e-15));
        assertThat(vol.get(0).means()[2]).isEqualTo(3.0);
        assertThat(vol.get(1).means()[0]).isEqualTo(0.5);
        assertThat(vol.get(1).counts()[0]).isEqualTo(1);
        assertThat(vol.get(1).means()[2]).isEqualTo(Double.POSITIVE_INFINITY);
        List<MetricsTable.Mean> sl = t.meansPerClass(true);
        assertThat(sl.get(0).means()[0]).isEqualTo(1.0);
        assertThat(sl.get(0).rows()).isEqualTo(1);

        String csv = t.toCsv();
        assertThat(csv.lines().toList()).hasSize(7);
        assertThat(csv.lines().toList().get(2)).isEqualTo("a,volume,2,spleen,nan,nan,1.000000,0.500000,0.500000,10,10");
        assertThat(csv.lines().toList().get(5)).startsWith("a,3,1,liver,1.000000,");
        assertThat(t.meansCsv().lines().toList().get(2))
                .isEqualTo("volume,2,spleen,2,0.500000,1,0.333333,1,inf,2,inf,2,0.500000,2");

        String s = t.summary();
        assertThat(s).contains("Mean per class over volumes").contains("Mean per class over slices");
        assertThat(s).contains("0.5000 (n=1)");
        // aligned: every line of the volume table has the same length up to trailing spaces
        List<String> lines = s.lines().toList();
        assertThat(lines.get(1)).startsWith("class ");
        assertThat(lines.get(3).indexOf("0.7000")).isEqualTo(lines.get(1).indexOf("dice") + 4 - "0.7000".length());
    }

    @Test
    void meanAcrossClassesWeighsEveryClassTheSame() {
        MetricsTable t = new MetricsTable();
        t.addAll("a", MetricsTable.VOLUME, List.of("liver", "spleen", "kidney"),
                List.of(m(0.8, 2), m(Double.NaN, 1), m(Double.NaN, 3)));
        t.addAll("b", MetricsTable.VOLUME, List.of("liver", "spleen", "kidney"),
                List.of(m(0.6, 4), m(0.5, 6), m(Double.NaN, 5)));
        // class means: dice liver 0.7, spleen 0.5, kidney NaN → across classes (0.7 + 0.5) / 2 over 2 classes;
        // hd95 liver 3, spleen 3.5, kidney 4 → 3.5 over 3 classes
        MetricsTable.Mean across = t.meanOverClasses(false);
        assertThat(across.classIndex()).isEqualTo(MetricsTable.ALL_CLASSES);
        assertThat(across.className()).isEqualTo("mean");
        assertThat(across.rows()).isEqualTo(3);
        assertThat(across.means()[0]).isEqualTo(0.6, org.assertj.core.api.Assertions.within(1e-15));
        assertThat(across.counts()[0]).isEqualTo(2);
        assertThat(across.means()[2]).isEqualTo(3.5, org.assertj.core.api.Assertions.within(1e-15));
        assertThat(across.counts()[2]).isEqualTo(3);
        assertThat(t.meanOverClasses(true)).isNull();

        List<String> csv = t.meansCsv().lines().toList();
        assertThat(csv).hasSize(5);
        assertThat(csv.get(4)).startsWith("volume,,mean,3,0.600000,2,");
        String s = t.summary();
        assertThat(s.lines().filter(l -> l.startsWith("mean (3 classes)"))).hasSize(1);
        assertThat(s).contains("0.6000 (n=2)").contains("3.5000");

        MetricsTable one = new MetricsTable();
        one.addAll("a", MetricsTable.VOLUME, List.of("liver"), List.of(m(0.8, 2)));
        assertThat(one.summary()).doesNotContain("mean (");
    }
}
