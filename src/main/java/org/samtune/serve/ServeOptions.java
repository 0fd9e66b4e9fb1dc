package org.samtune.serve;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import org.samtune.SamtuneException;

/**
 * How {@code samtune serve} runs.
 *
 * @param root              the only folder read and written
 * @param host              the address to listen on (127.0.0.1 by default)
 * @param port              0 picks a free port
 * @param checkpoint        SAM weights for prompting, or null
 * @param run               a fine-tuned run for whole-volume segmentation, or null
 * @param maxUploadBytes    larger uploads are refused (413)
 * @param embeddingCache    image embeddings kept (least recently used dropped)
 * @param maxOpenImages     images kept in memory (least recently used dropped)
 */
public record ServeOptions(Path root, String host, int port, Path checkpoint, Path run, long maxUploadBytes,
        int embeddingCache, int maxOpenImages) {

    public ServeOptions {
        if (port < 0 || port > 65535) {
            throw new SamtuneException("--port: expected 0..65535, got " + port);
        }
        if (maxUploadBytes < 1) {
            throw new SamtuneException("--max-upload-mb: expected a positive size, got " + maxUploadBytes + " bytes");
        }
        if (embeddingCache < 1) {
            throw new SamtuneException("--embedding-cache: expected at least 1 slice, got " + embeddingCache);
        }
        if (maxOpenImages < 1) {
            throw new SamtuneException("--max-open: expected at least 1 image, got " + maxOpenImages);
        }
    }

    /** True when the host is a loopback address: only then may requests come without the access token. */
    public boolean loopback() {
        try {
            for (InetAddress a : InetAddress.getAllByName(host)) {
                if (!a.isLoopbackAddress()) {
                    return false;
                }
            }
            return true;
        } catch (UnknownHostException e) {
            throw new SamtuneException("--host " + host + ": unknown host");
        }
    }
}
