package org.samtune.serve;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.samtune.data.prepare.VolumeSlicer;
import org.samtune.io.AtomicFiles;
import org.samtune.io.Volume;

/**
 * The label volume of one image, kept on disk below the root: one byte per voxel (0 = background, 1..255 the
 * classes) in the image's own voxel order, so exporting it in the source geometry is a copy.
 *
 * <p>Every change is made on a copy, written with {@link AtomicFiles} (temporary file, then rename) and only then
 * taken as the current state: a request that fails leaves both the file and the memory as they were. The file is
 * one piece (a JSON header with the classes, then the voxels) so classes and voxels cannot disagree. Callers hold
 * the volume's lock ({@link LabelStore}) for every read-modify-write.
 *
 * <p>Undo keeps the changed voxels' previous values for the last {@value #UNDO_STEPS} changes (bounded in bytes
 * too); it lives in memory, so it does not survive a server restart, while the labels do.
 */
public final class LabelVolume {
    static final int UNDO_STEPS = 30;
    static final long UNDO_BYTES = 64L << 20;
    private static final byte[] MAGIC = "SAMTUNE-LABELS-1\n".getBytes(StandardCharsets.US_ASCII);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path file;
    private final int nx;
    private final int ny;
    private final int nz;
    private byte[] voxels;
    private List<LabelClass> classes;
    private long version;
    private final Deque<Change> undo = new ArrayDeque<>();
    private long undoBytes;

    /** What one change overwrote: voxel indices and their previous values. */
    private record Change(String what, int[] index, byte[] before) {}

    private LabelVolume(Path file, int nx, int ny, int nz, byte[] voxels, List<LabelClass> classes, long version) {
        this.file = file;
        this.nx = nx;
        this.ny = ny;
        this.nz = nz;
        this.voxels = voxels;
        this.classes = List.copyOf(classes);
        this.version = version;
    }

    /** Loads the saved labels of an image on {@code grid}, or starts empty when none are saved. */
    static LabelVolume load(Path file, Volume grid) {
        int n = grid.data().length;
        if (!Files.exists(file)) {
            return new LabelVolume(file, grid.nx(), grid.ny(), grid.nz(), new byte[n], List.of(), 0);
        }
        try (InputStream raw = Files.newInputStream(file); DataInputStream in = new DataInputStream(raw)) {
            byte[] magic = in.readNBytes(MAGIC.length);
            if (!java.util.Arrays.equals(magic, MAGIC)) {
                throw ServeException.badRequest(file.getFileName() + ": not a samtune label file (magic)");
            }
            int headerBytes = in.readInt();
            if (headerBytes < 2 || headerBytes > (1 << 20)) {
                throw ServeException.badRequest(file.getFileName() + ": header length " + headerBytes
                        + " outside 2..1048576");
            }
            Map<String, Object> header = JSON.readValue(in.readNBytes(headerBytes), new TypeReference<>() {});
            List<?> dims = (List<?>) header.get("dims");
            if (dims == null || dims.size() != 3 || ((Number) dims.get(0)).intValue() != grid.nx()
                    || ((Number) dims.get(1)).intValue() != grid.ny() || ((Number) dims.get(2)).intValue() != grid.nz()) {
                throw ServeException.badRequest(file.getFileName() + ": dims " + dims + " differ from the image's "
                        + grid.nx() + "×" + grid.ny() + "×" + grid.nz());
            }
            byte[] v = in.readNBytes(n);
            if (v.length != n || in.read() != -1) {
                throw ServeException.badRequest(file.getFileName() + ": expected exactly " + n + " voxel bytes");
            }
            List<LabelClass> cls = new ArrayList<>();
            for (Object o : (List<?>) header.get("classes")) {
                Map<?, ?> m = (Map<?, ?>) o;
                cls.add(new LabelClass(((Number) m.get("value")).intValue(), (String) m.get("name"),
                        (String) m.get("color")));
            }
            long ver = ((Number) header.getOrDefault("version", 0)).longValue();
            return new LabelVolume(file, grid.nx(), grid.ny(), grid.nz(), v, cls, ver);
        } catch (IOException | ClassCastException | NullPointerException e) {
            throw ServeException.badRequest(file.getFileName() + ": unreadable label file: " + e.getMessage());
        }
    }

    public List<LabelClass> classes() {
        return classes;
    }

    public long version() {
        return version;
    }

    /** The voxels (do not modify; a change replaces the array). */
    byte[] voxels() {
        return voxels;
    }

    /** The labels of one slice, row-major, as the slicer cuts the image. */
    byte[] slice(VolumeSlicer slicer, int index) {
        ImageDocument.checkIndex(slicer, index);
        int[] src = sourceIndices(slicer, index);
        byte[] out = new byte[src.length];
        for (int i = 0; i < src.length; i++) {
            out[i] = voxels[src[i]];
        }
        return out;
    }

    /** Adds a class (or renames/recolours one with the same value) and saves. */
    void putClass(LabelClass c) {
        List<LabelClass> next = new ArrayList<>();
        boolean replaced = false;
        for (LabelClass k : classes) {
            if (k.value() == c.value()) {
                next.add(c);
                replaced = true;
            } else {
                if (k.name().equalsIgnoreCase(c.name())) {
                    throw ServeException.badRequest("class name '" + c.name() + "' is already used by value "
                            + k.value());
                }
                next.add(k);
            }
        }
        if (!replaced) {
            next.add(c);
        }
        next.sort((a, b) -> Integer.compare(a.value(), b.value()));
        commit(voxels, next, null);
    }

