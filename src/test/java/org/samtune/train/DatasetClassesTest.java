package org.samtune.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.samtune.SamtuneException;
import org.samtune.data.TargetMode;

/** Classes from the dataset.yaml beside the lists, and how they meet --num-classes and --targets. */
class DatasetClassesTest {
    @TempDir Path dir;

    private DatasetClasses three() throws Exception {
        Files.writeString(dir.resolve("dataset.yaml"), """
                classes:
                - {index: 0, name: background}
                - {index: 2, name: spleen, source_values: [6]}
                - {index: 1, name: liver, source_values: [1]}
                """);
        Files.writeString(dir.resolve("train.csv"), "");
        return DatasetClasses.besideList(dir.resolve("train.csv"));
    }

    @Test
    void theDataSettlesClassesModeAndNames() throws Exception {
        DatasetClasses d = three();
        assertThat(d.names()).containsExactly("background", "liver", "spleen");
        assertThat(DatasetClasses.resolve(d, null, null))
                .isEqualTo(new DatasetClasses.Resolved(3, TargetMode.MULTI_ALL, d.names()));
        assertThat(DatasetClasses.resolve(d, 3, TargetMode.MULTI_ALL).numClasses()).isEqualTo(3);
        assertThat(DatasetClasses.resolve(d, null, TargetMode.COMBINE_ALL))
                .isEqualTo(new DatasetClasses.Resolved(2, TargetMode.COMBINE_ALL, java.util.List.of("background",
                        "liver+spleen")));
        assertThatThrownBy(() -> DatasetClasses.resolve(d, 2, null)).isInstanceOf(SamtuneException.class)
                .hasMessageContaining("--num-classes 2").hasMessageContaining("dataset.yaml")
                .hasMessageContaining("background, liver, spleen");
        assertThatThrownBy(() -> DatasetClasses.resolve(d, 3, TargetMode.COMBINE_ALL))
                .isInstanceOf(SamtuneException.class).hasMessageContaining("--targets combine_all");
    }

    @Test
    void withoutADescriptionTheFlagsDecide() {
        assertThat(DatasetClasses.resolve(null, null, null).targets()).isEqualTo(TargetMode.COMBINE_ALL);
        DatasetClasses.Resolved four = DatasetClasses.resolve(null, 4, null);
        assertThat(four.targets()).as("more than 2 classes cannot be a binary union").isEqualTo(TargetMode.MULTI_ALL);
        assertThat(four.names()).containsExactly("background", "class_1", "class_2", "class_3");
        assertThat(DatasetClasses.besideList(dir.resolve("train.csv"))).isNull();
    }

    @Test
    void aBrokenDescriptionNamesTheFileAndField() throws Exception {
        Path yaml = dir.resolve("dataset.yaml");
        Files.writeString(yaml, "classes:\n- {index: 0, name: background}\n- {index: 0, name: liver}\n");
        assertThatThrownBy(() -> DatasetClasses.read(yaml)).isInstanceOf(SamtuneException.class)
                .hasMessageContaining(yaml.toString()).hasMessageContaining("index 0 appears twice");
        Files.writeString(yaml, "classes:\n- {index: 0, name: background}\n- {index: 5, name: liver}\n");
        assertThatThrownBy(() -> DatasetClasses.read(yaml)).isInstanceOf(SamtuneException.class)
                .hasMessageContaining("field classes");
        Files.writeString(yaml, "format: x\n");
        assertThatThrownBy(() -> DatasetClasses.read(yaml)).isInstanceOf(SamtuneException.class)
                .hasMessageContaining("field classes");
        Files.writeString(yaml, "classes: [unclosed\n");
        assertThatThrownBy(() -> DatasetClasses.read(yaml)).isInstanceOf(SamtuneException.class)
                .hasMessageContaining(yaml.toString());
    }
}
