package org.samtune.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a main class of this project in a fresh JVM with the test classpath, for what one process cannot observe
 * of itself: text native code writes straight to file descriptor 2, or file modes under another umask.
 */
public final class ChildJvm {
    /** Exit code and both streams of a finished child. */
    public record Result(int code, String out, String err) {}

    private ChildJvm() {}

    /**
     * Runs {@code mainClass} with {@code args}; {@code umask} (octal, e.g. "022") is set by a shell before the JVM
     * starts when not null.
     */
    public static Result run(Path workDir, String umask, String mainClass, String... args)
            throws IOException, InterruptedException {
        List<String> java = new ArrayList<>();
        java.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        java.add("-Xmx1g");
        java.add("-Dai.djl.offline=true");
        java.add("-cp");
        java.add(System.getProperty("java.class.path"));
        java.add(mainClass);
        java.addAll(List.of(args));
        List<String> command = new ArrayList<>();
        if (umask != null) {
            // "$@" keeps every argument as it is; the shell only sets the umask and execs the JVM.
            command.addAll(List.of("/bin/sh", "-c", "umask " + umask + " && exec \"$@\"", "sh"));
        }
        command.addAll(java);
        Path out = Files.createTempFile(workDir, "child", ".out");
        Path err = Files.createTempFile(workDir, "child", ".err");
        Process p = new ProcessBuilder(command).directory(workDir.toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError("child JVM " + mainClass + " did not finish in 5 minutes");
        }
        return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }
}
