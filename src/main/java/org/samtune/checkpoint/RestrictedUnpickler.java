package org.samtune.checkpoint;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads the pickle inside a {@code torch.save} archive without running anything from it.
 *
 * <p>Python's pickle is a small stack machine whose GLOBAL and REDUCE opcodes import and call arbitrary functions:
 * loading an untrusted {@code .pth} with plain {@code torch.load} can run {@code os.system}. This reader only
 * interprets the opcodes, and the only names GLOBAL may resolve are the handful that describe tensors and
 * containers (the same idea as {@code torch.load(weights_only=True)}); they are interpreted by Java code here, never
 * looked up. Any other name is refused with a {@link CheckpointException} naming it.
 *
 * <p>Values come out as Java objects: dict → {@link LinkedHashMap}, list → {@link ArrayList}, tuple →
 * {@link PyTuple}, str → String, int → Long, float → Double, bool → Boolean, None → null, bytes → byte[], a tensor
 * → {@link TensorRef} (not yet read), a storage → {@link StorageRef}.
 *
 * <p>Every length is checked against the bytes left before anything is allocated; each opcode creates at most one
 * object, so memory is bounded by the pickle's size, and nothing recurses.
 */
final class RestrictedUnpickler {
    static final String REFUSAL = "only tensor state dicts are allowed, and nothing from the file was run";

    private static final int MAX_LINE = 4096;
    private static final int MAX_DIMS = 64;
    /** Comparing tuple keys walks their unfolded tree; real keys are strings or small tuples. */
    private static final long MAX_KEY_WEIGHT = 1000;

    /** Storage classes named in persistent ids, and the element type each holds. */
    private static final Map<String, DType> STORAGES = Map.ofEntries(
            Map.entry("torch.FloatStorage", DType.F32),
            Map.entry("torch.HalfStorage", DType.F16),
            Map.entry("torch.BFloat16Storage", DType.BF16),
            Map.entry("torch.DoubleStorage", DType.F64),
            Map.entry("torch.LongStorage", DType.I64),
            Map.entry("torch.IntStorage", DType.I32),
            Map.entry("torch.ShortStorage", DType.I16),
            Map.entry("torch.CharStorage", DType.I8),
            Map.entry("torch.ByteStorage", DType.U8),
            Map.entry("torch.BoolStorage", DType.BOOL),
            Map.entry("torch.UntypedStorage", DType.U8));

    private static final String REBUILD_TENSOR_V2 = "torch._utils._rebuild_tensor_v2";
    private static final String REBUILD_TENSOR = "torch._utils._rebuild_tensor";
    private static final String REBUILD_PARAMETER = "torch._utils._rebuild_parameter";
    private static final String REBUILD_PARAMETER_WITH_STATE = "torch._utils._rebuild_parameter_with_state";
    private static final String REBUILD_FROM_TYPE_V2 = "torch._tensor._rebuild_from_type_v2";
    private static final String ORDERED_DICT = "collections.OrderedDict";
    private static final String SIZE = "torch.Size";
    private static final String CODECS_ENCODE = "_codecs.encode";

    private static final Set<String> CALLABLES = Set.of(REBUILD_TENSOR_V2, REBUILD_TENSOR, REBUILD_PARAMETER,
            REBUILD_PARAMETER_WITH_STATE, REBUILD_FROM_TYPE_V2, ORDERED_DICT, SIZE, CODECS_ENCODE);
    /** Classes that only appear as arguments ({@code _rebuild_from_type_v2}'s new type). */
    private static final Set<String> TENSOR_TYPES = Set.of("torch.Tensor", "torch.nn.parameter.Parameter");

    /** A name GLOBAL resolved from the allow-list: a marker Java interprets, never a Python object. */
    record PyGlobal(String qualified) {}

    private final byte[] in;
    private final Path file;
    private final String entry;
    private int pos;
    private int opPos;
    private final ArrayList<Object> stack = new ArrayList<>();
    private final ArrayList<Integer> marks = new ArrayList<>();
    private final HashMap<Long, Object> memo = new HashMap<>();

    private final LinkedHashMap<String, StorageRef> storages = new LinkedHashMap<>();

    private RestrictedUnpickler(byte[] in, int start, Path file, String entry) {
        this.in = in;
        this.pos = start;
        this.file = file;
        this.entry = entry;
    }

