package org.samtune.data.resize;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.samtune.checkpoint.TensorData;
import org.samtune.data.UInt8Image;
import org.samtune.data.KernelGoldens;

/** PIL resize against Pillow 9.4 golden outputs (kernels/pil_*.npz): exact equality of every byte. */
class PilResizeTest {

    @Test
    void bilinearMatchesPillowExactly() {
        check("pil_bilinear.npz", true);
    }

    @Test
    void nearestMatchesPillowExactly() {
        check("pil_nearest.npz", false);
    }

    private static void check(String file, boolean bilinear) {
        Map<String, TensorData> npz = KernelGoldens.load(file);
        int n = KernelGoldens.caseCount(npz);
        assertThat(n).isEqualTo(9);
        for (int k = 0; k < n; k++) {
            UInt8Image x = KernelGoldens.image(npz.get("c" + k + "_x"));
            UInt8Image y = KernelGoldens.image(npz.get("c" + k + "_y"));
            UInt8Image got = bilinear ? PilResize.bilinear(x, y.height(), y.width())
                    : PilResize.nearest(x, y.height(), y.width());
            String what = file + " case " + k + " " + x.height() + "x" + x.width() + "x" + x.channels() + " -> "
                    + y.height() + "x" + y.width();
            assertThat(got.channels()).as(what).isEqualTo(y.channels());
            assertThat(got.pixels()).as(what).isEqualTo(y.pixels());
        }
    }

    @Test
    void bilinearDownscaleAveragesOverTheScaledSupport() {
        // 4 -> 1 pixels: support 4, all four source pixels weigh (triangle at ±0.125, ±0.375) 1:3:3:1
        UInt8Image row = new UInt8Image(1, 4, 1, new byte[] {0, 0, (byte) 200, (byte) 200});
        UInt8Image out = PilResize.bilinear(row, 1, 1);
        assertThat(out.get(0, 0, 0)).isEqualTo(100);
    }

    @Test
    void resizeLongestSideMatchesSam() {
        Map<String, TensorData> npz = KernelGoldens.load("sam_resize_longest.npz");
        int n = KernelGoldens.caseCount(npz);
        assertThat(n).isEqualTo(4);
        for (int k = 0; k < n; k++) {
            UInt8Image x = KernelGoldens.image(npz.get("c" + k + "_x"));
            UInt8Image y = KernelGoldens.image(npz.get("c" + k + "_y"));
            ResizeLongestSide t = new ResizeLongestSide((int) npz.get("c" + k + "_target").toLongs()[0]);
            UInt8Image got = t.applyImage(x);
            assertThat(new int[] {got.height(), got.width()}).as("case " + k).containsExactly(y.height(), y.width());
            assertThat(got.pixels()).as("case " + k).isEqualTo(y.pixels());
            assertThat(t.applyCoords(doubles(npz.get("c" + k + "_coords")), x.height(), x.width()))
                    .containsExactly(doubles(npz.get("c" + k + "_coords_out")));
            assertThat(t.applyBoxes(doubles(npz.get("c" + k + "_boxes")), x.height(), x.width()))
                    .containsExactly(doubles(npz.get("c" + k + "_boxes_out")));
        }
        // the fixture's original image: 60x80 -> 96x128 at img_size 128
        assertThat(ResizeLongestSide.preprocessShape(60, 80, 128)).containsExactly(96, 128);
        assertThat(ResizeLongestSide.preprocessShape(384, 385, 1024)).containsExactly(1021, 1024);
    }

    private static double[] doubles(TensorData t) {
        java.nio.ByteBuffer b = t.data().duplicate().order(java.nio.ByteOrder.LITTLE_ENDIAN);
        double[] out = new double[Math.toIntExact(t.numel())];
        b.asDoubleBuffer().get(out);
        return out;
    }
}
