package org.samtune.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Files written by {@link DicomBuilder}: every transfer syntax, sequences, pixel models, series and errors. */
class DicomSyntheticTest {
    static final int ROWS = 3;
    static final int COLS = 4;
    /** Stored values of the 3×4 test image (signed 16-bit). */
    static final short[] PIXELS = {-1000, -1, 0, 1, 2, 3, 100, 200, 32767, -32768, 12345, -12345};

    @TempDir
    Path tmp;

    /** A 3×4 signed 16-bit CT slice with slope 2, intercept −5 and a few sequences. */
    static DicomBuilder ctSlice(TransferSyntax ts) {
        DicomBuilder b = new DicomBuilder(ts);
        b.string(DicomTag.SOP_CLASS_UID, "UI", "1.2.840.10008.5.1.4.1.1.2");
        b.string(DicomTag.MODALITY, "CS", "CT");
        DicomBuilder item = new DicomBuilder(ts).string(DicomTag.SOP_INSTANCE_UID, "UI", "9.8.7")
                .sequence(0x0008_2112, true, true, new DicomBuilder(ts).string(DicomTag.MODALITY, "CS", "MR"));
        b.sequence(0x0008_1140, false, false, item, new DicomBuilder(ts).string(DicomTag.MODALITY, "CS", "OT"));
        b.sequence(0x0008_1115, true, true, item);
        b.ds(DicomTag.SLICE_THICKNESS, 2.5);
        b.string(DicomTag.SERIES_INSTANCE_UID, "UI", "1.2.3.1");
        b.is(DicomTag.INSTANCE_NUMBER, 7);
        b.ds(DicomTag.IMAGE_POSITION_PATIENT, -10, 20, 30);
        b.ds(DicomTag.IMAGE_ORIENTATION_PATIENT, 1, 0, 0, 0, 1, 0);
        b.us(DicomTag.SAMPLES_PER_PIXEL, 1);
        b.string(DicomTag.PHOTOMETRIC_INTERPRETATION, "CS", "MONOCHROME2");
        b.us(DicomTag.ROWS, ROWS).us(DicomTag.COLUMNS, COLS);
        b.ds(DicomTag.PIXEL_SPACING, 0.5, 0.25);
        b.us(DicomTag.BITS_ALLOCATED, 16).us(DicomTag.BITS_STORED, 16).us(DicomTag.HIGH_BIT, 15);
        b.us(DicomTag.PIXEL_REPRESENTATION, 1);
        b.ds(DicomTag.WINDOW_CENTER, 40, 400).ds(DicomTag.WINDOW_WIDTH, 400, 2000);
        b.ds(DicomTag.RESCALE_INTERCEPT, -5).ds(DicomTag.RESCALE_SLOPE, 2);
        return b;
    }

    static void assertCtValues(Volume v) {
        assertThat(new int[] {v.nx(), v.ny(), v.nz()}).containsExactly(COLS, ROWS, 1);
        for (int p = 0; p < PIXELS.length; p++) {
            assertThat(v.data()[p]).as("pixel %d", p).isEqualTo(PIXELS[p] * 2f - 5f);
        }
        // i (column) step 0.25 mm along +x LPS → −x RAS; j (row) 0.5 mm along +y LPS → −y RAS.
        assertThat(v.affine().m()).containsExactly(new double[] {
            -0.25, 0, 0, 10,
            0, -0.5, 0, -20,
            0, 0, 2.5, 30,
            0, 0, 0, 1}, within(1e-12));
        DicomMetadata m = (DicomMetadata) v.header();
        assertThat(m.instanceNumber()).isEqualTo(7);
        assertThat(m.windowCenter()).containsExactly(40, 400);
        assertThat(m.windowWidth()).containsExactly(400, 2000);
        assertThat(m.modality()).isEqualTo("CT");
    }

    private Path write(String name, byte[] bytes) throws IOException {
        Path p = tmp.resolve(name);
        Files.write(p, bytes);
        return p;
    }