    /** Interprets {@code pickle} (the archive entry {@code entry} of {@code file}, for messages) up to STOP. */
    static Object load(byte[] pickle, Path file, String entry) {
        return loadAt(pickle, 0, file, entry).value();
    }

    /** One pickle read from {@code start}: its value, where its STOP ended, and the storages it named by key. */
    record Loaded(Object value, int end, Map<String, StorageRef> storages) {}

    static Loaded loadAt(byte[] bytes, int start, Path file, String where) {
        RestrictedUnpickler u = new RestrictedUnpickler(bytes, start, file, where);
        Object value = u.run();
        return new Loaded(value, u.pos, u.storages);
    }

    private Object run() {
        while (true) {
            if (pos >= in.length) {
                throw fail("ends without a STOP opcode (truncated?)");
            }
            opPos = pos;
            int op = in[pos++] & 0xff;
            switch (op) {
                case 0x80 -> { // PROTO
                    int proto = u8();
                    if (proto > 5) {
                        throw fail("pickle protocol " + proto + " is not supported (0 to 5)");
                    }
                }
                case 0x95 -> { // FRAME: a length prefix for buffering; the opcodes inside are read as usual
                    long n = le(8);
                    if (n < 0 || n > in.length - pos) {
                        throw fail("FRAME of " + n + " bytes runs past the end");
                    }
                }
                case '.' -> { // STOP
                    return pop();
                }
                case '(' -> marks.add(stack.size()); // MARK
                case '}' -> push(new LinkedHashMap<>()); // EMPTY_DICT
                case ']' -> push(new ArrayList<>()); // EMPTY_LIST
                case ')' -> push(tuple(List.of())); // EMPTY_TUPLE
                case 'N' -> push(null); // NONE
                case 0x88 -> push(Boolean.TRUE); // NEWTRUE
                case 0x89 -> push(Boolean.FALSE); // NEWFALSE
                case 'J' -> push((long) (int) le(4)); // BININT
                case 'K' -> push((long) u8()); // BININT1
                case 'M' -> push(le(2)); // BININT2
                case 0x8a -> push(longBytes(u8())); // LONG1
                case 0x8b -> push(longBytes(le(4))); // LONG4
                case 'I' -> push(intLine(line())); // INT (protocol 0)
                case 'G' -> push(Double.longBitsToDouble(be8())); // BINFLOAT
                case 'F' -> push(floatLine(line())); // FLOAT (protocol 0)
                case 'X' -> push(utf8(le(4))); // BINUNICODE
                case 0x8c -> push(utf8(u8())); // SHORT_BINUNICODE
                case 0x8d -> push(utf8(le(8))); // BINUNICODE8
                case 'T' -> push(latin1((int) le(4))); // BINSTRING (Python 2 str)
                case 'U' -> push(latin1(u8())); // SHORT_BINSTRING
                case 'B' -> push(bytes(le(4))); // BINBYTES
                case 'C' -> push(bytes(u8())); // SHORT_BINBYTES
                case 0x8e -> push(bytes(le(8))); // BINBYTES8
                case 't' -> push(tuple(popMark())); // TUPLE
                case 0x85 -> push(tuple(popN(1))); // TUPLE1
                case 0x86 -> push(tuple(popN(2))); // TUPLE2
                case 0x87 -> push(tuple(popN(3))); // TUPLE3
                case 'l' -> push(new ArrayList<>(popMark())); // LIST
                case 'd' -> { // DICT
                    LinkedHashMap<Object, Object> d = new LinkedHashMap<>();
                    putPairs(d, popMark());
                    push(d);
                }
                case 'a' -> { // APPEND
                    Object v = pop();
                    list(peek(), "APPEND").add(v);
                }
                case 'e' -> { // APPENDS
                    List<Object> items = popMark();
                    list(peek(), "APPENDS").addAll(items);
                }
                case 's' -> { // SETITEM
                    Object v = pop();
                    Object k = pop();
                    dict(peek(), "SETITEM").put(key(k), v);
                }
                case 'u' -> { // SETITEMS
                    List<Object> items = popMark();
                    putPairs(dict(peek(), "SETITEMS"), items);
                }
                case '0' -> pop(); // POP
                case '1' -> popMark(); // POP_MARK
                case '2' -> push(peek()); // DUP
                case 'q' -> memo.put((long) u8(), peek()); // BINPUT
                case 'r' -> memo.put(le(4) & 0xffffffffL, peek()); // LONG_BINPUT
                case 0x94 -> memo.put((long) memo.size(), peek()); // MEMOIZE
                case 'p' -> memo.put(parseLong(line()), peek()); // PUT (protocol 0)
                case 'h' -> push(memoGet(u8())); // BINGET
                case 'j' -> push(memoGet(le(4) & 0xffffffffL)); // LONG_BINGET
                case 'g' -> push(memoGet(parseLong(line()))); // GET (protocol 0)
                case 'c' -> { // GLOBAL
                    String module = line();
                    String name = line();
                    push(resolve(module, name));
                }
                case 0x93 -> { // STACK_GLOBAL
                    Object name = pop();
                    Object module = pop();
                    if (!(module instanceof String m) || !(name instanceof String n)) {
                        throw fail("STACK_GLOBAL needs two strings, got " + typeName(module) + " and " + typeName(name));
                    }
                    push(resolve(m, n));
                }
                case 'R' -> { // REDUCE
                    Object args = pop();
                    Object f = pop();
                    if (!(args instanceof PyTuple t)) {
                        throw fail("REDUCE needs an argument tuple, got " + typeName(args));
                    }
                    push(call(f, t));
                }
                case 0x81 -> { // NEWOBJ: cls.__new__(cls, *args)
                    Object args = pop();
                    Object cls = pop();
                    push(newObject(cls, args));
                }
                case 0x92 -> { // NEWOBJ_EX
                    Object kwargs = pop();
                    Object args = pop();
                    Object cls = pop();
                    if (!(kwargs instanceof Map<?, ?> kw) || !kw.isEmpty()) {
                        throw fail("NEWOBJ_EX with keyword arguments is not supported");
                    }
                    push(newObject(cls, args));
                }
                case 'b' -> build(pop(), peek()); // BUILD
                case 'Q' -> push(persistentLoad(pop())); // BINPERSID
                case 'P' -> push(persistentLoad(line())); // PERSID
                case 'i', 'o' -> throw fail("opcode " + (op == 'i' ? "INST" : "OBJ")
                        + " (build an arbitrary object) is refused: " + REFUSAL);
                default -> throw fail(String.format("opcode 0x%02x is not one a tensor state dict uses", op));
            }
        }
    }

