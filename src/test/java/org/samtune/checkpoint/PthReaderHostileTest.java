package org.samtune.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.samtune.testing.Fixtures;

/** Malicious, damaged and foreign files: each is refused with a message naming the file and the problem. */
class PthReaderHostileTest {
    /** Every hostile pickle in the test set would run {@code touch} on this file if it were executed. */
    private static final Path MARKER = Path.of("/tmp/samtune-checkpoint-test-pwned");

    @TempDir
    Path tmp;

    @BeforeEach
    void noMarker() throws IOException {
        Files.deleteIfExists(MARKER);
    }

    @ParameterizedTest
    @CsvSource({
        "evil_os_system.pth, posix.system",
        "evil_eval_protocol4.pth, builtins.eval",
        "evil_popen.pth, commands.Popen",
        "evil_inside_state_dict.pth, posix.system",
        "evil_numpy_array.pth, numpy.core.multiarray._reconstruct"})
    void codeInThePickleIsRefusedByNameAndNeverRuns(String name, String global) throws Exception {
        Path f = CheckpointFiles.file(name);
        assertThatThrownBy(() -> PthReader.read(f))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining(f.toString())
                .hasMessageContaining("refuses to load global '" + global + "'")
                .hasMessageContaining("only tensor state dicts are allowed");
        assertThatThrownBy(() -> Checkpoints.load(f)).hasMessageContaining("'" + global + "'");
        Thread.sleep(50); // a spawned process would have had time to create it
        assertThat(MARKER).doesNotExist();
    }

    @Test
    void truncatedArchiveIsReportedAsSuch() throws IOException {
        byte[] full = Files.readAllBytes(Fixtures.file("sam-tiny", "tiny_sam.pth"));
        Path half = tmp.resolve("half.pth");
        Files.write(half, Arrays.copyOf(full, full.length / 2));
        assertThatThrownBy(() -> PthReader.read(half)).isInstanceOf(CheckpointException.class)
                .hasMessageStartingWith(half + ": ")
                .hasMessageContaining("not a readable zip archive (truncated or corrupt?)");
    }

    @Test
    void flippedBytesInDataPklFailTheChecksum() throws IOException {
        byte[] b = Files.readAllBytes(Fixtures.file("sam-tiny", "tiny_sam.pth"));
        int at = indexOf(b, "image_encoder.patch_embed.proj.weight".getBytes(StandardCharsets.US_ASCII));
        b[at] ^= 0x20;
        b[at + 7] ^= 0x01;
        Path f = tmp.resolve("flipped.pth");
        Files.write(f, b);
        assertThatThrownBy(() -> PthReader.read(f)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("tiny_sam/data.pkl fails its CRC-32 check");
    }

    @Test
    void flippedBytesInAStorageFailTheChecksumOfThatTensor() throws IOException {
        byte[] b = Files.readAllBytes(Fixtures.file("sam-tiny", "tiny_sam.pth"));
        int entry = indexOf(b, "tiny_sam/data/1".getBytes(StandardCharsets.US_ASCII));
        b[entry + 200] ^= 0x40; // inside the data of the first local entry after its header
        Path f = tmp.resolve("flipped-storage.pth");
        Files.write(f, b);
        assertThatThrownBy(() -> PthReader.read(f)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("fails its CRC-32 check");
    }

    @Test
    void missingStorageNamesTheTensor() {
        Path f = CheckpointFiles.file("net_missing_storage.pth");
        assertThatThrownBy(() -> PthReader.read(f)).isInstanceOf(CheckpointException.class)
                .hasMessage(f + ": tensor '1.bias': its storage net_plain/data/3 is missing from the archive");
    }

    @Test
    void storageShorterThanThePickleClaims() {
        Path f = CheckpointFiles.file("net_short_storage.pth");
        assertThatThrownBy(() -> PthReader.read(f)).isInstanceOf(CheckpointException.class)
                .hasMessage(f + ": tensor '1.bias': storage net_plain/data/3 holds 8 bytes but the pickle "
                        + "says 4 elements of F32 (16 bytes)");
    }

    @Test
    void tensorReachingPastItsStorage() {
        Path f = CheckpointFiles.file("net_storage_smaller_than_tensor.pth");
        assertThatThrownBy(() -> PthReader.read(f)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("tensor '0.weight' (F32, size [4, 3, 3, 3], stride [27, 9, 3, 1], offset 0")
                .hasMessageContaining("it reaches element 107 but its storage holds 16");
    }

    @Test
    void legacyFormatGetsAClearExplanation() {
        Path f = CheckpointFiles.file("net_legacy_format.pth");
        assertThatThrownBy(() -> Checkpoints.load(f)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("legacy torch.save format (PyTorch < 1.6")
                .hasMessageContaining("re-save it with PyTorch >= 1.6");
        assertThatThrownBy(() -> PthReader.read(f)).hasMessageContaining("legacy torch.save format");
    }

    @Test
    void torchScriptArchiveIsNotAStateDict() {
        Path f = CheckpointFiles.file("torchscript.pt");
        assertThatThrownBy(() -> PthReader.read(f)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("is a TorchScript archive (torch.jit.save)");
    }

    @Test
    void npzIsAZipButNotACheckpoint() {
        Path f = CheckpointFiles.file("npz_not_a_checkpoint.pth");
        assertThatThrownBy(() -> PthReader.read(f)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("zip archive without <name>/data.pkl")
                .hasMessageContaining("NumPy .npz");
    }

    @Test
    void otherFilesAreNotCheckpoints() throws IOException {
        Path npy = CheckpointFiles.file("not_a_checkpoint.npy");
        assertThatThrownBy(() -> PthReader.read(npy)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("is not a PyTorch checkpoint");
        assertThatThrownBy(() -> Checkpoints.load(npy)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("neither a PyTorch checkpoint (a torch.save zip archive) nor a safetensors file");
        Path empty = Files.createFile(tmp.resolve("empty.pth"));
        assertThatThrownBy(() -> PthReader.read(empty)).isInstanceOf(CheckpointException.class);
        assertThatThrownBy(() -> Checkpoints.load(empty)).isInstanceOf(CheckpointException.class);
        assertThatThrownBy(() -> PthReader.read(tmp.resolve("absent.pth"))).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("cannot read");
    }

    static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new IllegalStateException("not found");
    }
}
