package org.samtune.serve;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.samtune.data.prepare.ClassMap;
import org.samtune.data.prepare.Grey8;
import org.samtune.data.prepare.SliceAxis;
import org.samtune.data.prepare.SliceDatasetWriter;
import org.samtune.data.prepare.SplitPlanner;
import org.samtune.data.prepare.VolumeSlicer;
import org.samtune.io.Image2D;
import org.samtune.io.Images2D;
import org.samtune.io.Nifti;
import org.samtune.io.Volume;

/**
 * What leaves the server, always below the root: the label volume as NIfTI on the source's exact grid (as
 * {@code predict} writes it; a 2-D picture's labels as a PNG of class values), and the annotated slices as a
 * {@code prepare} dataset (the same writer) ready for {@code train --shots}.
 */
final class Exports {
    private final RootFolder root;

    Exports(RootFolder root) {
        this.root = root;
    }

    static String defaultNiftiName(ImageDocument d) {
        return "exports/" + stem(d.source()) + (d.isPicture() ? "_labels.png" : "_labels.nii.gz");
    }

    static String defaultDatasetName(ImageDocument d) {
        return "exports/" + stem(d.source()) + "_dataset";
    }

    private static String stem(String source) {
        String n = source.substring(source.lastIndexOf('/') + 1);
        n = n.replaceFirst("(?i)(\\.nii\\.gz|\\.nii|\\.dcm|\\.png|\\.jpe?g|\\.tiff?|\\.bmp)$", "");
        n = n.replaceAll("[^A-Za-z0-9_.-]", "_");
        return n.isEmpty() ? "image" : n;
    }

    /** The label volume as NIfTI (or PNG for a picture); called under the volume's lock. */
    Map<String, Object> nifti(ImageDocument d, LabelVolume v, String out) {
        String lower = out.toLowerCase(Locale.ROOT);
        Path target = root.writable(out);
        byte[] vox = v.voxels();
        long nonZero = 0;
        for (byte b : vox) {
            nonZero += b != 0 ? 1 : 0;
        }
        if (d.isPicture()) {
            if (!lower.endsWith(".png")) {
                throw ServeException.badRequest("out '" + out + "': a 2-D image's labels are written as PNG (.png)");
            }
            VolumeSlicer s = d.slicer(SliceAxis.AXIAL);
            byte[] slice = v.slice(s, 0);
            float[] px = new float[slice.length];
            for (int i = 0; i < slice.length; i++) {
                px[i] = Byte.toUnsignedInt(slice[i]);
            }
            Images2D.writePng(target, new Image2D(s.width(), s.height(), 1, 8, px));
        } else {
            if (!lower.endsWith(".nii") && !lower.endsWith(".nii.gz")) {
                throw ServeException.badRequest("out '" + out + "': a label volume is written as NIfTI (.nii or .nii.gz)");
            }
            Nifti.writeLabels(target, d.volume(), floats(vox));
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("path", root.relative(target));
        m.put("nonZeroVoxels", nonZero);
        m.put("dims", List.of(d.volume().nx(), d.volume().ny(), d.volume().nz()));
        return m;
    }

    /**
     * The slices with any label along {@code axis}, as {@code prepare} writes them: images/ and masks/ PNGs,
     * train/val/test lists (slabs by {@code split}), train_Kshot.csv when {@code shots} &gt; 0, dataset.yaml.
     */
    Map<String, Object> dataset(ImageDocument d, LabelVolume v, SliceAxis axis, Grey8 grey, String split, int shots,
            String out) {
        if (v.classes().isEmpty()) {
            throw ServeException.badRequest("no classes yet: accept a mask into a class first");
        }
        Path dir = root.writable(out);
        if (Files.exists(dir)) {
            if (!Files.isDirectory(dir)) {
                throw ServeException.badRequest("out '" + out + "' exists and is not a folder");
            }
            try (Stream<Path> s = Files.list(dir)) {
                if (s.findAny().isPresent() && !Files.exists(dir.resolve("dataset.yaml"))) {
                    throw ServeException.badRequest("out '" + out + "' is a folder that is not empty and holds no "
                            + "dataset.yaml; choose a new folder");
                }
            } catch (IOException e) {
                throw ServeException.badRequest("out '" + out + "': " + e.getMessage());
            }
        }
        List<ClassMap.Entry> entries = new ArrayList<>();
        int i = 1;
        for (LabelClass c : v.classes()) {
            entries.add(new ClassMap.Entry(i++, c.name().replace(' ', '_'), new int[] {c.value()}));
        }
        ClassMap classes = new ClassMap(entries);
        Volume labelVolume = d.volume().withData(floats(v.voxels()));
        String id = stem(d.source());
        SliceDatasetWriter.Case c = new SliceDatasetWriter.Case(id, d.source(),
                RootFolder.STATE_DIR + "/labels/" + d.id() + ".labels (samtune serve)", d::volume, () -> labelVolume);
        SliceDatasetWriter.Options o = new SliceDatasetWriter.Options(axis, classes, grey,
                SplitPlanner.Fractions.parse(split), 0, shots, 0, false, Map.of(), 0);
        SliceDatasetWriter.Result r = SliceDatasetWriter.write(List.of(c), dir, o);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("path", root.relative(dir));
        m.put("summary", r.summary());
        Map<String, Integer> counts = new LinkedHashMap<>();
        r.lists().forEach((k, l) -> counts.put(k.label(), l.size()));
        m.put("slices", counts);
        return m;
    }

    private static float[] floats(byte[] b) {
        float[] f = new float[b.length];
        for (int i = 0; i < b.length; i++) {
            f[i] = Byte.toUnsignedInt(b[i]);
        }
        return f;
    }
}