    // ---- the allow-list ------------------------------------------------------------------------------------

    private PyGlobal resolve(String module, String name) {
        String q = module + "." + name;
        if (STORAGES.containsKey(q) || CALLABLES.contains(q) || TENSOR_TYPES.contains(q)) {
            return new PyGlobal(q);
        }
        if (module.equals("torch") && name.endsWith("Storage")) {
            throw fail("tensors of type " + printable(q) + " are not supported (only float32, float16, bfloat16, "
                    + "float64, int64, int32, int16, int8, uint8 and bool)");
        }
        throw new CheckpointException(file, entry + " refuses to load global '" + printable(q) + "': " + REFUSAL);
    }

    private Object call(Object f, PyTuple args) {
        if (!(f instanceof PyGlobal g)) {
            throw fail("REDUCE on " + typeName(f) + ", which is not callable");
        }
        switch (g.qualified()) {
            case REBUILD_TENSOR_V2 -> {
                // (storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])
                arity(g, args, 6, 7);
                return tensor(g, args);
            }
            case REBUILD_TENSOR -> {
                arity(g, args, 4, 4);
                return tensor(g, args);
            }
            case REBUILD_PARAMETER, REBUILD_PARAMETER_WITH_STATE -> {
                // (data, requires_grad, backward_hooks[, state]): a Parameter is its data for our purposes
                int n = g.qualified().equals(REBUILD_PARAMETER) ? 3 : 4;
                arity(g, args, n, n);
                return expectTensor(g, args.get(0));
            }
            case REBUILD_FROM_TYPE_V2 -> {
                // (func, new_type, args, state): torch 2.x for tensors carrying Python attributes
                arity(g, args, 4, 4);
                Object func = args.get(0);
                Object type = args.get(1);
                if (!(func instanceof PyGlobal fg) || fg.qualified().equals(REBUILD_FROM_TYPE_V2)
                        || !CALLABLES.contains(fg.qualified())) {
                    throw fail(g.qualified() + " needs a tensor rebuild function, got " + typeName(func));
                }
                if (!(type instanceof PyGlobal tg) || !TENSOR_TYPES.contains(tg.qualified())) {
                    throw fail(g.qualified() + " needs torch.Tensor or Parameter as its type, got " + typeName(type));
                }
                if (!(args.get(2) instanceof PyTuple inner)) {
                    throw fail(g.qualified() + " needs an argument tuple, got " + typeName(args.get(2)));
                }
                return expectTensor(g, call(fg, inner));
            }
            case ORDERED_DICT -> {
                arity(g, args, 0, 1);
                LinkedHashMap<Object, Object> d = new LinkedHashMap<>();
                if (args.size() == 1) {
                    Object src = args.get(0);
                    List<Object> pairs = src instanceof PyTuple t ? t.items() : src instanceof List<?> l
                            ? new ArrayList<>(l) : null;
                    if (pairs == null) {
                        throw fail("OrderedDict(...) needs a list of pairs, got " + typeName(src));
                    }
                    for (Object p : pairs) {
                        if (!(p instanceof PyTuple kv) || kv.size() != 2) {
                            throw fail("OrderedDict(...) needs (key, value) pairs, got " + typeName(p));
                        }
                        d.put(key(kv.get(0)), kv.get(1));
                    }
                }
                return d;
            }
            case SIZE -> {
                arity(g, args, 0, 1);
                return args.size() == 0 ? tuple(List.of()) : longs(g, "its argument", args.get(0)).tuple;
            }
            case CODECS_ENCODE -> {
                // protocol 2 spells a Python 3 bytes object as _codecs.encode(text, 'latin1')
                arity(g, args, 2, 2);
                if (!(args.get(0) instanceof String s) || !(args.get(1) instanceof String enc)
                        || !(enc.equals("latin1") || enc.equals("latin-1"))) {
                    throw fail("_codecs.encode is only allowed as (str, 'latin1')");
                }
                return s.getBytes(StandardCharsets.ISO_8859_1);
            }
            default -> throw fail("'" + g.qualified() + "' cannot be called");
        }
    }

