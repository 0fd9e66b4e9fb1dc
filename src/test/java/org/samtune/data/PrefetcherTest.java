package org.samtune.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.samtune.SamtuneException;

class PrefetcherTest {
    @Test
    void givesEachIndexItsOwnBatchAndPreparesTheNextOnTheWorker() {
        List<String> threads = Collections.synchronizedList(new ArrayList<>());
        try (Prefetcher<Integer> p = new Prefetcher<>(i -> {
            threads.add(i + ":" + Thread.currentThread().getName());
            return i * 10;
        })) {
            List<Integer> got = new ArrayList<>();
            for (int b = 0; b < 5; b++) {
                got.add(p.take(b, b + 1 < 5 ? b + 1 : -1));
            }
            assertThat(got).containsExactly(0, 10, 20, 30, 40);
        }
        assertThat(threads).hasSize(5);
        assertThat(threads.get(0)).isEqualTo("0:" + Thread.currentThread().getName());
        assertThat(threads.subList(1, 5)).allSatisfy(t -> assertThat(t).endsWith(":samtune-prefetch"));
    }

    @Test
    void preparesInlineAnIndexThatWasNotPrefetched() {
        try (Prefetcher<Integer> p = new Prefetcher<>(i -> i + 100)) {
            assertThat(p.take(3, 4)).isEqualTo(103);
            // a resume or a jump: 7 was not asked for, so the prefetched 4 is dropped
            assertThat(p.take(7, -1)).isEqualTo(107);
            assertThat(p.take(8, -1)).isEqualTo(108);
        }
    }

    @Test
    void theWorkersErrorReachesTheCallerUnchanged() {
        try (Prefetcher<Integer> p = new Prefetcher<>(i -> {
            if (i == 1) {
                throw new SamtuneException("slice_001.png: cannot decode image");
            }
            return i;
        })) {
            assertThat(p.take(0, 1)).isZero();
            assertThatThrownBy(() -> p.take(1, 2)).isInstanceOf(SamtuneException.class)
                    .hasMessage("slice_001.png: cannot decode image");
        }
    }
}