    @Test
    void everyUncompressedSyntaxReadsTheSameImage() throws IOException {
        for (TransferSyntax ts : new TransferSyntax[] {TransferSyntax.IMPLICIT_LITTLE, TransferSyntax.EXPLICIT_LITTLE,
                TransferSyntax.EXPLICIT_BIG, TransferSyntax.DEFLATED_EXPLICIT_LITTLE}) {
            Path p = write(ts.name() + ".dcm", ctSlice(ts).ow(DicomTag.PIXEL_DATA, PIXELS).build());
            Volume v = Dicom.read(p);
            assertCtValues(v);
            assertThat(((DicomMetadata) v.header()).transferSyntaxUid()).isEqualTo(ts.uid());
            DicomFile f = Dicom.parse(p);
            assertThat(f.transferSyntax()).isEqualTo(ts);
            // Defined-length sequence with two items, the first holding an undefined-length nested sequence.
            DicomElement refs = f.dataset().get(0x0008_1140);
            assertThat(refs.items()).hasSize(2);
            assertThat(refs.items().get(0).string(DicomTag.SOP_INSTANCE_UID)).isEqualTo("9.8.7");
            assertThat(refs.items().get(0).get(0x0008_2112).items().get(0).string(DicomTag.MODALITY))
                    .isEqualTo("MR");
            assertThat(refs.items().get(1).string(DicomTag.MODALITY)).isEqualTo("OT");
            DicomElement undefined = f.dataset().get(0x0008_1115);
            assertThat(undefined.items()).hasSize(1);
            assertThat(undefined.items().get(0).get(0x0008_2112).items()).hasSize(1);
        }
    }

    @Test
    void deflatedFileIsReallyCompressed() throws IOException {
        byte[] deflated = ctSlice(TransferSyntax.DEFLATED_EXPLICIT_LITTLE).ow(DicomTag.PIXEL_DATA, new short[4096])
                .build();
        byte[] plain = ctSlice(TransferSyntax.EXPLICIT_LITTLE).ow(DicomTag.PIXEL_DATA, new short[4096]).build();
        assertThat(deflated.length).isLessThan(plain.length / 4);
        // A corrupt deflate stream is a format error.
        byte[] bad = Arrays.copyOf(deflated, deflated.length);
        Arrays.fill(bad, deflated.length - 60, deflated.length - 20, (byte) 0xFF);
        assertThatThrownBy(() -> Dicom.read(write("bad-deflate.dcm", bad)))
                .isInstanceOf(FormatException.class).hasMessageContaining("deflate");
    }

    @Test
    void fileWithoutPreambleStartingWithGroup0008() throws IOException {
        for (TransferSyntax ts : new TransferSyntax[] {TransferSyntax.IMPLICIT_LITTLE, TransferSyntax.EXPLICIT_LITTLE}) {
            byte[] bare = ctSlice(ts).ow(DicomTag.PIXEL_DATA, PIXELS).dataset();
            Volume v = Dicom.read(write("bare-" + ts.name() + ".dcm", bare));
            assertCtValues(v);
            assertThat(((DicomMetadata) v.header()).transferSyntaxUid()).isEqualTo(ts.uid());
        }
    }

    @Test
    void notDicomAtAll() throws IOException {
        Path p = write("notes.txt", "hello, this is not a scan\n".repeat(20).getBytes());
        assertThatThrownBy(() -> Dicom.read(p)).isInstanceOf(FormatException.class)
                .hasMessageContaining("notes.txt").hasMessageContaining("not a DICOM file");
    }

    @Test
    void noPixelDataIsAnError() throws IOException {
        Path p = write("nopixels.dcm", ctSlice(TransferSyntax.EXPLICIT_LITTLE).build());
        assertThat(Dicom.readMetadata(p).rows()).isEqualTo(ROWS);
        assertThatThrownBy(() -> Dicom.read(p)).isInstanceOf(FormatException.class)
                .hasMessage(p + ": PixelData (7FE0,0010): missing: the file has no pixel data"
                        + " (SOP class 1.2.840.10008.5.1.4.1.1.2), expected an image");
    }

    @Test
    void truncatedFilesAreFormatErrors() throws IOException {
        byte[] full = ctSlice(TransferSyntax.EXPLICIT_LITTLE).ow(DicomTag.PIXEL_DATA, PIXELS).build();
        Path p = write("cut.dcm", Arrays.copyOf(full, full.length - 5));
        assertThatThrownBy(() -> Dicom.read(p)).isInstanceOf(FormatException.class)
                .hasMessageContaining("cut.dcm: PixelData (7FE0,0010): value length 24 exceeds the 19 bytes left");
        for (int cut = 0; cut < full.length; cut++) {
            byte[] part = Arrays.copyOf(full, cut);
            assertThatThrownBy(() -> Dicom.decode(Path.of("part.dcm"), part)).as("cut at %d", cut)
                    .isInstanceOf(FormatException.class);
        }
    }

