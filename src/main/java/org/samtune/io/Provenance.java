package org.samtune.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.samtune.SamtuneException;

/**
 * What produced an output folder, written as {@code provenance.yaml} beside the results: samtune's version and git
 * commit, the command line, Java, DJL and libtorch versions, OS and CPU, and the SHA-256 of every input. Any verb
 * that writes a folder records it with one call: {@code Provenance.capture(inputs).write(dir, resumed)}.
 *
 * <p>The file is a YAML list with one entry per process that wrote into the folder: a run started and resumed
 * twice has three entries, so each part of the results can be traced to the code and data that made it.
 *
 * <p>Nothing here loads libtorch: library versions come from the resource files DJL ships in its jars, so
 * recording provenance costs nothing in verbs that never touch the engine. The commit is read from the git
 * checkout the code runs from (its {@code .git} folder or worktree file, loose or packed refs), without git; when
 * a {@code git} program is there it also tells whether tracked files differ from the commit. Outside a checkout
 * the commit is {@code unknown}.
 */
public final class Provenance {
    public static final String FILE = "provenance.yaml";

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES));
    private static final Pattern HEX40 = Pattern.compile("[0-9a-f]{40}([0-9a-f]{24})?");
    private static volatile List<String> commandLine;
    private static volatile Map<String, Object> software;

    /**
     * One input: a file (checkpoint, volume, config) or a list of files (a dataset list, with the files it names).
     *
     * @param role what the input was for, e.g. {@code train_list}, {@code base_checkpoint}
     * @param namedFiles for a list, how many files it names (else 0)
     * @param namedFilesSha256 for a list, the SHA-256 of the text {@code sha256sum} prints for the files it names,
     *     in list order, each path as the list writes it (else null)
     */
    public record Input(String role, Path path, long bytes, String sha256, int namedFiles, String namedFilesSha256) {

        public static Input file(String role, Path file) {
            Path abs = file.toAbsolutePath().normalize();
            return new Input(role, abs, size(abs), Sha256.of(abs), 0, null);
        }

        /**
         * A list file and the files it names ({@code named}: the name each has in the manifest, e.g. its path
         * relative to the list's folder, and where it is).
         */
        public static Input list(String role, Path list, Map<String, Path> named) {
            Path abs = list.toAbsolutePath().normalize();
            StringBuilder manifest = new StringBuilder();
            named.forEach((written, found) -> manifest.append(Sha256.of(found)).append("  ").append(written)
                    .append('\n'));
            return new Input(role, abs, size(abs), Sha256.of(abs), named.size(),
                    Sha256.of(manifest.toString().getBytes(StandardCharsets.UTF_8)));
        }

        Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("role", role);
            m.put("path", path.toString());
            m.put("bytes", bytes);
            m.put("sha256", sha256);
            if (namedFilesSha256 != null) {
                m.put("named_files", namedFiles);
                m.put("named_files_sha256", namedFilesSha256);
            }
            return m;
        }
    }

    private final Map<String, Object> record;

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new SamtuneException(file + ": cannot read: " + e.getMessage(), e);
        }
    }

    private Provenance(Map<String, Object> record) {
        this.record = record;
    }

    /**
     * Called by the CLI with the arguments it parses, so the record shows {@code samtune ARGS} rather than the
     * JVM's own command line (which is used when samtune runs as a library).
     */
    public static void commandLine(String[] args) {
        List<String> c = new ArrayList<>();
        c.add("samtune");
        c.addAll(List.of(args));
        commandLine = List.copyOf(c);
    }

    /** This process, now, with these inputs (hashed here). */
    public static Provenance capture(List<Input> inputs) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("written", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
        r.put("command", command());
        r.put("working_directory", Path.of("").toAbsolutePath().toString());
        r.putAll(software());
        r.put("inputs", inputs.stream().map(Input::toMap).toList());
        return new Provenance(r);
    }

    /** The record as YAML-ready maps (insertion order), e.g. to embed it elsewhere. */
    public Map<String, Object> toMap() {
        return record;
    }

    /**
     * Writes the record to {@code dir/provenance.yaml}: as its only entry for a folder being started, or added
     * after the entries already there when {@code continuing} (a resumed run).
     */
    public void write(Path dir, boolean continuing) {
        Path file = dir.resolve(FILE);
        List<Object> entries = new ArrayList<>();
        if (continuing && Files.isRegularFile(file)) {
            entries.addAll(read(file));
        }
        entries.add(record);
        try {
            AtomicFiles.writeString(file, "# What produced this folder: one entry per samtune process that wrote"
                    + " into it (docs/provenance.md)\n" + YAML.writeValueAsString(entries));
        } catch (IOException e) {
            throw new IllegalStateException(FILE, e);
        }
    }

    /** The entries of a {@code provenance.yaml}, oldest first. */
    public static List<Object> read(Path file) {
        try {
            JsonNode root = YAML.readTree(file.toFile());
            if (root == null || !root.isArray()) {
                throw new SamtuneException(file + ": expected a YAML list of provenance entries");
            }
            List<Object> out = new ArrayList<>();
            root.forEach(n -> out.add(YAML.convertValue(n, Map.class)));
            return out;
        } catch (IOException e) {
            throw new SamtuneException(file + ": cannot read: " + e.getMessage(), e);
        }
    }

    private static String command() {
        List<String> c = commandLine;
        if (c == null) {
            c = ProcessHandle.current().info().arguments().map(a -> {
                List<String> l = new ArrayList<>();
                l.add(ProcessHandle.current().info().command().orElse("java"));
                l.addAll(List.of(a));
                return l;
            }).orElse(List.of("unknown"));
        }
        StringBuilder sb = new StringBuilder();
        for (String a : c) {
            sb.append(sb.length() > 0 ? " " : "").append(shellQuote(a));
        }
        return sb.toString();
    }

    /** Quoted so the line can be pasted into a POSIX shell. */
    static String shellQuote(String a) {
        if (!a.isEmpty() && a.matches("[A-Za-z0-9_@%+=:,./-]+")) {
            return a;
        }
        return "'" + a.replace("'", "'\\''") + "'";
    }

    /** samtune's version, from the build. */
    @SuppressWarnings("unchecked")
    public static String version() {
        return String.valueOf(((Map<String, Object>) software().get("samtune")).get("version"));
    }

    /** The commit of the checkout samtune runs from, or {@code unknown}. */
    @SuppressWarnings("unchecked")
    public static String commit() {
        return String.valueOf(((Map<String, Object>) software().get("samtune")).get("commit"));
    }

    /** What does not change within a process: samtune, Java, DJL, libtorch, OS, CPU. */
    static Map<String, Object> software() {
        Map<String, Object> s = software;
        if (s != null) {
            return s;
        }
        s = new LinkedHashMap<>();
        s.put("samtune", samtune(resource("org/samtune/build.properties"), codeHome()));
        s.put("java", System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + ", "
                + System.getProperty("java.vm.name") + ")");
        s.put("djl", resource("ai/djl/engine/api.properties").getProperty("djl_version", "unknown"));
        Properties torch = resource("native/lib/pytorch.properties");
        s.put("libtorch", torch.getProperty("version", "unknown") + " (" + torch.getProperty("flavor", "?") + ", "
                + torch.getProperty("classifier", "?") + ")");
        s.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                + System.getProperty("os.arch"));
        s.put("cpu", cpuModel());
        s.put("cpus", Runtime.getRuntime().availableProcessors());
        s.put("max_heap_mb", Runtime.getRuntime().maxMemory() >> 20);
        software = s;
        return s;
    }

    /** Version and commit: of the checkout at {@code home}, else the commit the build recorded. */
    static Map<String, Object> samtune(Properties build, Path home) {
        Map<String, Object> samtune = new LinkedHashMap<>();
        samtune.put("version", build.getProperty("version", "unknown"));
        samtune.putAll(Git.describe(home));
        String built = build.getProperty("commit", "");
        if ("unknown".equals(samtune.get("commit")) && HEX40.matcher(built).matches()) {
            samtune.put("commit", built); // not run from a checkout: the commit the launcher built from
            samtune.put("commit_from", "the build");
        }
        return samtune;
    }

    private static Properties resource(String name) {
        Properties p = new Properties();
        try (InputStream in = Provenance.class.getClassLoader().getResourceAsStream(name)) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            // a missing version is recorded as unknown
        }
        return p;
    }

    private static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).strip();
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return System.getProperty("os.arch");
    }

    /** Where samtune's code is: the launcher's samtune.home, else the folder of its classes or jar. */
    private static Path codeHome() {
        String home = System.getProperty("samtune.home");
        if (home != null && !home.isBlank()) {
            return Path.of(home);
        }
        try {
            return Path.of(Provenance.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (Exception e) {
            return Path.of("").toAbsolutePath();
        }
    }

    /** The commit of the git checkout that holds {@code start}, read from the files git keeps. */
    static final class Git {
        private Git() {}

        static Map<String, Object> describe(Path start) {
            Map<String, Object> m = new LinkedHashMap<>();
            Path root = start.toAbsolutePath().normalize();
            while (root != null && !Files.exists(root.resolve(".git"))) {
                root = root.getParent();
            }
            if (root == null) {
                m.put("commit", "unknown");
                m.put("source_tree", "not a git checkout: " + start);
                return m;
            }
            String commit;
            try {
                commit = head(gitDir(root));
            } catch (IOException | RuntimeException e) {
                commit = null;
            }
            m.put("commit", commit == null ? "unknown" : commit);
            m.put("source_tree", root.toString());
            Boolean changed = uncommittedChanges(root);
            m.put("uncommitted_changes", changed == null ? "unknown" : changed);
            return m;
        }

        private static Path gitDir(Path root) throws IOException {
            Path dotGit = root.resolve(".git");
            if (Files.isDirectory(dotGit)) {
                return dotGit;
            }
            // a worktree or submodule: ".git" is a file "gitdir: PATH"
            String s = Files.readString(dotGit, StandardCharsets.UTF_8).strip();
            if (!s.startsWith("gitdir:")) {
                throw new IOException(dotGit + ": not a gitdir file");
            }
            return root.resolve(s.substring(7).strip()).normalize();
        }

        static String head(Path gitDir) throws IOException {
            Path common = gitDir;
            Path commonFile = gitDir.resolve("commondir");
            if (Files.isRegularFile(commonFile)) {
                common = gitDir.resolve(Files.readString(commonFile, StandardCharsets.UTF_8).strip()).normalize();
            }
            String head = Files.readString(gitDir.resolve("HEAD"), StandardCharsets.UTF_8).strip();
            for (int depth = 0; head.startsWith("ref:") && depth < 5; depth++) {
                String ref = head.substring(4).strip();
                head = null;
                for (Path dir : List.of(gitDir, common)) {
                    Path loose = dir.resolve(ref);
                    if (Files.isRegularFile(loose)) {
                        head = Files.readString(loose, StandardCharsets.UTF_8).strip();
                        break;
                    }
                }
                if (head == null) {
                    head = packed(common.resolve("packed-refs"), ref);
                }
                if (head == null) {
                    return null; // a branch without commits
                }
            }
            head = head.toLowerCase(Locale.ROOT);
            return HEX40.matcher(head).matches() ? head : null;
        }

        private static String packed(Path packedRefs, String ref) throws IOException {
            if (!Files.isRegularFile(packedRefs)) {
                return null;
            }
            for (String line : Files.readAllLines(packedRefs, StandardCharsets.UTF_8)) {
                String[] f = line.split(" ", 2);
                if (f.length == 2 && f[1].equals(ref)) {
                    return f[0];
                }
            }
            return null;
        }

        /** Whether tracked files differ from the commit, by asking git; null when git cannot say in time. */
        private static Boolean uncommittedChanges(Path root) {
            try {
                Process p = new ProcessBuilder("git", "-C", root.toString(), "diff", "--quiet", "HEAD", "--")
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                        .redirectError(ProcessBuilder.Redirect.DISCARD).start();
                if (!p.waitFor(10, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    return null;
                }
                return p.exitValue() == 0 ? Boolean.FALSE : p.exitValue() == 1 ? Boolean.TRUE : null;
            } catch (IOException e) {
                return null;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        }
    }
}
