package org.samtune.serve;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The label volumes, one per image id, saved below {@code <root>/.samtune-serve/labels/}. All work on one volume
 * runs under that volume's lock, so concurrent requests (two tabs, fast clicks) apply one after the other and none
 * is lost. Loaded volumes are kept least-recently-used first out; a dropped one is read again from its file, which
 * always holds the last saved state.
 */
public final class LabelStore {
    private final Path dir;
    private final int maxLoaded;
    private final Map<String, Object> locks = new ConcurrentHashMap<>();
    private final Map<String, LabelVolume> loaded = new LinkedHashMap<>(16, 0.75f, true);

    public LabelStore(RootFolder root, int maxLoaded) {
        this.dir = root.path().resolve(RootFolder.STATE_DIR).resolve("labels");
        this.maxLoaded = maxLoaded;
    }

    /** Runs {@code work} with the label volume of {@code doc}, holding its lock. */
    public <T> T with(ImageDocument doc, Function<LabelVolume, T> work) {
        Object lock = locks.computeIfAbsent(doc.id(), k -> new Object());
        synchronized (lock) {
            LabelVolume v;
            synchronized (loaded) {
                v = loaded.get(doc.id());
            }
            if (v == null) {
                v = LabelVolume.load(dir.resolve(doc.id() + ".labels"), doc.volume());
                synchronized (loaded) {
                    loaded.put(doc.id(), v);
                    while (loaded.size() > maxLoaded) {
                        loaded.remove(loaded.keySet().iterator().next());
                    }
                }
            }
            return work.apply(v);
        }
    }
}
