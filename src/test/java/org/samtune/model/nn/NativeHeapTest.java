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
    void theThresholdIsFixedOnceAndReported() {
        String first = NativeHeap.forTraining();
        assertThat(NativeHeap.forTraining()).isSameAs(first);
        if (NativeHeap.reasonToLeave(System.getenv(), System.getProperty("os.name")) == null) {
            // glibc (this project's CI and build machines): mallopt accepts the threshold
            assertThat(first).startsWith("tensors of 8 MiB and more mapped on their own");
        } else {
            assertThat(first).startsWith("allocator unchanged");
        }
    }
}
