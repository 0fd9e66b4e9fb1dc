package org.samtune.data.prepare;

import org.samtune.data.FewShot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.samtune.SamtuneException;

class PrepareBuildingBlocksTest {

    @TempDir Path dir;

    @Test
    void classMapParsesBothFormsAndMapsValues() {
        ClassMap named = ClassMap.parse(" caudate=71,72 ; putamen=74,73;");
        assertThat(named.names()).containsExactly("caudate", "putamen");
        assertThat(named.classes().get(1).sourceValues()).containsExactly(73, 74);
        assertThat(named.apply(new float[] {0, 71, 72, 73, 74, 75, 71.2f}))
                .containsExactly(0, 1, 1, 2, 2, 0, 1);
        ClassMap plain = ClassMap.parse("3,1");
        assertThat(plain.names()).containsExactly("3", "1");
        assertThat(plain.apply(new float[] {1, 2, 3})).containsExactly(2, 0, 1);
        assertThat(ClassMap.fromValues(new float[] {0, 9, 4}, new float[] {4, 2}).names())
                .containsExactly("2", "4", "9");
        assertThatThrownBy(() -> ClassMap.parse("a=1;a=2")).isInstanceOf(SamtuneException.class)
                .hasMessageContaining("'a' appears twice");
        assertThatThrownBy(() -> ClassMap.parse("a b=1")).hasMessageContaining("class name 'a b'");
        assertThatThrownBy(() -> ClassMap.parse("")).hasMessageContaining("--classes");
        assertThatThrownBy(() -> ClassMap.fromValues(new float[] {0, 0})).hasMessageContaining("no non-zero");
    }

    @Test
    void splitCountsAreLargestRemainderWithEveryRequestedSplitNonEmpty() {
        SplitPlanner.Fractions f = SplitPlanner.Fractions.parse("70,15,15");
        assertThat(SplitPlanner.counts(54, f)).containsExactly(38, 8, 8);
        assertThat(SplitPlanner.counts(10, f)).containsExactly(7, 2, 1);
        assertThat(SplitPlanner.counts(3, f)).containsExactly(1, 1, 1);
        assertThat(SplitPlanner.counts(7, SplitPlanner.Fractions.parse("1,0,0"))).containsExactly(7, 0, 0);
        assertThat(SplitPlanner.counts(5, SplitPlanner.Fractions.parse("0.8,0.2,0"))).containsExactly(4, 1, 0);
        assertThatThrownBy(() -> SplitPlanner.Fractions.parse("1,-1,1")).hasMessageContaining("--split");
        assertThatThrownBy(() -> SplitPlanner.Fractions.parse("0,0,0")).hasMessageContaining("--split");
    }

    @Test
    void slabsAreContiguousDisjointAndCoverAllButTheGaps() {
        Random r = new Random(5);
        for (int trial = 0; trial < 200; trial++) {
            int n = 3 + r.nextInt(60);
            int gap = r.nextInt(3);
            int[] idx = new int[n];
            for (int i = 0; i < n; i++) {
                idx[i] = 10 + i;
            }
            SplitPlanner.Fractions f = new SplitPlanner.Fractions(1 + r.nextInt(80), 1 + r.nextInt(20),
                    1 + r.nextInt(20));
            if (n - 2 * gap < 3) {
                assertThatThrownBy(() -> SplitPlanner.slabs(idx, f, gap)).isInstanceOf(SamtuneException.class);
                continue;
            }
            Map<Split, int[]> s = SplitPlanner.slabs(idx, f, gap);
            int[] tr = s.get(Split.TRAIN);
            int[] va = s.get(Split.VAL);
            int[] te = s.get(Split.TEST);
            assertThat(tr.length + va.length + te.length).isEqualTo(n - 2 * gap);
            assertThat(tr).isNotEmpty();
            assertThat(va).isNotEmpty();
            assertThat(te).isNotEmpty();
            assertThat(va[0] - tr[tr.length - 1]).isEqualTo(gap + 1);
            assertThat(te[0] - va[va.length - 1]).isEqualTo(gap + 1);
            for (int[] part : List.of(tr, va, te)) {
                for (int i = 1; i < part.length; i++) {
                    assertThat(part[i]).isEqualTo(part[i - 1] + 1);
                }
            }
        }
    }

