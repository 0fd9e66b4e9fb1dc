package org.samtune.data.prepare;

import org.samtune.data.FewShot;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import org.samtune.SamtuneException;
import org.samtune.io.AtomicFiles;
import org.samtune.io.Image2D;
import org.samtune.io.Images2D;
import org.samtune.io.Volume;

/**
 * Turns image + label volumes into a finetune-SAM 2-D dataset: 8-bit image PNGs and class-index mask PNGs of the
 * slices along one anatomical axis, the list files {@code train.csv}, {@code val.csv}, {@code test.csv} (and
 * {@code train_Kshot.csv}), {@code dataset.yaml} and {@code summary.txt}. See docs/prepare.md.
 */
public final class SliceDatasetWriter {

    /**
     * One scan: a name, where it came from, and how to read its image and label volumes. They are read twice
     * (once to choose slices and splits, once to write them) so that only one case is in memory at a time.
     */
    public record Case(String id, String imageSource, String labelSource, Supplier<Volume> image,
            Supplier<Volume> labels) {}

    /** What the first pass learns about a case, kept after its volumes are released. */
    private record CaseInfo(int[] kept, long[] voxelsPerClass, Map<String, Object> geometry, double[] intensityLoHi) {}

    /**
     * @param classes label values → classes (mask pixel = class index)
     * @param intensity how image voxels become 8-bit (one mapping per volume)
     * @param gap slices left out between two slabs of one case (slab mode only)
     * @param shots the size of the few-shot training list, or 0 for none
     * @param keepEmpty also write slices without any class voxel (finetune-SAM drops them when loading)
     * @param labelNames names of source label values (e.g. from aal.nii.txt), may be empty
     * @param blockSize slab mode: blocks of this many slices dealt out to the splits (0: three slabs)
     */
    public record Options(SliceAxis axis, ClassMap classes, Grey8 intensity,
            SplitPlanner.Fractions split, int gap, int shots, long seed, boolean keepEmpty,
            Map<Integer, String> labelNames, int blockSize) {}

    /** What was written: the slices of each split (as list lines), the summary text and warnings (one line each). */
    public record Result(Map<Split, List<String>> lists, List<String> fewShot, String summary,
            List<String> warnings) {}

    private SliceDatasetWriter() {}

