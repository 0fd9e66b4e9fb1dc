package org.samtune.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.samtune.SamtuneException;
import org.samtune.study.Study;
import org.samtune.study.StudyEstimate;
import org.samtune.study.StudyGrid;
import org.samtune.study.StudyPlan;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code samtune study}: a grid of ordinary runs from a plan, scored on each dataset's test list, ranked with
 * statistics, and reported. Running the same command again continues an interrupted study.
 */
@Command(name = "study", mixinStandardHelpOptions = true,
        description = {"Train and score a grid of strategies (plan.yaml), rank them with statistics, write a report.",
                "Each cell is an ordinary run folder; the same command again skips finished cells and resumes an",
                "interrupted one. Outputs: results.csv, ranking.csv, cells.csv, report.html. See docs/study.md.",
                "Exit code 4 when a cell failed (recorded in cells.csv; the others ran)."})
public final class StudyCommand implements Callable<Integer> {

    @Option(names = "--plan", required = true, paramLabel = "plan.yaml", description = "the study plan (docs/study.md)")
    Path plan;

    @Option(names = {"-o", "--out"}, required = true, paramLabel = "STUDY", description = "study folder (created, or continued)")
    Path out;

    @Option(names = "--dry-run", description = "list the cells with a time estimate from a short measurement; train nothing")
    boolean dryRun;

    @Option(names = "--checkpoint-every", defaultValue = "50", description = "each cell's resume checkpoint every N iterations (default ${DEFAULT-VALUE}; also every epoch)")
    int checkpointEvery;

    @Option(names = "--no-embedding-cache", description = "recompute a frozen encoder's embeddings every epoch")
    boolean noCache;

    @Option(names = "--embedding-cache-size", paramLabel = "SIZE", defaultValue = "20G", description = "bound of STUDY/embedding-cache, the frozen-encoder embeddings the cells share (least recently used files go first): bytes or 500M, 20G, 1T (default ${DEFAULT-VALUE})")
    String embeddingCacheSize;

    @picocli.CommandLine.Mixin
    ComputeOptions compute = new ComputeOptions();

    @Spec CommandSpec spec;

    @Override
    public Integer call() {
        compute.apply();
        PrintWriter w = spec.commandLine().getOut();
        StudyPlan p = StudyPlan.read(plan);
        if (compute.precision != null && p.axes() != null && p.axes().precision() != null) {
            throw new SamtuneException(plan + ": axes.precision: the plan sets each cell's precision; drop"
                    + " --precision " + compute.precision + " (it applies to plans without that axis)");
        }
        Path planDir = plan.toAbsolutePath().getParent();
        StudyGrid grid = StudyGrid.expand(p, planDir, plan.toString());
        if (dryRun) {
            w.println(grid.cells().size() + " cells in " + grid.datasets().size() + " dataset(s); measuring ...");
            w.flush();
            List<StudyEstimate.Line> lines = StudyEstimate.estimate(grid, out.resolve(".dry-run"), System.out);
            double total = 0;
            w.printf(Locale.ROOT, "%-70s %10s %10s%n", "cell", "iterations", "est. min");
            for (StudyEstimate.Line l : lines) {
                w.printf(Locale.ROOT, "%-70s %10d %10.1f%n", l.cell().id(), l.iterations(), l.seconds() / 60);
                total += l.seconds();
            }
            w.printf(Locale.ROOT, "estimated total: %.1f min (an upper bound where training stops early or caches"
                    + " embeddings)%n", total / 60);
            w.flush();
            return 0;
        }
        Study.Summary s = Study.run(p, grid, out, new Study.Options(checkpointEvery, !noCache,
                TrainCommand.parseBytes("--embedding-cache-size", embeddingCacheSize)), System.out);
        w.println("study: " + s.done() + " of " + s.cells() + " cells done" + (s.failed() > 0 ? ", " + s.failed()
                + " failed (see " + out.resolve(Study.CELLS) + ")" : ""));
        w.println("wrote " + s.results() + ", " + s.ranking() + " and " + s.report());
        w.flush();
        return s.failed() > 0 ? 4 : 0;
    }
}