    @Test
    void wholeCaseSplitsAreAPartitionAndDependOnTheSeed() {
        SplitPlanner.Fractions f = SplitPlanner.Fractions.parse("60,20,20");
        Map<Split, List<Integer>> a = SplitPlanner.byCase(10, f, 1);
        Set<Integer> all = new HashSet<>();
        a.values().forEach(all::addAll);
        assertThat(all).hasSize(10);
        assertThat(a.get(Split.TRAIN)).hasSize(6);
        assertThat(a.get(Split.VAL)).hasSize(2);
        assertThat(SplitPlanner.byCase(10, f, 1)).isEqualTo(a);
        boolean differs = false;
        for (long seed = 2; seed < 10 && !differs; seed++) {
            differs = !SplitPlanner.byCase(10, f, seed).equals(a);
        }
        assertThat(differs).isTrue();
        assertThat(SplitPlanner.splitsWholeCases(1, f)).isFalse();
        assertThat(SplitPlanner.splitsWholeCases(2, f)).isFalse();
        assertThat(SplitPlanner.splitsWholeCases(3, f)).isTrue();
        int[] shots = FewShot.draw(List.of("a_1.png", "a_2.png", "b_1.png", "b_2.png", "c_1.png", "c_2.png"), 3, 9,
                "list");
        assertThat(shots).hasSize(3).isSorted().doesNotHaveDuplicates();
    }

    @Test
    void grey8WindowsAndPercentiles() {
        Grey8 brain = Grey8.parse("brain");
        assertThat(brain.bounds(new float[1])).containsExactly(0.0, 80.0);
        assertThat(brain.apply(new float[] {-1000, 0, 40, 60, 80, 3000}))
                .containsExactly(0f, 0f, 128f, 191f, 255f, 255f); // 127.5 → 128; 191.25 → 191
        Grey8 custom = Grey8.parse("-600, 1500");
        assertThat(custom.bounds(new float[1])).containsExactly(-1350.0, 150.0);
        // numpy.percentile([0..200], [0.5, 99.5]) = [1.0, 199.0]
        float[] ramp = new float[201];
        for (int i = 0; i < ramp.length; i++) {
            ramp[i] = i;
        }
        Grey8 pct = Grey8.parse(null);
        assertThat(pct.bounds(ramp)).containsExactly(1.0, 199.0);
        float[] g = pct.apply(ramp);
        assertThat(g[0]).isZero();
        assertThat(g[100]).isEqualTo(128f); // 99/198·255 = 127.5 → 128
        assertThat(g[200]).isEqualTo(255f);
        assertThat(pct.apply(new float[] {7, 7, 7})).containsExactly(0f, 0f, 0f);
        assertThatThrownBy(() -> Grey8.parse("40,0")).hasMessageContaining("WIDTH > 0");
        assertThatThrownBy(() -> Grey8.parse("soft")).hasMessageContaining("--window: CT window 'soft' is unknown");
    }

    @Test
    void labelNamesReadAalStyleLists() throws Exception {
        Map<Integer, String> aal = LabelNames.read(Path.of("data/colin27/aal.nii.txt"));
        assertThat(aal).hasSize(116);
        assertThat(aal.get(37)).isEqualTo("Hippocampus_L");
        assertThat(aal.get(78)).isEqualTo("Thalamus_R");
        Path bad = dir.resolve("bad.txt");
        Files.writeString(bad, "1 Left\nx Right\n");
        assertThatThrownBy(() -> LabelNames.read(bad)).isInstanceOf(SamtuneException.class)
                .hasMessage(bad + ": line 2: expected 'index name', got 'x Right'");
    }

    @Test
    void blocksSpanTheCaseAndNeverPutNeighboursInDifferentSplits() {
        int[] idx = new int[54];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = 44 + i;
        }
        var f = SplitPlanner.Fractions.parse("70,15,15");
        Map<Split, int[]> s = SplitPlanner.blocks(idx, f, 6, 1);
        Map<Integer, Split> where = new java.util.HashMap<>();
        s.forEach((split, slices) -> {
            for (int k : slices) {
                assertThat(where.put(k, split)).as("slice %d in two splits", k).isNull();
            }
        });
        for (Split split : Split.values()) {
            assertThat(s.get(split)).as(split + " holds slices").isNotEmpty();
        }
        // val and test each come from more than one part of the case when the case has enough blocks
        assertThat(s.get(Split.TRAIN).length).isGreaterThan(s.get(Split.VAL).length);
        for (int k = idx[0]; k < idx[idx.length - 1]; k++) {
            Split a = where.get(k);
            Split b = where.get(k + 1);
            if (a != null && b != null) {
                assertThat(a).as("slices %d and %d are neighbours", k, k + 1).isEqualTo(b);
            }
        }
        int[] lo = s.get(Split.TEST);
        assertThat(lo[0]).as("test does not sit only at the superior end").isLessThan(idx[idx.length - 1] - 12);
        assertThatThrownBy(() -> SplitPlanner.blocks(idx, f, 6, 6)).isInstanceOf(SamtuneException.class);
    }
}
