package org.samtune.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.samtune.testing.Fixtures;
import org.samtune.testing.Fuzz;

/**
 * Seeded random damage to tiny_sam.pth: every mutant either reads or fails with a {@link CheckpointException}
 * naming the file; never another exception, an OutOfMemoryError or a hang (each mutant has its own time limit,
 * {@link Fuzz}; the class timeout is a last guard, not a speed measure).
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class PthFuzzTest {
    private static final int[] OPCODES = {0x80, 0x95, '.', '(', '}', ']', ')', 'N', 0x88, 0x89, 'J', 'K', 'M', 0x8a,
        0x8b, 'I', 'G', 'F', 'X', 0x8c, 0x8d, 'T', 'U', 'B', 'C', 0x8e, 't', 0x85, 0x86, 0x87, 'l', 'd', 'a', 'e', 's',
        'u', '0', '1', '2', 'q', 'r', 0x94, 'p', 'h', 'j', 'g', 'c', 0x93, 'R', 0x81, 0x92, 'b', 'Q', 'P', 'i', 'o'};

    /**
     * Mutants per test, 10,000 in all: fewer of tiny_sam.pth (a 650 KB zip written and read twice per mutant, ~5 ms)
     * than of the small files. Scale for a longer local run: {@code -Dsamtune.fuzz.scale=5}.
     */
    private static final int SCALE = Integer.getInteger("samtune.fuzz.scale", 1);
    private static final int SAM_PICKLES = 1000 * SCALE;
    private static final int WRAPPER_PICKLES = 3500 * SCALE;
    private static final int LEGACY_FILES = 3500 * SCALE;
    private static final int ARCHIVES = 2000 * SCALE;

    @TempDir
    Path tmp;

    private Fuzz fuzz;
    private int read;
    private int refused;

    @BeforeEach
    void start(TestInfo test) {
        fuzz = new Fuzz(".pth " + test.getDisplayName(), CheckpointException.class);
    }

    @AfterEach
    void stop() {
        fuzz.close();
    }

    @Test
    void mutatedPicklesInsideAValidZipReadOrFailCleanly() throws IOException {
        fuzzPickle(Fixtures.file("sam-tiny", "tiny_sam.pth"), "tiny_sam/data.pkl", 20240611L, SAM_PICKLES);
        assertThat(refused).as("mutants refused").isGreaterThan(SAM_PICKLES / 4);
    }

    /** A MedSAM-style {"model", "optimizer", "epoch"} pickle: int keys, floats, tuples, None, nested dicts. */
    @Test
    void mutatedWrapperPicklesReadOrFailCleanly() throws IOException {
        fuzzPickle(CheckpointFiles.file("net_model_wrapper.pth"), "net_model_wrapper/data.pkl", 99L,
                WRAPPER_PICKLES);
        assertThat(refused).as("mutants refused").isGreaterThan(WRAPPER_PICKLES / 4);
    }

    private void fuzzPickle(Path source, String pkl, long seed, int mutants) throws IOException {
        Map<String, byte[]> entries = entries(source);
        byte[] original = entries.get(pkl);
        assertThat(original).as(pkl).isNotNull();
        Random rnd = new Random(seed);
        for (int i = 0; i < mutants; i++) {
            byte[] mutant = mutate(original, rnd, true);
            entries.put(pkl, mutant);
            Path f = tmp.resolve("pkl-" + i + ".pth");
            write(f, entries);
            check(f, "pickle mutant " + i + " of seed " + seed);
            Files.delete(f);
        }
    }

    /** The pre-1.6 format: five pickles and a table of counts, no zip directory and no checksums to stop damage. */
    @Test
    void mutatedLegacyFilesReadOrFailCleanly() throws IOException {
        byte[] original = Files.readAllBytes(CheckpointFiles.file("dtypes_views_legacy_format.pth"));
        Random rnd = new Random(1001L);
        for (int i = 0; i < LEGACY_FILES; i++) {
            Path f = tmp.resolve("legacy-" + i + ".pth");
            Files.write(f, mutate(original, rnd, true));
            check(f, "legacy mutant " + i);
            Files.delete(f);
        }
        assertThat(refused).as("mutants refused").isGreaterThan(LEGACY_FILES / 4);
    }

    @Test
    void mutatedArchiveBytesReadOrFailCleanly() throws IOException {
        byte[] original = Files.readAllBytes(Fixtures.file("sam-tiny", "tiny_sam.pth"));
        Random rnd = new Random(7L);
        for (int i = 0; i < ARCHIVES; i++) {
            byte[] mutant = mutate(original, rnd, false);
            // half the damage goes to the zip directory and the pickle at the front, where the parsing is
            if (rnd.nextBoolean()) {
                int from = rnd.nextBoolean() ? Math.max(0, mutant.length - 16_000) : 0;
                int at = from + rnd.nextInt(Math.min(16_000, mutant.length - from));
                mutant[at] ^= (byte) (1 + rnd.nextInt(255));
            }
            Path f = tmp.resolve("zip-" + i + ".pth");
            Files.write(f, mutant);
            check(f, "archive mutant " + i);
            Files.delete(f);
        }
        assertThat(refused).as("mutants refused").isGreaterThan(ARCHIVES / 2);
    }

    private void check(Path f, String what) {
        fuzz.input(what, () -> {
            StateDict sd = PthReader.read(f);
            for (TensorData t : sd.tensors().values()) {
                assertThat((long) t.data().remaining()).isEqualTo(t.numel() * t.dtype().bytes());
            }
            return Checkpoints.load(f, note -> { });
        }, e -> assertThat(e.getMessage()).as(what).startsWith(f.toString()).doesNotContain("\n"));
        read = fuzz.read();
        refused = fuzz.refused();
    }

    private static byte[] mutate(byte[] in, Random rnd, boolean pickle) {
        byte[] b = in.clone();
        int kind = rnd.nextInt(pickle ? 8 : 6);
        int at = rnd.nextInt(b.length);
        switch (kind) {
            case 0 -> { // flip a few bits
                for (int k = 1 + rnd.nextInt(4); k > 0; k--) {
                    b[rnd.nextInt(b.length)] ^= (byte) (1 << rnd.nextInt(8));
                }
            }
            case 1 -> { // overwrite a run with random bytes
                for (int k = 0; k < 1 + rnd.nextInt(8) && at + k < b.length; k++) {
                    b[at + k] = (byte) rnd.nextInt(256);
                }
            }
            case 2 -> { // a length field turned huge, zero or negative
                int[] v = {0x00, 0xff, 0x7f, 0x80};
                for (int k = 0; k < 4 && at + k < b.length; k++) {
                    b[at + k] = (byte) v[rnd.nextInt(v.length)];
                }
            }
            case 3 -> b = Arrays.copyOf(b, at); // truncate
            case 4 -> { // delete a range
                int n = Math.min(1 + rnd.nextInt(64), b.length - at);
                byte[] c = new byte[b.length - n];
                System.arraycopy(b, 0, c, 0, at);
                System.arraycopy(b, at + n, c, at, b.length - at - n);
                b = c;
            }
            case 5 -> { // duplicate a range
                int n = Math.min(1 + rnd.nextInt(64), b.length - at);
                byte[] c = new byte[b.length + n];
                System.arraycopy(b, 0, c, 0, at + n);
                System.arraycopy(b, at, c, at + n, b.length - at);
                b = c;
            }
            case 6 -> b[at] = (byte) OPCODES[rnd.nextInt(OPCODES.length)]; // a valid opcode in the wrong place
            default -> { // a small integer argument changed (sizes, strides, offsets, memo slots)
                for (int k = 0; k < 3; k++) {
                    int p = rnd.nextInt(b.length - 1);
                    if (b[p] == 'K' || b[p] == 'h' || b[p] == 'q') {
                        b[p + 1] = (byte) rnd.nextInt(256);
                    }
                }
            }
        }
        return b;
    }

    private static Map<String, byte[]> entries(Path file) throws IOException {
        LinkedHashMap<String, byte[]> out = new LinkedHashMap<>();
        try (ZipFile zip = new ZipFile(file.toFile())) {
            for (ZipEntry e : java.util.Collections.list(zip.entries())) {
                try (InputStream in = zip.getInputStream(e)) {
                    out.put(e.getName(), in.readAllBytes());
                }
            }
        }
        return out;
    }

    private static void write(Path file, Map<String, byte[]> entries) throws IOException {
        try (ZipOutputStream zip = new ZipOutputStream(new java.io.BufferedOutputStream(Files.newOutputStream(file)))) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                PickleBuilder.put(zip, e.getKey(), e.getValue());
            }
        }
    }
}
