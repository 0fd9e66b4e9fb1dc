package org.samtune.serve;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.samtune.SamtuneException;

/**
 * The only folder the server reads and writes ({@code --root}). Every path from a request is relative to it and
 * checked twice: lexically (no absolute path, no {@code ..}, no control characters or backslashes, so a
 * percent-decoded {@code %2e%2e} is refused like {@code ..}) and physically (the real path, symlinks resolved, must
 * stay below the real root), so a symlink that leads out is refused too.
 */
public final class RootFolder {
    /** Where the server keeps its own state (label volumes, uploads, exports) below the root. */
    public static final String STATE_DIR = ".samtune-serve";

    private final Path root;

    public RootFolder(Path root) {
        try {
            this.root = root.toRealPath();
        } catch (IOException e) {
            throw new SamtuneException("--root " + root + ": no such folder");
        }
        if (!Files.isDirectory(this.root)) {
            throw new SamtuneException("--root " + root + ": not a folder");
        }
    }

    public Path path() {
        return root;
    }

    /** An existing file or folder below the root named by a relative path ("" is the root itself). */
    public Path existing(String relative) {
        Path p = lexical(relative);
        if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
            throw ServeException.notFound("'" + relative + "' does not exist below the root folder");
        }
        Path real;
        try {
            real = p.toRealPath();
        } catch (IOException e) {
            throw ServeException.notFound("'" + relative + "' cannot be resolved below the root folder");
        }
        if (!real.startsWith(root)) {
            throw ServeException.forbidden("'" + relative + "' leads outside the root folder (symbolic link)");
        }
        return real;
    }

    /**
     * A path to write below the root: the lexical check, and the nearest existing ancestor must resolve below the
     * root (so a symlinked parent folder cannot redirect the write); an existing symlink as the target is refused.
     */
    public Path writable(String relative) {
        Path p = lexical(relative);
        if (Files.isSymbolicLink(p)) {
            throw ServeException.forbidden("'" + relative + "' is a symbolic link; the server does not write through links");
        }
        Path ancestor = p.getParent();
        while (ancestor != null && !Files.exists(ancestor, LinkOption.NOFOLLOW_LINKS)) {
            ancestor = ancestor.getParent();
        }
        try {
            if (ancestor == null || !ancestor.toRealPath().startsWith(root)) {
                throw ServeException.forbidden("'" + relative + "' leads outside the root folder");
            }
        } catch (IOException e) {
            throw ServeException.forbidden("'" + relative + "' cannot be resolved below the root folder");
        }
        return p;
    }

    /** The relative path of a file below the root, with '/' separators. */
    public String relative(Path p) {
        Path r = root.relativize(p.toAbsolutePath().normalize());
        return r.toString().replace('\\', '/');
    }

    /** The relative path of a file named by an absolute path (e.g. inside a list file); 403 when outside. */
    public String relativeOrRefuse(Path p) {
        Path abs = p.toAbsolutePath().normalize();
        if (!abs.startsWith(root)) {
            throw ServeException.forbidden("'" + p.getFileName() + "' (named in a list) lies outside the root folder");
        }
        return relative(abs);
    }

    /** One entry of a folder listing. */
    public record Entry(String name, String path, String kind, long sizeBytes) {}

    /**
     * The entries of a folder below the root that the viewer can open: sub-folders (a folder of DICOM files opens
     * as a series), NIfTI, DICOM and 2-D image files. Hidden entries (the server's own state) are left out; links
     * that lead out of the root are left out.
     */
    public List<Entry> list(String relative) {
        Path dir = existing(relative);
        if (!Files.isDirectory(dir)) {
            throw ServeException.badRequest("'" + relative + "' is not a folder");
        }
        List<Entry> out = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                String name = p.getFileName().toString();
                if (name.startsWith(".")) {
                    continue;
                }
                Path real;
                try {
                    real = p.toRealPath();
                } catch (IOException e) {
                    continue;
                }
                if (!real.startsWith(root)) {
                    continue;
                }
                String rel = relative(dir.resolve(name));
                if (Files.isDirectory(real)) {
                    out.add(new Entry(name, rel, "folder", 0));
                } else {
                    String kind = kindOf(name);
                    if (kind != null) {
                        out.add(new Entry(name, rel, kind, Files.size(real)));
                    }
                }
            }
        } catch (IOException e) {
            throw ServeException.badRequest("'" + relative + "': cannot list: " + e.getMessage());
        }
        out.sort((a, b) -> a.kind().equals("folder") != b.kind().equals("folder")
                ? (a.kind().equals("folder") ? -1 : 1) : a.name().compareTo(b.name()));
        return out;
    }

    /** nifti, dicom, image, or null for a file the viewer does not open. */
    public static String kindOf(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        if (n.endsWith(".nii") || n.endsWith(".nii.gz")) {
            return "nifti";
        }
        if (n.endsWith(".dcm")) {
            return "dicom";
        }
        if (n.endsWith(".png") || n.endsWith(".jpg") || n.endsWith(".jpeg") || n.endsWith(".tif")
                || n.endsWith(".tiff") || n.endsWith(".bmp")) {
            return "image";
        }
        return null;
    }

    private Path lexical(String relative) {
        if (relative == null) {
            throw ServeException.badRequest("a path below the root folder is required");
        }
        if (relative.indexOf('\0') >= 0 || relative.indexOf('\\') >= 0 || relative.chars().anyMatch(c -> c < 0x20)) {
            throw ServeException.forbidden("path '" + printable(relative) + "': control characters and backslashes are refused");
        }
        if (relative.startsWith("/") || relative.startsWith("~") || relative.matches("^[A-Za-z]:.*")) {
            throw ServeException.forbidden("path '" + relative + "': absolute paths are refused; give a path below the root folder");
        }
        for (String part : relative.split("/")) {
            if (part.equals("..")) {
                throw ServeException.forbidden("path '" + relative + "': '..' is refused; give a path below the root folder");
            }
        }
        Path p = root.resolve(relative).normalize();
        if (!p.startsWith(root)) {
            throw ServeException.forbidden("path '" + relative + "' leads outside the root folder");
        }
        return p;
    }

    private static String printable(String s) {
        StringBuilder b = new StringBuilder();
        for (char c : s.toCharArray()) {
            b.append(c < 0x20 ? String.format("\\x%02x", (int) c) : c);
        }
        return b.toString();
    }
}
