package org.samtune.serve;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One whole-volume segmentation running in the background: progress (slices done of total, ETA), a cancel flag
 * checked between slices, and how it ended. A cancelled or failed job changes no label.
 */
final class SegmentJob {
    enum State { QUEUED, RUNNING, DONE, CANCELLED, FAILED }

    final String id;
    final String docId;
    final int total;
    private final AtomicInteger done = new AtomicInteger();
    private final AtomicBoolean cancel = new AtomicBoolean();
    private volatile State state = State.QUEUED;
    private volatile String message = "";
    private volatile long startNanos;
    private volatile long endNanos;

    SegmentJob(String id, String docId, int total) {
        this.id = id;
        this.docId = docId;
        this.total = total;
    }

    void start() {
        startNanos = System.nanoTime();
        state = State.RUNNING;
    }

    void sliceDone() {
        done.incrementAndGet();
    }

    boolean cancelled() {
        return cancel.get();
    }

    void requestCancel() {
        cancel.set(true);
    }

    void finish(State s, String msg) {
        endNanos = System.nanoTime();
        message = msg;
        state = s;
    }

    State state() {
        return state;
    }

    int done() {
        return done.get();
    }

    String message() {
        return message;
    }

    double elapsedSeconds() {
        if (startNanos == 0) {
            return 0;
        }
        return ((endNanos != 0 ? endNanos : System.nanoTime()) - startNanos) / 1e9;
    }

    /** Seconds left at the mean pace so far; -1 before the first slice. */
    double etaSeconds() {
        int d = done.get();
        if (d == 0 || state != State.RUNNING) {
            return -1;
        }
        return elapsedSeconds() / d * (total - d);
    }
}
