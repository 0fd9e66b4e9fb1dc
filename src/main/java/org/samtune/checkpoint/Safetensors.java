package org.samtune.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import org.samtune.io.AtomicFiles;

/**
 * The safetensors format: an 8-byte little-endian header length, a JSON header mapping each name to
 * {@code dtype}, {@code shape} and {@code data_offsets}, then the raw little-endian data. Every offset is checked
 * against the file before any tensor is allocated.
 */
public final class Safetensors {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long MAX_HEADER_BYTES = 100L << 20;

    private Safetensors() {}

    public static StateDict read(Path file) {
        return new StateDict(readWithMetadata(file, null), file.getFileName().toString());
    }

    /** Reads the tensors; if {@code metadataOut} is not null, the header's {@code __metadata__} strings go there. */
    public static Map<String, TensorData> readWithMetadata(Path file, Map<String, String> metadataOut) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 8) {
                throw new CheckpointException(file, "not a safetensors file: " + size + " bytes, the header length alone takes 8");
            }
            ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, lenBuf, 0, file);
            long headerLen = lenBuf.getLong(0);
            if (headerLen <= 0 || headerLen > MAX_HEADER_BYTES || headerLen > size - 8) {
                throw new CheckpointException(file, "safetensors header length " + headerLen
                        + " is impossible for a file of " + size + " bytes");
            }
            ByteBuffer header = ByteBuffer.allocate((int) headerLen);
            readFully(ch, header, 8, file);
            JsonNode root;
            try {
                root = JSON.readTree(new String(header.array(), StandardCharsets.UTF_8));
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                // Jackson's message spans lines (the location follows on its own line): one line for the user.
                throw new CheckpointException(file, "safetensors header is not valid JSON at character "
                        + (e.getLocation() == null ? "?" : e.getLocation().getCharOffset()) + ": "
                        + String.valueOf(e.getOriginalMessage()).replaceAll("\\s+", " "));
            } catch (IOException e) {
                throw new CheckpointException(file, "safetensors header is not valid JSON: " + e.getMessage());
            }
            if (root == null || !root.isObject()) {
                throw new CheckpointException(file, "safetensors header is not a JSON object");
            }
            long dataStart = 8 + headerLen;
            long dataLen = size - dataStart;
            LinkedHashMap<String, TensorData> out = new LinkedHashMap<>();
            Iterator<Map.Entry<String, JsonNode>> it = root.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                String name = e.getKey();
                JsonNode v = e.getValue();
                if (name.equals("__metadata__")) {
                    if (metadataOut != null && v.isObject()) {
                        v.fields().forEachRemaining(m -> metadataOut.put(m.getKey(), m.getValue().asText()));
                    }
                    continue;
                }
                DType dtype = parseDType(file, name, v.path("dtype").asText(""));
                JsonNode shapeNode = v.path("shape");
                JsonNode offs = v.path("data_offsets");
                if (!shapeNode.isArray() || !offs.isArray() || offs.size() != 2) {
                    throw new CheckpointException(file, "tensor '" + name + "': header entry needs 'shape' and two 'data_offsets'");
                }
                long[] shape = new long[shapeNode.size()];
                for (int i = 0; i < shape.length; i++) {
                    shape[i] = shapeNode.get(i).asLong(-1);
                    if (shape[i] < 0) {
                        throw new CheckpointException(file, "tensor '" + name + "': negative dimension in shape " + shapeNode);
                    }
                }
                long begin = offs.get(0).asLong(-1);
                long end = offs.get(1).asLong(-1);
                long expected;
                try {
                    expected = Math.multiplyExact(TensorData.numel(shape), dtype.bytes());
                } catch (ArithmeticException ex) {
                    throw new CheckpointException(file, "tensor '" + name + "': shape " + shapeNode + " overflows");
                }
                if (begin < 0 || end < begin || end > dataLen || end - begin != expected) {
                    throw new CheckpointException(file, "tensor '" + name + "': data_offsets [" + begin + ", " + end
                            + "] do not fit shape " + shapeNode + " of " + dtype + " inside " + dataLen + " data bytes");
                }
                if (expected > Integer.MAX_VALUE - 16) {
                    throw new CheckpointException(file, "tensor '" + name + "' is larger than 2 GiB, which samtune does not support");
                }
                ByteBuffer buf = ByteBuffer.allocate((int) expected).order(ByteOrder.LITTLE_ENDIAN);
                readFully(ch, buf, dataStart + begin, file);
                buf.flip();
                out.put(name, new TensorData(dtype, shape, buf));
            }
            return out;
        } catch (IOException e) {
            throw new CheckpointException(file, "cannot read: " + e.getMessage(), e);
        }
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long pos, Path file) throws IOException {
        long p = pos;
        while (buf.hasRemaining()) {
            int n = ch.read(buf, p);
            if (n < 0) {
                throw new CheckpointException(file, "file ends early (truncated?) at byte " + p);
            }
            p += n;
        }
    }

    private static DType parseDType(Path file, String name, String s) {
        return switch (s) {
            case "F64" -> DType.F64;
            case "F32" -> DType.F32;
            case "F16" -> DType.F16;
            case "BF16" -> DType.BF16;
            case "I64" -> DType.I64;
            case "I32" -> DType.I32;
            case "I16" -> DType.I16;
            case "I8" -> DType.I8;
            case "U8" -> DType.U8;
            case "BOOL" -> DType.BOOL;
            default -> throw new CheckpointException(file, "tensor '" + name + "': unsupported dtype '" + s
                    + "' (expected one of F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL)");
        };
    }

    /** Writes atomically: to a temporary file beside {@code file}, then renamed over it. */
    public static void write(Path file, StateDict sd, Map<String, String> metadata) {
        ObjectNode header = JSON.createObjectNode();
        if (metadata != null && !metadata.isEmpty()) {
            ObjectNode meta = header.putObject("__metadata__");
            metadata.forEach(meta::put);
        }
        long offset = 0;
        for (Map.Entry<String, TensorData> e : sd.tensors().entrySet()) {
            TensorData t = e.getValue();
            ObjectNode n = header.putObject(e.getKey());
            n.put("dtype", t.dtype().name());
            var shape = n.putArray("shape");
            for (long d : t.shape()) {
                shape.add(d);
            }
            var offs = n.putArray("data_offsets");
            offs.add(offset);
            offset += t.data().remaining();
            offs.add(offset);
        }
        byte[] headerBytes;
        try {
            headerBytes = JSON.writeValueAsString(header).getBytes(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        // The format asks for the data to start 8-byte aligned: pad the header with spaces.
        int pad = (int) ((8 - (headerBytes.length % 8)) % 8);
        byte[] padded = new byte[headerBytes.length + pad];
        System.arraycopy(headerBytes, 0, padded, 0, headerBytes.length);
        for (int i = headerBytes.length; i < padded.length; i++) {
            padded[i] = ' ';
        }
        AtomicFiles.write(file, out -> {
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded.length);
            out.write(len.array());
            out.write(padded);
            byte[] chunk = new byte[1 << 16];
            for (TensorData t : sd.tensors().values()) {
                ByteBuffer d = t.data().duplicate();
                while (d.hasRemaining()) {
                    int n = Math.min(chunk.length, d.remaining());
                    d.get(chunk, 0, n);
                    out.write(chunk, 0, n);
                }
            }
        });
    }

}
