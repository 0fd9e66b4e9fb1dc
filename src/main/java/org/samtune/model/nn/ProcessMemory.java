package org.samtune.model.nn;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Resident memory of the whole process (JVM heap and libtorch's allocations alike) from {@code /proc/self/status}:
 * what run logs, {@code bench} and the memory tests report, since libtorch's memory is invisible to the JVM.
 */
public final class ProcessMemory {
    /**
     * @param peakKb     VmHWM: the high-water mark since the process started or {@link #resetPeak()}; -1 off Linux
     * @param residentKb VmRSS: resident now; -1 off Linux
     */
    public record Usage(long peakKb, long residentKb) {
        public double peakMb() {
            return peakKb / 1024.0;
        }

        public double residentMb() {
            return residentKb / 1024.0;
        }
    }

    private static final Path STATUS = Path.of("/proc/self/status");

    private ProcessMemory() {}

    public static Usage now() {
        long peak = -1;
        long resident = -1;
        if (!Files.isReadable(STATUS)) {
            return new Usage(peak, resident);
        }
        try {
            for (String line : Files.readAllLines(STATUS)) {
                if (line.startsWith("VmHWM:")) {
                    peak = kb(line);
                } else if (line.startsWith("VmRSS:")) {
                    resident = kb(line);
                }
            }
        } catch (IOException e) {
            // unavailable: -1 as off Linux
        }
        return new Usage(peak, resident);
    }

    /** Resets VmHWM to the current resident set (Linux ≥ 4.0, after a GC); a no-op elsewhere. */
    public static void resetPeak() {
        System.gc();
        Path clear = Path.of("/proc/self/clear_refs");
        if (Files.isWritable(clear)) {
            try {
                Files.writeString(clear, "5");
            } catch (IOException e) {
                // no reset: the peak then covers the whole process so far, which bench's docs say
            }
        }
    }

    private static long kb(String line) {
        return Long.parseLong(line.trim().split("\\s+")[1]);
    }
}
