package org.samtune.data.prepare;

import java.util.Locale;

/** The three dataset splits, in the order their fractions are given ({@code --split 70,15,15}). */
public enum Split {
    TRAIN,
    VAL,
    TEST;

    /** The list file's base name: train, val, test. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