    private Object newObject(Object cls, Object args) {
        if (cls instanceof PyGlobal g && g.qualified().equals(ORDERED_DICT)) {
            return new LinkedHashMap<>();
        }
        throw fail("NEWOBJ of " + typeName(cls) + " is refused: " + REFUSAL);
    }

    /** BUILD sets an object's state; only OrderedDict's attributes (state_dict's {@code _metadata}) occur, ignored. */
    private void build(Object state, Object target) {
        if (target instanceof Map<?, ?> && (state == null || state instanceof Map<?, ?> || state instanceof PyTuple)) {
            return;
        }
        throw fail("BUILD on " + typeName(target) + " is refused: " + REFUSAL);
    }

    private StorageRef persistentLoad(Object pid) {
        // ('storage', storage_type, key, location, numel); the pre-1.6 format adds a view_metadata field
        if (!(pid instanceof PyTuple t) || t.size() < 5 || t.size() > 6 || !"storage".equals(t.get(0))) {
            throw fail("persistent id must be ('storage', type, key, location, numel), got " + typeName(pid));
        }
        if (!(t.get(1) instanceof PyGlobal g) || !STORAGES.containsKey(g.qualified())) {
            throw fail("persistent id names " + typeName(t.get(1)) + " where a storage type belongs");
        }
        if (!(t.get(2) instanceof String key) || !(t.get(3) instanceof String location)
                || !(t.get(4) instanceof Long numel) || numel < 0) {
            throw fail("persistent id must hold a string key, a string location and a count >= 0");
        }
        if (t.size() == 6 && t.get(5) != null) {
            throw fail("persistent id describes a view of another storage, which samtune does not read");
        }
        StorageRef ref = new StorageRef(STORAGES.get(g.qualified()), key, location, numel);
        StorageRef before = storages.putIfAbsent(key, ref);
        if (before != null && !before.equals(ref)) {
            throw fail("storage '" + printable(key) + "' is described twice, differently");
        }
        return ref;
    }

    private TensorRef tensor(PyGlobal g, PyTuple args) {
        if (!(args.get(0) instanceof StorageRef storage)) {
            throw fail(g.qualified() + " needs a storage first, got " + typeName(args.get(0)));
        }
        if (!(args.get(1) instanceof Long offset) || offset < 0) {
            throw fail(g.qualified() + " needs a storage offset >= 0, got " + typeName(args.get(1)));
        }
        Longs size = longs(g, "size", args.get(2));
        Longs stride = longs(g, "stride", args.get(3));
        if (size.values.length != stride.values.length) {
            throw fail(g.qualified() + " has a size of " + size.values.length + " dimensions but a stride of "
                    + stride.values.length);
        }
        return new TensorRef(storage, offset, size.values, stride.values);
    }

