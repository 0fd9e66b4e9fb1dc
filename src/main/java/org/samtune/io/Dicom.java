package org.samtune.io;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads DICOM Part 10 files and series into {@link Volume}s.
 *
 * <p>Voxel order and geometry follow NIfTI: i = column index, j = row index, k = slice (or frame); the affine maps
 * (i, j, k) to RAS+ millimetres, i.e. DICOM's LPS patient coordinates with x and y negated. Monochrome values are
 * modality values (stored·RescaleSlope + RescaleIntercept, Hounsfield units for CT); colour images become their
 * luma (see {@link DicomImage#scalarData()}); {@link #readImage(Path)} keeps the colour.
 *
 * <p>Every problem with the input is a {@link FormatException} naming the file, the field and what was expected.
 */
public final class Dicom {
    private static final Logger LOG = LoggerFactory.getLogger(Dicom.class);

    /** Positions closer than this along the slice normal are the same slice. */
    static final double DUPLICATE_POSITION_MM = 1e-3;
    /** Orientation cosines and pixel spacings that differ by more than this belong to different grids. */
    static final double GEOMETRY_TOLERANCE = 1e-4;
    /**
     * Gaps between slices may differ from the mean by this fraction (or by 0.1 mm, the usual rounding of
     * ImagePositionPatient) before a warning is logged.
     */
    static final double SPACING_WARN_FRACTION = 0.01;
    static final double SPACING_WARN_MM = 0.1;

    private static final String DICOMDIR_SOP_CLASS = "1.2.840.10008.1.3.10";
    private static final String SERIES_UID_FIELD = DicomTag.describe(DicomTag.SERIES_INSTANCE_UID);

    private Dicom() {}

    /** Parses a file's header and data set without decoding the pixels. */
    public static DicomFile parse(Path file) {
        return DicomParser.parse(file, readBytes(file));
    }

    /** The metadata of a file (pixel data not decoded). */
    public static DicomMetadata readMetadata(Path file) {
        return DicomMetadata.of(parse(file));
    }

    /** Decodes one file's pixels, keeping colour (three samples) where the image has it. */
    public static DicomImage readImage(Path file) {
        return decode(parse(file));
    }

    /**
     * One file as a volume: a single-frame image gives nz = 1, a multi-frame image nz = NumberOfFrames, the
     * frames stacked along the slice normal at SpacingBetweenSlices (else SliceThickness, else 1 mm). The header
     * is the file's {@link DicomMetadata}.
     */
    public static Volume read(Path file) {
        DicomImage image = readImage(file);
        DicomMetadata m = image.metadata();
        double step = m.spacingBetweenSlicesMm() != null ? m.spacingBetweenSlicesMm()
                : m.sliceThicknessMm() != null ? m.sliceThicknessMm() : 1.0;
        double[] normal = normalOrDefault(m);
        double[] stepLps = {normal[0] * step, normal[1] * step, normal[2] * step};
        return new Volume(m.columns(), m.rows(), m.frames(), image.scalarData(), affine(m, stepLps), m);
    }

    /**
     * Every DICOM file in a folder (not its subfolders) as one volume; the folder must hold one series. Files that
     * are not DICOM (and DICOMDIR indexes) are skipped with a warning.
     */
    public static Volume readSeries(Path folder) {
        return readSeries(folder, null);
    }

    /**
     * The series {@code seriesInstanceUid} from a folder (null: the folder must hold exactly one series). Slices
     * are sorted by their position along the slice normal (row cosine × column cosine); the slice step is the
     * mean step between the first and last positions, so k runs from the lowest to the highest position along the
     * normal. The header is the {@link DicomMetadata} of slice k = 0.
     */
    public static Volume readSeries(Path folder, String seriesInstanceUid) {
        Map<String, List<DicomFile>> series = scan(folder);
        List<DicomFile> files;
        if (seriesInstanceUid == null) {
            if (series.size() > 1) {
                throw new FormatException(folder, SERIES_UID_FIELD, "found " + series.size() + " series, expected"
                        + " one (pick one by its UID): " + describe(series));
            }
            files = series.values().iterator().next();
        } else {
            files = series.get(seriesInstanceUid);
            if (files == null) {
                throw new FormatException(folder, SERIES_UID_FIELD, "no series '" + seriesInstanceUid
                        + "', found: " + describe(series));
            }
        }
        if (files.size() == 1) {
            DicomFile only = files.get(0);
            return read(only.file());
        }
        return stack(folder, files);
    }

    /** The series in a folder: SeriesInstanceUID → its files, in file-name order. */
    public static Map<String, List<Path>> listSeries(Path folder) {
        Map<String, List<Path>> out = new LinkedHashMap<>();
        scan(folder).forEach((uid, files) -> out.put(uid, files.stream().map(DicomFile::file).toList()));
        return out;
    }

    /** Parses a file held in memory; {@code name} names it in messages. Pixels decoded, colour kept. */
    static DicomImage decode(Path name, byte[] bytes) {
        return decode(DicomParser.parse(name, bytes));
    }

    private static DicomImage decode(DicomFile f) {
        return DicomPixels.decode(f, DicomMetadata.of(f));
    }

    private static Map<String, List<DicomFile>> scan(Path folder) {
        if (!Files.isDirectory(folder)) {
            throw new FormatException(folder, "folder", "expected a folder of DICOM files, got "
                    + (Files.exists(folder) ? "a file" : "nothing (it does not exist)"));
        }
        List<Path> paths;
        try (Stream<Path> s = Files.list(folder)) {
            paths = s.filter(Files::isRegularFile).sorted().toList();
        } catch (IOException e) {
            throw new FormatException(folder, "folder", "cannot list: " + e.getMessage(), e);
        }
        Map<String, List<DicomFile>> series = new LinkedHashMap<>();
        for (Path p : paths) {
            if (!isDicom(p)) {
                LOG.warn("{}: not a DICOM file (no 'DICM' at byte 128), skipped", p);
                continue;
            }
            DicomFile f = parse(p);
            if (DICOMDIR_SOP_CLASS.equals(f.fileMeta().string(DicomTag.MEDIA_STORAGE_SOP_CLASS_UID))) {
                LOG.warn("{}: a DICOMDIR index, not an image, skipped", p);
                continue;
            }
            String uid = f.dataset().string(DicomTag.SERIES_INSTANCE_UID);
            series.computeIfAbsent(uid == null ? "" : uid, u -> new ArrayList<>()).add(f);
        }
        if (series.isEmpty()) {
            throw new FormatException(folder, "folder", "no DICOM files in it (" + paths.size()
                    + " other files), expected a series");
        }
        return series;
    }

    private static String describe(Map<String, List<DicomFile>> series) {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, List<DicomFile>> e : series.entrySet()) {
            DicomObject first = e.getValue().get(0).dataset();
            if (!sb.isEmpty()) {
                sb.append("; ");
            }
            sb.append(e.getKey().isEmpty() ? "(no SeriesInstanceUID)" : e.getKey()).append(" (")
                    .append(first.string(DicomTag.MODALITY) == null ? "?" : first.string(DicomTag.MODALITY))
                    .append(", ").append(e.getValue().size()).append(" files");
            String desc = first.string(DicomTag.SERIES_DESCRIPTION);
            if (desc != null) {
                sb.append(", '").append(desc).append("'");
            }
            sb.append(")");
        }
        return sb.toString();
    }

    /** Several single-frame files of one series → one volume. */
    private static Volume stack(Path folder, List<DicomFile> files) {
        record Slice(DicomMetadata meta, DicomFile file, double position) {}
        DicomMetadata first = DicomMetadata.of(files.get(0));
        if (first.imageOrientationPatient() == null) {
            throw new FormatException(first.file(), DicomTag.describe(DicomTag.IMAGE_ORIENTATION_PATIENT),
                    "missing, needed to order the " + files.size() + " slices of the series");
        }
        double[] normal = first.sliceNormal();
        List<Slice> slices = new ArrayList<>();
        for (DicomFile f : files) {
            DicomMetadata m = DicomMetadata.of(f);
            sameGrid(first, m);
            if (m.imagePositionPatient() == null) {
                throw new FormatException(m.file(), DicomTag.describe(DicomTag.IMAGE_POSITION_PATIENT),
                        "missing, needed to order the " + files.size() + " slices of the series");
            }
            slices.add(new Slice(m, f, dot(normal, m.imagePositionPatient())));
        }
        slices.sort(Comparator.comparingDouble(Slice::position));
        int n = slices.size();
        for (int k = 1; k < n; k++) {
            if (slices.get(k).position() - slices.get(k - 1).position() < DUPLICATE_POSITION_MM) {
                throw new FormatException(slices.get(k).meta().file(),
                        DicomTag.describe(DicomTag.IMAGE_POSITION_PATIENT), String.format(
                                "slice at %.4f mm along the normal duplicates %s: expected one slice per position"
                                        + " (several acquisitions or echoes in one series?)",
                                slices.get(k).position(), slices.get(k - 1).meta().file().getFileName()));
            }
        }
        double spacing = (slices.get(n - 1).position() - slices.get(0).position()) / (n - 1);
        for (int k = 1; k < n; k++) {
            double gap = slices.get(k).position() - slices.get(k - 1).position();
            if (Math.abs(gap - spacing) > Math.max(SPACING_WARN_FRACTION * spacing, SPACING_WARN_MM)) {
                LOG.warn("{}: slice gaps are not uniform ({} mm before {}, mean {} mm); the volume uses the mean",
                        folder, String.format("%.4f", gap), slices.get(k).meta().file().getFileName(),
                        String.format("%.4f", spacing));
                break;
            }
        }
        double[] p0 = slices.get(0).meta().imagePositionPatient();
        double[] pn = slices.get(n - 1).meta().imagePositionPatient();
        // The mean step between actual positions (not normal × spacing) keeps gantry-tilted slices in place.
        double[] step = {(pn[0] - p0[0]) / (n - 1), (pn[1] - p0[1]) / (n - 1), (pn[2] - p0[2]) / (n - 1)};
        int sliceSize = first.rows() * first.columns();
        long total = (long) sliceSize * n;
        if (total > DicomPixels.MAX_VALUES) {
            throw new FormatException(folder, "series", "the volume would hold " + total + " voxels, more than "
                    + DicomPixels.MAX_VALUES);
        }
        float[] data = new float[(int) total];
        for (int k = 0; k < n; k++) {
            DicomImage image = DicomPixels.decode(slices.get(k).file(), slices.get(k).meta());
            System.arraycopy(image.scalarData(), 0, data, k * sliceSize, sliceSize);
        }
        DicomMetadata m0 = slices.get(0).meta();
        return new Volume(first.columns(), first.rows(), n, data, affine(m0, step), m0);
    }

    /** Slices of one series must share size, samples, orientation and pixel spacing, and have one frame. */
    private static void sameGrid(DicomMetadata a, DicomMetadata b) {
        if (b.frames() != 1) {
            throw new FormatException(b.file(), DicomTag.describe(DicomTag.NUMBER_OF_FRAMES), "expected 1 frame per"
                    + " file in a series of several files, got " + b.frames());
        }
        if (a.rows() != b.rows() || a.columns() != b.columns()) {
            throw new FormatException(b.file(), DicomTag.describe(DicomTag.ROWS) + " × "
                    + DicomTag.describe(DicomTag.COLUMNS), "slice is " + b.rows() + "×" + b.columns()
                    + ", expected " + a.rows() + "×" + a.columns() + " as " + a.file().getFileName()
                    + " (mixed sizes in one series)");
        }
        if (b.imageOrientationPatient() == null
                || !close(a.imageOrientationPatient(), b.imageOrientationPatient())) {
            throw new FormatException(b.file(), DicomTag.describe(DicomTag.IMAGE_ORIENTATION_PATIENT),
                    "differs from " + a.file().getFileName() + " (mixed orientations in one series)");
        }
        if (!close(a.pixelSpacingMm(), b.pixelSpacingMm())) {
            throw new FormatException(b.file(), DicomTag.describe(DicomTag.PIXEL_SPACING), "differs from "
                    + a.file().getFileName() + " (mixed pixel spacings in one series)");
        }
        if (!a.photometricInterpretation().equals(b.photometricInterpretation())) {
            throw new FormatException(b.file(), DicomTag.describe(DicomTag.PHOTOMETRIC_INTERPRETATION), "is "
                    + b.photometricInterpretation() + ", expected " + a.photometricInterpretation() + " as "
                    + a.file().getFileName());
        }
    }

    private static boolean close(double[] a, double[] b) {
        if (a == null || b == null) {
            return a == b;
        }
        if (a.length != b.length) {
            return false;
        }
        for (int i = 0; i < a.length; i++) {
            if (Math.abs(a[i] - b[i]) > GEOMETRY_TOLERANCE) {
                return false;
            }
        }
        return true;
    }

    /**
     * The RAS voxel-to-world affine. Without ImageOrientationPatient the image is taken as axial (row along +x,
     * column along +y in LPS); without ImagePositionPatient the first pixel is at the origin; without
     * PixelSpacing pixels are 1 mm.
     */
    static Affine affine(DicomMetadata m, double[] stepLps) {
        double[] o = m.imageOrientationPatient() != null ? m.imageOrientationPatient()
                : new double[] {1, 0, 0, 0, 1, 0};
        double[] spacing = m.pixelSpacingMm() != null ? m.pixelSpacingMm() : new double[] {1, 1};
        double[] origin = m.imagePositionPatient() != null ? m.imagePositionPatient() : new double[3];
        double[] a = new double[16];
        for (int r = 0; r < 3; r++) {
            double sign = r < 2 ? -1 : 1;
            a[4 * r] = sign * o[r] * spacing[1];
            a[4 * r + 1] = sign * o[3 + r] * spacing[0];
            a[4 * r + 2] = sign * stepLps[r];
            a[4 * r + 3] = sign * origin[r];
        }
        a[15] = 1;
        return new Affine(a);
    }

    private static double[] normalOrDefault(DicomMetadata m) {
        double[] n = m.sliceNormal();
        return n != null ? n : new double[] {0, 0, 1};
    }

    private static double dot(double[] a, double[] b) {
        return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
    }

    private static boolean isDicom(Path p) {
        byte[] head = new byte[132];
        try (InputStream in = Files.newInputStream(p)) {
            int n = in.readNBytes(head, 0, head.length);
            return DicomParser.looksLikeDicom(n == head.length ? head : java.util.Arrays.copyOf(head, n));
        } catch (IOException e) {
            throw new FormatException(p, "file", "cannot read: " + e.getMessage(), e);
        }
    }

    private static byte[] readBytes(Path file) {
        try {
            if (!Files.isRegularFile(file)) {
                throw new FormatException(file, "file", Files.exists(file) ? "expected a file, got a folder"
                        + " (use readSeries for a series)" : "does not exist");
            }
            long size = Files.size(file);
            if (size > DicomPixels.MAX_VALUES) {
                throw new FormatException(file, "file", "is " + size + " bytes, more than the "
                        + DicomPixels.MAX_VALUES + " this reader holds in memory");
            }
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new FormatException(file, "file", "cannot read: " + e.getMessage(), e);
        }
    }
}
