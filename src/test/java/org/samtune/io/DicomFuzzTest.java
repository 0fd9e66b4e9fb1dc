package org.samtune.io;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.samtune.testing.Fuzz;

/**
 * Seeded random corruptions of real and synthetic DICOM files (10,000): every one must either decode or throw
 * {@link FormatException}; any other exception, an OutOfMemoryError or a hang (each file has its own time limit,
 * {@link Fuzz}) fails the test and names the seed that reproduces it.
 */
class DicomFuzzTest {
    private record Base(String name, byte[] bytes, int[] lengthFields, int[] valueStarts, int weight) {}

    @Test
    void corruptedFilesReadOrFailWithAFormatException() throws IOException {
        List<Base> bases = new ArrayList<>();
        Path misc = DicomRealFilesTest.DATA.resolve("misc");
        bases.add(base("CT_small.dcm", Files.readAllBytes(misc.resolve("CT_small.dcm")), 12));
        bases.add(base("MR_small.dcm", Files.readAllBytes(misc.resolve("MR_small.dcm")), 12));
        bases.add(base("brain_002.dcm", Files.readAllBytes(DicomRealFilesTest.DATA.resolve("mr-series/brain_002.dcm")), 4));
        // The ultrasound file takes ~20 ms to decode: fewer rounds (1 in 61) keep the test short.
        bases.add(base("US-PAL-8-10x-echo.dcm", Files.readAllBytes(misc.resolve("US-PAL-8-10x-echo.dcm")), 1));
        for (TransferSyntax ts : new TransferSyntax[] {TransferSyntax.IMPLICIT_LITTLE, TransferSyntax.EXPLICIT_BIG,
                TransferSyntax.DEFLATED_EXPLICIT_LITTLE}) {
            bases.add(base("synthetic " + ts.name(), DicomSyntheticTest.ctSlice(ts)
                    .ow(DicomTag.PIXEL_DATA, DicomSyntheticTest.PIXELS).build(), 6));
        }
        bases.add(base("synthetic RLE RGB", rleRgb(), 6));
        bases.add(base("synthetic enhanced MR", DicomSyntheticTest.enhanced(TransferSyntax.EXPLICIT_LITTLE,
                new double[] {4, 0, 2}), 6));

        int totalWeight = bases.stream().mapToInt(Base::weight).sum();
        int rounds = 10_000;
        try (Fuzz fuzz = new Fuzz("DICOM", FormatException.class)) {
            for (int seed = 0; seed < rounds; seed++) {
                round(fuzz, bases, totalWeight, seed);
            }
            // Both outcomes occur: mutations in pixel data decode, mutations in headers are refused.
            assertThat(fuzz.read()).isGreaterThan(rounds / 10);
            assertThat(fuzz.refused()).isGreaterThan(rounds / 10);
        }
    }

    private static void round(Fuzz fuzz, List<Base> bases, int totalWeight, int seed) {
        Random random = new Random(seed);
        int pick = random.nextInt(totalWeight);
        Base base = bases.get(0);
        for (Base b : bases) {
            pick -= b.weight();
            if (pick < 0) {
                base = b;
                break;
            }
        }
        byte[] mutated = mutate(base, random);
        String what = "seed " + seed + " on " + base.name();
        fuzz.input(what, () -> Dicom.decode(Path.of("fuzz.dcm"), mutated), e -> assertThat(e.getMessage())
                .as(what).startsWith("fuzz.dcm: ").doesNotContain("\n").doesNotContain("\r"));
    }

    private static byte[] rleRgb() {
        Random random = new Random(1);
        byte[][] frames = new byte[2][];
        for (int f = 0; f < 2; f++) {
            byte[] frame = new byte[4 * 5 * 3];
            for (int i = 0; i < frame.length; i++) {
                frame[i] = (byte) (i < 20 ? 3 : random.nextInt(256));
            }
            frames[f] = DicomBuilder.rleFrame(frame, 20, 3, 1);
        }
        return DicomSyntheticTest.colour(TransferSyntax.RLE_LOSSLESS, "RGB", 0, 4, 5, 2)
                .encapsulated(new int[] {0, 8 + frames[0].length}, frames[0], frames[1]).build();
    }

