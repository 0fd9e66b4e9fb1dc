package org.samtune.io;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.samtune.SamtuneException;

/** Reads a volume from whatever a user points at: a DICOM series folder, a single DICOM file or a NIfTI file. */
public final class VolumeFiles {
    private VolumeFiles() {}

    /** A DICOM series folder, a single DICOM file (.dcm) or a NIfTI file (.nii, .nii.gz). */
    public static Volume read(Path p) {
        if (Files.isDirectory(p)) {
            return Dicom.readSeries(p);
        }
        if (!Files.exists(p)) {
            throw new SamtuneException(p + ": no such file or folder");
        }
        if (p.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".dcm")) {
            return Dicom.read(p);
        }
        return Nifti.read(p);
    }

    /** Whether {@code p} names a volume (a folder, .nii, .nii.gz or .dcm) rather than a 2-D image. */
    public static boolean isVolume(Path p) {
        String n = p.getFileName() == null ? "" : p.getFileName().toString().toLowerCase(Locale.ROOT);
        return Files.isDirectory(p) || n.endsWith(".nii") || n.endsWith(".nii.gz") || n.endsWith(".dcm");
    }
}
