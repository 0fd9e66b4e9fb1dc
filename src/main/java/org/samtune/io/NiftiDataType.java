package org.samtune.io;

import java.util.Optional;

/** The NIfTI voxel types samtune reads and writes, with their header code and size in bytes. */
public enum NiftiDataType {
    UINT8(2, 1, 0, 255),
    INT16(4, 2, Short.MIN_VALUE, Short.MAX_VALUE),
    INT32(8, 4, Integer.MIN_VALUE, Integer.MAX_VALUE),
    FLOAT32(16, 4, Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY),
    FLOAT64(64, 8, Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY),
    INT8(256, 1, Byte.MIN_VALUE, Byte.MAX_VALUE),
    UINT16(512, 2, 0, 65535),
    UINT32(768, 4, 0, 4294967295.0),
    INT64(1024, 8, -0x1p63, 0x1p63),
    UINT64(1280, 8, 0, 0x1p64);

    /** The {@code datatype} field's value. */
    public final int code;

    public final int bytes;

    /** The smallest and largest value the type holds (approximate for the 64-bit integers). */
    public final double min;

    public final double max;

    NiftiDataType(int code, int bytes, double min, double max) {
        this.code = code;
        this.bytes = bytes;
        this.min = min;
        this.max = max;
    }

    public boolean isInteger() {
        return this != FLOAT32 && this != FLOAT64;
    }

    public static Optional<NiftiDataType> ofCode(int code) {
        for (NiftiDataType t : values()) {
            if (t.code == code) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }

    /** The name NIfTI's own tools use for a code, also for the types samtune does not read. */
    static String describe(int code) {
        return switch (code) {
            case 0 -> "UNKNOWN";
            case 1 -> "BINARY";
            case 32 -> "COMPLEX64";
            case 128 -> "RGB24";
            case 1536 -> "FLOAT128";
            case 1792 -> "COMPLEX128";
            case 2048 -> "COMPLEX256";
            case 2304 -> "RGBA32";
            default -> ofCode(code).map(Enum::name).orElse("code " + code);
        };
    }
}
