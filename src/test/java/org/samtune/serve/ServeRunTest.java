package org.samtune.serve;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.samtune.cli.Main;
import org.samtune.io.Affine;
import org.samtune.io.Nifti;
import org.samtune.io.Volume;
import org.samtune.train.SyntheticDataAccess;

/**
 * {@code serve --run}: the whole-volume segmentation job gives exactly {@code predict --run}'s label volume,
 * shows progress, can be undone as one change, and a cancelled job changes nothing.
 */
class ServeRunTest {
    static final ObjectMapper JSON = new ObjectMapper();
    @TempDir Path dir;
    @TempDir Path root;

    Path trainRun() throws Exception {
        Path csv = SyntheticDataAccess.write(root.resolve("data"), "train", 4, 48, 1);
        SyntheticDataAccess.write(root.resolve("data"), "test", 3, 40, 2);
        Path out = root.resolve("run");
        int code = Main.commandLine().execute("train", "--train-list", csv.toString(), "--val-list", csv.toString(),
                "--arch", "compact", "--tune", "decoder", "--num-classes", "3", "--targets", "multi_all", "--batch",
                "2", "--epochs", "1", "--val-every", "1", "--seed", "3", "--warmup-iters", "1", "--out",
                out.toString());
        assertThat(code).isZero();
        return out;
    }

    static Path volume(Path root, String name, int nz) {
        float[] v = new float[40 * 36 * nz];
        for (int i = 0; i < v.length; i++) {
            v[i] = (i * 7919) % 255;
        }
        Path p = root.resolve(name);
        Nifti.write(p, new Volume(40, 36, nz, v, Affine.diagonal(0.8, -0.8, 2.0)));
        return p;
    }

