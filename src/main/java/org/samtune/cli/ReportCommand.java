package org.samtune.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.samtune.study.RunReport;
import org.samtune.study.StudyReport;
import org.samtune.study.StudyResults;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code samtune report}: one self-contained HTML page for a run folder or a study folder. */
@Command(name = "report", mixinStandardHelpOptions = true,
        description = {"Write report.html for a run folder (settings, curves, test metrics, best and worst slices)",
                "or a study folder (rankings, statistics, Dice plots). The page needs no network when opened."})
public final class ReportCommand implements Callable<Integer> {

    @Parameters(paramLabel = "RUN|STUDY", description = "a run folder (samtune train) or a study folder (samtune study)")
    Path folder;

    @Option(names = "--data", paramLabel = "test.csv", description = "run: the test list (default: test.csv beside the training list)")
    Path data;

    @Option(names = "--base", paramLabel = "CKPT", description = "run: the base checkpoint, if it moved since training")
    Path base;

    @Spec CommandSpec spec;

    @Override
    public Integer call() {
        Path out = Files.isRegularFile(folder.resolve(StudyResults.FILE)) ? StudyReport.write(folder)
                : RunReport.write(folder, data, base);
        spec.commandLine().getOut().println("wrote " + out);
        spec.commandLine().getOut().flush();
        return 0;
    }
}
