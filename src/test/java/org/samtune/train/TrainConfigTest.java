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
import org.samtune.peft.Compat;
import org.samtune.peft.EncoderBlocks;
import org.samtune.peft.TuningPlan;

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
        assertThat(c.plan().encoderBlocks()).isEqualTo(EncoderBlocks.of(0, 1, 10, 11));
        assertThat(c.plan().compat()).isEqualTo(Compat.SAMTUNE);
        assertThat(c.classNames()).containsExactly("background", "class_1");
        assertThat(c.imageSize()).isEqualTo(1024);
        assertThat(c.outSize()).isEqualTo(256);
        assertThat(c.promptRegions()).isEqualTo("largest_3");
        assertThat(c.schedule(10).lrForStep(0)).isEqualTo(1e-3 / 200);
        assertThat(c.toBuilder().warmup(false).build().schedule(10).lrForStep(0)).isEqualTo(1e-3);
    }

    @Test
    void yamlRoundTripsEverySetting(@TempDir Path dir) {
        TrainConfig c = TrainConfig.builder().arch("vit_t").tune(TuningPlan.Tune.ENCODER_DECODER)
                .method(TuningPlan.Method.LORA).encoderBlocks(EncoderBlocks.of(0, 2)).numClasses(4)
                .classNames(List.of("background", "liver", "spleen", "left kidney")).targets(TargetMode.MULTI_ALL)
                .lr(5e-4).warmup(false).batchSize(2).seed(42).promptMode(TrainConfig.PromptMode.BOX)
                .resize(TrainConfig.Resize.LONGEST).normalize(TrainConfig.Normalize.MEDSAM).augment(false)
                .compat(Compat.FINETUNE_SAM).trainList("lists/train.csv").outputDir("runs/a").build();
        Path file = dir.resolve("config.yaml");
        c.write(file);
        TrainConfig back = TrainConfig.read(file);
        assertThat(back).isEqualTo(c);
        String text = c.toYaml();
        assertThat(text).contains("tune: encoder+decoder").contains("method: lora").contains("compat: finetune-sam")
                .contains("targets: multi_all").contains("promptMode: box").contains("- left kidney");
        // "all blocks" is one explicit word, in YAML as on the command line
        TrainConfig all = c.toBuilder().encoderBlocks(EncoderBlocks.everyBlock()).build();
        assertThat(all.toYaml()).contains("encoderBlocks: all");
        assertThat(TrainConfig.fromYaml(all.toYaml(), "c.yaml")).isEqualTo(all);
        assertThat(TrainConfig.defaults().toYaml()).contains("compat: samtune").doesNotContain("official");
    }

    @Test
    void defaultsFollowTheArchitecture() {
        TrainConfig compact = TrainConfig.builder().arch("compact").build();
        assertThat(compact.plan().encoderBlocks()).isEqualTo(EncoderBlocks.of(0, 1, 4, 5));
        assertThat(compact.imageSize()).isEqualTo(256);
        assertThat(compact.outSize()).isEqualTo(64);
        assertThat(TrainConfig.builder().arch("vit_t").build().plan().encoderBlocks()).isEqualTo(EncoderBlocks.of(0, 1));
        assertThatThrownBy(() -> TrainConfig.builder().arch("compact").encoderBlocks(EncoderBlocks.of(0, 10)).build())
                .isInstanceOf(SamtuneException.class).hasMessageContaining("plan.encoderBlocks")
                .hasMessageContaining("block 10 out of range");
        assertThatThrownBy(() -> TrainConfig.builder().numClasses(3).build()).isInstanceOf(SamtuneException.class)
                .hasMessageContaining("combine_all");
        assertThatThrownBy(() -> EncoderBlocks.parse("", "--encoder-blocks")).isInstanceOf(SamtuneException.class)
                .hasMessageContaining("--encoder-blocks");
        assertThatThrownBy(() -> EncoderBlocks.parse("0,x", "--encoder-blocks")).isInstanceOf(SamtuneException.class)
                .hasMessageContaining("--encoder-blocks: 'x'");
    }

    @Test
    void derivedSettingsStayUnsetInToBuilderSoTheyFollowANewArchitecture() {
        TrainConfig vitB = TrainConfig.defaults();
        TrainConfig compact = vitB.toBuilder().arch("compact").build();
        assertThat(compact.plan().encoderBlocks()).isEqualTo(EncoderBlocks.of(0, 1, 4, 5));
        assertThat(compact.imageSize()).isEqualTo(256);
        assertThat(compact.outSize()).isEqualTo(64);
        assertThat(vitB.toBuilder().numClasses(3).targets(TargetMode.MULTI_ALL).build().classNames())
                .containsExactly("background", "class_1", "class_2");
        // settings that differ from the derived ones are kept
        TrainConfig fixed = vitB.toBuilder().encoderBlocks(EncoderBlocks.of(0, 1)).imageSize(512).outSize(128)
                .classNames(List.of("background", "liver")).build();
        TrainConfig moved = fixed.toBuilder().arch("compact").build();
        assertThat(moved.plan().encoderBlocks()).isEqualTo(EncoderBlocks.of(0, 1));
        assertThat(moved.imageSize()).isEqualTo(512);
        assertThat(moved.classNames()).containsExactly("background", "liver");
        assertThat(fixed.toBuilder().build()).isEqualTo(fixed);
        assertThat(vitB.toBuilder().build()).isEqualTo(vitB);
    }

    @Test
    void badFilesAndValuesNameTheField(@TempDir Path dir) throws Exception {
        String good = TrainConfig.defaults().toYaml();
        assertThatThrownBy(() -> TrainConfig.fromYaml(good.replace("epochs: 200", "epochs: 0"), "run/config.yaml"))
                .isInstanceOf(SamtuneException.class).hasMessageContaining("run/config.yaml").hasMessageContaining("epochs");
        assertThatThrownBy(() -> TrainConfig.fromYaml(good.replace("method: vanilla", "method: full"), "c.yaml"))
                .isInstanceOf(SamtuneException.class).hasMessageContaining("method").hasMessageContaining("vanilla, adapter, lora");
        assertThatThrownBy(() -> TrainConfig.fromYaml(good + "compat: official\n", "c.yaml"))
                .isInstanceOf(SamtuneException.class).hasMessageContaining("'compat' now belongs in the plan block");
        assertThatThrownBy(() -> TrainConfig.fromYaml(good.replace("compat: samtune", "compat: official"), "c.yaml"))
                .isInstanceOf(SamtuneException.class).hasMessageContaining("compat").hasMessageContaining("samtune, finetune-sam");
        assertThatThrownBy(() -> TrainConfig.fromYaml(good.replaceAll("encoderBlocks:(\\n\\s*- \\d+)+", "encoderBlocks: []"), "c.yaml"))
                .isInstanceOf(SamtuneException.class).hasMessageContaining("encoderBlocks");
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