    JsonNode waitFor(ServeClient c, String job) throws Exception {
        for (int k = 0; k < 600; k++) {
            JsonNode j = JSON.readTree(c.get("/api/jobs/" + job).body());
            String s = j.get("state").asText();
            if (!s.equals("running") && !s.equals("queued")) {
                return j;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("job " + job + " did not end");
    }

    @Test
    void segmentsLikePredictRunAndCancels() throws Exception {
        Path run = trainRun();
        Path nii = volume(root, "vol.nii.gz", 3);
        volume(root, "long.nii.gz", 200);
        Path expected = dir.resolve("pred.nii.gz");
        assertThat(Main.commandLine().execute("predict", "--run", run.toString(), "--image", nii.toString(), "--out",
                expected.toString())).isZero();

        try (SamtuneServer server = new SamtuneServer(new ServeOptions(root, "127.0.0.1", 0, ServeFixture.TINY_SAM,
                run, 1 << 20, 2, 2))) {
            server.start();
            ServeClient c = new ServeClient(server);
            assertThat(JSON.readTree(c.get("/api/info").body()).get("runClasses").asInt()).isEqualTo(2);
            JsonNode doc = JSON.readTree(c.post("/api/open", "{\"path\":\"vol.nii.gz\"}").body());
            String fields = "\"doc\":\"" + doc.get("id").asText() + "\",\"path\":\"vol.nii.gz\"";
            JsonNode job = JSON.readTree(c.post("/api/segment", "{" + fields + ",\"axis\":\"axial\"}").body());
            JsonNode end = waitFor(c, job.get("id").asText());
            assertThat(end.get("state").asText()).as(end.toString()).isEqualTo("done");
            assertThat(end.get("done").asInt()).isEqualTo(3);
            assertThat(end.get("total").asInt()).isEqualTo(3);
            JsonNode out = JSON.readTree(c.post("/api/export/nifti", "{" + fields + "}").body());
            Volume got = Nifti.read(root.resolve(out.get("path").asText()));
            assertThat(got.data()).containsExactly(Nifti.read(expected).data());
            JsonNode labels = JSON.readTree(c.get("/api/labels?doc=" + doc.get("id").asText() + "&path=vol.nii.gz")
                    .body());
            assertThat(labels.get("classes").findValuesAsText("name")).isEqualTo(List.of("class_1", "class_2"));
            JsonNode undone = JSON.readTree(c.post("/api/labels/undo", "{" + fields + "}").body());
            assertThat(undone.get("undone").asText()).startsWith("segment with");

            // a long volume, cancelled at once: no label changes
            JsonNode longDoc = JSON.readTree(c.post("/api/open", "{\"path\":\"long.nii.gz\"}").body());
            String lf = "\"doc\":\"" + longDoc.get("id").asText() + "\",\"path\":\"long.nii.gz\"";
            JsonNode lj = JSON.readTree(c.post("/api/segment", "{" + lf + ",\"axis\":\"axial\"}").body());
            assertThat(c.post("/api/segment", "{" + lf + ",\"axis\":\"axial\"}").statusCode()).isEqualTo(409);
            c.post("/api/jobs/" + lj.get("id").asText() + "/cancel", "{}");
            JsonNode cancelled = waitFor(c, lj.get("id").asText());
            assertThat(cancelled.get("state").asText()).isEqualTo("cancelled");
            assertThat(cancelled.get("done").asInt()).isLessThan(200);
            JsonNode after = JSON.readTree(c.get("/api/labels?doc=" + longDoc.get("id").asText()
                    + "&path=long.nii.gz").body());
            assertThat(after.get("version").asLong()).isZero();

            // review: the run's test slices, truth, prediction and Dice as eval --run scores them
            JsonNode list = JSON.readTree(c.get("/api/review?run=run").body());
            assertThat(list.get("list").asText()).isEqualTo("data/test.csv");
            assertThat(list.get("slices")).hasSize(3);
            Path metrics = dir.resolve("m.csv");
            assertThat(Main.commandLine().execute("eval", "--run", run.toString(), "--data",
                    root.resolve("data/test.csv").toString(), "--out", metrics.toString())).isZero();
            List<String> rows = java.nio.file.Files.readAllLines(metrics);
            List<String> header = List.of(rows.get(0).split(","));
            int compared = 0;
            for (int i = 0; i < 3; i++) {
                JsonNode s = JSON.readTree(c.get("/api/review/slice?run=run&index=" + i).body());
                byte[] truth = java.util.Base64.getDecoder().decode(s.get("truth").asText());
                byte[] pred = java.util.Base64.getDecoder().decode(s.get("prediction").asText());
                assertThat(truth).hasSize(40 * 40);
                for (JsonNode d : s.get("dice")) {
                    int k = d.get("class").asInt();
                    long both = 0;
                    long p = 0;
                    long t = 0;
                    for (int q = 0; q < truth.length; q++) {
                        both += truth[q] == k && pred[q] == k ? 1 : 0;
                        p += pred[q] == k ? 1 : 0;
                        t += truth[q] == k ? 1 : 0;
                    }
                    String name = s.get("name").asText();
                    String row = rows.stream().filter(r -> r.startsWith(name + ",") || r.contains("," + name + ","))
                            .filter(r -> r.contains(d.get("name").asText())).findFirst().orElse(null);
                    if (t == 0) {
                        assertThat(d.get("dice").isNull() || d.get("dice").asDouble() == 0).isTrue();
                        continue;
                    }
                    assertThat(d.get("dice").asDouble()).isCloseTo(2.0 * both / (p + t), org.assertj.core.data.Offset.offset(1e-12));
                    assertThat(row).as("eval row for %s %s in %s", name, d.get("name"), rows).isNotNull();
                    double evalDice = Double.parseDouble(row.split(",")[header.indexOf("dice")]);
                    assertThat(d.get("dice").asDouble()).isCloseTo(evalDice, org.assertj.core.data.Offset.offset(1e-6));
                    compared++;
                }
            }
            assertThat(compared).isGreaterThanOrEqualTo(3);
            assertThat(c.get("/api/review/slice?run=run&index=3").statusCode()).isEqualTo(400);
            assertThat(c.get("/api/review?run=../x").statusCode()).isEqualTo(403);
            assertThat(c.get("/api/review?run=data").statusCode()).isEqualTo(400);
        }
    }
}
