package org.samtune.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.samtune.SamtuneException;

/** The one few-shot rule of prepare --shots and train --shots: K slices spread over the list's cases. */
class FewShotTest {

    static List<String> list(int cases, int slicesPerCase) {
        List<String> out = new ArrayList<>();
        for (int c = 0; c < cases; c++) {
            for (int s = 0; s < slicesPerCase; s++) {
                out.add(String.format("images/case%02d_axial_%03d.png", c, 40 + s));
            }
        }
        return out;
    }

    @Test
    void caseIsTheNameWithoutTheSliceNumber() {
        assertThat(FewShot.caseOf("images/ch2_axial_042.png")).isEqualTo("ch2_axial");
        assertThat(FewShot.caseOf("img\\\\case07_slice012.png")).isEqualTo("case07_slice");
        assertThat(FewShot.caseOf("scan-3.jpg")).isEqualTo("scan");
        assertThat(FewShot.caseOf("123.png")).isEqualTo("123");
    }

    @Test
    void drawsAreSpreadOverCasesAndRepeatForASeed() {
        Random rng = new Random(11);
        for (int trial = 0; trial < 200; trial++) {
            int cases = 1 + rng.nextInt(6);
            int per = 1 + rng.nextInt(8);
            List<String> l = list(cases, per);
            int k = 1 + rng.nextInt(l.size());
            long seed = rng.nextLong();
            int[] pick = FewShot.draw(l, k, seed, "train.csv");
            assertThat(pick).hasSize(k).isSorted().doesNotHaveDuplicates();
            assertThat(FewShot.draw(l, k, seed, "train.csv")).containsExactly(pick);
            Map<String, Integer> perCase = new HashMap<>();
            for (int i : pick) {
                perCase.merge(FewShot.caseOf(l.get(i)), 1, Integer::sum);
            }
            // round robin: no case gets two more than another, and K >= cases covers every case
            int min = perCase.size() < cases ? 0 : perCase.values().stream().min(Integer::compare).orElse(0);
            int max = perCase.values().stream().max(Integer::compare).orElse(0);
            assertThat(max - min).as("per-case counts %s", perCase).isLessThanOrEqualTo(1);
            assertThat(perCase.size()).isEqualTo(Math.min(k, cases));
        }
    }

    @Test
    void moreShotsThanSlicesIsOneClearLine() {
        assertThatThrownBy(() -> FewShot.draw(list(2, 3), 7, 0, "data/train.csv"))
                .isInstanceOf(SamtuneException.class)
                .hasMessage("--shots: expected 1..6 (the slices in data/train.csv), got 7");
    }
}
