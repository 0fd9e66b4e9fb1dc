package org.samtune.data;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntFunction;

/**
 * Prepares the next batch (decoding, resizing, augmenting images: Java work) on one worker thread while the
 * current batch computes in libtorch. What a batch holds depends only on its index (the caller seeds every random
 * draw by it), so prefetching changes when the work is done, never its result. A batch asked for that was not
 * prefetched (the first, after a resume) is prepared on the calling thread.
 *
 * <p>An exception of the preparation (an unreadable image, named) reaches the caller of {@link #take} unchanged.
 */
public final class Prefetcher<T> implements AutoCloseable {
    private final IntFunction<T> prepare;
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "samtune-prefetch");
        t.setDaemon(true);
        return t;
    });
    private int pendingIndex = -1;
    private Future<T> pending;

    public Prefetcher(IntFunction<T> prepare) {
        this.prepare = prepare;
    }

    /** Batch {@code index}, then starts preparing {@code next} (negative: nothing). */
    public T take(int index, int next) {
        T batch;
        if (pending != null && pendingIndex == index) {
            batch = await(pending);
        } else {
            discard();
            batch = prepare.apply(index);
        }
        pending = null;
        pendingIndex = -1;
        if (next >= 0) {
            pendingIndex = next;
            pending = worker.submit(() -> prepare.apply(next));
        }
        return batch;
    }

    private static <T> T await(Future<T> f) {
        try {
            return f.get();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while preparing a batch", e);
        }
    }

    /**
     * Drops the prefetched batch after its preparation ended (not interrupted midway: the caller may read the same
     * sources next, and they need not be thread-safe, only never used by two threads at once).
     */
    private void discard() {
        if (pending != null) {
            try {
                pending.get();
            } catch (ExecutionException e) {
                // a batch nobody asks for: its error is not the caller's
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            pending = null;
            pendingIndex = -1;
        }
    }

    @Override
    public void close() {
        discard();
        worker.shutdown();
    }
}
