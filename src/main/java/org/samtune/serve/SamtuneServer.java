package org.samtune.serve;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import org.samtune.SamtuneException;
import org.samtune.data.prepare.Grey8;
import org.samtune.data.prepare.SliceAxis;
import org.samtune.data.UInt8Image;
import org.samtune.data.prepare.VolumeSlicer;
import org.samtune.model.BlockOrder;
import org.samtune.model.PretrainedSam;
import org.samtune.model.Sam;
import org.samtune.train.TrainedModel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code samtune serve}: the HTTP API and the page, in the process that holds the model. See docs/serve.md.
 *
 * <p>Security: every request must name this server in its Host header (no DNS rebinding); on a non-loopback
 * address every request needs the access token printed at start (header, {@code ?token=} once, then a
 * SameSite=Strict cookie); every state-changing request needs the page's CSRF token in a custom header (which a
 * cross-site form cannot send) and is refused when the browser says it is cross-site (Sec-Fetch-Site, Origin).
 */
public final class SamtuneServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SamtuneServer.class);
    static final String TOKEN_HEADER = "X-Samtune-Token";
    static final String CSRF_HEADER = "X-Samtune-Csrf";
    static final String TOKEN_COOKIE = "samtune_token";
    private static final ObjectMapper JSON = new ObjectMapper();
    /** A JSON request holds at most a few masks (base64, one byte per pixel): 64 MiB covers 6000² slices. */
    static final int MAX_JSON_BYTES = 64 << 20;

    private final ServeOptions options;
    private final RootFolder root;
    private final DocumentStore documents;
    private final LabelStore labels;
    private final Exports exports;
    private Review review;
    private final StudyReview studyReview;
    private final String accessToken;
    private final String csrfToken;
    private final NDManager manager;
    private final PromptModel promptModel;
    private final TrainedModel.Loaded run;
    private final String modelDescription;
    private final Object modelLock = new Object();
    private final EmbeddingCache embeddings;
    private final ExecutorService jobRunner = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "samtune-serve-segment");
        t.setDaemon(true);
        return t;
    });
    private final Map<String, SegmentJob> jobs = new ConcurrentHashMap<>();
    private final AtomicLong jobCounter = new AtomicLong();
    private volatile String busy = "";
    private volatile long busySinceNanos;
    private Javalin app;

    public SamtuneServer(ServeOptions options) {
        this.options = options;
        this.root = new RootFolder(options.root());
        this.studyReview = new StudyReview(root);
        this.documents = new DocumentStore(root, options.maxOpenImages());
        this.labels = new LabelStore(root, Math.max(4, 2 * options.maxOpenImages()));
        this.exports = new Exports(root);
        SecureRandom random = new SecureRandom();
        this.accessToken = options.loopback() ? null : randomHex(random, 24);
        this.csrfToken = randomHex(random, 24);
        this.embeddings = new EmbeddingCache(options.embeddingCache());
        this.manager = org.samtune.model.nn.Compute.newManager();
        try {
            TrainedModel.Loaded r = null;
            if (options.run() != null) {
                r = TrainedModel.open(manager, options.run(), "best", null);
            }
            this.run = r;
            Sam sam = null;
            String desc = "none (viewer only: start with --checkpoint or --run to prompt)";
            if (options.checkpoint() != null) {
                sam = PretrainedSam.load(manager, options.checkpoint(), null, BlockOrder.OFFICIAL);
                desc = sam.config.arch() + " from " + options.checkpoint().getFileName();
            } else if (r != null && r.config().checkpoint() != null && !r.config().checkpoint().isBlank()) {
                Path base = Path.of(r.config().checkpoint());
                sam = PretrainedSam.load(manager, base, null, BlockOrder.OFFICIAL);
                desc = sam.config.arch() + " from " + base.getFileName() + " (the run's base checkpoint)";
            }
            this.promptModel = sam == null ? null : new PromptModel(sam);
            this.review = new Review(root, modelLock, options.run(), r);
            this.modelDescription = desc;
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /** Starts listening; returns the address to open (with the access token when one is needed). */
    public String start() {
        try {
            app = create().start();
        } catch (RuntimeException e) {
            close();
            Throwable t = e;
            while (t.getCause() != null && !(t instanceof java.net.BindException)) {
                t = t.getCause();
            }
            throw new SamtuneException("--host " + options.host() + " --port " + options.port() + ": cannot listen ("
                    + (t.getMessage() == null ? t.toString() : t.getMessage()) + "); choose another --port");
        }
        return address();
    }

    private Javalin create() {
        return Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.http.maxRequestSize = options.maxUploadBytes() + (1 << 20);
            config.http.defaultContentType = "application/json";
            config.jetty.host = options.host();
            config.jetty.port = options.port();
            config.routes.before(this::guard);
            config.routes.get("/", this::index);
            config.routes.get("/app.js", ctx -> resource(ctx, "app.js", "text/javascript; charset=utf-8"));
            config.routes.get("/app.css", ctx -> resource(ctx, "app.css", "text/css; charset=utf-8"));
            config.routes.get("/api/info", this::info);
            config.routes.get("/api/files", this::files);
            config.routes.post("/api/open", this::open);
            config.routes.post("/api/upload", this::upload);
            config.routes.get("/api/slice", this::slice);
            config.routes.get("/api/labels", this::labelInfo);
            config.routes.get("/api/labels/slice", this::labelSlice);
            config.routes.post("/api/labels/class", this::putClass);
            config.routes.post("/api/labels/paint", this::paint);
            config.routes.post("/api/labels/undo", this::undo);
            config.routes.post("/api/prompt", this::prompt);
            config.routes.get("/api/status", this::status);
            config.routes.post("/api/segment", this::segment);
            config.routes.get("/api/jobs/{id}", this::job);
            config.routes.post("/api/jobs/{id}/cancel", this::cancelJob);
            config.routes.post("/api/export/nifti", this::exportNifti);
            config.routes.post("/api/export/dataset", this::exportDataset);
            config.routes.get("/api/review", ctx -> json(ctx, review.list(ctx.queryParam("run"), ctx.queryParam("list"))));
            config.routes.get("/api/review/study", ctx -> json(ctx, studyReview.list(ctx.queryParam("study"))));
            config.routes.get("/api/review/slice", ctx -> json(ctx, review.slice(ctx.queryParam("run"),
                    ctx.queryParam("list"), integer("index", ctx.queryParam("index")))));
            config.routes.exception(ServeException.class, (e, ctx) -> error(ctx, e.status(), e.getMessage()));
            config.routes.exception(SamtuneException.class, (e, ctx) -> error(ctx, 400, e.getMessage()));
            config.routes.exception(Exception.class, (e, ctx) -> {
                LOG.error("{} {} failed", ctx.method(), ctx.path(), e);
                error(ctx, 500, "internal error: " + e);
            });
            config.routes.error(404, ctx -> {
                if (ctx.result() == null || ctx.result().isEmpty()) {
                    error(ctx, 404, "no such endpoint: " + ctx.method() + " " + ctx.path());
                }
            });
        });
    }

    public int port() {
        return app.port();
    }

    /** The address to open in a browser. */
    public String address() {
        String h = options.host().contains(":") ? "[" + options.host() + "]" : options.host();
        return "http://" + h + ":" + port() + "/" + (accessToken == null ? "" : "?token=" + accessToken);
    }

    /** The access token (null on a loopback address, where none is needed). */
    public String accessToken() {
        return accessToken;
    }

    public String modelDescription() {
        return modelDescription;
    }

    @Override
    public void close() {
        if (app != null) {
            app.stop();
            app = null;
        }
        jobs.values().forEach(SegmentJob::requestCancel);
        jobRunner.shutdownNow();
        synchronized (modelLock) {
            embeddings.close();
            review.close();
            manager.close();
        }
    }

    // ---- security ----

    private void guard(Context ctx) {
        String host = ctx.header("Host");
        if (host == null || !allowedHost(host)) {
            throw ServeException.forbidden("Host '" + host + "' is not this server's address");
        }
        if (accessToken != null) {
            String given = ctx.header(TOKEN_HEADER);
            if (given == null) {
                given = ctx.queryParam("token");
            }
            if (given == null) {
                given = ctx.cookie(TOKEN_COOKIE);
            }
            if (given == null || !constantTimeEquals(given, accessToken)) {
                throw new ServeException(401, "this server needs the access token printed at its start");
            }
            if (ctx.queryParam("token") != null) {
                ctx.res().addHeader("Set-Cookie", TOKEN_COOKIE + "=" + accessToken
                        + "; Path=/; HttpOnly; SameSite=Strict");
            }
        }
        ctx.header("X-Content-Type-Options", "nosniff");
        ctx.header("X-Frame-Options", "DENY");
        ctx.header("Referrer-Policy", "no-referrer");
        ctx.header("Cache-Control", "no-store");
        HandlerType m = ctx.method();
        if (m != HandlerType.GET && m != HandlerType.HEAD) {
            String site = ctx.header("Sec-Fetch-Site");
            if (site != null && !site.equals("same-origin") && !site.equals("none")) {
                throw ServeException.forbidden("cross-site request refused (Sec-Fetch-Site: " + site + ")");
            }
            String origin = ctx.header("Origin");
            if (origin != null && !origin.equals("http://" + host)) {
                throw ServeException.forbidden("cross-site request refused (Origin " + origin + ")");
            }
            String csrf = ctx.header(CSRF_HEADER);
            if (csrf == null || !constantTimeEquals(csrf, csrfToken)) {
                throw ServeException.forbidden("missing or wrong " + CSRF_HEADER + " header (reload the page)");
            }
        }
    }

    private boolean allowedHost(String host) {
        String p = ":" + port();
        if (!host.endsWith(p)) {
            return false;
        }
        String h = host.substring(0, host.length() - p.length()).toLowerCase(Locale.ROOT);
        if (h.equals("localhost") || h.equals("127.0.0.1") || h.equals("[::1]")) {
            return true;
        }
        String own = options.host().contains(":") ? "[" + options.host() + "]" : options.host();
        return h.equals(own.toLowerCase(Locale.ROOT)) || (isWildcard(options.host()) && accessToken != null);
    }

    private static boolean isWildcard(String host) {
        return host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]");
    }

    private static boolean constantTimeEquals(String a, String b) {
        return MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }

    private static String randomHex(SecureRandom r, int bytes) {
        byte[] b = new byte[bytes];
        r.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    // ---- page ----

    private void index(Context ctx) {
        String html = new String(readResource("index.html"), StandardCharsets.UTF_8)
                .replace("{{CSRF}}", csrfToken);
        ctx.contentType("text/html; charset=utf-8");
        ctx.header("Content-Security-Policy", "default-src 'self'; img-src 'self' data: blob:; "
                + "style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'");
        ctx.result(html);
    }

    private static void resource(Context ctx, String name, String type) {
        ctx.contentType(type);
        ctx.result(readResource(name));
    }

    private static byte[] readResource(String name) {
        try (InputStream in = SamtuneServer.class.getResourceAsStream("web/" + name)) {
            if (in == null) {
                throw ServeException.notFound("no resource " + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    // ---- endpoints ----

    private void info(Context ctx) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("root", root.path().toString());
        m.put("model", modelDescription);
        m.put("prompting", promptModel != null);
        m.put("run", run == null ? null : options.run().toString());
        m.put("runClasses", run == null ? 0 : run.config().numClasses() - 1);
        m.put("maxUploadBytes", options.maxUploadBytes());
        m.put("embeddingCache", options.embeddingCache());
        m.put("presets", List.of("auto", "brain", "soft-tissue", "lung", "bone", "liver"));
        json(ctx, m);
    }

    private void files(Context ctx) {
        String path = ctx.queryParam("path");
        List<Map<String, Object>> out = new ArrayList<>();
        for (RootFolder.Entry e : root.list(path == null ? "" : path)) {
            out.add(Map.of("name", e.name(), "path", e.path(), "kind", e.kind(), "sizeBytes", e.sizeBytes()));
        }
        json(ctx, Map.of("path", path == null ? "" : path, "entries", out));
    }

    private void open(Context ctx) {
        JsonNode body = body(ctx);
        ImageDocument d = documents.open(text(body, "path"));
        json(ctx, describe(d));
    }

    /** Upload: the raw file as the body, its name in {@code ?name=}; parsed by the same readers, else removed. */
    private void upload(Context ctx) throws IOException {
        String name = ctx.queryParam("name");
        if (name == null || !name.matches("[A-Za-z0-9_][A-Za-z0-9_.-]{0,120}") || RootFolder.kindOf(name) == null) {
            throw ServeException.badRequest("upload name '" + name + "': expected a plain file name ending in .nii,"
                    + " .nii.gz, .dcm, .png, .jpg, .jpeg, .tif, .tiff or .bmp");
        }
        long declared = ctx.req().getContentLengthLong();
        if (declared > options.maxUploadBytes()) {
            throw new ServeException(413, "upload " + name + " is " + declared + " bytes; the limit is "
                    + options.maxUploadBytes() + " (--max-upload-mb)");
        }
        // streamed to a hidden file below the root (never the whole upload in memory), named by its SHA-256 so
        // the same file uploaded again finds its labels again
        Path dir = root.writable(RootFolder.STATE_DIR + "/uploads");
        Files.createDirectories(dir);
        Path incoming = Files.createTempFile(dir, ".incoming-", ".part");
        String rel;
        Path target;
        boolean existed;
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            long total = 0;
            try (InputStream in = ctx.req().getInputStream();
                    java.io.OutputStream out = Files.newOutputStream(incoming)) {
                byte[] buf = new byte[1 << 16];
                for (int n; (n = in.read(buf)) > 0; ) {
                    total += n;
                    if (total > options.maxUploadBytes()) {
                        throw new ServeException(413, "upload " + name + " exceeds the limit of "
                                + options.maxUploadBytes() + " bytes (--max-upload-mb)");
                    }
                    sha.update(buf, 0, n);
                    out.write(buf, 0, n);
                }
            }
            if (total == 0) {
                throw ServeException.badRequest("upload " + name + " is empty");
            }
            rel = RootFolder.STATE_DIR + "/uploads/" + HexFormat.of().formatHex(sha.digest(), 0, 6) + "-" + name;
            target = root.writable(rel);
            existed = Files.exists(target);
            Files.move(incoming, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        } finally {
            Files.deleteIfExists(incoming);
        }
        try {
            ImageDocument d = documents.open(rel);
            json(ctx, describe(d));
        } catch (RuntimeException e) {
            if (!existed) {
                Files.deleteIfExists(target);
            }
            throw e;
        }
    }

    private Map<String, Object> describe(ImageDocument d) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", d.id());
        m.put("path", d.source());
        m.put("kind", d.isPicture() ? "picture" : "volume");
        m.put("dims", List.of(d.volume().nx(), d.volume().ny(), d.volume().nz()));
        m.put("spacingMm", d.volume().spacingMm());
        m.put("orientation", d.volume().affine().orientation());
        Map<String, Object> axes = new LinkedHashMap<>();
        for (SliceAxis a : d.isPicture() ? List.of(SliceAxis.AXIAL) : List.of(SliceAxis.values())) {
            VolumeSlicer s = d.slicer(a);
            double[] px = s.pixelSpacingMm();
            axes.put(a.label(), Map.of("count", s.sliceCount(), "width", s.width(), "height", s.height(),
                    "pixelSpacingMm", List.of(px[0], px[1])));
        }
        m.put("axes", axes);
        m.put("autoBounds", d.autoBounds());
        return m;
    }

    private ImageDocument doc(Context ctx, JsonNode body) {
        String id = body != null ? text(body, "doc") : ctx.queryParam("doc");
        String path = body != null ? (body.hasNonNull("path") ? body.get("path").asText() : null) : ctx.queryParam("path");
        if (id == null || !id.matches("[0-9a-f]{16}")) {
            throw ServeException.badRequest("doc: expected the 16-hex-digit image id, got '" + id + "'");
        }
        return documents.get(id, path);
    }

    private static SliceAxis axis(String text) {
        try {
            return SliceAxis.parse(text == null ? "" : text);
        } catch (SamtuneException e) {
            throw ServeException.badRequest("axis: expected axial, coronal or sagittal, got '" + text + "'");
        }
    }

    private static int integer(String field, String text) {
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw ServeException.badRequest(field + ": expected an integer, got '" + text + "'");
        }
    }

    private void slice(Context ctx) {
        ImageDocument d = doc(ctx, null);
        SliceAxis a = axis(ctx.queryParam("axis"));
        int index = integer("index", ctx.queryParam("index"));
        VolumeSlicer s = d.slicer(a);
        ImageDocument.checkIndex(s, index);
        ctx.header("X-Width", Integer.toString(s.width()));
        ctx.header("X-Height", Integer.toString(s.height()));
        ctx.contentType("application/octet-stream");
        if (d.isPicture()) {
            ctx.header("X-Format", "rgb8");
            ctx.result(d.picture().toRgb().pixels());
            return;
        }
        float[] v = d.values(a, index);
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(v);
        ctx.header("X-Format", "float32le");
        ctx.result(b.array());
    }

    private void labelInfo(Context ctx) {
        ImageDocument d = doc(ctx, null);
        json(ctx, labels.with(d, this::describeLabels));
    }

    private Map<String, Object> describeLabels(LabelVolume v) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("version", v.version());
        m.put("undoDepth", v.undoDepth());
        List<Map<String, Object>> cls = new ArrayList<>();
        long[] counts = v.counts();
        for (LabelClass c : v.classes()) {
            cls.add(Map.of("value", c.value(), "name", c.name(), "color", c.color(), "voxels", counts[c.value()]));
        }
        m.put("classes", cls);
        return m;
    }

    private void labelSlice(Context ctx) {
        ImageDocument d = doc(ctx, null);
        SliceAxis a = axis(ctx.queryParam("axis"));
        int index = integer("index", ctx.queryParam("index"));
        VolumeSlicer s = d.slicer(a);
        Object[] r = labels.with(d, v -> new Object[] {v.slice(s, index), v.version()});
        ctx.header("X-Width", Integer.toString(s.width()));
        ctx.header("X-Height", Integer.toString(s.height()));
        ctx.header("X-Version", r[1].toString());
        ctx.contentType("application/octet-stream");
        ctx.result((byte[]) r[0]);
    }

    private void putClass(Context ctx) {
        JsonNode b = body(ctx);
        ImageDocument d = doc(ctx, b);
        int value = b.path("value").asInt(0);
        String color = b.hasNonNull("color") ? b.get("color").asText()
                : LabelClass.PALETTE[(Math.max(1, value) - 1) % LabelClass.PALETTE.length];
        LabelClass c = new LabelClass(value, text(b, "name"), color);
        json(ctx, labels.with(d, v -> {
            v.putClass(c);
            return describeLabels(v);
        }));
    }

    private void paint(Context ctx) {
        JsonNode b = body(ctx);
        ImageDocument d = doc(ctx, b);
        SliceAxis a = axis(text(b, "axis"));
        int index = b.path("index").asInt(-1);
        int value = b.path("value").asInt(-1);
        if (value < 0 || value > 255) {
            throw ServeException.badRequest("value: expected a class value 1..255 or 0 to erase, got "
                    + b.path("value"));
        }
        byte[] mask = decodeMask(text(b, "mask"));
        String what = b.hasNonNull("what") ? b.get("what").asText() : (value == 0 ? "erase" : "paint");
        VolumeSlicer s = d.slicer(a);
        json(ctx, labels.with(d, v -> {
            int changed = v.paint(s, index, mask, value, what);
            Map<String, Object> m = describeLabels(v);
            m.put("changed", changed);
            return m;
        }));
    }

    private void undo(Context ctx) {
        JsonNode b = body(ctx);
        ImageDocument d = doc(ctx, b);
        json(ctx, labels.with(d, v -> {
            String what = v.undo();
            Map<String, Object> m = describeLabels(v);
            m.put("undone", what);
            return m;
        }));
    }

    private static byte[] decodeMask(String b64) {
        try {
            return Base64.getDecoder().decode(b64);
        } catch (IllegalArgumentException e) {
            throw ServeException.badRequest("mask: expected base64 of one byte per pixel");
        }
    }

    private void prompt(Context ctx) {
        if (promptModel == null) {
            throw new ServeException(409, "no SAM model: start samtune serve with --checkpoint CKPT or --run RUN");
        }
        JsonNode b = body(ctx);
        ImageDocument d = doc(ctx, b);
        SliceAxis a = axis(text(b, "axis"));
        int index = b.path("index").asInt(-1);
        VolumeSlicer s = d.slicer(a);
        ImageDocument.checkIndex(s, index);
        Grey8 grey = window(b);
        Prompt p = Prompt.parse(b, s.width(), s.height());
        String key = d.id() + "|" + a.label() + "|" + index + "|" + (d.isPicture() ? "rgb" : ImageDocument.key(grey));
        long t0 = System.nanoTime();
        PromptModel.Masks masks;
        boolean cached;
        long t1;
        synchronized (modelLock) {
            cached = embeddings.contains(key);
            PromptModel.Embedded e = embeddings.get(key, () -> {
                setBusy("computing the image embedding of " + a.label() + " slice " + index);
                try {
                    UInt8Image rgb = d.samImage(a, index, grey);
                    return promptModel.embed(rgb);
                } finally {
                    setBusy("");
                }
            });
            t1 = System.nanoTime();
            masks = e.predict(p.pointsXY(), p.labels(), p.box());
        }
        long t2 = System.nanoTime();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("width", masks.width());
        m.put("height", masks.height());
        List<Double> iou = new ArrayList<>();
        for (float f : masks.iou()) {
            iou.add((double) f);
        }
        m.put("iou", iou);
        m.put("best", masks.best());
        List<String> enc = new ArrayList<>();
        for (byte[] mk : masks.masks()) {
            enc.add(Base64.getEncoder().encodeToString(mk));
        }
        m.put("masks", enc);
        m.put("embeddingCached", cached);
        m.put("embedMs", (t1 - t0) / 1e6);
        m.put("decodeMs", (t2 - t1) / 1e6);
        json(ctx, m);
    }

    private static Grey8 window(JsonNode b) {
        String w = b.hasNonNull("window") ? b.get("window").asText() : "auto";
        if (w.isBlank() || w.equalsIgnoreCase("auto")) {
            return Grey8.DEFAULT_PERCENTILES;
        }
        try {
            return Grey8.parse(w);
        } catch (SamtuneException e) {
            throw ServeException.badRequest("window: expected auto, a preset or LEVEL,WIDTH in HU, got '" + w + "'");
        }
    }

    private void setBusy(String what) {
        busySinceNanos = System.nanoTime();
        busy = what;
    }

    private void status(Context ctx) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("busy", busy);
        m.put("busySeconds", busy.isEmpty() ? 0 : (System.nanoTime() - busySinceNanos) / 1e9);
        m.put("embeddings", Map.of("cached", embeddings.size(), "capacity", options.embeddingCache()));
        m.put("openImages", documents.size());
        json(ctx, m);
    }

    private void segment(Context ctx) {
        if (run == null) {
            throw new ServeException(409, "no fine-tuned model: start samtune serve with --run RUN");
        }
        if (run.config().promptMode() != org.samtune.train.TrainConfig.PromptMode.NONE) {
            throw new ServeException(409, options.run() + " was trained with " + run.config().promptMode().id()
                    + " prompts; whole-volume segmentation needs a run trained with --prompt none");
        }
        JsonNode b = body(ctx);
        ImageDocument d = doc(ctx, b);
        SliceAxis a = axis(text(b, "axis"));
        Grey8 grey = window(b);
        for (SegmentJob j : jobs.values()) {
            if (j.docId.equals(d.id()) && (j.state() == SegmentJob.State.RUNNING || j.state() == SegmentJob.State.QUEUED)) {
                throw new ServeException(409, "a segmentation of this image is already running (job " + j.id + ")");
            }
        }
        VolumeSlicer s = d.slicer(a);
        SegmentJob job = new SegmentJob("j" + jobCounter.incrementAndGet(), d.id(), s.sliceCount());
        jobs.put(job.id, job);
        jobRunner.submit(() -> runSegmentation(job, d, s, grey));
        json(ctx, describe(job));
    }

    private void runSegmentation(SegmentJob job, ImageDocument d, VolumeSlicer s, Grey8 grey) {
        job.start();
        try {
            byte[] out = new byte[d.volume().data().length];
            for (int k = 0; k < s.sliceCount(); k++) {
                if (job.cancelled()) {
                    job.finish(SegmentJob.State.CANCELLED, "cancelled after " + job.done() + " of " + job.total
                            + " slices; labels unchanged");
                    return;
                }
                UInt8Image rgb = d.samImage(s.axis(), k, grey);
                int[] cls;
                synchronized (modelLock) {
                    cls = run.segment(new org.samtune.data.Slice2D("slice", rgb.width(), rgb.height(), rgb.pixels(),
                            new byte[rgb.width() * rgb.height()]));
                }
                int[] src = LabelVolume.sourceIndices(s, k);
                for (int i = 0; i < src.length; i++) {
                    out[src[i]] = (byte) cls[i];
                }
                job.sliceDone();
            }
            int classes = run.config().numClasses() - 1;
            int changed = labels.with(d, v -> {
                List<LabelClass> cls = new ArrayList<>(v.classes());
                for (int c = 1; c <= classes; c++) {
                    int value = c;
                    if (cls.stream().noneMatch(k -> k.value() == value)) {
                        cls.add(new LabelClass(c, "class_" + c, LabelClass.PALETTE[(c - 1) % LabelClass.PALETTE.length]));
                    }
                }
                cls.sort((x, y) -> Integer.compare(x.value(), y.value()));
                return v.replaceAll(out, cls, "segment with " + options.run().getFileName());
            });
            job.finish(SegmentJob.State.DONE, changed + " voxels changed (undo reverts the whole segmentation)");
        } catch (RuntimeException e) {
            LOG.error("segmentation job {} failed", job.id, e);
            job.finish(SegmentJob.State.FAILED, e.getMessage() == null ? e.toString() : e.getMessage());
        }
    }

    private Map<String, Object> describe(SegmentJob j) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", j.id);
        m.put("doc", j.docId);
        m.put("state", j.state().name().toLowerCase(Locale.ROOT));
        m.put("done", j.done());
        m.put("total", j.total);
        m.put("elapsedSeconds", j.elapsedSeconds());
        m.put("etaSeconds", j.etaSeconds());
        m.put("message", j.message());
        return m;
    }

    private SegmentJob jobOf(Context ctx) {
        SegmentJob j = jobs.get(ctx.pathParam("id"));
        if (j == null) {
            throw ServeException.notFound("no job " + ctx.pathParam("id"));
        }
        return j;
    }

    private void job(Context ctx) {
        json(ctx, describe(jobOf(ctx)));
    }

    private void cancelJob(Context ctx) {
        SegmentJob j = jobOf(ctx);
        j.requestCancel();
        json(ctx, describe(j));
    }

    private void exportNifti(Context ctx) {
        JsonNode b = body(ctx);
        ImageDocument d = doc(ctx, b);
        String out = b.hasNonNull("out") ? b.get("out").asText() : Exports.defaultNiftiName(d);
        json(ctx, labels.with(d, v -> exports.nifti(d, v, out)));
    }

    private void exportDataset(Context ctx) {
        JsonNode b = body(ctx);
        ImageDocument d = doc(ctx, b);
        SliceAxis a = axis(text(b, "axis"));
        String out = b.hasNonNull("out") ? b.get("out").asText() : Exports.defaultDatasetName(d);
        String split = b.hasNonNull("split") ? b.get("split").asText() : "100,0,0";
        int shots = b.path("shots").asInt(0);
        Grey8 grey = window(b);
        json(ctx, labels.with(d, v -> exports.dataset(d, v, a, grey, split, shots, out)));
    }

    // ---- helpers ----

    private static JsonNode body(Context ctx) {
        byte[] raw;
        try (InputStream in = ctx.req().getInputStream()) {
            // read at most the limit (+1 to tell), whatever Content-Length claims: a JSON body is never large
            raw = in.readNBytes(MAX_JSON_BYTES + 1);
        } catch (IOException e) {
            throw ServeException.badRequest("cannot read the request body: " + e.getMessage());
        }
        if (raw.length > MAX_JSON_BYTES) {
            throw new ServeException(413, "a JSON request body is limited to " + MAX_JSON_BYTES + " bytes");
        }
        if (raw.length == 0) {
            throw ServeException.badRequest("expected a JSON body");
        }
        try {
            JsonNode n = JSON.readTree(raw);
            if (n == null || !n.isObject()) {
                throw ServeException.badRequest("expected a JSON object as the body");
            }
            return n;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw ServeException.badRequest("body is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw ServeException.badRequest("body is not valid JSON: " + e.getMessage());
        }
    }

    static String text(JsonNode b, String field) {
        JsonNode n = b.get(field);
        if (n == null || !n.isTextual()) {
            throw ServeException.badRequest(field + ": expected a string");
        }
        return n.asText();
    }

    private static void json(Context ctx, Object value) {
        try {
            ctx.contentType("application/json");
            ctx.result(JSON.writeValueAsBytes(value));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void error(Context ctx, int status, String message) {
        ctx.status(status);
        json(ctx, Map.of("error", message == null ? "error" : message));
    }

}
