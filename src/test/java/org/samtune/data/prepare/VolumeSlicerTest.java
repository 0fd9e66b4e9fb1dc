package org.samtune.data.prepare;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.samtune.SamtuneException;
import org.samtune.io.Affine;
import org.samtune.io.Volume;

class VolumeSlicerTest {

    /** A grid stored "LPS-like" and permuted: i → −y (P), j → +z (S), k → −x (L), anisotropic spacing. */
    static Volume oddlyOrientedVolume(long seed) {
        Affine affine = new Affine(new double[] {
            0, 0, -1.5, 40,
            -0.8, 0, 0, 30,
            0, 2.5, 0, -20,
            0, 0, 0, 1});
        int nx = 9;
        int ny = 7;
        int nz = 5;
        float[] data = new float[nx * ny * nz];
        Random r = new Random(seed);
        for (int i = 0; i < data.length; i++) {
            data[i] = r.nextFloat() * 100f;
        }
        return new Volume(nx, ny, nz, data, affine, "header-object");
    }

    @Test
    void thresholdModelRoundTripReturnsTheSameVoxelsAndGeometry() {
        Volume v = oddlyOrientedVolume(1);
        for (SliceAxis axis : SliceAxis.values()) {
            VolumeSlicer slicer = new VolumeSlicer(v, axis);
            Volume labels = slicer.segment((slice, w, h) -> {
                int[] out = new int[w * h];
                for (int p = 0; p < out.length; p++) {
                    out[p] = slice[p] > 50f ? 2 : 0;
                }
                return out;
            });
            assertThat(labels.nx()).isEqualTo(v.nx());
            assertThat(labels.ny()).isEqualTo(v.ny());
            assertThat(labels.nz()).isEqualTo(v.nz());
            assertThat(labels.affine()).isEqualTo(v.affine());
            assertThat(labels.header()).isSameAs(v.header());
            for (int i = 0; i < v.data().length; i++) {
                assertThat(labels.data()[i]).as("%s voxel %d", axis, i).isEqualTo(v.data()[i] > 50f ? 2f : 0f);
            }
        }
    }

    @Test
    void slicesAreAnatomicalWhateverTheVoxelOrder() {
        Volume v = oddlyOrientedVolume(2);
        CanonicalOrientation o = CanonicalOrientation.of(v.affine(), v.nx(), v.ny(), v.nz());
        assertThat(v.affine().orientation()).isEqualTo("PSL");
        assertThat(o.size()).containsExactly(5, 9, 7);
        Affine canonical = o.canonicalAffine(v.affine());
        assertThat(canonical.orientation()).isEqualTo("RAS");
        // The canonical affine maps each canonical voxel to the same world point as its source voxel.
        int[] size = o.size();
        for (int a0 = 0; a0 < size[0]; a0++) {
            for (int a1 = 0; a1 < size[1]; a1++) {
                for (int a2 = 0; a2 < size[2]; a2++) {
                    int src = o.sourceIndex(a0, a1, a2);
                    double[] w1 = canonical.apply(a0, a1, a2);
                    double[] w2 = v.affine().apply(src % 9, (src / 9) % 7, src / 63);
                    for (int c = 0; c < 3; c++) {
                        assertThat(w1[c]).isCloseTo(w2[c], within(1e-9));
                    }
                }
            }
        }
        VolumeSlicer axial = new VolumeSlicer(v, SliceAxis.AXIAL);
        assertThat(axial.sliceCount()).isEqualTo(7);
        assertThat(axial.width()).isEqualTo(5);
        assertThat(axial.height()).isEqualTo(9);
        assertThat(axial.pixelSpacingMm()).containsExactly(1.5, 0.8);
        assertThat(axial.sliceSpacingMm()).isEqualTo(2.5);
        assertThat(axial.sourceAxis()).isEqualTo(1);
        // In an axial slice: one world z; x grows along columns; y shrinks down the rows (anterior on top).
        for (int s = 0; s < axial.sliceCount(); s++) {
            double z = canonical.apply(0, 0, s)[2];
            float[] img = axial.slice(v, s);
            for (int y = 0; y < axial.height(); y++) {
                for (int x = 0; x < axial.width(); x++) {
                    int a1 = axial.height() - 1 - y;
                    int src = o.sourceIndex(x, a1, s);
                    assertThat(img[y * axial.width() + x]).isEqualTo(v.data()[src]);
                    double[] w = v.affine().apply(src % 9, (src / 9) % 7, src / 63);
                    assertThat(w[2]).isCloseTo(z, within(1e-9));
                }
            }
            double[] topLeft = canonical.apply(0, axial.height() - 1, s);
            double[] bottomRight = canonical.apply(axial.width() - 1, 0, s);
            assertThat(topLeft[0]).isLessThan(bottomRight[0]);
            assertThat(topLeft[1]).isGreaterThan(bottomRight[1]);
        }
        // Slice index ↔ the file's own voxel index along the fixed axis (j, which runs inferior → superior).
        assertThat(axial.sourceIndex(0)).isEqualTo(0);
        VolumeSlicer sagittal = new VolumeSlicer(v, SliceAxis.SAGITTAL);
        assertThat(sagittal.sourceAxis()).isEqualTo(2);
        assertThat(sagittal.sourceIndex(0)).isEqualTo(4); // k runs towards L: canonical slice 0 (left-most) is k = 4
    }

    @Test
    void aVolumeOnAnotherGridIsRefused() {
        Volume v = oddlyOrientedVolume(3);
        VolumeSlicer slicer = new VolumeSlicer(v, SliceAxis.CORONAL);
        Volume other = new Volume(9, 7, 5, new float[315], Affine.identity());
        assertThatThrownBy(() -> slicer.slice(other, 0)).isInstanceOf(SamtuneException.class)
                .hasMessageContaining("not on the grid");
    }

    @Test
    void aVolumeStoredInAnotherVoxelOrderIsReorderedExactly() {
        Volume v = oddlyOrientedVolume(4);
        CanonicalOrientation o = CanonicalOrientation.of(v.affine(), v.nx(), v.ny(), v.nz());
        int[] size = o.size();
        float[] ras = new float[v.data().length];
        for (int a2 = 0; a2 < size[2]; a2++) {
            for (int a1 = 0; a1 < size[1]; a1++) {
                for (int a0 = 0; a0 < size[0]; a0++) {
                    ras[a0 + size[0] * (a1 + size[1] * a2)] = v.data()[o.sourceIndex(a0, a1, a2)];
                }
            }
        }
        Volume stored = new Volume(size[0], size[1], size[2], ras, o.canonicalAffine(v.affine()));
        assertThat(stored.sameGrid(v)).isFalse();
        Volume back = CanonicalOrientation.onGridOf(stored, v).orElseThrow();
        assertThat(back.data()).containsExactly(v.data());
        assertThat(back.affine()).isEqualTo(v.affine());
        // A shifted origin is not a reordering: refused.
        double[] m = stored.affine().m();
        m[3] += 0.5;
        Volume shifted = new Volume(size[0], size[1], size[2], ras, new Affine(m));
        assertThat(CanonicalOrientation.onGridOf(shifted, v)).isEmpty();
    }
}