    /** Where the length fields (and values) of the file's elements and fragments are, from a clean parse. */
    private static Base base(String name, byte[] bytes, int weight) {
        DicomFile f = DicomParser.parse(Path.of(name), bytes);
        List<Integer> lengths = new ArrayList<>();
        List<Integer> values = new ArrayList<>();
        if (!f.transferSyntax().deflated()) {
            collect(f.fileMeta(), lengths, values);
            collect(f.dataset(), lengths, values);
        }
        return new Base(name, bytes, lengths.stream().mapToInt(Integer::intValue).toArray(),
                values.stream().mapToInt(Integer::intValue).toArray(), weight);
    }

    private static void collect(DicomObject o, List<Integer> lengths, List<Integer> values) {
        for (DicomElement e : o.elements()) {
            if (e.isSequence()) {
                e.items().forEach(item -> collect(item, lengths, values));
            } else if (e.isEncapsulated()) {
                e.fragments().forEach(fr -> lengths.add(fr.offset() - 4));
            } else {
                lengths.add(e.offset() - 4);
                lengths.add(e.offset() - 2);
                if (e.length() > 0 && e.length() <= 64) {
                    values.add(e.offset());
                }
            }
        }
    }

    private static final int[] HUGE = {0xFFFFFFFF, 0x7FFFFFFF, 0xFFFFFFF0, 0x80000000, 0x40000000, 0x0000FFFF};

    private static byte[] mutate(Base base, Random random) {
        byte[] b = Arrays.copyOf(base.bytes(), base.bytes().length);
        int kind = random.nextInt(6);
        switch (kind) {
            case 0 -> { // a few random bytes anywhere
                for (int n = 1 + random.nextInt(8); n > 0; n--) {
                    b[random.nextInt(b.length)] = (byte) random.nextInt(256);
                }
            }
            case 1 -> { // random bytes in the header, where the structure is
                int header = Math.min(b.length, 2048);
                for (int n = 1 + random.nextInt(4); n > 0; n--) {
                    b[random.nextInt(header)] = (byte) random.nextInt(256);
                }
            }
            case 2 -> { // truncation
                return Arrays.copyOf(b, random.nextInt(b.length));
            }
            case 3 -> { // a length field set to a huge or random value
                if (base.lengthFields().length == 0) {
                    return Arrays.copyOf(b, random.nextInt(b.length));
                }
                int at = base.lengthFields()[random.nextInt(base.lengthFields().length)];
                int value = random.nextBoolean() ? HUGE[random.nextInt(HUGE.length)] : random.nextInt();
                putInt(b, at, value, random.nextBoolean());
            }
            case 4 -> { // a short value (Rows, BitsAllocated, a UID, a DS...) overwritten
                if (base.valueStarts().length == 0) {
                    b[random.nextInt(b.length)] ^= (byte) (1 << random.nextInt(8));
                } else {
                    int at = base.valueStarts()[random.nextInt(base.valueStarts().length)];
                    for (int n = 0; n < 2 && at + n < b.length; n++) {
                        b[at + n] = (byte) random.nextInt(256);
                    }
                }
            }
            default -> { // bit flips and a truncation together
                for (int n = 1 + random.nextInt(16); n > 0; n--) {
                    b[random.nextInt(b.length)] ^= (byte) (1 << random.nextInt(8));
                }
                if (random.nextBoolean()) {
                    return Arrays.copyOf(b, b.length - random.nextInt(Math.max(1, b.length / 4)));
                }
            }
        }
        return b;
    }

    private static void putInt(byte[] b, int at, int value, boolean bigEndian) {
        for (int i = 0; i < 4 && at + i < b.length; i++) {
            int shift = bigEndian ? 24 - 8 * i : 8 * i;
            b[at + i] = (byte) (value >>> shift);
        }
    }
}
