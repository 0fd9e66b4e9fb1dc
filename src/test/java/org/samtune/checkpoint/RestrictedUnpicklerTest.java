package org.samtune.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RestrictedUnpicklerTest {
    private static final Path FILE = Path.of("x.pth");

    @TempDir
    Path tmp;

    private static Object load(byte[] pickle) {
        return RestrictedUnpickler.load(pickle, FILE, "archive/data.pkl");
    }

    private static void assertRefused(PickleBuilder p, String message) {
        assertThatThrownBy(() -> load(p.bytes())).isInstanceOf(CheckpointException.class)
                .hasMessageStartingWith("x.pth: archive/data.pkl")
                .hasMessageContaining(message);
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3, 4, 5})
    void plainPythonDataAtEveryBinaryProtocol(int protocol) throws Exception {
        byte[] pickle = Files.readAllBytes(CheckpointFiles.file("plain_values_p" + protocol + ".pkl"));
        Map<?, ?> d = (Map<?, ?>) load(pickle);
        assertThat(d.get("ints")).isEqualTo(List.of(0L, 1L, -1L, 255L, 256L, 65535L, 65536L, (long) Integer.MIN_VALUE,
                (long) Integer.MAX_VALUE, 1L << 40, Long.MIN_VALUE, Long.MAX_VALUE));
        assertThat(d.get("floats")).isEqualTo(List.of(0.0, -1.5, 1e-300, Double.POSITIVE_INFINITY));
        assertThat(d.get("str")).isEqualTo("\u00fcn\u00efcode \u2713");
        assertThat(d.containsKey("none")).isTrue();
        assertThat(d.get("none")).isNull();
        assertThat(((PyTuple) d.get("bools")).items()).containsExactly(true, false);
        Map<?, ?> tuples = (Map<?, ?>) d.get("tuples");
        assertThat(((PyTuple) tuples.get("t1")).items()).containsExactly(1L);
        assertThat(((PyTuple) tuples.get("t3")).items()).containsExactly(1L, 2L, 3L);
        assertThat(((PyTuple) tuples.get("t4")).items()).containsExactly(1L, 2L, 3L, 4L);
        assertThat(((PyTuple) tuples.get("empty")).items()).isEmpty();
        assertThat((byte[]) d.get("bytes")).containsExactly(0, -1, 'a', 'b');
        assertThat(d.get("shared")).isSameAs(d.get("shared2")).isEqualTo(List.of(1L, 2L));
        assertThat(d.get(PyTuple.of(List.of(1L, "k")))).isEqualTo("tuple key");
        assertThat(d.get(7L)).isEqualTo("int key");
        assertThat(List.copyOf(((Map<?, ?>) d.get("ordered")).keySet())).isEqualTo(List.of("z", "a"));
    }

    @Test
    void refusedGlobalIsNamedOnOneLineEvenWhenItsNameIsHostile() {
        assertRefused(new PickleBuilder().proto().global("os", "system"),
                "refuses to load global 'os.system': only tensor state dicts are allowed");
        PickleBuilder p = new PickleBuilder().op(0x80, 4).str("builtins").str("exec\nrm -rf /").op(0x93);
        assertThatThrownBy(() -> load(p.bytes())).hasMessageContaining("'builtins.exec\\x0arm -rf /'")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    @Test
    void allowedNamesAreNotCallableAsAnythingElse() {
        assertRefused(new PickleBuilder().proto().global("torch", "FloatStorage").op(')', 'R'),
                "'torch.FloatStorage' cannot be called");
        assertRefused(new PickleBuilder().proto().global("torch._utils", "_rebuild_tensor_v2").ints(1, 2).op('R'),
                "torch._utils._rebuild_tensor_v2 takes 6 to 7 arguments, got 2");
        assertRefused(new PickleBuilder().proto().global("_codecs", "encode").op('(').str("x").str("rot13")
                .op('t', 'R'), "_codecs.encode is only allowed as (str, 'latin1')");
        assertRefused(new PickleBuilder().proto().global("torch", "Tensor").op(')', 0x81),
                "NEWOBJ of 'torch.Tensor' is refused");
        assertRefused(new PickleBuilder().proto().op(']').op('}').op('b'), "BUILD on a list is refused");
        assertRefused(new PickleBuilder().proto().op('(').op('i'), "opcode INST");
        assertRefused(new PickleBuilder().proto().global("torch", "ComplexFloatStorage"),
                "tensors of type torch.ComplexFloatStorage are not supported (only float32");
        assertRefused(new PickleBuilder().proto().str("x").op('Q'), "persistent id must be ('storage'");
    }

    @Test
    void torchSizeOrderedDictAndNewobjAreInterpreted() {
        Object size = load(new PickleBuilder().proto().global("torch", "Size").op('(').ints(3, 4).op('t', 'R', '.')
                .bytes());
        assertThat(((PyTuple) size).items()).containsExactly(3L, 4L);
        Object od = load(new PickleBuilder().proto().global("collections", "OrderedDict").op(')', 0x81)
                .str("k").integer(5).op('s', '.').bytes());
        assertThat(od).isEqualTo(Map.of("k", 5L));
    }

    @Test
    void malformedStreamsAreErrorsNotCrashes() {
        assertRefused(new PickleBuilder().op('.'), "byte 0: stack underflow");
        assertRefused(new PickleBuilder().proto().integer(1), "ends without a STOP opcode");
        assertRefused(new PickleBuilder().proto().op('X').le(Integer.MAX_VALUE, 4),
                "needs 2147483647 more bytes but 0 remain");
        assertRefused(new PickleBuilder().proto().op(0x8d).le(-1, 8), "needs -1 more bytes");
        assertRefused(new PickleBuilder().proto().op(0x8a, 9).le(0, 9).op('.'), "integer of 9 bytes");
        assertRefused(new PickleBuilder().proto().op('h', 5), "memo slot 5 was never stored");
        assertRefused(new PickleBuilder().proto().op('t'), "no MARK to pop to");
        assertRefused(new PickleBuilder().proto().op('}', ']', 'K', 1, 's'), "a dict key must be");
        assertRefused(new PickleBuilder().proto().op('(', 'K', 1, 'd'), "key/value pairs");
        assertRefused(new PickleBuilder().proto().op('c').op('o', 's'), "text argument has no newline");
        assertRefused(new PickleBuilder().proto().op(0x80, 6), "pickle protocol 6 is not supported");
        assertRefused(new PickleBuilder().proto().op(0xff), "opcode 0xff is not one a tensor state dict uses");
        // an unmarked pop inside a MARK must not reach below it
        assertRefused(new PickleBuilder().proto().integer(1).op('(').op('0'), "stack underflow");
    }

    @Test
    void deeplyNestedTuplesAreRefusedBeforeAnythingRecurses() {
        PickleBuilder p = new PickleBuilder().proto().op(')');
        for (int i = 0; i < 100_000; i++) {
            p.op(0x85);
        }
        assertRefused(p.op('.'), "tuples nest deeper than 100");
        // t(k+1) = (tk, tk) shares children through the memo: 300 bytes describe 2^100 leaves
        PickleBuilder dag = new PickleBuilder().proto().op('}').integer(1);
        for (int i = 0; i < 99; i++) {
            dag.op('2', 0x86);
        }
        assertRefused(dag.op('N', 's', '.'), "a tuple used as a dict key unfolds to");
        // a list may contain itself; it is never hashed or printed, so this is harmless
        Object self = load(new PickleBuilder().proto().op(']', 'q', 0, 'h', 0, 'a', '.').bytes());
        assertThat((List<?>) self).hasSize(1);
        assertThat(((List<?>) self).get(0)).isSameAs(self);
    }

    @Test
    void aTinyStorageCannotBeExpandedIntoHugeMemory() {
        Path f = tmp.resolve("expand.pth");
        byte[] pickle = new PickleBuilder().proto().op('}').str("w")
                .tensor("0", 1, 0, new long[] {20_000, 20_000}, new long[] {0, 0}).op('s', '.').bytes();
        PickleBuilder.writeArchive(f, pickle, Map.of("0", new byte[4]));
        assertThatThrownBy(() -> PthReader.read(f)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("tensor 'w' (F32, size [20000, 20000], stride [0, 0], offset 0 in storage data/0)")
                .hasMessageContaining("copying its strided view needs 1600000000 more bytes");
        Path g = tmp.resolve("huge.pth");
        byte[] huge = new PickleBuilder().proto().op('}').str("w")
                .tensor("0", 1, 0, new long[] {1 << 30, 1 << 30}, new long[] {0, 0}).op('s', '.').bytes();
        PickleBuilder.writeArchive(g, huge, Map.of("0", new byte[4]));
        assertThatThrownBy(() -> PthReader.read(g)).hasMessageContaining("larger than 2 GiB");
        // 2^61 float64 elements would wrap a 64-bit byte count to 0
        Path h = tmp.resolve("wrap.pth");
        byte[] wrap = new PickleBuilder().proto().op('}').str("w")
                .tensor("0", 1, 0, new long[] {1 << 30, 1 << 30, 2}, new long[] {0, 0, 0}).op('s', '.').bytes();
        PickleBuilder.writeArchive(h, wrap, Map.of("0", new byte[4]));
        assertThatThrownBy(() -> PthReader.read(h)).hasMessageContaining("larger than 2 GiB");
    }

    @Test
    void handBuiltArchiveWithAnOffsetViewReadsTheRightElements() {
        Path f = tmp.resolve("view.pth");
        byte[] storage = new byte[6 * 4];
        java.nio.ByteBuffer.wrap(storage).order(java.nio.ByteOrder.LITTLE_ENDIAN).asFloatBuffer()
                .put(new float[] {0, 1, 2, 3, 4, 5});
        byte[] pickle = new PickleBuilder().proto().op('}', '(')
                .str("col").tensor("0", 6, 1, new long[] {2}, new long[] {3})
                .str("last").tensor("0", 6, 5, new long[] {1}, new long[] {1})
                .str("past").tensor("0", 6, 4, new long[] {2}, new long[] {2})
                .op('u', '.').bytes();
        PickleBuilder.writeArchive(f, pickle, Map.of("0", storage));
        assertThatThrownBy(() -> PthReader.read(f)).hasMessageContaining("tensor 'past'")
                .hasMessageContaining("it reaches element 6 but its storage holds 6");
        byte[] ok = new PickleBuilder().proto().op('}', '(')
                .str("col").tensor("0", 6, 1, new long[] {2}, new long[] {3})
                .str("last").tensor("0", 6, 5, new long[] {1}, new long[] {1})
                .op('u', '.').bytes();
        PickleBuilder.writeArchive(f, ok, Map.of("0", storage));
        StateDict sd = PthReader.read(f);
        assertThat(sd.get("col").toFloats()).containsExactly(1f, 4f);
        assertThat(sd.get("last").toFloats()).containsExactly(5f);
    }
}
