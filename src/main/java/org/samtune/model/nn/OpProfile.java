package org.samtune.model.nn;

import ai.djl.pytorch.jni.JniUtils;
import java.nio.file.Path;

/**
 * libtorch's operator profiler around a benchmark's timed steps, for developers looking for where a step's time
 * goes: {@code -Dsamtune.profile=trace.json} on a {@code bench} verb writes a Chrome trace (forward and autograd
 * operators, with input shapes) that {@code tools/profile_summary.py} totals by operator. Off by default: recording
 * slows every operator down.
 */
public final class OpProfile implements AutoCloseable {
    private static final String PROPERTY = "samtune.profile";
    private final String file;

    private OpProfile(String file) {
        this.file = file;
    }

    /** Starts recording when {@code -Dsamtune.profile} names a file; closing the result writes it. */
    public static OpProfile startIfRequested() {
        String file = System.getProperty(PROPERTY);
        if (file == null || file.isBlank()) {
            return new OpProfile(null);
        }
        // -Dsamtune.profile.memory=true adds the memory each operator allocated (tools/profile_summary.py --memory)
        JniUtils.startProfile(false, true, Boolean.getBoolean(PROPERTY + ".memory"));
        return new OpProfile(Path.of(file).toAbsolutePath().toString());
    }

    @Override
    public void close() {
        if (file != null) {
            JniUtils.stopProfile(file);
            System.err.println("operator profile: " + file);
        }
    }
}
