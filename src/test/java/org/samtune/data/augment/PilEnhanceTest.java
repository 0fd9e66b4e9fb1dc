package org.samtune.data.augment;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.samtune.data.Golden;

/** Bit-exact against PIL 9.4 / torchvision 0.14 on a 31×23 colour image and a grey-replicated one. */
class PilEnhanceTest {

    @ParameterizedTest
    @ValueSource(strings = {"rgb", "grey"})
    void equalizeMatchesPil(String image) {
        byte[] px = Golden.bytes(image);
        PilEnhance.equalize(px);
        assertThat(px).isEqualTo(Golden.bytes(image + "_equalize"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"rgb", "grey"})
    void brightnessContrastSaturationMatchPil(String image) {
        for (double f : new double[] {0.7, 1.234, 1.3}) {
            String tag = Double.toString(f).replace(".", "p");
            byte[] b = Golden.bytes(image);
            PilEnhance.brightness(b, f);
            assertThat(b).as("brightness %s", f).isEqualTo(Golden.bytes(image + "_brightness_" + tag));
            byte[] c = Golden.bytes(image);
            PilEnhance.contrast(c, f);
            assertThat(c).as("contrast %s", f).isEqualTo(Golden.bytes(image + "_contrast_" + tag));
            byte[] s = Golden.bytes(image);
            PilEnhance.saturation(s, f);
            assertThat(s).as("saturation %s", f).isEqualTo(Golden.bytes(image + "_saturation_" + tag));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"rgb", "grey"})
    void hueMatchesTorchvisionOnPil(String image) {
        for (double f : new double[] {0.1, 0.27, -0.2}) {
            String tag = Double.toString(f).replace(".", "p").replace("-", "m");
            byte[] h = Golden.bytes(image);
            PilEnhance.hue(h, f);
            assertThat(h).as("hue %s", f).isEqualTo(Golden.bytes(image + "_hue_" + tag));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"grey"})
    void saturationAndHueAreNoOpsOnGrey(String image) {
        byte[] px = Golden.bytes(image);
        PilEnhance.saturation(px, 1.3);
        PilEnhance.hue(px, 0.25);
        assertThat(px).isEqualTo(Golden.bytes(image));
    }
}
