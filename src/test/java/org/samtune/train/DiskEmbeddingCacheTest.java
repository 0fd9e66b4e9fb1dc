package org.samtune.train;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.samtune.data.augment.Augmentation;
import org.samtune.data.SegmentationDataset;
import org.samtune.data.TargetMode;
import org.samtune.model.BlockOrder;
import org.samtune.model.Sam;
import org.samtune.model.SamConfig;
import org.samtune.peft.Compat;
import org.samtune.peft.EncoderBlocks;
import org.samtune.peft.TuningPlan;

/**
 * The disk embedding cache: reuse across instances (runs), truncated / foreign / corrupt files recomputed and never
 * used, the size bound with least-recently-used eviction, and training losses equal with and without it.
 */
class DiskEmbeddingCacheTest {
    static final long[] SHAPE = {1, 4, 3, 3};
    @TempDir Path dir;

    private static float[] image(long seed) {
        Random r = new Random(seed);
        float[] x = new float[3 * 8 * 8];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        return x;
    }

    /** A stand-in encoder: a deterministic function of the image, counting its calls. */
    private static NDArray encode(NDManager m, float[] image, AtomicInteger calls) {
        calls.incrementAndGet();
        float[] e = new float[36];
        for (int i = 0; i < e.length; i++) {
            e[i] = image[i] * 2 + i;
        }
        return m.create(e, new Shape(SHAPE));
    }

    private DiskEmbeddingCache cache(Path folder, long maxBytes, String encoder) {
        return new DiskEmbeddingCache(folder, maxBytes, encoder.getBytes(), SHAPE);
    }

    private float[] get(DiskEmbeddingCache c, NDManager m, float[] img, AtomicInteger calls) {
        try (NDScope scope = new NDScope()) {
            return c.embedding(m, 0, img, () -> encode(m, img, calls)).toFloatArray();
        }
    }

