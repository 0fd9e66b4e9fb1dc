package org.samtune.serve;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.samtune.data.prepare.SliceAxis;
import org.samtune.data.prepare.VolumeSlicer;
import org.samtune.io.Image2D;
import org.samtune.io.Images2D;
import org.samtune.io.Nifti;
import org.samtune.io.Volume;

/** Every endpoint of {@code samtune serve} over HTTP, with the bad inputs a hostile or careless client sends. */
class ServeServerTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir Path root;
    @TempDir Path outside;
    SamtuneServer server;
    ServeClient c;

    @BeforeEach
    void start() throws Exception {
        ServeFixture.writeVolume(root, "scans/ct.nii.gz");
        server = ServeFixture.start(root, ServeFixture.TINY_SAM);
        c = new ServeClient(server);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    static JsonNode json(HttpResponse<String> r) throws Exception {
        return JSON.readTree(r.body());
    }

    JsonNode open() throws Exception {
        HttpResponse<String> r = c.post("/api/open", "{\"path\":\"scans/ct.nii.gz\"}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return json(r);
    }

    String docFields(JsonNode doc) {
        return "\"doc\":\"" + doc.get("id").asText() + "\",\"path\":\"" + doc.get("path").asText() + "\"";
    }

    @Test
    void pageAndInfo() throws Exception {
        HttpResponse<String> page = c.get("/");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Security-Policy").orElse("")).contains("default-src 'self'");
        assertThat(c.get("/app.js").body()).contains("X-Samtune-Csrf");
        assertThat(c.get("/app.css").statusCode()).isEqualTo(200);
        JsonNode info = json(c.get("/api/info"));
        assertThat(info.get("prompting").asBoolean()).isTrue();
        assertThat(info.get("maxUploadBytes").asLong()).isEqualTo(4L << 20);
        assertThat(c.get("/api/nothing").statusCode()).isEqualTo(404);
    }

    @Test
    void filesListOnlyBelowRoot() throws Exception {
        JsonNode top = json(c.get("/api/files?path="));
        assertThat(top.get("entries").toString()).contains("\"scans\"").doesNotContain(RootFolder.STATE_DIR);
        JsonNode scans = json(c.get("/api/files?path=scans"));
        assertThat(scans.get("entries").get(0).get("path").asText()).isEqualTo("scans/ct.nii.gz");
        for (String bad : List.of("..", "../", "scans/../..", "/etc", "%2e%2e", "scans%2F..%2F..", "..%2Fetc",
                "%2Fetc", "scans%00", "~root", "scans%5C..%5C..")) {
            HttpResponse<String> r = c.get("/api/files?path=" + bad);
            assertThat(r.statusCode()).as(bad + ": " + r.body()).isIn(403, 400);
        }
        // double-encoded: the literal name "%2e%2e" does not exist below the root
        assertThat(c.get("/api/files?path=%252e%252e").statusCode()).isEqualTo(404);
        assertThat(c.get("/api/files?path=scans/ct.nii.gz").statusCode()).isEqualTo(400);
    }

    @Test
    void symlinksLeadingOutAreRefused() throws Exception {
        Files.writeString(outside.resolve("secret.nii"), "not yours");
        ServeFixture.writeVolume(outside, "v.nii.gz");
        Files.createSymbolicLink(root.resolve("out"), outside);
        Files.createSymbolicLink(root.resolve("scans/link.nii.gz"), outside.resolve("v.nii.gz"));
        Files.createSymbolicLink(root.resolve("scans/inside.nii.gz"), root.resolve("scans/ct.nii.gz"));
        assertThat(c.get("/api/files?path=out").statusCode()).isEqualTo(403);
        assertThat(c.post("/api/open", "{\"path\":\"out/v.nii.gz\"}").statusCode()).isEqualTo(403);
        assertThat(c.post("/api/open", "{\"path\":\"scans/link.nii.gz\"}").statusCode()).isEqualTo(403);
        assertThat(c.post("/api/open", "{\"path\":\"scans/inside.nii.gz\"}").statusCode()).isEqualTo(200);
        String listing = c.get("/api/files?path=scans").body();
        assertThat(listing).doesNotContain("link.nii.gz").contains("inside.nii.gz");
        assertThat(c.get("/api/files?path=").body()).doesNotContain("\"out\"");
        // writing through a link that leads out is refused too
        JsonNode doc = open();
        HttpResponse<String> r = c.post("/api/export/nifti", "{" + docFields(doc) + ",\"out\":\"out/x.nii.gz\"}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(403);
        assertThat(outside.resolve("x.nii.gz")).doesNotExist();
    }

    @Test
    void openRefusesBadPathsAndFormats() throws Exception {
        assertThat(c.post("/api/open", "{\"path\":\"../x.nii\"}").statusCode()).isEqualTo(403);
        assertThat(c.post("/api/open", "{\"path\":\"" + outside.resolve("v.nii") + "\"}").statusCode()).isEqualTo(403);
        assertThat(c.post("/api/open", "{\"path\":\"scans/none.nii\"}").statusCode()).isEqualTo(404);
        assertThat(c.post("/api/open", "{\"path\":7}").statusCode()).isEqualTo(400);
        assertThat(c.post("/api/open", "not json").statusCode()).isEqualTo(400);
        assertThat(c.post("/api/open", "").statusCode()).isEqualTo(400);
        assertThat(c.post("/api/open", " ".repeat(SamtuneServer.MAX_JSON_BYTES + 1)).statusCode()).isEqualTo(413);
        Files.writeString(root.resolve("scans/notes.txt"), "hello");
        HttpResponse<String> txt = c.post("/api/open", "{\"path\":\"scans/notes.txt\"}");
        assertThat(txt.statusCode()).isEqualTo(400);
        assertThat(json(txt).get("error").asText()).contains("scans/notes.txt");
        Files.write(root.resolve("scans/cut.nii.gz"), Arrays.copyOf(Files.readAllBytes(root.resolve("scans/ct.nii.gz")), 200));
        HttpResponse<String> cut = c.post("/api/open", "{\"path\":\"scans/cut.nii.gz\"}");
        assertThat(cut.statusCode()).as(cut.body()).isEqualTo(400);
        assertThat(json(cut).get("error").asText()).contains("cut.nii.gz");
        JsonNode doc = open();
        assertThat(doc.get("dims").toString()).isEqualTo("[40,32,12]");
        assertThat(doc.get("axes").get("axial").get("count").asInt()).isEqualTo(12);
        assertThat(doc.get("axes").get("sagittal").get("width").asInt()).isEqualTo(32);
    }

    @Test
    void aDicomSeriesFolderOpensAsOneVolume() throws Exception {
        Path series = root.resolve("mr");
        Files.createDirectories(series);
        try (var files = Files.list(org.samtune.testing.Fixtures.data("dicom/mr-series"))) {
            for (Path f : files.toList()) {
                Files.copy(f, series.resolve(f.getFileName()));
            }
        }
        HttpResponse<String> r = c.post("/api/open", "{\"path\":\"mr\"}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        Volume v = org.samtune.io.Dicom.readSeries(series);
        assertThat(json(r).get("dims").toString()).isEqualTo("[" + v.nx() + "," + v.ny() + "," + v.nz() + "]");
        HttpResponse<String> one = c.post("/api/open", "{\"path\":\"mr/brain_001.dcm\"}");
        assertThat(one.statusCode()).as(one.body()).isEqualTo(200);
        assertThat(json(one).get("dims").get(2).asInt()).isEqualTo(1);
    }

    @Test
    void slicesAreTheSlicersSlices() throws Exception {
        JsonNode doc = open();
        String q = "doc=" + doc.get("id").asText() + "&path=scans/ct.nii.gz";
        HttpResponse<byte[]> r = c.getBytes("/api/slice?" + q + "&axis=coronal&index=5");
        assertThat(r.statusCode()).isEqualTo(200);
        int w = Integer.parseInt(r.headers().firstValue("X-Width").orElseThrow());
        int h = Integer.parseInt(r.headers().firstValue("X-Height").orElseThrow());
        float[] got = new float[w * h];
        ByteBuffer.wrap(r.body()).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(got);
        Volume v = Nifti.read(root.resolve("scans/ct.nii.gz"));
        assertThat(got).containsExactly(new VolumeSlicer(v, SliceAxis.CORONAL).slice(v, 5));
        assertThat(c.getBytes("/api/slice?" + q + "&axis=coronal&index=32").statusCode()).isEqualTo(400);
        assertThat(c.getBytes("/api/slice?" + q + "&axis=coronal&index=-1").statusCode()).isEqualTo(400);
        assertThat(c.getBytes("/api/slice?" + q + "&axis=oblique&index=1").statusCode()).isEqualTo(400);
        assertThat(c.getBytes("/api/slice?" + q + "&axis=axial&index=x").statusCode()).isEqualTo(400);
        assertThat(c.getBytes("/api/slice?doc=zz&axis=axial&index=1").statusCode()).isEqualTo(400);
        assertThat(c.getBytes("/api/slice?doc=0123456789abcdef&axis=axial&index=1").statusCode()).isEqualTo(404);
    }

    @Test
    void promptGivesThreeCandidatesAndCachesTheEmbedding() throws Exception {
        JsonNode doc = open();
        String body = "{" + docFields(doc) + ",\"axis\":\"axial\",\"index\":6,\"points\":[[20,15,1]]}";
        JsonNode first = json(c.post("/api/prompt", body));
        assertThat(first.get("iou")).hasSize(3);
        assertThat(first.get("masks")).hasSize(3);
        assertThat(Base64.getDecoder().decode(first.get("masks").get(0).asText())).hasSize(40 * 32);
        assertThat(first.get("embeddingCached").asBoolean()).isFalse();
        JsonNode second = json(c.post("/api/prompt", "{" + docFields(doc)
                + ",\"axis\":\"axial\",\"index\":6,\"points\":[[20,15,1],[3,3,0]],\"box\":[10,5,35,28]}"));
        assertThat(second.get("embeddingCached").asBoolean()).isTrue();
        for (String bad : List.of("\"points\":[[40,15,1]]", "\"points\":[[-1,15,1]]", "\"points\":[[2,2,2]]",
                "\"points\":[[2,2]]", "\"points\":[]", "\"box\":[10,5,3,28]", "\"box\":[0,0,41,10]",
                "\"box\":[1,2,3]", "\"points\":\"x\"")) {
            HttpResponse<String> r = c.post("/api/prompt", "{" + docFields(doc) + ",\"axis\":\"axial\",\"index\":6,"
                    + bad + "}");
            assertThat(r.statusCode()).as(bad + ": " + r.body()).isEqualTo(400);
        }
        assertThat(c.post("/api/prompt", "{" + docFields(doc) + ",\"axis\":\"axial\",\"index\":6,\"window\":\"x\","
                + "\"points\":[[1,1,1]]}").statusCode()).isEqualTo(400);
        assertThat(json(c.get("/api/status")).get("embeddings").get("cached").asInt()).isEqualTo(1);
    }

    @Test
    void aPictureIsPromptedAsPredictDoes() throws Exception {
        int w = 37;
        int h = 29;
        float[] rgb = new float[w * h * 3];
        java.util.Random r = new java.util.Random(5);
        for (int i = 0; i < rgb.length; i++) {
            rgb[i] = r.nextInt(256);
        }
        Path png = root.resolve("pic.png");
        Images2D.writePng(png, new Image2D(w, h, 3, 8, rgb));
        JsonNode doc = json(c.post("/api/open", "{\"path\":\"pic.png\"}"));
        assertThat(doc.get("kind").asText()).isEqualTo("picture");
        assertThat(doc.get("axes").has("coronal")).isFalse();
        HttpResponse<byte[]> slice = c.getBytes("/api/slice?doc=" + doc.get("id").asText() + "&path=pic.png&axis=axial&index=0");
        assertThat(slice.headers().firstValue("X-Format")).hasValue("rgb8");
        byte[] px = slice.body();
        for (int i = 0; i < rgb.length; i++) {
            assertThat(px[i] & 0xff).isEqualTo((int) rgb[i]);
        }
        JsonNode p = json(c.post("/api/prompt", "{" + docFields(doc) + ",\"axis\":\"axial\",\"index\":0,"
                + "\"points\":[[20,11,1],[3,4,0]]}"));
        byte[] best = Base64.getDecoder().decode(p.get("masks").get(p.get("best").asInt()).asText());
        Path mask = outside.resolve("m.png");
        assertThat(org.samtune.cli.Main.commandLine().execute("predict", "--checkpoint",
                ServeFixture.TINY_SAM.toString(), "--image", png.toString(), "--point", "20,11", "--point", "3,4,0",
                "--multimask", "--out", mask.toString())).isZero();
        float[] want = Images2D.read(mask).data();
        for (int i = 0; i < best.length; i++) {
            assertThat(best[i]).isEqualTo((byte) (want[i] > 0 ? 1 : 0));
        }
        assertThat(c.getBytes("/api/slice?doc=" + doc.get("id").asText() + "&path=pic.png&axis=coronal&index=0")
                .statusCode()).isEqualTo(400);
    }

    @Test
    void embeddingCacheIsBounded() throws Exception {
        JsonNode doc = open();
        for (int k = 0; k < 6; k++) {
            HttpResponse<String> r = c.post("/api/prompt", "{" + docFields(doc) + ",\"axis\":\"axial\",\"index\":" + k
                    + ",\"points\":[[20,15,1]]}");
            assertThat(r.statusCode()).isEqualTo(200);
        }
        assertThat(json(c.get("/api/status")).get("embeddings").get("cached").asInt()).isEqualTo(4);
    }

    @Test
    void promptWithoutModelIsRefused() throws Exception {
        server.close();
        server = ServeFixture.start(root, null);
        c = new ServeClient(server);
        JsonNode doc = open();
        HttpResponse<String> r = c.post("/api/prompt", "{" + docFields(doc) + ",\"axis\":\"axial\",\"index\":1,"
                + "\"points\":[[1,1,1]]}");
        assertThat(r.statusCode()).isEqualTo(409);
        assertThat(c.post("/api/segment", "{" + docFields(doc) + ",\"axis\":\"axial\"}").statusCode()).isEqualTo(409);
    }

    byte[] mask(int w, int h, int x0, int y0, int x1, int y1) {
        byte[] m = new byte[w * h];
        for (int y = y0; y < y1; y++) {
            for (int x = x0; x < x1; x++) {
                m[y * w + x] = 1;
            }
        }
        return m;
    }

    String paint(JsonNode doc, String axis, int index, byte[] mask, int value) {
        return "{" + docFields(doc) + ",\"axis\":\"" + axis + "\",\"index\":" + index + ",\"value\":" + value
                + ",\"mask\":\"" + Base64.getEncoder().encodeToString(mask) + "\"}";
    }

    @Test
    void labelsPaintUndoClassesAndReload() throws Exception {
        JsonNode doc = open();
        String q = "doc=" + doc.get("id").asText() + "&path=scans/ct.nii.gz";
        assertThat(json(c.get("/api/labels?" + q)).get("classes")).isEmpty();
        // painting a class that does not exist is refused
        assertThat(c.post("/api/labels/paint", paint(doc, "axial", 3, mask(40, 32, 0, 0, 5, 5), 1)).statusCode())
                .isEqualTo(400);
        assertThat(c.post("/api/labels/class", "{" + docFields(doc) + ",\"value\":1,\"name\":\"liver\"}")
                .statusCode()).isEqualTo(200);
        assertThat(c.post("/api/labels/class", "{" + docFields(doc) + ",\"value\":2,\"name\":\"tumour\","
                + "\"color\":\"#00ff00\"}").statusCode()).isEqualTo(200);
        for (String bad : List.of("\"value\":0,\"name\":\"a\"", "\"value\":256,\"name\":\"a\"",
                "\"value\":3,\"name\":\"background\"", "\"value\":3,\"name\":\"<script>\"",
                "\"value\":3,\"name\":\"liver\"", "\"value\":3,\"name\":\"ok\",\"color\":\"red\"")) {
            assertThat(c.post("/api/labels/class", "{" + docFields(doc) + "," + bad + "}").statusCode()).as(bad)
                    .isEqualTo(400);
        }
        JsonNode p1 = json(c.post("/api/labels/paint", paint(doc, "axial", 3, mask(40, 32, 0, 0, 10, 4), 1)));
        assertThat(p1.get("changed").asInt()).isEqualTo(40);
        JsonNode p2 = json(c.post("/api/labels/paint", paint(doc, "sagittal", 7, mask(32, 12, 0, 0, 32, 12), 2)));
        assertThat(p2.get("changed").asInt()).isEqualTo(32 * 12);
        JsonNode erase = json(c.post("/api/labels/paint", paint(doc, "axial", 3, mask(40, 32, 0, 0, 40, 32), 0)));
        assertThat(erase.get("changed").asInt()).isPositive();
        // bad paints change nothing
        assertThat(c.post("/api/labels/paint", paint(doc, "axial", 3, new byte[7], 1)).statusCode()).isEqualTo(400);
        assertThat(c.post("/api/labels/paint", paint(doc, "axial", 12, mask(40, 32, 0, 0, 1, 1), 1)).statusCode())
                .isEqualTo(400);
        assertThat(c.post("/api/labels/paint", "{" + docFields(doc) + ",\"axis\":\"axial\",\"index\":1,\"value\":1,"
                + "\"mask\":\"***\"}").statusCode()).isEqualTo(400);
        JsonNode undone = json(c.post("/api/labels/undo", "{" + docFields(doc) + "}"));
        assertThat(undone.get("undone").asText()).isEqualTo("erase");
        HttpResponse<byte[]> s = c.getBytes("/api/labels/slice?" + q + "&axis=axial&index=3");
        byte[] labels3 = s.body();
        int ones = 0;
        for (byte b : labels3) {
            ones += b == 1 ? 1 : 0;
        }
        assertThat(overlap()).isEqualTo(4); // column x = 7 of the rectangle lies on sagittal slice 7
        assertThat(ones).isEqualTo(40 - overlap());

        // a new server on the same root (a page reload after a restart) sees the same labels and classes
        server.close();
        server = ServeFixture.start(root, ServeFixture.TINY_SAM);
        c = new ServeClient(server);
        doc = open();
        JsonNode info = json(c.get("/api/labels?" + q));
        assertThat(info.get("classes")).hasSize(2);
        assertThat(info.get("classes").get(1).get("color").asText()).isEqualTo("#00ff00");
        assertThat(c.getBytes("/api/labels/slice?" + q + "&axis=axial&index=3").body()).containsExactly(labels3);
        assertThat(info.get("undoDepth").asInt()).isZero();
        assertThat(json(c.post("/api/labels/undo", "{" + docFields(doc) + "}")).get("undone").isNull()).isTrue();
    }

    /** Pixels of the axial-3 rectangle that the sagittal-7 paint overwrote with class 2. */
    int overlap() throws Exception {
        Volume v = Nifti.read(root.resolve("scans/ct.nii.gz"));
        VolumeSlicer ax = new VolumeSlicer(v, SliceAxis.AXIAL);
        VolumeSlicer sag = new VolumeSlicer(v, SliceAxis.SAGITTAL);
        int[] axIdx = LabelVolume.sourceIndices(ax, 3);
        java.util.Set<Integer> sagSet = new java.util.HashSet<>();
        for (int i : LabelVolume.sourceIndices(sag, 7)) {
            sagSet.add(i);
        }
        int n = 0;
        for (int y = 0; y < 4; y++) {
            for (int x = 0; x < 10; x++) {
                n += sagSet.contains(axIdx[y * 40 + x]) ? 1 : 0;
            }
        }
        return n;
    }

    @Test
    void concurrentPaintsAreAllKept() throws Exception {
        JsonNode doc = open();
        c.post("/api/labels/class", "{" + docFields(doc) + ",\"value\":1,\"name\":\"a\"}");
        ExecutorService pool = Executors.newFixedThreadPool(6);
        List<Future<HttpResponse<String>>> f = new ArrayList<>();
        for (int k = 0; k < 12; k++) {
            int idx = k;
            // two "tabs" painting disjoint slices at the same time
            f.add(pool.submit(() -> c.post("/api/labels/paint", paint(doc, "axial", idx, mask(40, 32, 0, 0, 40, 32), 1))));
        }
        for (Future<HttpResponse<String>> r : f) {
            assertThat(r.get().statusCode()).isEqualTo(200);
        }
        pool.shutdown();
        JsonNode info = json(c.get("/api/labels?doc=" + doc.get("id").asText() + "&path=scans/ct.nii.gz"));
        assertThat(info.get("classes").get(0).get("voxels").asLong()).isEqualTo(40L * 32 * 12);
        assertThat(info.get("version").asLong()).isEqualTo(13);
    }

    @Test
    void aFailedSaveLeavesTheLabelsAsTheyWere() throws Exception {
        JsonNode doc = open();
        c.post("/api/labels/class", "{" + docFields(doc) + ",\"value\":1,\"name\":\"a\"}");
        assertThat(c.post("/api/labels/paint", paint(doc, "axial", 2, mask(40, 32, 0, 0, 8, 8), 1)).statusCode())
                .isEqualTo(200);
        Path file = root.resolve(RootFolder.STATE_DIR + "/labels/" + doc.get("id").asText() + ".labels");
        byte[] saved = Files.readAllBytes(file);
        String q = "doc=" + doc.get("id").asText() + "&path=scans/ct.nii.gz";
        byte[] sliceBefore = c.getBytes("/api/labels/slice?" + q + "&axis=axial&index=2").body();
        // the label folder is replaced by a plain file: the atomic write cannot even start (works as root too)
        Path dir = file.getParent();
        Path moved = dir.resolveSibling("labels.moved");
        Files.move(dir, moved);
        Files.writeString(dir, "in the way");
        try {
            HttpResponse<String> r = c.post("/api/labels/paint", paint(doc, "axial", 2, mask(40, 32, 0, 0, 40, 32), 1));
            assertThat(r.statusCode()).as(r.body()).isGreaterThanOrEqualTo(400);
            assertThat(json(r).get("error").asText()).contains("cannot write");
        } finally {
            Files.delete(dir);
            Files.move(moved, dir);
        }
        assertThat(Files.readAllBytes(file)).containsExactly(saved);
        assertThat(c.getBytes("/api/labels/slice?" + q + "&axis=axial&index=2").body()).containsExactly(sliceBefore);
        JsonNode info = json(c.get("/api/labels?" + q));
        assertThat(info.get("classes").get(0).get("voxels").asLong()).isEqualTo(64);
        assertThat(info.get("undoDepth").asInt()).isEqualTo(1);
    }

    @Test
    void uploadsAreParsedLimitedAndCleanedUp() throws Exception {
        byte[] good = Files.readAllBytes(root.resolve("scans/ct.nii.gz"));
        HttpResponse<String> ok = c.postBytes("/api/upload?name=mine.nii.gz", good);
        assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
        assertThat(json(ok).get("dims").toString()).isEqualTo("[40,32,12]");
        Path png = root.resolve("p.png");
        Images2D.writePng(png, new Image2D(6, 4, 1, 8, new float[24]));
        HttpResponse<String> pic = c.postBytes("/api/upload?name=p.png", Files.readAllBytes(png));
        assertThat(json(pic).get("kind").asText()).isEqualTo("picture");

        HttpResponse<String> corrupt = c.postBytes("/api/upload?name=bad.nii.gz", Arrays.copyOf(good, 100));
        assertThat(corrupt.statusCode()).isEqualTo(400);
        assertThat(json(corrupt).get("error").asText()).contains("bad.nii.gz");
        HttpResponse<String> garbage = c.postBytes("/api/upload?name=bad.png", new byte[] {1, 2, 3});
        assertThat(garbage.statusCode()).isEqualTo(400);
        try (var s = Files.list(root.resolve(RootFolder.STATE_DIR).resolve("uploads"))) {
            assertThat(s.map(p -> p.getFileName().toString()).toList()).noneMatch(n -> n.contains("bad"));
        }
        // refused by its declared length before any body is read; only the head is sent, because a client that
        // is still writing when the server answers and closes sees a broken pipe instead of the answer
        String big = ServeClient.raw(c.port, "POST /api/upload?name=big.nii HTTP/1.1\r\nHost: 127.0.0.1:" + c.port
                + "\r\nContent-Type: application/octet-stream\r\n" + SamtuneServer.CSRF_HEADER + ": " + c.csrf
                + "\r\nContent-Length: " + ((4 << 20) + 1) + "\r\nConnection: close\r\n\r\n");
        assertThat(big).startsWith("HTTP/1.1 413").contains("big.nii", "--max-upload-mb");
        // without a declared length the stream is counted: one byte over the limit, chunked, and the last chunk
        // never sent, so the server has read everything the client wrote when it answers
        ByteArrayOutputStream chunks = new ByteArrayOutputStream();
        int over = (4 << 20) + 1;
        for (int sent = 0; sent < over; ) {
            int n = Math.min(1 << 16, over - sent);
            chunks.writeBytes((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            chunks.writeBytes(new byte[n]);
            chunks.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
            sent += n;
        }
        String streamed = ServeClient.raw(c.port, "POST /api/upload?name=stream.nii HTTP/1.1\r\nHost: 127.0.0.1:"
                + c.port + "\r\nContent-Type: application/octet-stream\r\n" + SamtuneServer.CSRF_HEADER + ": "
                + c.csrf + "\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n", chunks.toByteArray());
        assertThat(streamed).startsWith("HTTP/1.1 413").contains("stream.nii", "exceeds the limit");
        try (var s = Files.list(root.resolve(RootFolder.STATE_DIR).resolve("uploads"))) {
            assertThat(s.map(p -> p.getFileName().toString()).toList())
                    .noneMatch(n -> n.contains("stream") || n.startsWith(".incoming"));
        }
        assertThat(c.postBytes("/api/upload?name=../x.nii", good).statusCode()).isEqualTo(400);
        assertThat(c.postBytes("/api/upload?name=x.exe", good).statusCode()).isEqualTo(400);
        assertThat(c.postBytes("/api/upload?name=x.nii", new byte[0]).statusCode()).isEqualTo(400);
        assertThat(c.get("/api/info").statusCode()).isEqualTo(200);
    }

    @Test
    void stateChangesNeedTheCsrfTokenAndSameOrigin() throws Exception {
        String body = "{\"path\":\"scans/ct.nii.gz\"}";
        assertThat(c.post("/api/open", body, Map.of()).statusCode()).isEqualTo(403);
        assertThat(c.post("/api/open", body, Map.of(SamtuneServer.CSRF_HEADER, "0".repeat(48))).statusCode())
                .isEqualTo(403);
        assertThat(c.post("/api/open", body, Map.of(SamtuneServer.CSRF_HEADER, c.csrf, "Sec-Fetch-Site",
                "cross-site")).statusCode()).isEqualTo(403);
        assertThat(c.post("/api/open", body, Map.of(SamtuneServer.CSRF_HEADER, c.csrf, "Origin",
                "http://evil.example")).statusCode()).isEqualTo(403);
        assertThat(c.post("/api/open", body, Map.of(SamtuneServer.CSRF_HEADER, c.csrf, "Origin",
                "http://127.0.0.1:" + c.port, "Sec-Fetch-Site", "same-origin")).statusCode()).isEqualTo(200);
    }

    @Test
    void foreignHostHeaderIsRefused() throws Exception {
        String r = ServeClient.raw(c.port, "GET /api/info HTTP/1.1\r\nHost: evil.example:" + c.port
                + "\r\nConnection: close\r\n\r\n");
        assertThat(r).startsWith("HTTP/1.1 403");
        String ok = ServeClient.raw(c.port, "GET /api/info HTTP/1.1\r\nHost: localhost:" + c.port
                + "\r\nConnection: close\r\n\r\n");
        assertThat(ok).startsWith("HTTP/1.1 200");
        // an undecoded traversal in the raw query is decoded by the server and refused
        String raw = ServeClient.raw(c.port, "GET /api/files?path=%2E%2E%2F%2E%2E HTTP/1.1\r\nHost: 127.0.0.1:"
                + c.port + "\r\nConnection: close\r\n\r\n");
        assertThat(raw).startsWith("HTTP/1.1 403");
    }

    @Test
    void nonLoopbackHostNeedsTheToken() throws Exception {
        server.close();
        server = new SamtuneServer(new ServeOptions(root, "0.0.0.0", 0, null, null, 1 << 20, 2, 2));
        server.start();
        assertThat(server.accessToken()).hasSize(48);
        assertThat(server.address()).contains("?token=" + server.accessToken());
        ServeClient raw = null;
        var http = java.net.http.HttpClient.newHttpClient();
        var noToken = http.send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("http://127.0.0.1:" + server.port() + "/api/info")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(noToken.statusCode()).isEqualTo(401);
        var page = http.send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("http://127.0.0.1:" + server.port() + "/")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(page.statusCode()).isEqualTo(401);
        var wrong = http.send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("http://127.0.0.1:" + server.port() + "/api/info"))
                .header(SamtuneServer.TOKEN_HEADER, "x".repeat(48)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(wrong.statusCode()).isEqualTo(401);
        var withHeader = http.send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("http://127.0.0.1:" + server.port() + "/api/info"))
                .header(SamtuneServer.TOKEN_HEADER, server.accessToken()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(withHeader.statusCode()).isEqualTo(200);
        var withQuery = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:"
                + server.port() + "/?token=" + server.accessToken())).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(withQuery.statusCode()).isEqualTo(200);
        assertThat(withQuery.headers().firstValue("Set-Cookie").orElse("")).contains("SameSite=Strict")
                .contains("HttpOnly");
        assertThat(raw).isNull();
    }

    @Test
    void exportsNiftiOnTheSourceGridAndADataset() throws Exception {
        JsonNode doc = open();
        c.post("/api/labels/class", "{" + docFields(doc) + ",\"value\":1,\"name\":\"organ\"}");
        HttpResponse<String> empty = c.post("/api/export/dataset", "{" + docFields(doc) + ",\"axis\":\"axial\"}");
        assertThat(empty.statusCode()).as(empty.body()).isEqualTo(400);
        for (int k : new int[] {2, 5, 9}) {
            c.post("/api/labels/paint", paint(doc, "axial", k, mask(40, 32, 5, 6, 20, 18), 1));
        }
        JsonNode n = json(c.post("/api/export/nifti", "{" + docFields(doc) + "}"));
        assertThat(n.get("path").asText()).isEqualTo("exports/ct_labels.nii.gz");
        assertThat(n.get("nonZeroVoxels").asLong()).isEqualTo(3L * 15 * 12);
        Volume src = Nifti.read(root.resolve("scans/ct.nii.gz"));
        Volume lab = Nifti.read(root.resolve("exports/ct_labels.nii.gz"));
        assertThat(lab.sameGrid(src)).isTrue();
        assertThat(lab.affine()).isEqualTo(src.affine());
        float[] s5 = new VolumeSlicer(src, SliceAxis.AXIAL).slice(lab, 5);
        assertThat(s5[6 * 40 + 5]).isEqualTo(1f);
        assertThat(s5[5 * 40 + 5]).isEqualTo(0f);
        assertThat(c.post("/api/export/nifti", "{" + docFields(doc) + ",\"out\":\"x.txt\"}").statusCode())
                .isEqualTo(400);
        assertThat(c.post("/api/export/nifti", "{" + docFields(doc) + ",\"out\":\"../x.nii\"}").statusCode())
                .isEqualTo(403);

        JsonNode d = json(c.post("/api/export/dataset", "{" + docFields(doc) + ",\"axis\":\"axial\",\"split\":"
                + "\"60,20,20\",\"shots\":1}"));
        Path ds = root.resolve(d.get("path").asText());
        assertThat(ds.resolve("dataset.yaml")).exists();
        assertThat(Files.readString(ds.resolve("dataset.yaml"))).contains("organ");
        assertThat(Files.readAllLines(ds.resolve("train.csv")).size() + Files.readAllLines(ds.resolve("val.csv")).size()
                + Files.readAllLines(ds.resolve("test.csv")).size()).isEqualTo(3);
        assertThat(ds.resolve("train_1shot.csv")).exists();
        String line = Files.readAllLines(ds.resolve("train.csv")).get(0);
        Image2D maskPng = Images2D.read(ds.resolve(line.split(",")[1]));
        assertThat(maskPng.width()).isEqualTo(40);
        // a folder that holds something else is not overwritten
        Files.createDirectories(root.resolve("busy"));
        Files.writeString(root.resolve("busy/keep.txt"), "mine");
        assertThat(c.post("/api/export/dataset", "{" + docFields(doc) + ",\"axis\":\"axial\",\"out\":\"busy\"}")
                .statusCode()).isEqualTo(400);
        assertThat(c.post("/api/export/dataset", "{" + docFields(doc) + ",\"axis\":\"axial\",\"split\":\"x\"}")
                .statusCode()).isEqualTo(400);
    }

    @Test
    void jobsEndpointsWithoutARun() throws Exception {
        assertThat(c.get("/api/jobs/j9").statusCode()).isEqualTo(404);
        assertThat(c.post("/api/jobs/j9/cancel", "{}").statusCode()).isEqualTo(404);
        JsonNode doc = open();
        assertThat(c.post("/api/segment", "{" + docFields(doc) + ",\"axis\":\"axial\"}").statusCode()).isEqualTo(409);
    }
}
