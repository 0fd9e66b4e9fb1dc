package org.samtune.report;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.samtune.data.UInt8Image;
import org.samtune.io.Image2D;

class MaskOverlayTest {

    static int[] rgb(Image2D img, int x, int y) {
        return new int[] {(int) img.get(x, y, 0), (int) img.get(x, y, 1), (int) img.get(x, y, 2)};
    }

    static UInt8Image grey(int w, int h, int v) {
        byte[] px = new byte[w * h];
        java.util.Arrays.fill(px, (byte) v);
        return new UInt8Image(h, w, 1, px);
    }

    @Test
    void promptsAreDrawnForegroundAndBackgroundApart() {
        int w = 400;
        int h = 300;
        byte[] mask = new byte[w * h];
        Image2D img = MaskOverlay.draw(grey(w, h, 100), mask, new double[] {50, 60, 300, 200}, new int[] {1, 0},
                new double[] {100, 80, 250, 220});
        assertThat(rgb(img, 50, 60)).containsExactly(MaskOverlay.FOREGROUND);
        assertThat(rgb(img, 300, 200)).containsExactly(MaskOverlay.BACKGROUND);
        assertThat(MaskOverlay.FOREGROUND).isNotEqualTo(MaskOverlay.BACKGROUND);
        int r = MaskOverlay.markerRadius(w, h);
        assertThat(r).isEqualTo(3);
        assertThat(rgb(img, 50 + r, 60)).containsExactly(MaskOverlay.FOREGROUND);
        assertThat(rgb(img, 50 + r + 1, 60)).containsExactly(MaskOverlay.RING);
        assertThat(rgb(img, 50 + r + 3, 60)).containsExactly(100, 100, 100);
        // the box: a 2-pixel outline on its edges, the inside untouched
        assertThat(rgb(img, 100, 150)).containsExactly(MaskOverlay.BOX);
        assertThat(rgb(img, 101, 150)).containsExactly(MaskOverlay.BOX);
        assertThat(rgb(img, 102, 150)).containsExactly(100, 100, 100);
        assertThat(rgb(img, 249, 150)).containsExactly(MaskOverlay.BOX);
        assertThat(rgb(img, 175, 80)).containsExactly(MaskOverlay.BOX);
        assertThat(rgb(img, 175, 219)).containsExactly(MaskOverlay.BOX);
        assertThat(rgb(img, 175, 150)).containsExactly(100, 100, 100);
    }

    @Test
    void classesGetTheirOwnColours() {
        int w = 20;
        int h = 10;
        int[] labels = new int[w * h];
        for (int y = 2; y < 8; y++) {
            for (int x = 2; x < 8; x++) {
                labels[y * w + x] = 1;
                labels[y * w + x + 10] = 2;
            }
        }
        Image2D img = MaskOverlay.drawLabels(grey(w, h, 0), labels, null, null, null);
        assertThat(rgb(img, 0, 0)).containsExactly(0, 0, 0);
        assertThat(rgb(img, 2, 2)).containsExactly(MaskOverlay.CLASS_COLOURS[0]);
        assertThat(rgb(img, 12, 2)).containsExactly(MaskOverlay.CLASS_COLOURS[1]);
        int[] c1 = MaskOverlay.CLASS_COLOURS[0];
        assertThat(rgb(img, 4, 4)).containsExactly((int) Math.rint(c1[0] * 0.5), (int) Math.rint(c1[1] * 0.5),
                (int) Math.rint(c1[2] * 0.5));
    }
}
