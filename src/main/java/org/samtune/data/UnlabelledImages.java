package org.samtune.data;

import org.samtune.data.prepare.VolumeSlicer;
import org.samtune.data.prepare.SliceAxis;
import org.samtune.data.prepare.Grey8;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Stream;
import org.samtune.SamtuneException;
import org.samtune.io.Image2D;
import org.samtune.io.Images2D;
import org.samtune.io.Volume;

/**
 * Unlabelled 2-D images for self-supervised pretraining, gathered from what a user has: NIfTI volumes and DICOM
 * series (sliced along one or more axes with {@code prepare}'s intensity mapping and written as 8-bit PNGs),
 * folders of PNG / JPEG images, single images, and CSV lists (first field of each line: an image path relative to
 * the list's folder, as finetune-SAM's lists). Empty slices (fewer than {@code minForeground} of the pixels above
 * the slice's minimum: air, background, a constant image) are skipped.
 */
public final class UnlabelledImages {
    private static final List<String> IMAGE_SUFFIXES = List.of(".png", ".jpg", ".jpeg");

    /**
     * @param axes          the axes volumes are sliced along
     * @param intensity     volume intensities → 8-bit grey, as {@code prepare --window}
     * @param minForeground fraction of pixels above the slice's minimum a slice must have
     */
    public record Options(List<SliceAxis> axes, Grey8 intensity, double minForeground) {
        public Options {
            if (axes.isEmpty()) {
                throw new SamtuneException("--axis: expected at least one of axial, coronal, sagittal");
            }
            if (!(minForeground >= 0 && minForeground < 1)) {
                throw new SamtuneException("--min-foreground: expected a fraction in [0, 1), got " + minForeground);
            }
        }
    }

    /** What was found: the usable images and how many candidates were skipped as empty. */
    public record Collected(List<Path> images, int skippedEmpty, int volumes) {}

    private UnlabelledImages() {}

    /**
     * Collects the images of every input. Volumes are read one at a time and their non-empty slices written to
     * {@code sliceDir}; an input that cannot be read stops everything with a message naming it.
     *
     * @param readVolume reads a NIfTI file or DICOM series folder (the CLI's reader)
     */
    public static Collected collect(List<Path> inputs, Path sliceDir, Options o, Function<Path, Volume> readVolume,
                                    Consumer<String> progress) {
        List<Path> images = new ArrayList<>();
        int[] skipped = {0};
        int volumes = 0;
        for (int i = 0; i < inputs.size(); i++) {
            Path in = inputs.get(i);
            String name = in.getFileName() == null ? in.toString() : in.getFileName().toString().toLowerCase(Locale.ROOT);
            if (Files.isDirectory(in) && !imagesIn(in).isEmpty()) {
                for (Path p : imagesIn(in)) {
                    keepIfNotEmpty(p, o, images, skipped);
                }
            } else if (name.endsWith(".csv")) {
                for (Path p : readList(in)) {
                    keepIfNotEmpty(p, o, images, skipped);
                }
            } else if (isImage(name)) {
                keepIfNotEmpty(in, o, images, skipped);
            } else {
                Volume v;
                try {
                    v = readVolume.apply(in);
                } catch (SamtuneException e) {
                    throw new SamtuneException("input " + (i + 1) + " of " + inputs.size() + ": " + in
                            + ": cannot read as a NIfTI volume, DICOM series or image folder: " + e.getMessage(), e);
                }
                volumes++;
                sliceVolume(v, caseId(in, i), sliceDir, o, images, skipped);
            }
            progress.accept("read " + (i + 1) + "/" + inputs.size() + " inputs: " + images.size() + " images ("
                    + skipped[0] + " empty skipped)");
        }
        if (images.isEmpty()) {
            throw new SamtuneException("no images found in " + inputs + (skipped[0] > 0 ? " (all " + skipped[0]
                    + " candidate slices/images are empty: fewer than " + o.minForeground() * 100
                    + "% of the pixels above the minimum)" : " (expected NIfTI/DICOM volumes, PNG/JPEG images,"
                    + " folders of them, or CSV lists)"));
        }
        return new Collected(images, skipped[0], volumes);
    }

    private static void sliceVolume(Volume v, String id, Path sliceDir, Options o, List<Path> images, int[] skipped) {
        float[] grey = o.intensity().apply(v.data());
        for (SliceAxis axis : o.axes()) {
            VolumeSlicer slicer = new VolumeSlicer(v, axis);
            for (int s = 0; s < slicer.sliceCount(); s++) {
                float[] slice = slicer.slice(grey, s);
                if (isEmpty(slice, o.minForeground())) {
                    skipped[0]++;
                    continue;
                }
                Path png = sliceDir.resolve(String.format(Locale.ROOT, "%s_%s_%04d.png", id, axis.label(), s));
                Images2D.writePng(png, new Image2D(slicer.width(), slicer.height(), 1, 8, slice));
                images.add(png);
            }
        }
    }

    private static void keepIfNotEmpty(Path p, Options o, List<Path> images, int[] skipped) {
        Image2D img = Images2D.read(p);
        if (isEmpty(img.grey().data(), o.minForeground())) {
            skipped[0]++;
        } else {
            images.add(p);
        }
    }

    /** Fewer than {@code minForeground} of the values above the minimum (a constant slice is always empty). */
    public static boolean isEmpty(float[] values, double minForeground) {
        float min = Float.POSITIVE_INFINITY;
        for (float v : values) {
            min = Math.min(min, v);
        }
        long above = 0;
        for (float v : values) {
            if (v > min) {
                above++;
            }
        }
        return above == 0 || above < minForeground * values.length;
    }

    private static boolean isImage(String lowerName) {
        return IMAGE_SUFFIXES.stream().anyMatch(lowerName::endsWith);
    }

    private static List<Path> imagesIn(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> Files.isRegularFile(p)
                            && isImage(p.getFileName().toString().toLowerCase(Locale.ROOT)))
                    .sorted().toList();
        } catch (IOException e) {
            throw new SamtuneException(dir + ": cannot list: " + e.getMessage(), e);
        }
    }

    /** First field of each non-blank line, relative to the list's folder; every file must exist. */
    static List<Path> readList(Path csv) {
        List<String> lines;
        try {
            lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new SamtuneException(csv + ": cannot read the image list: " + e.getMessage(), e);
        }
        Path base = csv.toAbsolutePath().getParent();
        List<Path> out = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (i == 0 && line.startsWith("\uFEFF")) {
                line = line.substring(1);
            }
            if (line.isEmpty()) {
                continue;
            }
            Path p = base.resolve(line.split(",", -1)[0].strip());
            if (!Files.isRegularFile(p)) {
                throw new SamtuneException(csv + " row " + (i + 1) + ": image file " + p + " does not exist");
            }
            out.add(p);
        }
        return out;
    }

    private static String caseId(Path in, int index) {
        Path name = in.toAbsolutePath().normalize().getFileName();
        String base = name == null ? "volume" : name.toString()
                .replaceFirst("(?i)(\\.nii\\.gz|\\.nii|\\.dcm)$", "").replaceAll("[^A-Za-z0-9_.-]", "_");
        return String.format(Locale.ROOT, "%03d_%s", index, base);
    }
}
