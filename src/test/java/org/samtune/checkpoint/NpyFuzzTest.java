package org.samtune.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.samtune.testing.Fuzz;
import org.samtune.testing.Mutator;

/**
 * Seeded damage to {@code .npy} (10,000 mutants, half inside the header dict: shapes, dtypes, brackets) and
 * {@code .npz} (2,000: the zip and the arrays inside it): every mutant reads into arrays whose bytes match their
 * shape, or fails with a one-line {@link CheckpointException} naming the file.
 */
class NpyFuzzTest {
    @TempDir Path tmp;

    @Test
    void npyMutantsReadOrFailCleanly() throws IOException {
        List<byte[]> bases = npyBases();
        Path f = tmp.resolve("fuzz.npy");
        try (Fuzz fuzz = new Fuzz(".npy", CheckpointException.class)) {
            for (int m = 0; m < 10_000; m++) {
                Random rnd = new Random(1_000_003L * m + 11);
                int b = rnd.nextInt(bases.size());
                byte[] base = bases.get(b);
                int headerEnd = headerEnd(base);
                StringBuilder what = new StringBuilder("base " + b + " seed " + m + ": ");
                byte[] mutant = Mutator.mutate(base, rnd, 10, headerEnd, what);
                Files.write(f, mutant);
                fuzz.input(what.toString(), () -> check(Npy.read(f)), e -> oneLine(e, f));
            }
            assertThat(fuzz.read()).as("mutants read").isGreaterThan(500);
            assertThat(fuzz.refused()).as("mutants refused").isGreaterThan(3000);
        }
    }

    @Test
    void npzMutantsReadOrFailCleanly() throws IOException {
        List<byte[]> npys = npyBases();
        Path f = tmp.resolve("fuzz.npz");
        try (Fuzz fuzz = new Fuzz(".npz", CheckpointException.class)) {
            for (int m = 0; m < 2_000; m++) {
                Random rnd = new Random(7_000_003L * m + 3);
                StringBuilder what = new StringBuilder("seed " + m + ": ");
                byte[] mutant;
                if (rnd.nextBoolean()) { // damage inside one array, in a valid zip
                    List<byte[]> entries = new ArrayList<>(npys);
                    int k = rnd.nextInt(entries.size());
                    what.append("entry ").append(k).append(' ');
                    entries.set(k, Mutator.mutate(entries.get(k), rnd, 10, headerEnd(entries.get(k)), what));
                    mutant = zip(entries, rnd.nextBoolean());
                } else { // damage to the zip itself
                    mutant = Mutator.mutate(zip(npys, rnd.nextBoolean()), rnd, 0, 0, what);
                }
                Files.write(f, mutant);
                fuzz.input(what.toString(), () -> {
                    Map<String, TensorData> arrays = Npy.readNpz(f);
                    arrays.values().forEach(NpyFuzzTest::check);
                    return arrays;
                }, e -> oneLine(e, f));
            }
            assertThat(fuzz.read()).as("mutants read").isGreaterThan(200);
            assertThat(fuzz.refused()).as("mutants refused").isGreaterThan(200);
        }
    }

