package org.samtune.checkpoint;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;

/** The files made by tools/make_checkpoint_cases.py under src/test/resources/checkpoint. */
final class CheckpointFiles {
    private CheckpointFiles() {}

    static Path file(String name) {
        URL url = CheckpointFiles.class.getResource("/checkpoint/" + name);
        if (url == null) {
            throw new IllegalStateException("missing test file checkpoint/" + name);
        }
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** One line of a {@code *.tensors.txt}: what PyTorch says a checkpoint holds. */
    record Expected(String key, DType dtype, String shape, long crc32) {}

    static List<Expected> tensorList(String name) {
        List<Expected> out = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(file(name))) {
                String[] f = line.split("\t");
                out.add(new Expected(f[0], DType.valueOf(f[1]), f[2].replace(" ", ""), Long.parseLong(f[3], 16)));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    static long crc32(TensorData t) {
        CRC32 crc = new CRC32();
        crc.update(t.data().duplicate());
        return crc.getValue();
    }

    static String shape(TensorData t) {
        return t.shapeString().replace(" ", "");
    }
}
