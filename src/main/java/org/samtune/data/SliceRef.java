package org.samtune.data;

import java.nio.file.Path;

/** One row of a dataset list: an image and its mask, and where the row came from (for error messages). */
public record SliceRef(Path image, Path mask, Path csv, int row) {

    /** The name used in logs and outputs: the image file name. */
    public String name() {
        return image.getFileName().toString();
    }

    /** "list.csv row 12", for messages. */
    public String where() {
        return csv + " row " + row;
    }
}