    public static Result write(List<Case> cases, Path outDir, Options o) {
        if (cases.isEmpty()) {
            throw new SamtuneException("prepare: expected at least one --image/--labels pair");
        }
        // 1. First pass: which slices hold a class, voxel counts, geometry.
        List<CaseInfo> infos = new ArrayList<>();
        for (Case c : cases) {
            Volume image = c.image().get();
            Volume labels = aligned(c, image);
            VolumeSlicer slicer = new VolumeSlicer(image, o.axis());
            float[] cls = classVolume(o.classes(), labels);
            long[] counts = new long[o.classes().size() + 1];
            for (float v : cls) {
                counts[(int) v]++;
            }
            List<Integer> keep = new ArrayList<>();
            for (int s = 0; s < slicer.sliceCount(); s++) {
                if (o.keepEmpty() || hasForeground(slicer.slice(cls, s))) {
                    keep.add(s);
                }
            }
            infos.add(new CaseInfo(keep.stream().mapToInt(Integer::intValue).toArray(), counts,
                    geometry(image, slicer), o.intensity().bounds(image.data())));
        }
        List<String> warnings = emptyClasses(o.classes(), infos.stream().map(CaseInfo::voxelsPerClass).toList());
        // 2. Splits: whole cases, or contiguous slabs within each case.
        boolean byCase = SplitPlanner.splitsWholeCases(cases.size(), o.split());
        List<Map<Split, int[]>> perCase = new ArrayList<>();
        if (byCase) {
            Map<Split, List<Integer>> assignment = SplitPlanner.byCase(cases.size(), o.split(), o.seed());
            for (int c = 0; c < cases.size(); c++) {
                Map<Split, int[]> m = new EnumMap<>(Split.class);
                for (Split s : Split.values()) {
                    m.put(s, assignment.get(s).contains(c) ? infos.get(c).kept() : new int[0]);
                }
                perCase.add(m);
            }
        } else {
            for (int c = 0; c < cases.size(); c++) {
                if (infos.get(c).kept().length == 0) {
                    throw new SamtuneException("prepare: " + cases.get(c).labelSource() + " holds none of the classes "
                            + o.classes().names() + " (check --classes)");
                }
                perCase.add(SplitPlanner.blocks(infos.get(c).kept(), o.split(), o.blockSize(), o.gap()));
            }
        }
        int trainCount = perCase.stream().mapToInt(m -> m.get(Split.TRAIN).length).sum();
        if (o.shots() > trainCount) {
            throw new SamtuneException("--shots: expected 1.." + trainCount + " (the training slices), got "
                    + o.shots());
        }
        // 3. Second pass, one case at a time: PNGs and lists.
        Map<Split, List<String>> lists = new EnumMap<>(Split.class);
        Map<Split, long[]> pixelsPerSplit = new EnumMap<>(Split.class);
        for (Split s : Split.values()) {
            lists.put(s, new ArrayList<>());
            pixelsPerSplit.put(s, new long[o.classes().size() + 1]);
        }
        for (int c = 0; c < cases.size(); c++) {
            Case cs = cases.get(c);
            Volume image = cs.image().get();
            float[] cls = classVolume(o.classes(), aligned(cs, image));
            VolumeSlicer slicer = new VolumeSlicer(image, o.axis());
            float[] greyF = o.intensity().apply(image.data());
            for (Split split : Split.values()) {
                for (int s : perCase.get(c).get(split)) {
                    String name = String.format(Locale.ROOT, "%s_%s_%03d.png", cs.id(), o.axis().label(), s);
                    float[] img = slicer.slice(greyF, s);
                    float[] mask = slicer.slice(cls, s);
                    for (float v : mask) {
                        pixelsPerSplit.get(split)[(int) v]++;
                    }
                    Images2D.writePng(outDir.resolve("images").resolve(name),
                            new Image2D(slicer.width(), slicer.height(), 1, 8, img));
                    Images2D.writePng(outDir.resolve("masks").resolve(name),
                            new Image2D(slicer.width(), slicer.height(), 1, 8, mask));
                    lists.get(split).add("images/" + name + ",masks/" + name);
                }
            }
        }
        for (Split s : Split.values()) {
            AtomicFiles.writeString(outDir.resolve(s.label() + ".csv"), lines(lists.get(s)));
        }
        List<String> fewShot = List.of();
        if (o.shots() > 0) {
            List<String> trainImages = lists.get(Split.TRAIN).stream().map(l -> l.split(",", -1)[0]).toList();
            int[] pick = FewShot.draw(trainImages, o.shots(), o.seed(), "the training split");
            fewShot = Arrays.stream(pick).mapToObj(i -> lists.get(Split.TRAIN).get(i)).toList();
            AtomicFiles.writeString(outDir.resolve("train_" + o.shots() + "shot.csv"), lines(fewShot));
        }
        // 4. dataset.yaml and the summary.
        List<long[]> voxelsPerClass = infos.stream().map(CaseInfo::voxelsPerClass).toList();
        String summary = summary(cases, outDir, o, byCase, perCase, voxelsPerClass, pixelsPerSplit, lists,
                fewShot.size());
        AtomicFiles.writeString(outDir.resolve("dataset.yaml"),
                yaml(cases, infos, o, byCase, perCase, fewShot, lists));
        AtomicFiles.writeString(outDir.resolve("summary.txt"), summary + warnings.stream()
                .map(w -> "warning: " + w + "\n").reduce("", String::concat));
        return new Result(lists, fewShot, summary, warnings);
    }

    /** A class no case has a voxel of: a typo in --classes, or label values this data does not use. */
    private static List<String> emptyClasses(ClassMap classes, List<long[]> voxelsPerClass) {
        List<String> out = new ArrayList<>();
        for (ClassMap.Entry e : classes.classes()) {
            long n = voxelsPerClass.stream().mapToLong(v -> v[e.index()]).sum();
            if (n == 0) {
                out.add("class '" + e.name() + "' (label values " + Arrays.toString(e.sourceValues())
                        .replaceAll("[\\[\\] ]", "") + ") has no voxels in " + (voxelsPerClass.size() == 1
                        ? "the labels" : "any of the " + voxelsPerClass.size() + " label volumes")
                        + "; it is kept as class " + e.index() + " with empty masks (check --classes)");
            }
        }
        return out;
    }

