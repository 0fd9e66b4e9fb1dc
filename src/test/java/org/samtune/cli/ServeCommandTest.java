package org.samtune.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ServerSocket;
import java.net.InetAddress;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code samtune serve}'s flags: bad values and a taken port give one clear line and exit 2. */
class ServeCommandTest {
    @TempDir Path dir;

    @Test
    void helpListsTheFlags() {
        CliRun r = CliRun.of("serve", "--help");
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("--root").contains("--host").contains("--port").contains("--checkpoint")
                .contains("--run").contains("--max-upload-mb").contains("--embedding-cache").contains("--max-open");
    }

    @Test
    void badFlagsGiveOneLine() {
        CliRun missing = CliRun.of("serve", "--root", dir.resolve("nothing").toString(), "--port", "0");
        assertThat(missing.code()).isEqualTo(2);
        assertThat(missing.err().strip()).startsWith("samtune: error: --root").contains("no such folder");
        CliRun port = CliRun.of("serve", "--root", dir.toString(), "--port", "70000");
        assertThat(port.code()).isEqualTo(2);
        assertThat(port.err()).contains("--port: expected 0..65535");
        CliRun cache = CliRun.of("serve", "--root", dir.toString(), "--embedding-cache", "0");
        assertThat(cache.code()).isEqualTo(2);
        assertThat(cache.err()).contains("--embedding-cache");
        CliRun ckpt = CliRun.of("serve", "--root", dir.toString(), "--port", "0", "--checkpoint",
                dir.resolve("none.pth").toString());
        assertThat(ckpt.code()).isEqualTo(2);
        assertThat(ckpt.err()).contains("none.pth");
    }

    @Test
    void aTakenPortIsAClearErrorAndReleasesEverything() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CliRun r = CliRun.of("serve", "--root", dir.toString(), "--port", Integer.toString(taken.getLocalPort()));
            assertThat(r.code()).isEqualTo(2);
            assertThat(r.err()).contains("cannot listen").contains("choose another --port");
        }
    }
}
