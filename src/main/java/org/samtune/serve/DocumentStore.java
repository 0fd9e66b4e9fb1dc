package org.samtune.serve;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import org.samtune.SamtuneException;
import org.samtune.io.Dicom;
import org.samtune.io.Images2D;
import org.samtune.io.Nifti;

/**
 * The opened images, least recently used first out: at most {@code maxOpen} are kept in memory; a document
 * dropped here is simply read again from its file when asked for. A document's id is derived from its path below
 * the root, so the same file always finds the same label volume.
 */
public final class DocumentStore {
    private final RootFolder root;
    private final int maxOpen;
    private final Map<String, ImageDocument> open = new LinkedHashMap<>(16, 0.75f, true);

    public DocumentStore(RootFolder root, int maxOpen) {
        this.root = root;
        this.maxOpen = maxOpen;
    }

    /** Opens (or returns the open) image at a path below the root, read by the CLI's readers. */
    public ImageDocument open(String relative) {
        Path p = root.existing(relative);
        String rel = root.relative(p);
        String id = idOf(rel);
        synchronized (this) {
            ImageDocument d = open.get(id);
            if (d != null) {
                return d;
            }
        }
        ImageDocument d = read(id, rel, p);
        synchronized (this) {
            open.put(id, d);
            while (open.size() > maxOpen) {
                String eldest = open.keySet().iterator().next();
                open.remove(eldest);
            }
        }
        return d;
    }

    /** An open document by id; documents dropped from memory are read again from their source. */
    public ImageDocument get(String id, String relative) {
        synchronized (this) {
            ImageDocument d = open.get(id);
            if (d != null) {
                return d;
            }
        }
        if (relative == null) {
            throw ServeException.notFound("image " + id + " is not open; open it again from the file list");
        }
        ImageDocument d = open(relative);
        if (!d.id().equals(id)) {
            throw ServeException.badRequest("image id " + id + " does not belong to '" + relative + "'");
        }
        return d;
    }

    public synchronized int size() {
        return open.size();
    }

    /** The stable id of a path below the root: 16 hex digits of its SHA-256. */
    public static String idOf(String relative) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(relative.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(h, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Reads with the hardened readers of the CLI; any format error becomes a 400 naming the file. */
    static ImageDocument read(String id, String rel, Path p) {
        try {
            if (Files.isDirectory(p)) {
                return ImageDocument.ofVolume(id, rel, Dicom.readSeries(p));
            }
            String kind = RootFolder.kindOf(p.getFileName().toString());
            if (kind == null) {
                kind = Dicom.isDicom(p) ? "dicom" : null;
            }
            if (kind == null) {
                throw ServeException.badRequest(rel + ": not a NIfTI (.nii, .nii.gz), DICOM (.dcm or a series folder),"
                        + " PNG, JPEG, BMP or TIFF file");
            }
            return switch (kind) {
                case "nifti" -> ImageDocument.ofVolume(id, rel, Nifti.read(p));
                case "dicom" -> ImageDocument.ofVolume(id, rel, Dicom.read(p));
                default -> ImageDocument.ofPicture(id, rel, Images2D.read(p));
            };
        } catch (ServeException e) {
            throw e;
        } catch (SamtuneException e) {
            throw ServeException.badRequest(e.getMessage());
        } catch (IllegalArgumentException | IndexOutOfBoundsException | OutOfMemoryError e) {
            throw ServeException.badRequest(rel + ": cannot be read: " + e.getMessage());
        }
    }
}
