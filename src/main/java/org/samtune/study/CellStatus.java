package org.samtune.study;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.samtune.io.AtomicFiles;

/**
 * {@code cell.yaml} in a cell's run folder: how far the cell got, so that running the study again skips finished
 * cells, evaluates trained ones, and retries failed ones. Written atomically after each stage.
 *
 * @param state trained (the run finished, not yet scored), done (test-metrics.csv written) or failed
 * @param seconds wall time of the cell's stages in the session that finished them
 * @param rssMb the process's resident memory after the cell (MB; for the flat-memory check across cells)
 * @param error the one-line error of a failed cell
 */
public record CellStatus(String state, double seconds, long rssMb, String error) {
    public static final String FILE = "cell.yaml";
    public static final String TRAINED = "trained";
    public static final String DONE = "done";
    public static final String FAILED = "failed";

    /** The status in {@code dir}, or null when the cell has none (not started, or interrupted while training). */
    public static CellStatus read(Path dir) {
        Path f = dir.resolve(FILE);
        if (!Files.isRegularFile(f)) {
            return null;
        }
        try {
            return StudyPlan.yaml().readValue(f.toFile(), CellStatus.class);
        } catch (IOException e) {
            return null; // unreadable status: the cell is redone from its run folder
        }
    }

    public void write(Path dir) {
        try {
            AtomicFiles.writeString(dir.resolve(FILE), StudyPlan.yaml().writeValueAsString(this));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Resident memory of this process in MB (Linux /proc), or -1. */
    static long residentMb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            // not Linux: memory is not recorded
        }
        return -1;
    }
}
