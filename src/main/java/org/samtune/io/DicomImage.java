package org.samtune.io;

/**
 * The decoded pixels of one DICOM file with its metadata.
 *
 * <p>{@code data} holds {@code frames × rows × columns × samples} floats, samples fastest, then columns:
 * {@code index = s + samples·(column + columns·(row + rows·frame))}. Monochrome images have one sample, the
 * modality value {@code stored·RescaleSlope + RescaleIntercept} (Hounsfield units for CT); MONOCHROME1 is not
 * inverted. Colour images (RGB, YBR_FULL/YBR_FULL_422 converted to RGB, PALETTE COLOR through its lookup tables)
 * have three samples R, G, B in the range of the stored values or of the LUT entries (0..65535 for 16-bit LUTs).
 */
public record DicomImage(DicomMetadata metadata, int rows, int columns, int frames, int samples, float[] data) {

    public DicomImage {
        if ((long) rows * columns * frames * samples != data.length) {
            throw new IllegalArgumentException("image " + frames + "×" + rows + "×" + columns + "×" + samples
                    + " does not match " + data.length + " values");
        }
    }

    public float get(int frame, int row, int column, int sample) {
        return data[sample + samples * (column + columns * (row + rows * frame))];
    }

    /**
     * One value per pixel, x (column) fastest as in {@link Volume}: the value itself for monochrome, the luma
     * 0.299·R + 0.587·G + 0.114·B (ITU-R BT.601, as PIL's "L" conversion) for colour.
     */
    public float[] scalarData() {
        if (samples == 1) {
            return data;
        }
        float[] out = new float[data.length / samples];
        for (int p = 0; p < out.length; p++) {
            out[p] = (float) (0.299 * data[3 * p] + 0.587 * data[3 * p + 1] + 0.114 * data[3 * p + 2]);
        }
        return out;
    }
}
