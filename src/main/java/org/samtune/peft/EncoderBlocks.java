package org.samtune.peft;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.samtune.SamtuneException;

/**
 * The encoder blocks (ViT) or attention stages (TinyViT) that get adapters or LoRA: every one of them
 * ({@code all} in flags and YAML), or an explicit, non-empty list of indices ({@code 0,1,10,11} on the command line,
 * {@code [0, 1, 10, 11]} in YAML). There is no "empty means all".
 *
 * @param all     every block of the encoder
 * @param indices the chosen blocks in ascending order (empty when {@code all})
 */
public record EncoderBlocks(boolean all, List<Integer> indices) {
    public static final String ALL = "all";

    public EncoderBlocks {
        indices = List.copyOf(indices);
        if (all && !indices.isEmpty()) {
            throw new IllegalArgumentException("all blocks take no indices");
        }
        if (!all && indices.isEmpty()) {
            throw new SamtuneException("encoderBlocks: expected block indices (e.g. 0,1,10,11) or all, got none");
        }
        for (int i : indices) {
            if (i < 0) {
                throw new SamtuneException("encoderBlocks: block indices start at 0, got " + i);
            }
        }
    }

    public static EncoderBlocks everyBlock() {
        return new EncoderBlocks(true, List.of());
    }

    public static EncoderBlocks of(List<Integer> indices) {
        return new EncoderBlocks(false, new ArrayList<>(new TreeSet<>(indices)));
    }

    public static EncoderBlocks of(Integer... indices) {
        return of(List.of(indices));
    }

    /** Parses {@code all} or {@code 0,1,10,11}; {@code flag} names the option or field in errors. */
    public static EncoderBlocks parse(String text, String flag) {
        String t = text == null ? "" : text.strip();
        if (t.equalsIgnoreCase(ALL)) {
            return everyBlock();
        }
        if (t.isEmpty()) {
            throw new SamtuneException(flag + ": expected block indices (e.g. 0,1,10,11) or all, got ''");
        }
        List<Integer> out = new ArrayList<>();
        for (String part : t.split(",")) {
            try {
                out.add(Integer.parseInt(part.strip()));
            } catch (NumberFormatException e) {
                throw new SamtuneException(flag + ": '" + part.strip()
                        + "' is not a block index (expected e.g. 0,1,10,11 or all)");
            }
        }
        try {
            return of(out);
        } catch (SamtuneException e) {
            throw new SamtuneException(flag + ": " + e.getMessage().replaceFirst("^encoderBlocks: ", ""));
        }
    }

    /** YAML: the string {@code all} or a list of indices. */
    @JsonCreator
    static EncoderBlocks fromJson(Object value) {
        if (value instanceof String s) {
            if (!s.strip().equalsIgnoreCase(ALL)) {
                throw new SamtuneException("encoderBlocks: expected all or a list of block indices, got '" + s + "'");
            }
            return everyBlock();
        }
        if (value instanceof List<?> list) {
            List<Integer> out = new ArrayList<>();
            for (Object o : list) {
                if (!(o instanceof Integer i)) {
                    throw new SamtuneException("encoderBlocks: expected block indices, got '" + o + "'");
                }
                out.add(i);
            }
            return of(out);
        }
        throw new SamtuneException("encoderBlocks: expected all or a list of block indices, got " + value);
    }

    @JsonValue
    Object toJson() {
        return all ? ALL : indices;
    }

    /** The explicit indices for an encoder of {@code units} blocks / stages. */
    public List<Integer> resolve(int units) {
        if (!all) {
            return indices;
        }
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < units; i++) {
            out.add(i);
        }
        return out;
    }

    /** Refuses an index beyond an encoder of {@code units} blocks, naming {@code flag}. */
    public void check(int units, String flag, String encoder) {
        for (int i : indices) {
            if (i >= units) {
                throw new SamtuneException(flag + ": block " + i + " out of range: " + encoder + " has " + units
                        + " (0.." + (units - 1) + ")");
            }
        }
    }

    /** {@code all} or {@code 0,1,10,11}, as the flag takes it. */
    @Override
    public String toString() {
        if (all) {
            return ALL;
        }
        StringBuilder sb = new StringBuilder();
        for (int i : indices) {
            sb.append(sb.length() == 0 ? "" : ",").append(i);
        }
        return sb.toString();
    }
}