    /** Found by the fuzzer: a shape that is not integers, and a file cut inside its header length, escaped. */
    @Test
    void regressions() throws IOException {
        byte[] ok = raw(1, "{'descr': '<i2', 'fortran_order': False, 'shape': (3,), }", new byte[6]);
        String[][] cases = {
            {"{'descr': '<i8', 'fortran_order': False, 'shape': ([1],), }", ".npy shape ([1],) is invalid"},
            {"{'descr': '<f4', 'fortran_order': False, 'shape': (2, 1e400), }", ".npy shape (2, 1e400) is invalid"},
            {"{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999,), }", "is invalid"},
            {"{'descr': '<f99999999999', 'fortran_order': False, 'shape': (1,), }", "is not supported"},
        };
        Path f = tmp.resolve("bad.npy");
        for (String[] c : cases) {
            Files.write(f, raw(1, c[0], new byte[8]));
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> Npy.read(f))
                    .isInstanceOf(CheckpointException.class).hasMessageContaining(c[1]);
        }
        Files.write(f, java.util.Arrays.copyOf(ok, 9));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Npy.read(f)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining(".npy header length truncated: 1 of 2 bytes");
    }

    private static Object check(TensorData t) {
        assertThat((long) t.data().remaining()).isEqualTo(t.numel() * t.dtype().bytes());
        return t;
    }

    private static void oneLine(Throwable e, Path f) {
        assertThat(e.getMessage()).startsWith(f.toString()).doesNotContain("\n");
    }

    /** Where the header dict ends: after the preamble (10 bytes in version 1, 12 in versions 2 and 3). */
    private static int headerEnd(byte[] npy) {
        ByteBuffer b = ByteBuffer.wrap(npy).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        return npy[6] == 1 ? 10 + (b.getShort(8) & 0xffff) : 12 + b.getInt(8);
    }

    /** numpy's own layouts: every dtype samtune reads, both byte orders, a scalar, an empty array, version 2. */
    private List<byte[]> npyBases() throws IOException {
        List<byte[]> out = new ArrayList<>();
        out.add(write(TensorData.ofFloats(new float[] {1, 2, 3, 4, 5, 6}, 2, 3)));
        out.add(write(TensorData.ofLongs(new long[] {1, -2, 3}, 3)));
        out.add(write(new TensorData(DType.U8, new long[] {2, 2, 2}, ByteBuffer.wrap(new byte[8]))));
        out.add(write(new TensorData(DType.BOOL, new long[] {3}, ByteBuffer.wrap(new byte[] {0, 1, 1}))));
        out.add(write(new TensorData(DType.F64, new long[] {}, ByteBuffer.allocate(8))));
        out.add(write(new TensorData(DType.F32, new long[] {0, 4}, ByteBuffer.allocate(0))));
        out.add(raw(1, "{'descr': '>f4', 'fortran_order': False, 'shape': (2, 2), }", new byte[16]));
        out.add(raw(2, "{'descr': '<i2', 'fortran_order': False, 'shape': (3,), }", new byte[6]));
        out.add(raw(1, "{'descr': '<f2', 'fortran_order': False, 'shape': (1, 1, 2), }", new byte[4]));
        for (byte[] b : out) {
            Path p = tmp.resolve("base.npy");
            Files.write(p, b);
            Npy.read(p); // each base reads
        }
        return out;
    }

    private byte[] write(TensorData t) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Npy.write(out, t);
        return out.toByteArray();
    }

    private static byte[] raw(int version, String dict, byte[] data) {
        int pre = version == 1 ? 10 : 12;
        int pad = (64 - (pre + dict.length() + 1) % 64) % 64;
        String h = dict + " ".repeat(pad) + "\n";
        ByteBuffer b = ByteBuffer.allocate(pre + h.length() + data.length).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', (byte) version, 0});
        if (version == 1) {
            b.putShort((short) h.length());
        } else {
            b.putInt(h.length());
        }
        b.put(h.getBytes(StandardCharsets.ISO_8859_1)).put(data);
        return b.array();
    }

    private static byte[] zip(List<byte[]> npys, boolean stored) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            for (int i = 0; i < npys.size(); i++) {
                ZipEntry e = new ZipEntry("a" + i + ".npy");
                if (stored) {
                    CRC32 crc = new CRC32();
                    crc.update(npys.get(i));
                    e.setMethod(ZipEntry.STORED);
                    e.setSize(npys.get(i).length);
                    e.setCrc(crc.getValue());
                }
                zip.putNextEntry(e);
                zip.write(npys.get(i));
                zip.closeEntry();
            }
        }
        return bytes.toByteArray();
    }
}