    private record Longs(long[] values, PyTuple tuple) {}

    private Longs longs(PyGlobal g, String what, Object o) {
        if (!(o instanceof PyTuple t) || t.size() > MAX_DIMS) {
            throw fail(g.qualified() + " needs a tuple of at most " + MAX_DIMS + " integers as " + what + ", got "
                    + typeName(o));
        }
        long[] v = new long[t.size()];
        for (int i = 0; i < v.length; i++) {
            if (!(t.get(i) instanceof Long x) || x < 0) {
                throw fail(g.qualified() + " needs integers >= 0 in its " + what + ", got " + typeName(t.get(i)));
            }
            v[i] = x;
        }
        return new Longs(v, t);
    }

    private TensorRef expectTensor(PyGlobal g, Object o) {
        if (!(o instanceof TensorRef t)) {
            throw fail(g.qualified() + " needs a tensor, got " + typeName(o));
        }
        return t;
    }

    private void arity(PyGlobal g, PyTuple args, int min, int max) {
        if (args.size() < min || args.size() > max) {
            throw fail(g.qualified() + " takes " + (min == max ? min : min + " to " + max) + " arguments, got "
                    + args.size());
        }
    }

    // ---- containers ----------------------------------------------------------------------------------------

    private PyTuple tuple(List<Object> items) {
        PyTuple t = PyTuple.of(items);
        if (t.depth() > PyTuple.MAX_DEPTH) {
            throw fail("tuples nest deeper than " + PyTuple.MAX_DEPTH);
        }
        return t;
    }

    private Object key(Object k) {
        if (PyTuple.isHashableScalar(k)) {
            return k;
        }
        if (k instanceof PyTuple t && t.hashable()) {
            if (t.weight() > MAX_KEY_WEIGHT) {
                throw fail("a tuple used as a dict key unfolds to " + t.weight() + " items (at most "
                        + MAX_KEY_WEIGHT + ")");
            }
            return k;
        }
        throw fail("a dict key must be a string, number or tuple, got " + typeName(k));
    }

    private void putPairs(Map<Object, Object> d, List<Object> items) {
        if (items.size() % 2 != 0) {
            throw fail("dict items come in key/value pairs, got " + items.size() + " values");
        }
        for (int i = 0; i < items.size(); i += 2) {
            d.put(key(items.get(i)), items.get(i + 1));
        }
    }

    @SuppressWarnings("unchecked")
    private List<Object> list(Object o, String op) {
        if (o instanceof ArrayList<?> l) {
            return (List<Object>) l;
        }
        throw fail(op + " needs a list, got " + typeName(o));
    }

    @SuppressWarnings("unchecked")
    private Map<Object, Object> dict(Object o, String op) {
        if (o instanceof LinkedHashMap<?, ?> m) {
            return (Map<Object, Object>) m;
        }
        throw fail(op + " needs a dict, got " + typeName(o));
    }

    // ---- the stack -----------------------------------------------------------------------------------------

    private void push(Object o) {
        stack.add(o);
    }

    private Object pop() {
        int floor = marks.isEmpty() ? 0 : marks.get(marks.size() - 1);
        if (stack.size() <= floor) {
            throw fail("stack underflow");
        }
        return stack.remove(stack.size() - 1);
    }

    private Object peek() {
        int floor = marks.isEmpty() ? 0 : marks.get(marks.size() - 1);
        if (stack.size() <= floor) {
            throw fail("stack underflow");
        }
        return stack.get(stack.size() - 1);
    }

    private List<Object> popN(int n) {
        Object[] items = new Object[n];
        for (int i = n - 1; i >= 0; i--) {
            items[i] = pop();
        }
        return java.util.Arrays.asList(items);
    }

    private List<Object> popMark() {
        if (marks.isEmpty()) {
            throw fail("no MARK to pop to");
        }
        int m = marks.remove(marks.size() - 1);
        List<Object> view = stack.subList(m, stack.size());
        ArrayList<Object> items = new ArrayList<>(view);
        view.clear();
        return items;
    }

    private Object memoGet(long index) {
        if (!memo.containsKey(index)) {
            throw fail("memo slot " + index + " was never stored");
        }
        return memo.get(index);
    }

    // ---- bytes ---------------------------------------------------------------------------------------------

