package org.samtune.train;

import java.io.PrintStream;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * Training progress for a person watching: on a terminal one line redrawn in place with {@code \r} (epoch,
 * iteration, loss, lr, ETA); otherwise (a log file, CI) plain lines, one every {@code plainEvery} iterations, at
 * the end of each epoch, and at least every 30 seconds. The ETA extrapolates the mean time per iteration of this
 * session.
 */
public final class ProgressLine {
    private static final long REDRAW_NANOS = 200_000_000L;
    /** Longest silence between two plain lines. */
    static final long PLAIN_EVERY_NANOS = 30_000_000_000L;

    private final PrintStream out;
    private final boolean terminal;
    private final long totalIters;
    private final int epochs;
    private final int plainEvery;
    private final LongSupplier clock;
    private final long startNanos;
    private final long startIter;
    private long lastDraw = Long.MIN_VALUE;
    private long lastPlain;
    private int lastWidth;

    /**
     * @param terminal whether {@code out} is an interactive terminal ({@code System.console() != null})
     * @param totalIters iterations of the whole run (epochs · batches per epoch)
     * @param startIter iterations already done (resume), so the ETA only counts this session's speed
     * @param clock nanosecond clock ({@code System::nanoTime})
     */
    public ProgressLine(PrintStream out, boolean terminal, long totalIters, int epochs, long startIter, int plainEvery,
            LongSupplier clock) {
        this.out = out;
        this.terminal = terminal;
        this.totalIters = totalIters;
        this.epochs = epochs;
        this.plainEvery = Math.max(1, plainEvery);
        this.clock = clock;
        this.startNanos = clock.getAsLong();
        this.lastPlain = startNanos;
        this.startIter = startIter;
    }

    /** For the process's own standard output. */
    public static ProgressLine forStdout(long totalIters, int epochs, long startIter) {
        return new ProgressLine(System.out, System.console() != null, totalIters, epochs, startIter, 50, System::nanoTime);
    }

    /**
     * After a training step; {@code epoch} is 0-based (shown from 1), {@code iter} the number of iterations done,
     * so the last call shows {@code totalIters} and 100 %.
     */
    public void update(int epoch, long iter, double loss, double lr, boolean endOfEpoch) {
        long now = clock.getAsLong();
        String line = line(epoch, iter, loss, lr, now);
        if (terminal) {
            if (endOfEpoch || iter == totalIters || lastDraw == Long.MIN_VALUE || now - lastDraw >= REDRAW_NANOS) {
                String padded = line.length() < lastWidth ? line + " ".repeat(lastWidth - line.length()) : line;
                out.print("\r" + padded);
                lastWidth = line.length();
                lastDraw = now;
                if (iter == totalIters) {
                    out.println();
                }
                out.flush();
            }
        } else if (iter % plainEvery == 0 || endOfEpoch || iter == totalIters || now - lastPlain >= PLAIN_EVERY_NANOS) {
            lastPlain = now;
            out.println(line);
            out.flush();
        }
    }

    /** A message on its own line (validation result, checkpoint saved), not overwritten by the next redraw. */
    public void message(String text) {
        if (terminal && lastWidth > 0) {
            out.print("\r" + " ".repeat(lastWidth) + "\r");
            lastWidth = 0;
            lastDraw = Long.MIN_VALUE;
        }
        out.println(text);
        out.flush();
    }

    String line(int epoch, long iter, double loss, double lr, long now) {
        String eta = "--:--:--";
        long done = iter - startIter;
        if (done > 0) {
            double perIter = (now - startNanos) / (double) done;
            eta = hms((long) (perIter * Math.max(0, totalIters - iter) / 1e9));
        }
        int pct = totalIters > 0 ? (int) (100 * iter / totalIters) : 0;
        return String.format(Locale.ROOT, "epoch %d/%d  iter %d/%d (%d%%)  loss %.4f  lr %.3e  ETA %s",
                epoch + 1, epochs, iter, totalIters, pct, loss, lr, eta);
    }

    static String hms(long seconds) {
        return String.format(Locale.ROOT, "%02d:%02d:%02d", seconds / 3600, (seconds / 60) % 60, seconds % 60);
    }
}
