package org.samtune.train;

import java.io.IOException;
import java.nio.file.Path;

/** Lets tests of other packages write the synthetic training sets. */
public final class SyntheticDataAccess {
    private SyntheticDataAccess() {}

    public static Path write(Path dir, String listName, int n, int size, long seed) throws IOException {
        return SyntheticData.write(dir, listName, n, size, seed);
    }
}
