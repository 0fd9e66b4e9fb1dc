package org.samtune;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * A setting with a fixed set of values, each with the one spelling that flags, YAML, logs and docs use
 * ({@code encoder+decoder}, {@code finetune-sam}, ...). An enum implements it with its id and a one-line
 * {@code @JsonCreator parse(String)} that calls {@link #parse(Class, String, String)}; YAML writes the id.
 */
public interface Choice {
    /** The value's spelling. */
    @JsonValue
    String id();

    /**
     * The value spelled {@code text} (case-insensitive; {@code _} for {@code -} accepted), or a one-line error naming
     * {@code field} and every accepted spelling.
     */
    static <E extends Enum<E> & Choice> E parse(Class<E> type, String text, String field) {
        String t = text == null ? "" : text.strip().toLowerCase(Locale.ROOT);
        for (E v : type.getEnumConstants()) {
            if (v.id().equals(t) || v.id().replace('-', '_').equals(t.replace('-', '_'))) {
                return v;
            }
        }
        throw new SamtuneException(field + ": expected one of " + Arrays.stream(type.getEnumConstants())
                .map(Choice::id).collect(Collectors.joining(", ")) + ", got '" + text + "'");
    }
}
