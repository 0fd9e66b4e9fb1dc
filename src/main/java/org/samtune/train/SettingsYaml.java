package org.samtune.train;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Collectors;
import org.samtune.SamtuneException;
import org.samtune.io.AtomicFiles;

/**
 * The one YAML form of a run's settings record ({@link TrainConfig}, {@code pretrain}'s configs): every field
 * written, read back strictly (an unknown, missing or null field is an error, never a silent default), and every
 * error one line naming the file and the field. A new settings record needs only {@link #write} and {@link #read}.
 */
public final class SettingsYaml {
    private SettingsYaml() {}

    private static ObjectMapper mapper() {
        return new ObjectMapper(new YAMLFactory().disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
                .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES))
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES);
    }

    /** Every field of {@code settings} as YAML. */
    public static String toYaml(Object settings) {
        try {
            return mapper().writeValueAsString(settings);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Writes {@code settings} atomically under a one-line comment saying what the file is. */
    public static void write(Path file, String comment, Object settings) {
        AtomicFiles.writeString(file, "# " + comment + "\n" + toYaml(settings));
    }

    /** Reads a settings file; any problem is a one-line {@link SamtuneException} naming the file and the field. */
    public static <T> T read(Path file, Class<T> type) {
        return fromYaml(text(file), file.toString(), type);
    }

    /** The text of a settings file, or a one-line error naming it. */
    public static String text(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new SamtuneException(file + ": cannot read the run settings: " + e.getMessage(), e);
        }
    }

    /**
     * Parses settings from {@code text}; {@code source} (a file, or a plan entry) starts every error. An unknown
     * field's exception keeps the {@link UnrecognizedPropertyException} as its cause, so a caller can explain a
     * renamed field.
     */
    public static <T> T fromYaml(String text, String source, Class<T> type) {
        try {
            return mapper().readValue(text, type);
        } catch (UnrecognizedPropertyException e) {
            throw new SamtuneException(source + ": unknown setting '" + e.getPropertyName() + "'", e);
        } catch (InvalidFormatException e) {
            throw new SamtuneException(source + ": setting " + path(e) + ": cannot read '" + e.getValue() + "' as "
                    + e.getTargetType().getSimpleName(), e);
        } catch (MismatchedInputException e) {
            throw new SamtuneException(source + ": setting " + path(e) + ": " + e.getOriginalMessage().split("\n")[0],
                    e);
        } catch (JsonProcessingException e) {
            if (e.getCause() instanceof SamtuneException se) {
                // the record's own validation: its message names the field
                throw new SamtuneException(source + ": " + se.getMessage(), se);
            }
            throw new SamtuneException(source + ": not a valid settings file: "
                    + e.getOriginalMessage().split("\n")[0], e);
        }
    }

    private static String path(MismatchedInputException e) {
        return e.getPath().stream().map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                .collect(Collectors.joining("."));
    }
}
