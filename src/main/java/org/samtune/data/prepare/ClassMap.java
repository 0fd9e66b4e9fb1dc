package org.samtune.data.prepare;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.samtune.SamtuneException;

/**
 * Which label values make up which class. Class indices are 1, 2, … in the order given; 0 is background and takes
 * every value not listed.
 *
 * <p>Text forms (the {@code --classes} option): {@code 1,2,3} (one class per value, named after it) or
 * {@code caudate=71,72;putamen=73,74} (named classes, each the union of its values).
 */
public record ClassMap(List<Entry> classes) {

    /** A class: its index in the output masks, its name, and the source label values it gathers. */
    public record Entry(int index, String name, int[] sourceValues) {
        public Entry {
            sourceValues = sourceValues.clone();
        }

        @Override
        public int[] sourceValues() {
            return sourceValues.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Entry e && e.index == index && e.name.equals(name)
                    && Arrays.equals(e.sourceValues, sourceValues);
        }

        @Override
        public int hashCode() {
            return 31 * (31 * index + name.hashCode()) + Arrays.hashCode(sourceValues);
        }
    }

    public ClassMap {
        classes = List.copyOf(classes);
        if (classes.isEmpty()) {
            throw new SamtuneException("--classes: expected at least one class");
        }
        if (classes.size() > 255) {
            throw new SamtuneException("--classes: at most 255 classes fit an 8-bit mask, got " + classes.size());
        }
        Map<Integer, String> owner = new HashMap<>();
        Set<String> names = new LinkedHashSet<>();
        for (Entry e : classes) {
            if (!names.add(e.name())) {
                throw new SamtuneException("--classes: class name '" + e.name() + "' appears twice");
            }
            for (int v : e.sourceValues()) {
                String prev = owner.put(v, e.name());
                if (prev != null) {
                    throw new SamtuneException("--classes: label value " + v + " is in both '" + prev + "' and '"
                            + e.name() + "'");
                }
            }
        }
    }

    /** Parses the {@code --classes} text. */
    public static ClassMap parse(String text) {
        String t = text == null ? "" : text.trim();
        if (t.isEmpty()) {
            throw new SamtuneException("--classes: expected '1,2,3' or 'name=v,v;name=v', got an empty value");
        }
        List<Entry> out = new ArrayList<>();
        if (!t.contains("=")) {
            for (String part : t.split(",")) {
                int v = value(part, text);
                out.add(new Entry(out.size() + 1, Integer.toString(v), new int[] {v}));
            }
            return new ClassMap(out);
        }
        for (String group : t.split(";")) {
            if (group.isBlank()) {
                continue;
            }
            int eq = group.indexOf('=');
            if (eq < 0) {
                throw new SamtuneException("--classes: expected 'name=v,v' in '" + group.trim() + "' of '" + text
                        + "'");
            }
            String name = group.substring(0, eq).trim();
            if (name.isEmpty() || !name.matches("[A-Za-z0-9_.\\-]+")) {
                throw new SamtuneException("--classes: class name '" + name
                        + "' must be letters, digits, '_', '-' or '.' (in '" + text + "')");
            }
            TreeSet<Integer> values = new TreeSet<>();
            for (String part : group.substring(eq + 1).split(",")) {
                values.add(value(part, text));
            }
            out.add(new Entry(out.size() + 1, name, values.stream().mapToInt(Integer::intValue).toArray()));
        }
        return new ClassMap(out);
    }

    /**
     * The same classes, each one holding a single label value named after the label-name list (e.g. AAL's
     * 37 → Hippocampus_L) where its name is still the bare value; named groups keep their names.
     */
    public ClassMap withNames(Map<Integer, String> labelNames) {
        List<Entry> out = new ArrayList<>();
        for (Entry e : classes) {
            int[] v = e.sourceValues();
            boolean bare = v.length == 1 && e.name().equals(Integer.toString(v[0]));
            out.add(new Entry(e.index(), bare ? labelNames.getOrDefault(v[0], e.name()) : e.name(), v));
        }
        return new ClassMap(out);
    }

    /** One class per distinct non-zero value found in the label arrays, in increasing order (the default). */
    public static ClassMap fromValues(float[]... labelArrays) {
        TreeSet<Integer> values = new TreeSet<>();
        for (float[] a : labelArrays) {
            values.addAll(nonZeroValues(a));
        }
        return fromValueSet(values);
    }

    /** The distinct non-zero label values (rounded to the nearest integer). */
    public static Set<Integer> nonZeroValues(float[] labels) {
        TreeSet<Integer> values = new TreeSet<>();
        for (float f : labels) {
            int v = Math.round(f);
            if (v != 0) {
                values.add(v);
            }
        }
        return values;
    }

    /** One class per value, in increasing order. */
    public static ClassMap fromValueSet(Set<Integer> valueSet) {
        TreeSet<Integer> values = new TreeSet<>(valueSet);
        values.remove(0);
        if (values.isEmpty()) {
            throw new SamtuneException("--classes: the label images hold no non-zero value; name the classes");
        }
        List<Entry> out = new ArrayList<>();
        for (int v : values) {
            out.add(new Entry(out.size() + 1, Integer.toString(v), new int[] {v}));
        }
        return new ClassMap(out);
    }

    /** Label values (rounded to the nearest integer) → class indices, 0 for unlisted values. */
    public byte[] apply(float[] labels) {
        Map<Integer, Integer> lut = new HashMap<>();
        for (Entry e : classes) {
            for (int v : e.sourceValues()) {
                lut.put(v, e.index());
            }
        }
        byte[] out = new byte[labels.length];
        for (int i = 0; i < labels.length; i++) {
            Integer c = lut.get(Math.round(labels[i]));
            if (c != null) {
                out[i] = (byte) (int) c;
            }
        }
        return out;
    }

    public int size() {
        return classes.size();
    }

    public List<String> names() {
        return classes.stream().map(Entry::name).toList();
    }

    private static int value(String part, String whole) {
        try {
            return Integer.parseInt(part.trim());
        } catch (NumberFormatException e) {
            throw new SamtuneException("--classes: expected an integer label value, got '" + part.trim() + "' in '"
                    + whole + "'");
        }
    }
}