    private List<Path> files() throws Exception {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(p -> p.toString().endsWith(DiskEmbeddingCache.SUFFIX)).sorted().toList();
        }
    }

    @Test
    void secondInstanceReusesEveryEntryAndAnotherEncoderDoesNot() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        try (NDManager m = NDManager.newBaseManager()) {
            List<float[]> first = new ArrayList<>();
            DiskEmbeddingCache a = cache(dir, 1 << 20, "encoder-A");
            for (int i = 0; i < 4; i++) {
                first.add(get(a, m, image(i), calls));
            }
            assertThat(calls.get()).isEqualTo(4);
            assertThat(files()).hasSize(4);
            DiskEmbeddingCache b = cache(dir, 1 << 20, "encoder-A"); // another run, seed or process
            for (int i = 0; i < 4; i++) {
                assertThat(get(b, m, image(i), calls)).containsExactly(first.get(i));
            }
            assertThat(calls.get()).as("nothing recomputed").isEqualTo(4);
            assertThat(b.hits()).isEqualTo(4);
            DiskEmbeddingCache other = cache(dir, 1 << 20, "encoder-B");
            get(other, m, image(0), calls);
            assertThat(calls.get()).as("another encoder is another key").isEqualTo(5);
        }
    }

    @Test
    void truncatedForeignAndCorruptFilesAreRecomputedNeverUsed() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        try (NDManager m = NDManager.newBaseManager()) {
            DiskEmbeddingCache c = cache(dir, 1 << 20, "encoder-A");
            float[] e0 = get(c, m, image(0), calls);
            float[] e1 = get(c, m, image(1), calls);
            Path f0 = c.fileFor(c.key(image(0)));
            Path f1 = c.fileFor(c.key(image(1)));
            byte[] whole = Files.readAllBytes(f0);

            Files.write(f0, java.util.Arrays.copyOf(whole, whole.length - 7)); // truncated
            assertThat(get(c, m, image(0), calls)).containsExactly(e0);
            assertThat(calls.get()).isEqualTo(3);
            assertThat(Files.readAllBytes(f0)).as("replaced by a complete file").isEqualTo(whole);

            Files.copy(f1, f0, StandardCopyOption.REPLACE_EXISTING); // foreign: a valid entry of another key
            assertThat(get(c, m, image(0), calls)).containsExactly(e0).isNotEqualTo(e1);
            assertThat(calls.get()).isEqualTo(4);

            byte[] flipped = whole.clone();
            flipped[whole.length / 2] ^= 0x10; // one value changed, size intact
            Files.write(f0, flipped);
            assertThat(get(c, m, image(0), calls)).containsExactly(e0);
            assertThat(calls.get()).isEqualTo(5);
            assertThat(c.rejected()).isEqualTo(3);

            Files.write(f0, "not an embedding".getBytes()); // garbage
            assertThat(get(c, m, image(0), calls)).containsExactly(e0);
            assertThat(calls.get()).isEqualTo(6);
        }
    }

    @Test
    void sizeBoundEvictsLeastRecentlyUsed() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        try (NDManager m = NDManager.newBaseManager()) {
            DiskEmbeddingCache probe = cache(dir.resolve("probe"), 1 << 20, "x");
            get(probe, m, image(0), calls);
            long entry = Files.size(probe.fileFor(probe.key(image(0))));
            Path folder = dir.resolve("bounded");
            DiskEmbeddingCache c = cache(folder, 3 * entry + entry / 2, "encoder-A"); // room for 3
            for (int i = 0; i < 3; i++) {
                get(c, m, image(i), calls);
                Files.setLastModifiedTime(c.fileFor(c.key(image(i))), FileTime.fromMillis(1_000_000L * (i + 1)));
            }
            get(c, m, image(0), calls); // a read marks image 0 as just used
            get(c, m, image(3), calls); // 4 entries > bound: evicts down to 90 % (3 entries fit 3.15)
            assertThat(c.evicted()).isEqualTo(1);
            assertThat(Files.exists(c.fileFor(c.key(image(1))))).as("least recently used went").isFalse();
            for (int i : new int[] {0, 2, 3}) {
                assertThat(Files.exists(c.fileFor(c.key(image(i))))).as("entry " + i).isTrue();
            }
            long total = c.entries().stream().mapToLong(DiskEmbeddingCache.Entry::bytes).sum();
            assertThat(total).isLessThanOrEqualTo(3 * entry + entry / 2);
            for (int i = 4; i < 12; i++) {
                get(c, m, image(i), calls);
            }
            total = c.entries().stream().mapToLong(DiskEmbeddingCache.Entry::bytes).sum();
            assertThat(total).as("the bound holds after many writes").isLessThanOrEqualTo(3 * entry + entry / 2);
        }
    }

    // ---- in training -------------------------------------------------------------------------------------------

    private DiskEmbeddingCache lastDisk;

    /** Losses of a 3-epoch decoder-only run; cache: "none" (recompute), "memory" or "disk". */
    private List<Double> trainLosses(Path data, String cache) throws Exception {
        boolean cacheEmbeddings = !cache.equals("none");
        TuningPlan plan = TuningPlan.of(TuningPlan.Tune.DECODER, TuningPlan.Method.VANILLA, EncoderBlocks.everyBlock(),
                Compat.SAMTUNE);
        try (NDManager m = NDManager.newBaseManager()) {
            Sam sam = Sam.build(m, SamConfig.tiny().withNumClasses(3).withBlockOrder(BlockOrder.OFFICIAL));
            sam.initialize(11);
            plan.apply(sam, 5);
            var opts = new SegmentationDataset.Options(TargetMode.MULTI_ALL, 3, true);
            var train = SegmentationDataset.open(data.resolve("train.csv"), data, data, opts);
            var pipe = new SamplePipeline(128, 32, TrainConfig.Resize.SQUARE,
                    org.samtune.data.FinetuneSamPreprocessing.Normalization.SAM,
                    SamplePipeline.TargetResize.NEAREST, new Augmentation(Augmentation.Settings.off()));
            var settings = new Trainer.Settings(3, 2, 2e-3, false, 0, 2, 20, 7L, cacheEmbeddings, 0, 0);
            Trainer t = new Trainer(sam, plan, settings, train, null, pipe);
            if (cache.equals("disk")) {
                lastDisk = DiskEmbeddingCache.forModel(dir.resolve("cache"), 1L << 30, sam);
                t.useEmbeddingCache(lastDisk);
            }
            assertThat(t.embeddingsCacheable()).isEqualTo(cacheEmbeddings);
            List<Double> losses = new ArrayList<>();
            try (AdamW opt = AdamW.finetuneSam(sam.namedParameters(), 2e-3)) {
                t.run(opt, TrainState.start(), new Trainer.Listener() {
                    @Override
                    public void onIteration(Trainer.IterationStats s, long total) {
                        losses.add(s.loss());
                    }
                });
            }
            t.close();
            return losses;
        }
    }

    @Test
    void lossesAreEqualWithAndWithoutTheDiskCache() throws Exception {
        Path data = dir.resolve("data");
        Files.createDirectories(data);
        SyntheticData.write(data, "train", 5, 64, 1);
        List<Double> none = trainLosses(data, "none");
        List<Double> memory = trainLosses(data, "memory");
        List<Double> diskFirst = trainLosses(data, "disk");
        assertThat(files()).hasSize(5);
        List<Double> diskAgain = trainLosses(data, "disk"); // a second run: every embedding read from disk
        assertThat(files()).hasSize(5);
        assertThat(lastDisk.misses()).isZero();
        assertThat(lastDisk.hits()).isEqualTo(15);
        assertThat(none).hasSize(9).allMatch(Double::isFinite);
        // the disk cache changes nothing against today's in-memory cache, bit for bit
        assertThat(diskFirst).containsExactlyElementsOf(memory);
        assertThat(diskAgain).containsExactlyElementsOf(memory);
        // without a cache a batch of two images goes through the encoder at once, with one image at a time: the
        // encoder's float sums differ in the last bits (1.7173954 vs 1.7173953 here), nothing more
        for (int i = 0; i < none.size(); i++) {
            assertThat(memory.get(i)).as("loss " + i).isCloseTo(none.get(i), org.assertj.core.data.Offset.offset(
                    1e-6 * Math.abs(none.get(i))));
        }
    }
}
