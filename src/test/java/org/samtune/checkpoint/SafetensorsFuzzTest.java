package org.samtune.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.samtune.testing.Fixtures;
import org.samtune.testing.Fuzz;
import org.samtune.testing.Mutator;

/**
 * Seeded damage to safetensors files (10,000 mutants), half of it inside the JSON header (numbers, dtypes, brackets,
 * deep nesting) with the length field kept consistent or not: every mutant reads into tensors whose bytes match
 * their shape, or fails with a one-line {@link CheckpointException} naming the file.
 */
class SafetensorsFuzzTest {
    private static final int MUTANTS = 10_000;

    @TempDir Path tmp;

    @Test
    void mutantsReadOrFailCleanly() throws IOException {
        List<byte[]> bases = List.of(synthetic(), Files.readAllBytes(Fixtures.file("sam-tiny",
                "tiny_sam.safetensors")));
        Path f = tmp.resolve("fuzz.safetensors");
        try (Fuzz fuzz = new Fuzz("safetensors", CheckpointException.class)) {
            for (int m = 0; m < MUTANTS; m++) {
                Random rnd = new Random(31L * m + 5);
                // the 620 KB tiny SAM costs ~1 ms a read: one mutant in forty
                int b = rnd.nextInt(40) == 0 ? 1 : 0;
                byte[] base = bases.get(b);
                long headerLen = ByteBuffer.wrap(base, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
                StringBuilder what = new StringBuilder("base " + b + " seed " + m + ": ");
                byte[] mutant;
                if (rnd.nextBoolean()) {
                    mutant = Mutator.mutateText(base, rnd, 8, 8 + (int) headerLen, what);
                    if (rnd.nextInt(4) != 0) { // mostly keep the length field true, so the JSON parser is reached
                        long len = headerLen + mutant.length - base.length;
                        ByteBuffer.wrap(mutant, 0, 8).order(ByteOrder.LITTLE_ENDIAN).putLong(len);
                        what.append("len=").append(len);
                    }
                } else if (rnd.nextInt(4) == 0) {
                    mutant = base.clone();
                    long[] odd = {0, -1, 7, Long.MAX_VALUE, Long.MIN_VALUE, 1L << 32, headerLen + 1, headerLen - 1,
                        (100L << 20) + 1, base.length - 8, base.length - 7};
                    long v = odd[rnd.nextInt(odd.length)];
                    ByteBuffer.wrap(mutant, 0, 8).order(ByteOrder.LITTLE_ENDIAN).putLong(v);
                    what.append("header length ").append(v);
                } else {
                    mutant = Mutator.mutate(base, rnd, 0, 0, what);
                }
                Files.write(f, mutant);
                fuzz.input(what.toString(), () -> {
                    Map<String, String> meta = new LinkedHashMap<>();
                    Map<String, TensorData> tensors = Safetensors.readWithMetadata(f, meta);
                    for (TensorData t : tensors.values()) {
                        assertThat((long) t.data().remaining()).isEqualTo(t.numel() * t.dtype().bytes());
                    }
                    return tensors;
                }, e -> assertThat(e.getMessage()).startsWith(f.toString()).doesNotContain("\n"));
            }
            assertThat(fuzz.read()).as("mutants read").isGreaterThan(MUTANTS / 20);
            assertThat(fuzz.refused()).as("mutants refused").isGreaterThan(MUTANTS / 2);
        }
    }

    /** Found by the fuzzer (seed 4): Jackson's message has its location on a second line. */
    @Test
    void aHeaderThatIsNotJsonGivesOneLine() throws IOException {
        byte[] header = "{\"w\":{\"dtype\":\"F32\",\"shape\":[NaN],\"data_offsets\":[0,4]}}".getBytes();
        ByteBuffer b = ByteBuffer.allocate(8 + header.length + 4).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(header.length).put(header).putInt(0);
        Path f = tmp.resolve("nan.safetensors");
        Files.write(f, b.array());
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Safetensors.read(f))
                .isInstanceOf(CheckpointException.class)
                .hasMessageStartingWith(f + ": safetensors header is not valid JSON at character 32: ")
                .hasMessageContaining("'NaN'").message().doesNotContain("\n");
    }

    /** Every dtype, a scalar, an empty tensor and metadata, as samtune writes them. */
    private byte[] synthetic() throws IOException {
        Map<String, TensorData> t = new LinkedHashMap<>();
        t.put("w", TensorData.ofFloats(new float[] {1, 2, 3, 4, 5, 6}, 2, 3));
        t.put("i", TensorData.ofLongs(new long[] {1, -2, 3, 1L << 40}, 4));
        t.put("u", new TensorData(DType.U8, new long[] {5}, ByteBuffer.wrap(new byte[] {1, 2, 3, 4, 5})));
        t.put("h", new TensorData(DType.BF16, new long[] {2, 2}, ByteBuffer.allocate(8)));
        t.put("f", new TensorData(DType.F16, new long[] {3}, ByteBuffer.allocate(6)));
        t.put("b", new TensorData(DType.BOOL, new long[] {2}, ByteBuffer.wrap(new byte[] {0, 1})));
        t.put("s", new TensorData(DType.F64, new long[] {}, ByteBuffer.allocate(8)));
        t.put("e", new TensorData(DType.F32, new long[] {0, 3}, ByteBuffer.allocate(0)));
        Path p = tmp.resolve("base.safetensors");
        Safetensors.write(p, new StateDict(t, "base"), Map.of("format", "pt", "config_yaml", "a: 1\nb: [2]"));
        Safetensors.read(p); // the base itself reads
        return Files.readAllBytes(p);
    }
}
