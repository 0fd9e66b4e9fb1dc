package org.samtune.serve;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.samtune.study.Study;
import org.samtune.study.StudyResults;
import org.samtune.train.SyntheticDataAccess;

/**
 * {@code GET /api/review/study}: a study folder's cells with their state and mean test Dice, each cell's test slices
 * browsed through {@code /api/review} with the Dice the study scored, and nothing outside the root listed or read.
 */
class ServeStudyReviewTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String CELL = "cells/synth/compact-dec-vanilla.random.none.all/seed0";

    @TempDir Path root;
    @TempDir Path outside;

    private void study(Path data, Path out) throws Exception {
        SyntheticDataAccess.write(data, "train", 4, 48, 1);
        SyntheticDataAccess.write(data, "val", 2, 48, 2);
        SyntheticDataAccess.write(data, "test", 3, 40, 3);
        Files.writeString(data.resolve("dataset.yaml"), "classes:\n- index: 0\n  name: background\n- index: 1\n"
                + "  name: disc\n- index: 2\n  name: square\n");
        Path planFile = root.resolve("plan.yaml");
        Files.writeString(planFile, """
                datasets:
                  - {name: synth, dir: data}
                strategies:
                  - {arch: compact, tune: decoder, method: vanilla}
                training: {epochs: 1, batchSize: 2, valEvery: 1, warmupIters: 1, augment: false}
                """);
        Study.Summary s = Study.run(planFile, out, Study.Options.defaults(),
                new PrintStream(new ByteArrayOutputStream()));
        assertThat(s.done()).isEqualTo(1);
    }

    @Test
    void listsCellsAndBrowsesTheirTestSlicesBelowTheRootOnly() throws Exception {
        study(root.resolve("data"), root.resolve("study"));
        List<StudyResults.Row> rows = StudyResults.read(root.resolve("study").resolve(StudyResults.FILE));
        // a cell folder symlinked in from outside the root is not listed
        Path foreign = Files.createDirectories(outside.resolve("seed9"));
        Files.writeString(foreign.resolve("config.yaml"), "arch: compact\n");
        Files.createSymbolicLink(root.resolve("study/cells/synth/compact-dec-vanilla.random.none.all/seed9"), foreign);
        // a study folder that is a link to outside the root is refused
        Files.createDirectories(outside.resolve("s/cells"));
        Files.writeString(outside.resolve("s/plan.yaml"), "datasets: []\n");
        Files.createSymbolicLink(root.resolve("linked"), outside.resolve("s"));

        try (SamtuneServer server = ServeFixture.start(root, null)) {
            ServeClient c = new ServeClient(server);
            HttpResponse<String> r = c.get("/api/review/study?study=study");
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            JsonNode list = JSON.readTree(r.body());
            assertThat(list.get("study").asText()).isEqualTo("study");
            assertThat(list.get("cells")).hasSize(1);
            JsonNode cell = list.get("cells").get(0);
            assertThat(cell.get("cell").asText()).isEqualTo(CELL);
            assertThat(cell.get("run").asText()).isEqualTo("study/" + CELL);
            assertThat(cell.get("dataset").asText()).isEqualTo("synth");
            assertThat(cell.get("seed").asText()).isEqualTo("0");
            assertThat(cell.get("state").asText()).isEqualTo("done");
            assertThat(cell.get("testCases").asInt()).isEqualTo(3);
            double mean = rows.stream().mapToDouble(StudyResults.Row::dice).filter(Double::isFinite).average()
                    .orElseThrow();
            assertThat(cell.get("meanDice").asDouble()).isCloseTo(mean, Offset.offset(1e-12));

            // the cell is a run: its test slices with truth, prediction and the Dice results.csv holds
            String run = cell.get("run").asText();
            JsonNode slices = JSON.readTree(c.get("/api/review?run=" + run).body());
            assertThat(slices.get("list").asText()).isEqualTo("data/test.csv");
            assertThat(slices.get("slices")).hasSize(3);
            int compared = 0;
            for (int i = 0; i < 3; i++) {
                HttpResponse<String> sr = c.get("/api/review/slice?run=" + run + "&index=" + i);
                assertThat(sr.statusCode()).as(sr.body()).isEqualTo(200);
                JsonNode s = JSON.readTree(sr.body());
                assertThat(s.get("truth").asText()).isNotEmpty();
                assertThat(s.get("prediction").asText()).isNotEmpty();
                for (JsonNode d : s.get("dice")) {
                    if (d.get("dice").isNull()) {
                        continue;
                    }
                    StudyResults.Row row = rows.stream().filter(x -> s.get("name").asText().contains(x.caseId())
                            || x.caseId().contains(s.get("name").asText()))
                            .filter(x -> x.classIndex() == d.get("class").asInt()).findFirst().orElse(null);
                    assertThat(row).as("results.csv row of %s class %s", s.get("name"), d.get("class")).isNotNull();
                    assertThat(d.get("dice").asDouble()).isCloseTo(row.dice(), Offset.offset(1e-6));
                    compared++;
                }
            }
            assertThat(compared).isPositive();

            // confinement and bad folders
            assertThat(c.get("/api/review/study?study=../x").statusCode()).isEqualTo(403);
            assertThat(c.get("/api/review/study?study=%2E%2E/x").statusCode()).isEqualTo(403);
            assertThat(c.get("/api/review/study?study=" + outside.resolve("s")).statusCode()).isEqualTo(403);
            assertThat(c.get("/api/review/study?study=linked").statusCode()).isEqualTo(403);
            assertThat(c.get("/api/review/study").statusCode()).isEqualTo(400);
            HttpResponse<String> notStudy = c.get("/api/review/study?study=data");
            assertThat(notStudy.statusCode()).isEqualTo(400);
            assertThat(notStudy.body()).contains("not a study folder");
            assertThat(c.get("/api/review/study?study=nothing").statusCode()).isEqualTo(404);
        }
    }
}
