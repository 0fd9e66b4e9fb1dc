package org.samtune.study;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A small study end to end in one process: cells are ordinary run folders, results.csv has one row per cell ×
 * test case × class, a failing cell does not stop the others, running again skips finished cells, two identical
 * studies give identical results, and a moved study folder reports again.
 */
class StudyRunTest {
    @TempDir Path dir;

    private Study.Summary run(Path planFile, Path out) {
        return Study.run(planFile, out, Study.Options.defaults(), new PrintStream(new ByteArrayOutputStream()));
    }

    /** A cell of {@code study} that has a resume checkpoint past its first iteration but is not finished. */
    private static Path inTraining(Path study) throws java.io.IOException {
        Path cells = study.resolve("cells");
        if (!Files.isDirectory(cells)) {
            return null;
        }
        try (var s = Files.walk(cells)) {
            for (Path resume : s.filter(f -> f.getFileName().toString().equals("resume.safetensors")).toList()) {
                Path cell = resume.getParent().getParent();
                if (!Files.exists(cell.resolve("cell.yaml")) && iteration(resume) >= 1) {
                    return cell;
                }
            }
        }
        return null;
    }

    private static long iteration(Path resume) {
        try {
            java.util.Map<String, String> meta = new java.util.HashMap<>();
            org.samtune.checkpoint.Safetensors.readWithMetadata(resume, meta);
            return Long.parseLong(meta.getOrDefault("iteration", "0"));
        } catch (RuntimeException e) {
            return 0; // being replaced at this moment
        }
    }

    private Process launch(String... args) throws java.io.IOException {
        List<String> cmd = new java.util.ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-Xmx2g", "-Dai.djl.offline=true", "-cp", System.getProperty("java.class.path"),
                "org.samtune.cli.Main"));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("study-b.log").toFile())
                .start();
    }

    @Test
    void runsResumesRepeatsAndMoves() throws Exception {
        StudyTestData.write(dir.resolve("data"));
        Files.writeString(dir.resolve("broken.pth"), "not a checkpoint");
        Path planFile = dir.resolve("plan.yaml");
        Files.writeString(planFile, StudyTestData.plan("data", "  setup: [{name: random}, {name: broken, checkpoint: broken.pth}]"));

        Path a = dir.resolve("a");
        Study.Summary s = run(planFile, a);
        assertThat(s.cells()).isEqualTo(8);
        assertThat(s.failed()).isEqualTo(4); // the broken checkpoint's cells
        assertThat(s.done()).isEqualTo(4);

        Path cell = a.resolve("cells/synth/compact-dec-lora.random.none.all/seed1");
        assertThat(cell.resolve("config.yaml")).content().contains("method: lora").contains("seed: 1");
        assertThat(cell.resolve("checkpoints/best.safetensors")).exists();
        assertThat(cell.resolve("test-metrics.csv")).exists();
        Path broken = a.resolve("cells/synth/compact-dec-vanilla.broken.none.all/seed0");
        assertThat(broken.resolve("cell.yaml")).content().contains("failed").contains("broken.pth");
        assertThat(a.resolve("cells.csv")).content().contains("broken.pth");

        List<StudyResults.Row> rows = StudyResults.read(a.resolve("results.csv"));
        // 4 done cells × 3 test slices × 2 classes
        assertThat(rows).hasSize(4 * 3 * 2);
        assertThat(rows).allSatisfy(r -> assertThat(r.cell()).startsWith("cells/"));
        assertThat(a.resolve("ranking.csv")).content().contains("compact dec vanilla").contains("(all datasets)");
        assertThat(a.resolve("report.html")).content().contains("ranking-synth").contains("<svg");

        // the same command again: finished cells are skipped, results are unchanged
        String before = Files.readString(a.resolve("results.csv"));
        long modified = Files.getLastModifiedTime(cell.resolve("test-metrics.csv")).toMillis();
        run(planFile, a);
        assertThat(Files.getLastModifiedTime(cell.resolve("test-metrics.csv")).toMillis()).isEqualTo(modified);
        assertThat(Files.readString(a.resolve("results.csv"))).isEqualTo(before);

        // an interrupted cell (status lost, evaluation not written) continues from its resume checkpoint
        Files.delete(cell.resolve("cell.yaml"));
        Files.delete(cell.resolve("test-metrics.csv"));
        run(planFile, a);
        assertThat(Files.readString(a.resolve("results.csv"))).isEqualTo(before);

        // a second identical study, killed with SIGKILL in the middle of a cell's training and started again,
        // gives an identical results.csv
        Path b = dir.resolve("b");
        Process p = launch("study", "--plan", planFile.toString(), "--out", b.toString(), "--checkpoint-every", "1");
        Path interrupted = null;
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.MINUTES.toNanos(20);
        while (interrupted == null && System.nanoTime() < deadline && p.isAlive()) {
            interrupted = inTraining(b);
            Thread.sleep(50);
        }
        assertThat(p.isAlive()).as("the study was still training when killed").isTrue();
        p.destroyForcibly(); // SIGKILL: no shutdown hooks, no cleanup
        p.waitFor();
        assertThat(interrupted.resolve("cell.yaml")).doesNotExist();
        assertThat(interrupted.resolve("checkpoints/resume.safetensors")).exists();
        run(planFile, b);
        assertThat(interrupted.resolve("train.log")).content().contains("run resumed at iteration");
        assertThat(Files.readString(b.resolve("results.csv"))).isEqualTo(before);
        assertThat(Files.readString(b.resolve("ranking.csv"))).isEqualTo(Files.readString(a.resolve("ranking.csv")));

        // another plan in the same folder is refused
        Files.writeString(planFile, StudyTestData.plan("data", ""));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> run(planFile, a))
                .hasMessageContaining("another plan");

        // a moved study reports again from its own files
        Path moved = dir.resolve("moved");
        Files.move(b, moved);
        String reportBefore = Files.readString(moved.resolve("report.html"));
        Files.delete(moved.resolve("report.html"));
        StudyReport.write(moved);
        assertThat(Files.readString(moved.resolve("report.html")).replace("moved", "b")).isEqualTo(reportBefore);
    }
}
