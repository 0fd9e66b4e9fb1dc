package org.samtune.testing;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * Runs fuzz inputs one at a time, each with its own time limit, on a worker thread: an input that hangs or is
 * slow fails the test under its own name (seed and mutation) instead of disappearing into a loop's total. An
 * input may parse, or throw the format's documented exception; anything else (another exception, an
 * OutOfMemoryError, a StackOverflowError) fails the test with the input's name and the stack trace.
 *
 * <p>The limit ({@code -Dsamtune.fuzz.inputTimeoutMs}, default 5000) only separates a hang or a pathological
 * input from a normal one, which takes micro- to milliseconds; it is not a speed measure. The slowest input is
 * reported with its name.
 */
public final class Fuzz implements AutoCloseable {
    private static final long LIMIT_MS = Long.getLong("samtune.fuzz.inputTimeoutMs", 5000);

    private final String format;
    private final Class<? extends Throwable> documented;
    private ExecutorService worker = newWorker();
    private int read;
    private int refused;
    private long slowestNanos;
    private String slowest = "-";
    private final long startNanos = System.nanoTime();
    private final long startCpuNanos = processCpuNanos();

    /** Fuzzes {@code format}, whose readers refuse bad input with {@code documented} (or a subclass). */
    public Fuzz(String format, Class<? extends Throwable> documented) {
        this.format = format;
        this.documented = documented;
    }

    /**
     * One input: {@code parse} reads it (and may check what it read); a refusal with the documented exception is
     * passed to {@code checkRefusal} (e.g. that the message is one line naming the file).
     */
    public void input(String name, Callable<?> parse, Consumer<Throwable> checkRefusal) {
        Future<Boolean> f = worker.submit(() -> {
            try {
                parse.call();
                return true;
            } catch (Throwable t) {
                if (documented.isInstance(t)) {
                    checkRefusal.accept(t);
                    return false;
                }
                throw t;
            }
        });
        long t0 = System.nanoTime();
        try {
            boolean ok = f.get(LIMIT_MS, TimeUnit.MILLISECONDS);
            if (ok) {
                read++;
            } else {
                refused++;
            }
        } catch (TimeoutException e) {
            f.cancel(true);
            worker.shutdownNow(); // the stuck thread is a daemon; a fresh worker serves the next test
            worker = newWorker();
            throw new AssertionError(format + " input " + name + " took more than " + LIMIT_MS
                    + " ms (a hang or a pathological input)");
        } catch (ExecutionException e) {
            Throwable t = e.getCause();
            StringWriter sw = new StringWriter();
            t.printStackTrace(new PrintWriter(sw));
            throw new AssertionError(format + " input " + name + " threw " + t + " (only "
                    + documented.getSimpleName() + " may escape)\n" + sw, t);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted at " + format + " input " + name, e);
        }
        long took = System.nanoTime() - t0;
        if (took > slowestNanos) {
            slowestNanos = took;
            slowest = name;
        }
    }

    public int read() {
        return read;
    }

    public int refused() {
        return refused;
    }

    public int inputs() {
        return read + refused;
    }

    /**
     * One line for the test log: counts, wall and process CPU time (what the loop costs an idle machine when the
     * machine is shared), and the slowest input by name.
     */
    public String summary() {
        return String.format(Locale.ROOT, "%s fuzz: %d inputs, %d read, %d refused, %.1f s (process CPU %.1f s);"
                + " slowest %.1f ms (%s)", format, inputs(), read, refused, (System.nanoTime() - startNanos) / 1e9,
                (processCpuNanos() - startCpuNanos) / 1e9, slowestNanos / 1e6, slowest);
    }

    private static long processCpuNanos() {
        return ProcessHandle.current().info().totalCpuDuration().map(java.time.Duration::toNanos).orElse(0L);
    }

    @Override
    public void close() {
        worker.shutdownNow();
        System.out.println(summary());
    }

    private static ExecutorService newWorker() {
        return Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "fuzz-input");
            t.setDaemon(true);
            return t;
        });
    }
}
