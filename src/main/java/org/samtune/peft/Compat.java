package org.samtune.peft;

import com.fasterxml.jackson.annotation.JsonCreator;
import org.samtune.Choice;

/**
 * Whose behaviour a run reproduces where finetune-SAM differs from official SAM: {@code --compat} on the command
 * line and {@code compat} in config.yaml. {@link Quirks#of(Compat)} spells out every difference.
 */
public enum Compat implements Choice {
    /** samtune's default: official SAM's model, plus the fixes listed in {@link Quirks}. */
    SAMTUNE("samtune"),
    /** finetune-SAM exactly, quirks included. */
    FINETUNE_SAM("finetune-sam");

    private final String id;

    Compat(String id) {
        this.id = id;
    }

    @Override
    public String id() {
        return id;
    }

    @JsonCreator
    public static Compat parse(String s) {
        return Choice.parse(Compat.class, s, "compat");
    }

    /** As {@link #parse(String)}, with the flag or field named in the error. */
    public static Compat parse(String s, String field) {
        return Choice.parse(Compat.class, s, field);
    }

    /** The deliberate differences this mode keeps or drops. */
    public Quirks quirks() {
        return Quirks.of(this);
    }
}
