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
        Path csv = SyntheticDataAccess.write(dir.resolve("data"), "train", 4, 48, 1);
        Path out = dir.resolve("run");
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
        volume(root, "long.nii.gz", 400);
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
            assertThat(cancelled.get("done").asInt()).isLessThan(400);
            JsonNode after = JSON.readTree(c.get("/api/labels?doc=" + longDoc.get("id").asText()
                    + "&path=long.nii.gz").body());
            assertThat(after.get("version").asLong()).isZero();
        }
    }
}