    /**
     * Sets the voxels of slice {@code index} where {@code mask} is non-zero to {@code value} (0 erases) and
     * saves; returns the number of voxels that changed.
     */
    int paint(VolumeSlicer slicer, int index, byte[] mask, int value, String what) {
        ImageDocument.checkIndex(slicer, index);
        if (mask.length != slicer.width() * slicer.height()) {
            throw ServeException.badRequest("mask has " + mask.length + " pixels, expected " + slicer.width() + "×"
                    + slicer.height());
        }
        requireClass(value);
        int[] src = sourceIndices(slicer, index);
        byte b = (byte) value;
        int changed = 0;
        for (int i = 0; i < mask.length; i++) {
            if (mask[i] != 0 && voxels[src[i]] != b) {
                changed++;
            }
        }
        if (changed == 0) {
            return 0;
        }
        int[] idx = new int[changed];
        byte[] before = new byte[changed];
        byte[] next = voxels.clone();
        int c = 0;
        for (int i = 0; i < mask.length; i++) {
            if (mask[i] != 0 && voxels[src[i]] != b) {
                idx[c] = src[i];
                before[c] = voxels[src[i]];
                next[src[i]] = b;
                c++;
            }
        }
        commit(next, classes, new Change(what, idx, before));
        return changed;
    }

    /** Replaces every voxel (e.g. a fine-tuned model's segmentation) as one undoable change. */
    int replaceAll(byte[] labels, List<LabelClass> newClasses, String what) {
        if (labels.length != voxels.length) {
            throw new IllegalArgumentException(labels.length + " labels for " + voxels.length + " voxels");
        }
        int changed = 0;
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] != voxels[i]) {
                changed++;
            }
        }
        int[] idx = new int[changed];
        byte[] before = new byte[changed];
        int c = 0;
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] != voxels[i]) {
                idx[c] = i;
                before[c] = voxels[i];
                c++;
            }
        }
        commit(labels.clone(), newClasses, new Change(what, idx, before));
        return changed;
    }

    /** Reverts the last change; returns what it was, or null when there is nothing to undo. */
    String undo() {
        Change last = undo.peekLast();
        if (last == null) {
            return null;
        }
        byte[] next = voxels.clone();
        for (int i = 0; i < last.index().length; i++) {
            next[last.index()[i]] = last.before()[i];
        }
        commit(next, classes, null);
        undo.pollLast();
        undoBytes -= 5L * last.index().length;
        return last.what();
    }

    int undoDepth() {
        return undo.size();
    }

    /** Voxels per class value (index 0 = background). */
    long[] counts() {
        long[] c = new long[256];
        for (byte b : voxels) {
            c[Byte.toUnsignedInt(b)]++;
        }
        return c;
    }

    private void requireClass(int value) {
        if (value == 0) {
            return;
        }
        for (LabelClass k : classes) {
            if (k.value() == value) {
                return;
            }
        }
        throw ServeException.badRequest("class value " + value + " is not defined; add the class first");
    }

    /** Writes the next state; only after the rename succeeded does it become the current one. */
    private void commit(byte[] next, List<LabelClass> nextClasses, Change change) {
        long nextVersion = version + 1;
        Map<String, Object> header = new LinkedHashMap<>();
        header.put("format", "samtune serve label volume: this JSON, then one uint8 per voxel, i fastest");
        header.put("dims", List.of(nx, ny, nz));
        header.put("version", nextVersion);
        List<Map<String, Object>> cls = new ArrayList<>();
        for (LabelClass k : nextClasses) {
            cls.add(Map.of("value", k.value(), "name", k.name(), "color", k.color()));
        }
        header.put("classes", cls);
        byte[] json;
        try {
            json = JSON.writeValueAsBytes(header);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        AtomicFiles.write(file, out -> {
            out.write(MAGIC);
            ByteArrayOutputStream len = new ByteArrayOutputStream();
            new java.io.DataOutputStream(len).writeInt(json.length);
            out.write(len.toByteArray());
            out.write(json);
            out.write(next);
        });
        voxels = next;
        classes = List.copyOf(nextClasses);
        version = nextVersion;
        if (change != null) {
            undo.addLast(change);
            undoBytes += 5L * change.index().length;
            while (undo.size() > UNDO_STEPS || (undoBytes > UNDO_BYTES && undo.size() > 1)) {
                Change dropped = undo.pollFirst();
                undoBytes -= 5L * dropped.index().length;
            }
        }
    }

    /**
     * Source voxel index of every pixel of a slice, row-major: the same walk as {@link VolumeSlicer#slice}
     * (row y holds the canonical row coordinate h − 1 − y), so labels land exactly under the pixels shown.
     */
    static int[] sourceIndices(VolumeSlicer slicer, int index) {
        int w = slicer.width();
        int h = slicer.height();
        int[] out = new int[w * h];
        int[] a = new int[3];
        a[slicer.axis().fixedAxis] = index;
        for (int y = 0; y < h; y++) {
            a[slicer.axis().rowAxis()] = h - 1 - y;
            for (int x = 0; x < w; x++) {
                a[slicer.axis().columnAxis()] = x;
                out[y * w + x] = slicer.orientation().sourceIndex(a[0], a[1], a[2]);
            }
        }
        return out;
    }
}