    @Test
    void lengthClaimingTwoGigabytesIsRefusedBeforeAllocating() throws IOException {
        DicomBuilder b = ctSlice(TransferSyntax.EXPLICIT_LITTLE);
        byte[] header = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN).putShort((short) 0x7FE0)
                .putShort((short) 0x0010).put((byte) 'O').put((byte) 'W').putShort((short) 0).putInt(0x7FFFFFFF)
                .array();
        Path p = write("huge.dcm", b.raw(header).raw(new byte[100]).build());
        assertThatThrownBy(() -> Dicom.read(p)).isInstanceOf(FormatException.class)
                .hasMessage(p + ": PixelData (7FE0,0010): value length 2147483647 exceeds the 100 bytes left"
                        + " (truncated or corrupt file)");
        // The same with an unsigned length above 2^31 in implicit VR.
        DicomBuilder implicit = ctSlice(TransferSyntax.IMPLICIT_LITTLE);
        byte[] h2 = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putShort((short) 0x0009)
                .putShort((short) 0x1001).putInt(0xFFFFFFF0).array();
        Path p2 = write("huge2.dcm", implicit.raw(h2).raw(new byte[16]).build());
        assertThatThrownBy(() -> Dicom.read(p2)).isInstanceOf(FormatException.class)
                .hasMessageContaining("(0009,1001): value length 4294967280 exceeds the 16 bytes left");
    }

    @Test
    void unsupportedAndUnknownTransferSyntaxesNameTheUid() throws IOException {
        TransferSyntax j2k = TransferSyntax.of("1.2.840.10008.1.2.4.90");
        Path p = write("j2k.dcm", ctSlice(j2k).encapsulated(null, new byte[] {(byte) 0xFF, 0x4F, 0, 0}).build());
        assertThat(Dicom.readMetadata(p).rows()).isEqualTo(ROWS);
        assertThatThrownBy(() -> Dicom.read(p)).isInstanceOf(FormatException.class)
                .hasMessageContaining("TransferSyntaxUID (0002,0010)")
                .hasMessageContaining("1.2.840.10008.1.2.4.90 (JPEG 2000 Image Compression (Lossless Only))");
        TransferSyntax lossless = TransferSyntax.of("1.2.840.10008.1.2.4.70");
        Path p2 = write("jpegll.dcm", ctSlice(lossless).encapsulated(null, new byte[] {1, 2}).build());
        assertThatThrownBy(() -> Dicom.read(p2)).isInstanceOf(FormatException.class)
                .hasMessageContaining("1.2.840.10008.1.2.4.70 (JPEG Lossless, Non-Hierarchical, First-Order");
        TransferSyntax unknown = new TransferSyntax("1.2.3.4.5.6", "private", true, false, false,
                TransferSyntax.Pixels.NATIVE);
        Path p3 = write("private.dcm", ctSlice(unknown).ow(DicomTag.PIXEL_DATA, PIXELS).build());
        assertThatThrownBy(() -> Dicom.read(p3)).isInstanceOf(FormatException.class)
                .hasMessage(p3 + ": TransferSyntaxUID (0002,0010): unsupported transfer syntax '1.2.3.4.5.6'"
                        + " (not a standard DICOM transfer syntax)");
    }

    /** BitsStored 12, HighBit 11, signed: upper bits are masked off and bit 11 is the sign. */
    @Test
    void bitsStoredBelowAllocatedAreMaskedAndSignExtended() throws IOException {
        DicomBuilder b = new DicomBuilder(TransferSyntax.EXPLICIT_LITTLE);
        b.string(DicomTag.PHOTOMETRIC_INTERPRETATION, "CS", "MONOCHROME1");
        b.us(DicomTag.ROWS, 1).us(DicomTag.COLUMNS, 4);
        b.us(DicomTag.BITS_ALLOCATED, 16).us(DicomTag.BITS_STORED, 12).us(DicomTag.HIGH_BIT, 11);
        b.us(DicomTag.PIXEL_REPRESENTATION, 1);
        b.ow(DicomTag.PIXEL_DATA, new short[] {0x0FFF, (short) 0xF7FF, 0x0800, (short) 0xA005});
        assertThat(Dicom.read(write("12bit.dcm", b.build())).data()).containsExactly(-1, 2047, -2048, 5);

        DicomBuilder u = new DicomBuilder(TransferSyntax.EXPLICIT_LITTLE);
        u.us(DicomTag.ROWS, 1).us(DicomTag.COLUMNS, 3);
        u.us(DicomTag.BITS_ALLOCATED, 16).us(DicomTag.BITS_STORED, 12).us(DicomTag.HIGH_BIT, 15);
        u.us(DicomTag.PIXEL_REPRESENTATION, 0);
        u.ow(DicomTag.PIXEL_DATA, new short[] {(short) 0xFFF0, 0x0010, (short) 0x800F});
        assertThat(Dicom.read(write("highbit.dcm", u.build())).data()).containsExactly(4095, 1, 2048);
    }

    @Test
    void oneBitPixels() throws IOException {
        DicomBuilder b = new DicomBuilder(TransferSyntax.EXPLICIT_LITTLE);
        b.us(DicomTag.ROWS, 2).us(DicomTag.COLUMNS, 5);
        b.us(DicomTag.BITS_ALLOCATED, 1).us(DicomTag.BITS_STORED, 1).us(DicomTag.HIGH_BIT, 0);
        // Bits fill each byte from the least significant bit: 0b1000_0101, 0b0000_0010.
        b.element(DicomTag.PIXEL_DATA, "OB", new byte[] {(byte) 0x85, 0x02});
        assertThat(Dicom.read(write("bits.dcm", b.build())).data()).containsExactly(1, 0, 1, 0, 0, 0, 0, 1, 0, 1);
    }

    static DicomBuilder colour(TransferSyntax ts, String photometric, int planar, int rows, int cols, int frames) {
        DicomBuilder b = new DicomBuilder(ts);
        b.string(DicomTag.MODALITY, "CS", "XC");
        b.us(DicomTag.SAMPLES_PER_PIXEL, 3);
        b.string(DicomTag.PHOTOMETRIC_INTERPRETATION, "CS", photometric);
        b.us(DicomTag.PLANAR_CONFIGURATION, planar);
        if (frames > 1) {
            b.is(DicomTag.NUMBER_OF_FRAMES, frames);
        }
        b.us(DicomTag.ROWS, rows).us(DicomTag.COLUMNS, cols);
        b.us(DicomTag.BITS_ALLOCATED, 8).us(DicomTag.BITS_STORED, 8).us(DicomTag.HIGH_BIT, 7);
        b.us(DicomTag.PIXEL_REPRESENTATION, 0);
        return b;
    }

    @Test
    void rgbInBothPlanarConfigurationsAndYbrFull() throws IOException {
        byte[] interleaved = {10, 20, 30, 40, 50, 60};
        byte[] planar = {10, 40, 20, 50, 30, 60};
        DicomImage a = Dicom.readImage(write("rgb0.dcm", colour(TransferSyntax.EXPLICIT_LITTLE, "RGB", 0, 1, 2, 1)
                .element(DicomTag.PIXEL_DATA, "OB", interleaved).build()));
        DicomImage b = Dicom.readImage(write("rgb1.dcm", colour(TransferSyntax.EXPLICIT_LITTLE, "RGB", 1, 1, 2, 1)
                .element(DicomTag.PIXEL_DATA, "OB", planar).build()));
        assertThat(a.data()).containsExactly(10, 20, 30, 40, 50, 60);
        assertThat(b.data()).containsExactly(a.data());
        // YBR_FULL (PS3.3 C.7.6.3.1.2): Y=128, Cb=Cr=128 is grey 128; Y=76, Cb=85, Cr=255 is about pure red.
        byte[] ybr = {(byte) 128, (byte) 128, (byte) 128, 76, 85, (byte) 255};
        DicomImage c = Dicom.readImage(write("ybr.dcm", colour(TransferSyntax.EXPLICIT_LITTLE, "YBR_FULL", 0, 1, 2, 1)
                .element(DicomTag.PIXEL_DATA, "OB", ybr).build()));
        assertThat(c.data()).containsExactly(128, 128, 128, 254, 0, 0);
        // The volume of a colour image holds its luma.
        Volume v = Dicom.read(tmp.resolve("rgb0.dcm"));
        assertThat(v.data()[0]).isCloseTo((float) (0.299 * 10 + 0.587 * 20 + 0.114 * 30), within(1e-4f));
    }

    @Test
    void paletteWithEightBitEntriesAndFirstMappedValue() throws IOException {
        DicomBuilder b = new DicomBuilder(TransferSyntax.IMPLICIT_LITTLE);
        b.us(DicomTag.SAMPLES_PER_PIXEL, 1).string(DicomTag.PHOTOMETRIC_INTERPRETATION, "CS", "PALETTE COLOR");
        b.us(DicomTag.ROWS, 1).us(DicomTag.COLUMNS, 4);
        b.us(DicomTag.BITS_ALLOCATED, 8).us(DicomTag.BITS_STORED, 8).us(DicomTag.HIGH_BIT, 7);
        // 4 entries starting at stored value 10, 8 bits each.
        b.us(DicomTag.RED_PALETTE_DESCRIPTOR, 4, 10, 8).us(DicomTag.GREEN_PALETTE_DESCRIPTOR, 4, 10, 8)
                .us(DicomTag.BLUE_PALETTE_DESCRIPTOR, 4, 10, 8);
        b.element(DicomTag.RED_PALETTE_DATA, "OW", new byte[] {1, 2, 3, 4});
        b.element(DicomTag.GREEN_PALETTE_DATA, "OW", new byte[] {5, 6, 7, 8});
        b.element(DicomTag.BLUE_PALETTE_DATA, "OW", new byte[] {9, 10, 11, 12});
        b.element(DicomTag.PIXEL_DATA, "OB", new byte[] {10, 12, 3, 100});
        DicomImage image = Dicom.readImage(write("pal.dcm", b.build()));
        // Below the first mapped value → first entry; above the table → last entry.
        assertThat(image.data()).containsExactly(1, 5, 9, 3, 7, 11, 1, 5, 9, 4, 8, 12);
    }

    @Test
    void rleSixteenBitMultiFrameWithOffsetTableAndSplitFragments() throws IOException {
        int rows = 7;
        int cols = 9;
        int frames = 3;
        Random random = new Random(5);
        short[] values = new short[rows * cols * frames];
        for (int i = 0; i < values.length; i++) {
            // Runs and noise, so both PackBits run kinds occur.
            values[i] = (short) (i % 11 < 5 ? -300 : random.nextInt(65536));
        }
        byte[][] encoded = new byte[frames][];
        for (int f = 0; f < frames; f++) {
            ByteBuffer frame = ByteBuffer.allocate(rows * cols * 2).order(ByteOrder.LITTLE_ENDIAN);
            for (int p = 0; p < rows * cols; p++) {
                frame.putShort(values[f * rows * cols + p]);
            }
            encoded[f] = DicomBuilder.rleFrame(frame.array(), rows * cols, 1, 2);
        }
        // Frame 1 split into two fragments: the offset table says where frames start.
        byte[] f1a = Arrays.copyOf(encoded[1], 40);
        byte[] f1b = Arrays.copyOfRange(encoded[1], 40, encoded[1].length);
        int[] offsets = {0, 8 + encoded[0].length, 8 + encoded[0].length + 8 + f1a.length + 8 + f1b.length};
        DicomBuilder b = new DicomBuilder(TransferSyntax.RLE_LOSSLESS);
        b.string(DicomTag.PHOTOMETRIC_INTERPRETATION, "CS", "MONOCHROME2");
        b.is(DicomTag.NUMBER_OF_FRAMES, frames);
        b.us(DicomTag.ROWS, rows).us(DicomTag.COLUMNS, cols);
        b.us(DicomTag.BITS_ALLOCATED, 16).us(DicomTag.BITS_STORED, 16).us(DicomTag.HIGH_BIT, 15);
        b.us(DicomTag.PIXEL_REPRESENTATION, 1);
        b.ds(DicomTag.SPACING_BETWEEN_SLICES, 4);
        b.encapsulated(offsets, encoded[0], f1a, f1b, encoded[2]);
        Volume v = Dicom.read(write("rle16.dcm", b.build()));
        assertThat(new int[] {v.nx(), v.ny(), v.nz()}).containsExactly(cols, rows, frames);
        for (int i = 0; i < values.length; i++) {
            assertThat(v.data()[i]).as("value %d", i).isEqualTo(values[i]);
        }
        assertThat(v.spacingMm()[2]).isEqualTo(4.0);
    }

    @Test
    void rleRgbTwoFramesWithoutOffsetTable() throws IOException {
        int rows = 5;
        int cols = 6;
        Random random = new Random(9);
        byte[][] frames = new byte[2][rows * cols * 3];
        byte[][] encoded = new byte[2][];
        for (int f = 0; f < 2; f++) {
            for (int i = 0; i < frames[f].length; i++) {
                frames[f][i] = (byte) (i < 40 ? 7 : random.nextInt(256));
            }
            encoded[f] = DicomBuilder.rleFrame(frames[f], rows * cols, 3, 1);
        }
        DicomImage image = Dicom.readImage(write("rlergb.dcm", colour(TransferSyntax.RLE_LOSSLESS, "RGB", 1, rows,
                cols, 2).encapsulated(null, encoded[0], encoded[1]).build()));
        for (int f = 0; f < 2; f++) {
            for (int i = 0; i < frames[f].length; i++) {
                assertThat(image.data()[f * frames[f].length + i]).isEqualTo(frames[f][i] & 0xFF);
            }
        }
    }

    @Test
    void rleDecoderHandlesNoOpHeadersAndRejectsShortSegments() {
        // One segment of 6 bytes: no-op, literal [1 2], no-op, replicate 4 × 9.
        byte[] frame = new byte[64 + 7];
        ByteBuffer.wrap(frame).order(ByteOrder.LITTLE_ENDIAN).putInt(1).putInt(64);
        byte[] segment = {-128, 1, 1, 2, -128, -3, 9};
        System.arraycopy(segment, 0, frame, 64, segment.length);
        byte[] out = new byte[6];
        RleDecoder.decodeFrame(Path.of("x.dcm"), frame, 0, frame.length, 6, 1, 1, out, 0);
        assertThat(out).containsExactly(1, 2, 9, 9, 9, 9);
        assertThatThrownBy(() -> RleDecoder.decodeFrame(Path.of("x.dcm"), frame, 0, frame.length, 7, 1, 1,
                new byte[7], 0)).isInstanceOf(FormatException.class)
                .hasMessageContaining("segment 0 decodes to 6 bytes, expected 7");
        assertThatThrownBy(() -> RleDecoder.decodeFrame(Path.of("x.dcm"), frame, 0, frame.length, 6, 3, 1,
                new byte[18], 0)).isInstanceOf(FormatException.class)
                .hasMessageContaining("has 1 segments, expected 3");
    }

    private static byte[] jpeg(BufferedImage image) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThat(ImageIO.write(image, "jpeg", out)).isTrue();
        return out.toByteArray();
    }

    @Test
    void jpegBaselineGreyAndColourDecodeLikeImageIo() throws IOException {
        BufferedImage grey = new BufferedImage(16, 8, BufferedImage.TYPE_BYTE_GRAY);
        BufferedImage rgb = new BufferedImage(16, 8, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 8; y++) {
            for (int x = 0; x < 16; x++) {
                grey.getRaster().setSample(x, y, 0, 10 * x + 5 * y);
                rgb.setRGB(x, y, (15 * x) << 16 | (30 * y) << 8 | 100);
            }
        }
        byte[] greyJpeg = jpeg(grey);
        DicomBuilder g = new DicomBuilder(TransferSyntax.JPEG_BASELINE);
        g.string(DicomTag.PHOTOMETRIC_INTERPRETATION, "CS", "MONOCHROME2");
        g.is(DicomTag.NUMBER_OF_FRAMES, 2);
        g.us(DicomTag.ROWS, 8).us(DicomTag.COLUMNS, 16);
        g.us(DicomTag.BITS_ALLOCATED, 8).us(DicomTag.BITS_STORED, 8).us(DicomTag.HIGH_BIT, 7);
        // Two frames, the second split into two fragments, no offset table: frames start at FFD8.
        g.encapsulated(null, greyJpeg, Arrays.copyOf(greyJpeg, 100), Arrays.copyOfRange(greyJpeg, 100,
                greyJpeg.length));
        DicomImage gi = Dicom.readImage(write("grey.dcm", g.build()));
        BufferedImage ref = ImageIO.read(new ByteArrayInputStream(greyJpeg));
        for (int f = 0; f < 2; f++) {
            for (int y = 0; y < 8; y++) {
                for (int x = 0; x < 16; x++) {
                    assertThat(gi.get(f, y, x, 0)).isEqualTo(ref.getRaster().getSample(x, y, 0));
                    assertThat(gi.get(f, y, x, 0)).isCloseTo(10 * x + 5 * y, within(8f));
                }
            }
        }

        byte[] colourJpeg = jpeg(rgb);
        DicomImage ci = Dicom.readImage(write("colour.dcm", colour(TransferSyntax.JPEG_BASELINE, "YBR_FULL_422", 0,
                8, 16, 1).encapsulated(null, colourJpeg).build()));
        BufferedImage cref = ImageIO.read(new ByteArrayInputStream(colourJpeg));
        for (int y = 0; y < 8; y++) {
            for (int x = 0; x < 16; x++) {
                int c = cref.getRGB(x, y);
                // Our YCbCr → RGB and ImageIO's differ only in rounding.
                assertThat(ci.get(0, y, x, 0)).isCloseTo((c >> 16) & 0xFF, within(2f));
                assertThat(ci.get(0, y, x, 1)).isCloseTo((c >> 8) & 0xFF, within(2f));
                assertThat(ci.get(0, y, x, 2)).isCloseTo(c & 0xFF, within(2f));
            }
        }

        DicomBuilder wrongSize = new DicomBuilder(TransferSyntax.JPEG_BASELINE);
        wrongSize.us(DicomTag.ROWS, 9).us(DicomTag.COLUMNS, 16);
        wrongSize.us(DicomTag.BITS_ALLOCATED, 8).us(DicomTag.BITS_STORED, 8).us(DicomTag.HIGH_BIT, 7);
        wrongSize.encapsulated(null, greyJpeg);
        Path p = write("wrong.dcm", wrongSize.build());
        assertThatThrownBy(() -> Dicom.read(p)).isInstanceOf(FormatException.class)
                .hasMessageContaining("JPEG frame 0 is 16×8, expected 16×9 (Columns × Rows)");
        DicomBuilder garbage = new DicomBuilder(TransferSyntax.JPEG_BASELINE);
        garbage.us(DicomTag.ROWS, 8).us(DicomTag.COLUMNS, 16);
        garbage.us(DicomTag.BITS_ALLOCATED, 8).us(DicomTag.BITS_STORED, 8).us(DicomTag.HIGH_BIT, 7);
        garbage.encapsulated(null, new byte[] {(byte) 0xFF, (byte) 0xD8, 1, 2, 3, 4});
        Path p2 = write("garbage.dcm", garbage.build());
        assertThatThrownBy(() -> Dicom.read(p2)).isInstanceOf(FormatException.class)
                .hasMessageContaining("1.2.840.10008.1.2.4.50 (JPEG Baseline (Process 1)) cannot be decoded");
    }

    @Test
    void malformedValuesNameTheField() throws IOException {
        DicomBuilder b = ctSlice(TransferSyntax.EXPLICIT_LITTLE);
        b.string(DicomTag.PIXEL_SPACING, "DS", "0.5\\abc");
        Path p = write("badspacing.dcm", b.ow(DicomTag.PIXEL_DATA, PIXELS).build());
        assertThatThrownBy(() -> Dicom.read(p)).isInstanceOf(FormatException.class)
                .hasMessage(p + ": PixelSpacing (0028,0030): expected decimal numbers, got '0.5\\abc'");
        DicomBuilder c = new DicomBuilder(TransferSyntax.EXPLICIT_LITTLE);
        c.us(DicomTag.ROWS, 2).us(DicomTag.COLUMNS, 2).us(DicomTag.BITS_ALLOCATED, 12);
        c.element(DicomTag.PIXEL_DATA, "OB", new byte[8]);
        Path p2 = write("bits12.dcm", c.build());
        assertThatThrownBy(() -> Dicom.read(p2)).isInstanceOf(FormatException.class)
                .hasMessage(p2 + ": BitsAllocated (0028,0100): expected 1, 8, 16 or 32, got 12");
        DicomBuilder d = new DicomBuilder(TransferSyntax.EXPLICIT_LITTLE);
        d.us(DicomTag.ROWS, 20).us(DicomTag.COLUMNS, 20).us(DicomTag.BITS_ALLOCATED, 16);
        d.element(DicomTag.PIXEL_DATA, "OW", new byte[8]);
        Path p3 = write("short.dcm", d.build());
        assertThatThrownBy(() -> Dicom.read(p3)).isInstanceOf(FormatException.class)
                .hasMessageContaining("PixelData (7FE0,0010): has 8 bytes, expected 800");
    }

    /** Headers that claim gigabytes of pixels are refused from the bytes actually present, before allocating. */
    @Test
    void hugePixelClaimsAreRefusedBeforeAllocating() throws IOException {
        DicomBuilder rle = new DicomBuilder(TransferSyntax.RLE_LOSSLESS);
        rle.us(DicomTag.ROWS, 20000).us(DicomTag.COLUMNS, 20000);
        rle.us(DicomTag.BITS_ALLOCATED, 16).us(DicomTag.BITS_STORED, 16).us(DicomTag.HIGH_BIT, 15);
        rle.encapsulated(null, DicomBuilder.rleFrame(new byte[8], 4, 1, 2));
        Path p = write("rlehuge.dcm", rle.build());
        assertThatThrownBy(() -> Dicom.read(p)).isInstanceOf(FormatException.class)
                .hasMessageContaining("RLE frame 0 has 68 bytes, too few to decode to 800000000 bytes");

        DicomBuilder frames = new DicomBuilder(TransferSyntax.EXPLICIT_LITTLE);
        frames.is(DicomTag.NUMBER_OF_FRAMES, 100000);
        frames.us(DicomTag.ROWS, 512).us(DicomTag.COLUMNS, 512);
        frames.us(DicomTag.BITS_ALLOCATED, 16).us(DicomTag.BITS_STORED, 16).us(DicomTag.HIGH_BIT, 15);
        frames.ow(DicomTag.PIXEL_DATA, new short[512 * 512]);
        Path p2 = write("frameshuge.dcm", frames.build());
        assertThatThrownBy(() -> Dicom.read(p2)).isInstanceOf(FormatException.class)
                .hasMessageContaining("Rows (0028,0010) × Columns (0028,0011) × NumberOfFrames (0028,0008): the image"
                        + " would hold 26214400000 values (100000 frames of 512×512)");
        frames = new DicomBuilder(TransferSyntax.EXPLICIT_LITTLE);
        frames.is(DicomTag.NUMBER_OF_FRAMES, 3000);
        frames.us(DicomTag.ROWS, 512).us(DicomTag.COLUMNS, 512);
        frames.us(DicomTag.BITS_ALLOCATED, 16).us(DicomTag.BITS_STORED, 16).us(DicomTag.HIGH_BIT, 15);
        frames.ow(DicomTag.PIXEL_DATA, new short[512 * 512]);
        Path p3 = write("frames3000.dcm", frames.build());
        assertThatThrownBy(() -> Dicom.read(p3)).isInstanceOf(FormatException.class)
                .hasMessageContaining("PixelData (7FE0,0010): has 524288 bytes, expected 1572864000 (3000 frames");
    }

    @Test
    void multiFrameNativeStacksFramesAlongTheNormal() throws IOException {
        DicomBuilder b = new DicomBuilder(TransferSyntax.EXPLICIT_LITTLE);
        b.ds(DicomTag.SLICE_THICKNESS, 1.5);
        b.ds(DicomTag.IMAGE_POSITION_PATIENT, 0, 0, 0);
        b.ds(DicomTag.IMAGE_ORIENTATION_PATIENT, 1, 0, 0, 0, 0, -1);
        b.is(DicomTag.NUMBER_OF_FRAMES, 3);
        b.us(DicomTag.ROWS, 1).us(DicomTag.COLUMNS, 2);
        b.us(DicomTag.BITS_ALLOCATED, 8).us(DicomTag.BITS_STORED, 8).us(DicomTag.HIGH_BIT, 7);
        b.element(DicomTag.PIXEL_DATA, "OB", new byte[] {1, 2, 3, 4, 5, 6});
        Volume v = Dicom.read(write("mf.dcm", b.build()));
        assertThat(new int[] {v.nx(), v.ny(), v.nz()}).containsExactly(2, 1, 3);
        assertThat(v.data()).containsExactly(1, 2, 3, 4, 5, 6);
        // Coronal: normal = (1,0,0) × (0,0,−1) = (0, 1, 0) LPS → (0, −1, 0) RAS, 1.5 mm per frame.
        assertThat(v.affine().apply(0, 0, 2)).containsExactly(new double[] {0, -3, 0}, within(1e-12));
        assertThat(v.affine().orientation()).isEqualTo("LIP");
    }
}