    private void need(long n) {
        if (n < 0 || n > in.length - pos) {
            throw fail("needs " + n + " more bytes but " + (in.length - pos) + " remain (truncated or corrupt)");
        }
    }

    private int u8() {
        need(1);
        return in[pos++] & 0xff;
    }

    /** Little-endian unsigned for n < 8, two's complement for n == 8. */
    private long le(int n) {
        need(n);
        long v = 0;
        for (int i = n - 1; i >= 0; i--) {
            v = (v << 8) | (in[pos + i] & 0xff);
        }
        pos += n;
        return v;
    }

    private long be8() {
        need(8);
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (in[pos + i] & 0xff);
        }
        pos += 8;
        return v;
    }

    /** LONG1/LONG4: n bytes of little-endian two's complement; Python ints beyond 64 bits are refused. */
    private long longBytes(long n) {
        if (n > 8) {
            need(n);
            throw fail("integer of " + n + " bytes does not fit 64 bits");
        }
        if (n == 0) {
            return 0;
        }
        need(n);
        long v = 0;
        for (int i = (int) n - 1; i >= 0; i--) {
            v = (v << 8) | (in[pos + i] & 0xff);
        }
        int shift = 64 - 8 * (int) n;
        pos += (int) n;
        return (v << shift) >> shift;
    }

    private String utf8(long n) {
        need(n);
        String s = new String(in, pos, (int) n, StandardCharsets.UTF_8);
        pos += (int) n;
        return s;
    }

    private String latin1(long n) {
        need(n);
        String s = new String(in, pos, (int) n, StandardCharsets.ISO_8859_1);
        pos += (int) n;
        return s;
    }

    private byte[] bytes(long n) {
        need(n);
        byte[] b = java.util.Arrays.copyOfRange(in, pos, pos + (int) n);
        pos += (int) n;
        return b;
    }

    /** A protocol-0 argument: text up to a newline. */
    private String line() {
        int end = pos;
        while (end < in.length && in[end] != '\n') {
            if (end - pos > MAX_LINE) {
                throw fail("text argument longer than " + MAX_LINE + " bytes");
            }
            end++;
        }
        if (end >= in.length) {
            throw fail("text argument has no newline (truncated?)");
        }
        String s = new String(in, pos, end - pos, StandardCharsets.UTF_8);
        pos = end + 1;
        return s;
    }

    private Object intLine(String s) {
        if (s.equals("00")) {
            return Boolean.FALSE;
        }
        if (s.equals("01")) {
            return Boolean.TRUE;
        }
        return parseLong(s);
    }

    private long parseLong(String s) {
        try {
            return Long.parseLong(s.endsWith("L") ? s.substring(0, s.length() - 1) : s);
        } catch (NumberFormatException e) {
            throw fail("'" + printable(s) + "' is not an integer");
        }
    }

    private double floatLine(String s) {
        try {
            return Double.parseDouble(s);
        } catch (NumberFormatException e) {
            throw fail("'" + printable(s) + "' is not a number");
        }
    }

    // ---- messages ------------------------------------------------------------------------------------------

    private CheckpointException fail(String what) {
        return new CheckpointException(file, entry + " byte " + opPos + ": " + what);
    }

    static String typeName(Object o) {
        if (o == null) {
            return "None";
        }
        if (o instanceof PyGlobal g) {
            return "'" + g.qualified() + "'";
        }
        if (o instanceof String) {
            return "a string";
        }
        if (o instanceof Long) {
            return "an int";
        }
        if (o instanceof Double) {
            return "a float";
        }
        if (o instanceof Boolean) {
            return "a bool";
        }
        if (o instanceof PyTuple t) {
            return "a tuple of " + t.size();
        }
        if (o instanceof List<?>) {
            return "a list";
        }
        if (o instanceof Map<?, ?>) {
            return "a dict";
        }
        if (o instanceof byte[]) {
            return "bytes";
        }
        if (o instanceof TensorRef) {
            return "a tensor";
        }
        if (o instanceof StorageRef) {
            return "a storage";
        }
        return o.getClass().getSimpleName();
    }

    /** At most 120 characters, control characters escaped, so a hostile name cannot break the one-line message. */
    static String printable(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length() && b.length() < 120; i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                b.append(String.format("\\x%02x", (int) c));
            } else {
                b.append(c);
            }
        }
        if (b.length() >= 120) {
            b.append("...");
        }
        return b.toString();
    }
}
