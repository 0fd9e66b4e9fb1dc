package org.samtune.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;

/**
 * One in-process {@code samtune} invocation: exit code, what it printed (picocli's writer and System.out, which
 * the long-running verbs use for progress) and its error stream.
 */
record CliRun(int code, String out, String err) {

    static synchronized CliRun of(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        PrintStream oldOut = System.out;
        System.setOut(new PrintStream(stdout, true));
        try {
            var cl = Main.commandLine();
            cl.setOut(new PrintWriter(out, true));
            cl.setErr(new PrintWriter(err, true));
            int code = cl.execute(args);
            return new CliRun(code, out + stdout.toString(), err.toString());
        } finally {
            System.setOut(oldOut);
        }
    }
}
