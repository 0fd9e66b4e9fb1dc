package org.samtune.cli;

import org.samtune.SamtuneException;
import org.samtune.io.Provenance;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code samtune} command: a few verbs a user remembers, each with {@code --help}. */
@Command(
        name = "samtune",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "Fine-tune Segment Anything (SAM, MobileSAM, MedSAM) for medical image segmentation.",
        subcommands = {CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** Builds the command line with every verb; tests call this to run verbs in-process. */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        for (Object verb : Verbs.all()) {
            cl.addSubcommand(verb);
        }
        cl.setOverwrittenOptionsAllowed(true); // a later flag wins, so scripts can append overrides
        cl.setParameterExceptionHandler(Main::badUsage);
        cl.setExecutionStrategy(parsed -> {
            Provenance.commandLine(parsed.originalArgs().toArray(String[]::new)); // for the output folders
            return new CommandLine.RunLast().execute(parsed);
        });
        cl.setExecutionExceptionHandler((ex, cmd, parseResult) -> {
            Throwable t = ex;
            while (t != null && !(t instanceof SamtuneException)) {
                t = t.getCause();
            }
            if (t != null) {
                cmd.getErr().println("samtune: error: " + t.getMessage());
                return 2;
            }
            cmd.getErr().println("samtune: internal error: " + ex);
            ex.printStackTrace(cmd.getErr());
            return 70;
        });
        return cl;
    }

    /** {@code samtune --version}: the build's version and the commit of the checkout it runs from. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"samtune " + Provenance.version() + " (commit " + Provenance.commit() + ")"};
        }
    }

    /**
     * A flag or value picocli cannot parse: one line naming it and where help is, not the whole usage text (81
     * lines for {@code train}), which buries the error above the fold.
     */
    private static int badUsage(CommandLine.ParameterException ex, String[] args) {
        CommandLine cmd = ex.getCommandLine();
        String message = String.valueOf(ex.getMessage()).replaceAll("\\s*[\\r\\n]+\\s*", " ").trim();
        if (ex instanceof CommandLine.UnmatchedArgumentException u && !u.getSuggestions().isEmpty()) {
            message += " (did you mean " + String.join(" or ", u.getSuggestions()) + "?)";
        }
        cmd.getErr().println("samtune: error: " + message);
        cmd.getErr().println("Try '" + cmd.getCommandSpec().qualifiedName() + " --help' for more information.");
        return 2;
    }

    public static void main(String[] args) {
        if (System.getProperty("ai.djl.offline") == null) {
            System.setProperty("ai.djl.offline", "true");
        }
        System.exit(commandLine().execute(args));
    }
}
