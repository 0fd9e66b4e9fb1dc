package org.samtune.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.samtune.SamtuneException;
import org.samtune.data.TargetMode;

class TrainConfigTest {

    @Test
    void defaultsAreFinetuneSams() {
        TrainConfig c = TrainConfig.defaults();
        assertThat(c.arch()).isEqualTo("vit_b");
        assertThat(c.lr()).isEqualTo(1e-3);
        assertThat(c.warmup()).isTrue();
        assertThat(c.warmupIters()).isEqualTo(200);
        assertThat(c.weightDecay()).isEqualTo(0.1);
        assertThat(c.batchSize()).isEqualTo(4);
        assertThat(c.epochs()).isEqualTo(200);
        assertThat(c.valEvery()).isEqualTo(2);
        assertThat(c.patience()).isEqualTo(20);
        assertThat(c.numClasses()).isEqualTo(2);
        assertThat(c.targetMode()).isEqualTo(TargetMode.COMBINE_ALL);
        assertThat(c.encoderBlocks()).containsExactly(0, 1, 10, 11);
        assertThat(c.imageSize()).isEqualTo(1024);
        assertThat(c.outSize()).isEqualTo(256);
        assertThat(c.promptRegions()).isEqualTo("largest_3");
        assertThat(c.schedule(10).lrForStep(0)).isEqualTo(1e-3 / 200);
        assertThat(c.toBuilder().warmup(false).build().schedule(10).lrForStep(0)).isEqualTo(1e-3);
    }

    @Test
    void yamlRoundTripsEverySetting(@TempDir Path dir) {
        TrainConfig c = TrainConfig.builder().arch("vit_t").tune(TrainConfig.Tune.ENCODER_DECODER)
                .method(TrainConfig.Method.LORA).encoderBlocks(List.of(0, 2)).numClasses(4).targets(TargetMode.MULTI_ALL)
                .lr(5e-4).warmup(false).batchSize(2).seed(42).promptMode(TrainConfig.PromptMode.BOX)
                .resize(TrainConfig.Resize.LONGEST).normalize(TrainConfig.Normalize.MEDSAM).augment(false)
                .compat(TrainConfig.Compat.OFFICIAL).trainList("lists/train.csv").outputDir("runs/a").build();
        Path file = dir.resolve("config.yaml");
        c.write(file);
        TrainConfig back = TrainConfig.read(file);
        assertThat(back).isEqualTo(c);
        String text = c.toYaml();
        assertThat(text).contains("tune: encoder+decoder").contains("method: lora").contains("compat: official")
                .contains("targets: multi_all").contains("promptMode: box");
    }

    @Test
    void badFilesAndValuesNameTheField(@TempDir Path dir) throws Exception {
        String good = TrainConfig.defaults().toYaml();
        assertThatThrownBy(() -> TrainConfig.fromYaml(good.replace("epochs: 200", "epochs: 0"), "run/config.yaml"))
                .isInstanceOf(SamtuneException.class).hasMessageContaining("run/config.yaml").hasMessageContaining("epochs");
        assertThatThrownBy(() -> TrainConfig.fromYaml(good.replace("method: vanilla", "method: full"), "c.yaml"))
                .isInstanceOf(SamtuneException.class).hasMessageContaining("method").hasMessageContaining("vanilla, adapter, lora");
        assertThatThrownBy(() -> TrainConfig.fromYaml(good + "learningRate: 3\n", "c.yaml"))
                .isInstanceOf(SamtuneException.class).hasMessageContaining("unknown setting 'learningRate'");
        assertThatThrownBy(() -> TrainConfig.fromYaml(good.replace("lr: 0.001", "lr: fast"), "c.yaml"))
                .isInstanceOf(SamtuneException.class).hasMessageContaining("lr");
        assertThatThrownBy(() -> TrainConfig.fromYaml(good.replace("targets: combine_all", "targets: all"), "c.yaml"))
                .isInstanceOf(SamtuneException.class).hasMessageContaining("targets");
        assertThatThrownBy(() -> TrainConfig.builder().arch("vit_x").build()).isInstanceOf(SamtuneException.class)
                .hasMessageContaining("config field arch");
        Path missing = dir.resolve("nope.yaml");
        assertThatThrownBy(() -> TrainConfig.read(missing)).isInstanceOf(SamtuneException.class).hasMessageContaining("nope.yaml");
        Files.writeString(dir.resolve("broken.yaml"), "arch: [unclosed");
        assertThatThrownBy(() -> TrainConfig.read(dir.resolve("broken.yaml"))).isInstanceOf(SamtuneException.class)
                .hasMessageContaining("broken.yaml");
    }
}
