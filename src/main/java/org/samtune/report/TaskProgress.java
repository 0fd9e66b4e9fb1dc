package org.samtune.report;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * Progress of a long job made of equal steps (slices of a volume, images of a list) for a person watching: done/total,
 * percent, elapsed time and an ETA from the mean time per step so far. On a terminal one line redrawn in place
 * (at most 5 times a second); otherwise (a pipe, a log file, CI) plain lines: the first step, then at least one
 * line every {@link #PLAIN_INTERVAL_NANOS} (30 s) while the job runs, and the last step.
 */
public final class TaskProgress {
    /** The longest silence on a non-terminal. */
    public static final long PLAIN_INTERVAL_NANOS = 30_000_000_000L;
    private static final long REDRAW_NANOS = 200_000_000L;

    private final PrintWriter out;
    private final boolean terminal;
    private final String what;
    private final LongSupplier clock;
    private final long start;
    private long lastLine = Long.MIN_VALUE;
    private int lastWidth;

    /**
     * @param what     the job and the unit of its steps, e.g. "predict: axial slices"
     * @param terminal whether {@code out} is an interactive terminal
     * @param clock    nanosecond clock ({@code System::nanoTime})
     */
    public TaskProgress(PrintWriter out, boolean terminal, String what, LongSupplier clock) {
        this.out = out;
        this.terminal = terminal;
        this.what = what;
        this.clock = clock;
        this.start = clock.getAsLong();
    }

    /** On {@code out}, redrawn in place when the process has a console. */
    public static TaskProgress of(PrintWriter out, String what) {
        return new TaskProgress(out, System.console() != null, what, System::nanoTime);
    }

    /** After step {@code done} of {@code total} (1-based count). */
    public void update(long done, long total) {
        long now = clock.getAsLong();
        boolean last = done >= total;
        boolean due = lastLine == Long.MIN_VALUE || last
                || now - lastLine >= (terminal ? REDRAW_NANOS : PLAIN_INTERVAL_NANOS);
        if (!due) {
            return;
        }
        String line = line(done, total, now);
        if (terminal) {
            String padded = line.length() < lastWidth ? line + " ".repeat(lastWidth - line.length()) : line;
            out.print("\r" + padded);
            lastWidth = line.length();
            if (last) {
                out.println();
            }
        } else {
            out.println(line);
        }
        out.flush();
        lastLine = now;
    }

    String line(long done, long total, long now) {
        double elapsed = (now - start) / 1e9;
        String eta = done > 0 ? hms(Math.round(elapsed / done * Math.max(0, total - done))) : "--:--:--";
        int pct = total > 0 ? (int) (100 * done / total) : 0;
        return String.format(Locale.ROOT, "%s %d/%d (%d%%)  elapsed %s  ETA %s", what, done, total, pct,
                hms(Math.round(elapsed)), eta);
    }

    static String hms(long seconds) {
        return String.format(Locale.ROOT, "%02d:%02d:%02d", seconds / 3600, (seconds / 60) % 60, seconds % 60);
    }
}