    private static String yaml(List<Case> cases, List<CaseInfo> infos, Options o, boolean byCase,
            List<Map<Split, int[]>> perCase, List<String> fewShot, Map<Split, List<String>> lists) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("format", "finetune-sam 2-D slices: list lines 'image_rel_path,mask_rel_path'");
        root.put("axis", o.axis().label());
        List<Object> classes = new ArrayList<>();
        classes.add(Map.of("index", 0, "name", "background"));
        for (ClassMap.Entry e : o.classes().classes()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("index", e.index());
            m.put("name", e.name());
            m.put("source_values", e.sourceValues());
            List<String> names = Arrays.stream(e.sourceValues()).mapToObj(v -> o.labelNames().get(v))
                    .filter(n -> n != null).toList();
            if (!names.isEmpty()) {
                m.put("source_names", names);
            }
            classes.add(m);
        }
        root.put("classes", classes);
        root.put("intensity", o.intensity().describe());
        Map<String, Object> split = new LinkedHashMap<>();
        split.put("fractions", List.of(o.split().train(), o.split().val(), o.split().test()));
        split.put("mode", byCase ? "whole cases" : o.blockSize() > 0
                ? "blocks of " + o.blockSize() + " slices per case dealt out to the splits"
                : "contiguous slabs per case (train, val, test along the axis)");
        split.put("gap_slices", byCase ? 0 : o.gap());
        split.put("seed", o.seed());
        split.put("keep_empty_slices", o.keepEmpty());
        root.put("split", split);
        Map<String, Object> files = new LinkedHashMap<>();
        for (Split s : Split.values()) {
            files.put(s.label(), Map.of("list", s.label() + ".csv", "slices", lists.get(s).size()));
        }
        if (!fewShot.isEmpty()) {
            files.put("train_" + fewShot.size() + "shot", Map.of("list", "train_" + fewShot.size() + "shot.csv",
                    "slices", fewShot.size()));
        }
        root.put("lists", files);
        List<Object> cs = new ArrayList<>();
        for (int c = 0; c < cases.size(); c++) {
            Case k = cases.get(c);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", k.id());
            m.put("image", k.imageSource());
            m.put("labels", k.labelSource());
            m.put("geometry", infos.get(c).geometry());
            m.put("intensity_lo_hi", infos.get(c).intensityLoHi());
            Map<String, Object> slices = new LinkedHashMap<>();
            for (Split s : Split.values()) {
                slices.put(s.label(), perCase.get(c).get(s));
            }
            m.put("slices", slices);
            Map<String, Object> vox = new LinkedHashMap<>();
            for (ClassMap.Entry e : o.classes().classes()) {
                vox.put(e.name(), infos.get(c).voxelsPerClass()[e.index()]);
            }
            m.put("voxels_per_class", vox);
            cs.add(m);
        }
        root.put("cases", cs);
        try {
            ObjectMapper mapper = new ObjectMapper(new YAMLFactory()
                    .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
                    .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES));
            return mapper.writeValueAsString(root);
        } catch (IOException e) {
            throw new IllegalStateException("dataset.yaml", e);
        }
    }

    private static Volume aligned(Case c, Volume image) {
        Volume labels = c.labels().get();
        // labels stored in another voxel order (e.g. LPS vs RAS) are reordered exactly; anything else is refused
        return CanonicalOrientation.onGridOf(labels, image).orElseThrow(() -> new SamtuneException(
                "prepare: image " + c.imageSource() + " (" + grid(image) + ") and labels " + c.labelSource() + " ("
                        + grid(labels) + ") are not on the same voxel grid"));
    }

    private static float[] classVolume(ClassMap classes, Volume labels) {
        byte[] cls = classes.apply(labels.data());
        float[] f = new float[cls.length];
        for (int i = 0; i < cls.length; i++) {
            f[i] = Byte.toUnsignedInt(cls[i]);
        }
        return f;
    }

    private static Map<String, Object> geometry(Volume image, VolumeSlicer sl) {
        Map<String, Object> g = new LinkedHashMap<>();
        g.put("size", List.of(image.nx(), image.ny(), image.nz()));
        g.put("spacing_mm", image.spacingMm());
        g.put("affine", rows(image.affine().m()));
        g.put("orientation", image.affine().orientation());
        g.put("canonical_affine", rows(sl.orientation().canonicalAffine(image.affine()).m()));
        g.put("slice_size", List.of(sl.width(), sl.height()));
        g.put("pixel_spacing_mm", sl.pixelSpacingMm());
        g.put("slice_spacing_mm", sl.sliceSpacingMm());
        g.put("slice_axis_in_file", "ijk".charAt(sl.sourceAxis()) + "");
        g.put("slice_index_reversed_in_file", sl.sourceIndex(0) != 0);
        return g;
    }

    private static String summary(List<Case> cases, Path outDir, Options o, boolean byCase,
            List<Map<Split, int[]>> perCase, List<long[]> voxelsPerClass, Map<Split, long[]> pixelsPerSplit,
            Map<Split, List<String>> lists, int shots) {
        StringBuilder sb = new StringBuilder();
        int total = lists.values().stream().mapToInt(List::size).sum();
        sb.append(String.format(Locale.ROOT, "prepared %d %s slices of %d case(s) in %s (%s)%n", total,
                o.axis().label(), cases.size(), outDir, byCase ? "splits by whole case"
                        : (o.blockSize() > 0 ? "blocks of " + o.blockSize() + " slices dealt out to the splits"
                                : "splits as contiguous slabs") + ", gap " + o.gap()));
        List<String> names = o.classes().names();
        List<String[]> table = new ArrayList<>();
        String[] head = new String[3 + names.size()];
        head[0] = "split";
        head[1] = "slices";
        head[2] = "cases";
        for (int k = 0; k < names.size(); k++) {
            head[3 + k] = names.get(k) + " px";
        }
        table.add(head);
        for (Split s : Split.values()) {
            String[] row = new String[head.length];
            row[0] = s.label();
            row[1] = Integer.toString(lists.get(s).size());
            int nCases = 0;
            for (Map<Split, int[]> m : perCase) {
                nCases += m.get(s).length > 0 ? 1 : 0;
            }
            row[2] = Integer.toString(nCases);
            for (int k = 0; k < names.size(); k++) {
                row[3 + k] = Long.toString(pixelsPerSplit.get(s)[k + 1]);
            }
            table.add(row);
        }
        appendAligned(sb, table);
        if (shots > 0) {
            sb.append("few-shot list: train_").append(shots).append("shot.csv (").append(shots)
                    .append(" training slices)\n");
        }
        sb.append("voxels per class (all cases):");
        for (ClassMap.Entry e : o.classes().classes()) {
            long v = 0;
            for (long[] counts : voxelsPerClass) {
                v += counts[e.index()];
            }
            sb.append(' ').append(e.name()).append('=').append(v);
        }
        sb.append('\n');
        for (int c = 0; c < cases.size(); c++) {
            sb.append("  ").append(cases.get(c).id()).append(':');
            for (Split s : Split.values()) {
                int[] idx = perCase.get(c).get(s);
                sb.append(' ').append(s.label()).append(' ').append(span(idx));
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    private static String span(int[] idx) {
        if (idx.length == 0) {
            return "-";
        }
        return idx[0] + ".." + idx[idx.length - 1] + " (" + idx.length + ")";
    }

    private static void appendAligned(StringBuilder sb, List<String[]> table) {
        int[] w = new int[table.get(0).length];
        for (String[] r : table) {
            for (int c = 0; c < r.length; c++) {
                w[c] = Math.max(w[c], r[c].length());
            }
        }
        for (String[] r : table) {
            StringBuilder l = new StringBuilder();
            for (int c = 0; c < r.length; c++) {
                l.append(c == 0 ? String.format("%-" + w[c] + "s", r[c]) : String.format("  %" + w[c] + "s", r[c]));
            }
            sb.append(l).append('\n');
        }
    }

    private static boolean hasForeground(float[] slice) {
        for (float v : slice) {
            if (v != 0) {
                return true;
            }
        }
        return false;
    }

    private static String lines(List<String> l) {
        StringBuilder sb = new StringBuilder();
        for (String s : l) {
            sb.append(s).append('\n');
        }
        return sb.toString();
    }

    private static List<List<Double>> rows(double[] m) {
        List<List<Double>> r = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            r.add(List.of(m[i * 4], m[i * 4 + 1], m[i * 4 + 2], m[i * 4 + 3]));
        }
        return r;
    }

    private static String grid(Volume v) {
        double[] s = v.spacingMm();
        return String.format(Locale.ROOT, "%d×%d×%d, spacing %.4g×%.4g×%.4g mm, %s", v.nx(), v.ny(), v.nz(), s[0],
                s[1], s[2], v.affine().orientation());
    }
}
