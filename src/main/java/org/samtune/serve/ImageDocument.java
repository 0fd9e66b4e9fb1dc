package org.samtune.serve;

import java.util.EnumMap;
import java.util.Map;
import org.samtune.data.prepare.Grey8;
import org.samtune.data.Rgb8;
import org.samtune.data.prepare.SliceAxis;
import org.samtune.data.UInt8Image;
import org.samtune.data.prepare.VolumeSlicer;
import org.samtune.io.Affine;
import org.samtune.io.Image2D;
import org.samtune.io.Volume;

/**
 * One opened image: a volume (NIfTI, DICOM series or file) or a 2-D picture, with the slicing the CLI uses
 * ({@link VolumeSlicer}: RAS-reoriented, neurological display), so a slice here is the slice {@code prepare} and
 * {@code predict} see.
 *
 * <p>A 2-D picture is held as a one-slice volume (identity affine, rows stored bottom-up so the axial slice is the
 * picture as it is) plus its 8-bit RGB pixels, which SAM receives unchanged, as {@code predict --image} does.
 */
public final class ImageDocument {
    private final String id;
    private final String source;
    private final Volume volume;
    private final UInt8Image picture;
    private final Map<SliceAxis, VolumeSlicer> slicers = new EnumMap<>(SliceAxis.class);
    private final double[] autoBounds;
    private String greyKey;
    private float[] grey;

    private ImageDocument(String id, String source, Volume volume, UInt8Image picture) {
        this.id = id;
        this.source = source;
        this.volume = volume;
        this.picture = picture;
        this.autoBounds = Grey8.DEFAULT_PERCENTILES.bounds(volume.data());
    }

    public static ImageDocument ofVolume(String id, String source, Volume volume) {
        return new ImageDocument(id, source, volume, null);
    }

    public static ImageDocument ofPicture(String id, String source, Image2D image) {
        UInt8Image rgb = Rgb8.of(image);
        int w = image.width();
        int h = image.height();
        Image2D g = image.grey();
        float[] data = new float[w * h];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                data[x + w * (h - 1 - y)] = g.data()[y * w + x];
            }
        }
        return new ImageDocument(id, source, new Volume(w, h, 1, data, Affine.identity()), rgb);
    }

    public String id() {
        return id;
    }

    /** The path below the root (or the upload's name) it was read from. */
    public String source() {
        return source;
    }

    public Volume volume() {
        return volume;
    }

    public boolean isPicture() {
        return picture != null;
    }

    /** The 0.5th and 99.5th percentiles of the voxels: the "auto" window, as {@code prepare}'s default. */
    public double[] autoBounds() {
        return autoBounds.clone();
    }

    public synchronized VolumeSlicer slicer(SliceAxis axis) {
        if (isPicture() && axis != SliceAxis.AXIAL) {
            throw ServeException.badRequest(source + " is a 2-D image: only the axial axis exists");
        }
        return slicers.computeIfAbsent(axis, a -> new VolumeSlicer(volume, a));
    }

    /** Slice {@code index} in the volume's own values (HU for CT), row-major. */
    public float[] values(SliceAxis axis, int index) {
        VolumeSlicer s = slicer(axis);
        checkIndex(s, index);
        return s.slice(volume.data(), index);
    }

    /** The 8-bit RGB picture (2-D images only). */
    public UInt8Image picture() {
        return picture;
    }

    /**
     * The RGB image SAM receives for a slice: a picture's own pixels, or the slice mapped to 8 bits by
     * {@code intensity} over the whole volume (exactly {@code prepare}'s PNG for the same {@code --window}).
     */
    public UInt8Image samImage(SliceAxis axis, int index, Grey8 intensity) {
        if (isPicture()) {
            slicer(axis);
            checkIndex(slicer(axis), index);
            return picture;
        }
        VolumeSlicer s = slicer(axis);
        checkIndex(s, index);
        float[] g = s.slice(greyVolume(intensity), index);
        byte[] px = new byte[g.length];
        for (int i = 0; i < g.length; i++) {
            px[i] = (byte) (int) g[i];
        }
        return new UInt8Image(s.height(), s.width(), 1, px).toRgb();
    }

    /** The whole volume mapped by {@code intensity}; the last mapping is kept (one volume's worth of floats). */
    private synchronized float[] greyVolume(Grey8 intensity) {
        String key = key(intensity);
        if (!key.equals(greyKey)) {
            grey = null;
            grey = intensity.apply(volume.data());
            greyKey = key;
        }
        return grey;
    }

    /** A value key of a mapping (the record's own toString would name arrays by identity). */
    static String key(Grey8 intensity) {
        return intensity.isWindow() ? intensity.window().levelHu() + "," + intensity.window().widthHu() : "auto";
    }

    static void checkIndex(VolumeSlicer s, int index) {
        if (index < 0 || index >= s.sliceCount()) {
            throw ServeException.badRequest("slice " + index + " is outside 0.." + (s.sliceCount() - 1) + " of the "
                    + s.axis().label() + " axis");
        }
    }

    /** Bytes this document holds (voxels, picture, cached 8-bit volume), for the memory bound of the store. */
    public synchronized long bytes() {
        return 4L * volume.data().length + (picture == null ? 0 : picture.pixels().length)
                + (grey == null ? 0 : 4L * grey.length);
    }
}
