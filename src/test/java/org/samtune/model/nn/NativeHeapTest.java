package org.samtune.model.nn;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class NativeHeapTest {
    @Test
    void aUsersOwnAllocatorSettingsAreLeftAlone() {
        assertThat(NativeHeap.reasonToLeave(Map.of(), "Linux")).isNull();
        assertThat(NativeHeap.reasonToLeave(Map.of("PATH", "/bin", "MALLOC_ARENA", "x"), "Linux")).isNull();
        assertThat(NativeHeap.reasonToLeave(Map.of("MALLOC_MMAP_THRESHOLD_", "131072"), "Linux"))
                .contains("MALLOC_MMAP_THRESHOLD_");
        assertThat(NativeHeap.reasonToLeave(Map.of("MALLOC_TOP_PAD_", "0"), "Linux")).isNotNull();
        assertThat(NativeHeap.reasonToLeave(Map.of("GLIBC_TUNABLES", "glibc.malloc.mmap_threshold=4194304"), "Linux"))
                .contains("GLIBC_TUNABLES");
        assertThat(NativeHeap.reasonToLeave(Map.of("GLIBC_TUNABLES",
                "glibc.malloc.hugetlb=1:glibc.malloc.trim_threshold=0"), "Linux")).contains("GLIBC_TUNABLES");
        assertThat(NativeHeap.reasonToLeave(Map.of("GLIBC_TUNABLES", "glibc.malloc.hugetlb=1"), "Linux"))
                .as("huge pages alone combine with the fixed threshold").isNull();
        assertThat(NativeHeap.reasonToLeave(Map.of("GLIBC_TUNABLES", "glibc.pthread.rseq=0"), "Linux")).isNull();
        assertThat(NativeHeap.reasonToLeave(Map.of(), "Mac OS X")).isEqualTo("not Linux");
    }

    @Test
    void theThresholdSitsAboveOneTokenMap() {
        int mib = 1 << 20;
        long vitB1024 = 64L * 64 * 768 * Float.BYTES; // 12 MiB
        assertThat(NativeHeap.mmapThresholdFor(vitB1024)).isEqualTo(16 * mib);
        assertThat(NativeHeap.mmapThresholdFor(2 * vitB1024)).as("batch 2").isEqualTo(32 * mib);
        assertThat(NativeHeap.mmapThresholdFor(64L * 64 * 1280 * Float.BYTES)).as("ViT-H, 20 MiB").isEqualTo(32 * mib);
        assertThat(NativeHeap.mmapThresholdFor(64L * 64 * 1024 * Float.BYTES))
                .as("ViT-L: exactly 16 MiB plus its chunk header does not fit below 16 MiB").isEqualTo(32 * mib);
        assertThat(NativeHeap.mmapThresholdFor(4 * vitB1024)).as("past glibc's 32 MiB").isEqualTo(32 * mib);
        assertThat(NativeHeap.mmapThresholdFor(16L * 16 * 768 * Float.BYTES)).as("ViT-B at 256²").isEqualTo(8 * mib);
        assertThat(NativeHeap.mmapThresholdFor(0)).isEqualTo(8 * mib);
        for (long bytes = 0; bytes < 40L * mib; bytes += 123_457) {
            int t = NativeHeap.mmapThresholdFor(bytes);
            assertThat(Integer.bitCount(t)).isEqualTo(1);
            assertThat(t).isBetween(8 * mib, 32 * mib);
            if (t < 32 * mib) {
                assertThat(bytes + 64 * 1024).as("%d bytes below %d", bytes, t).isLessThan(t);
            }
            if (t > 8 * mib) {
                assertThat(bytes + 64 * 1024).as("%d bytes: the next power of two down would not hold them", bytes)
                        .isGreaterThanOrEqualTo(t / 2);
            }
        }
    }

    @Test
    void theThresholdIsFixedOnceAndReported() {
        String first = NativeHeap.forTraining(64L * 64 * 768 * Float.BYTES);
        assertThat(NativeHeap.forTraining(4)).as("the first encoder's threshold stays").isSameAs(first);
        assertThat(NativeHeap.state()).isSameAs(first);
        if (NativeHeap.reasonToLeave(System.getenv(), System.getProperty("os.name")) == null) {
            // glibc (this project's CI and build machines): mallopt accepts the threshold; another test class in
            // this JVM may have trained an encoder of another size first
            assertThat(first).matches("tensors of (8|16|32) MiB and more mapped on their own \\(glibc mmap threshold"
                    + " fixed; token maps of \\d+\\.\\d MiB (reused from the heap|mapped), up to 64 MiB of free heap"
                    + " kept\\)");
        } else {
            assertThat(first).startsWith("allocator unchanged");
        }
    }
}
