#!/usr/bin/env python3
"""Writes the small edge-case and hostile .pth files under src/test/resources/checkpoint/ and, for each, what
PyTorch itself says about it (expected tensors as a hand-written .safetensors twin, or key/dtype/shape/CRC lists).

Run with Debian's python3-torch (1.13): /usr/bin/python3 tools/make_checkpoint_cases.py
Not run by the tests; the Java tests read its committed output.
"""
import collections
import io
import json
import os
import pickle
import struct
import sys
import zipfile
import zlib

import numpy as np
import torch

ROOT = os.path.join(os.path.dirname(__file__), "..")
OUT = os.path.join(ROOT, "src/test/resources/checkpoint")
FIX = os.path.join(ROOT, "src/test/resources/fixtures")
MARKER = "/tmp/samtune-checkpoint-test-pwned"
os.makedirs(OUT, exist_ok=True)

ST_DTYPE = {torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16", torch.float64: "F64",
            torch.int64: "I64", torch.int32: "I32", torch.int16: "I16", torch.int8: "I8", torch.uint8: "U8",
            torch.bool: "BOOL"}


def raw_bytes(t):
    """Contiguous little-endian bytes of a tensor (bfloat16 via its int16 bit pattern)."""
    t = t.detach().contiguous()
    if t.dtype == torch.bfloat16:
        return t.view(torch.int16).numpy().astype("<i2").tobytes()
    return t.numpy().tobytes()


def write_safetensors(path, tensors):
    header, blobs, off = {}, [], 0
    for k, t in tensors.items():
        b = raw_bytes(t)
        header[k] = {"dtype": ST_DTYPE[t.dtype], "shape": list(t.shape), "data_offsets": [off, off + len(b)]}
        blobs.append(b)
        off += len(b)
    h = json.dumps(header).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))


def save(name, obj, **kw):
    path = os.path.join(OUT, name)
    torch.save(obj, path, **kw)
    return path


def tensor_list(path, sd):
    """key, dtype, shape and CRC-32 of the contiguous little-endian bytes: what the Java reader must reproduce."""
    with open(path, "w") as f:
        for k, t in sd.items():
            if isinstance(t, torch.Tensor):
                f.write("%s\t%s\t%s\t%08x\n" % (k, ST_DTYPE[t.dtype], list(t.shape), zlib.crc32(raw_bytes(t))))


def rewrite_zip(src, dst, change):
    """Copies a torch zip entry by entry (stored, like torch writes it); change(name, data) -> bytes or None."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_STORED) as zout:
        for info in zin.infolist():
            data = change(info.filename, zin.read(info.filename))
            if data is not None:
                zout.writestr(info.filename, data)


g = torch.Generator().manual_seed(1234)


def randn(*s):
    return torch.randn(*s, generator=g)


# 1. every dtype, strided views, offsets, shared storages, parameters, empty and scalar tensors
base = randn(6, 5)
big = randn(40)
cases = collections.OrderedDict()
cases["f32"] = randn(3, 4)
cases["f16"] = randn(2, 3).half()
cases["bf16"] = randn(2, 3).bfloat16()
cases["f64"] = randn(5).double()
cases["i64"] = torch.tensor([[-(2 ** 40), -1, 0], [1, 7, 2 ** 62]], dtype=torch.int64)
cases["i32"] = torch.tensor([-(2 ** 31), -1, 0, 2 ** 31 - 1], dtype=torch.int32)
cases["i16"] = torch.tensor([-32768, -2, 3, 32767], dtype=torch.int16)
cases["i8"] = torch.tensor([-128, -1, 0, 127], dtype=torch.int8)
cases["u8"] = torch.tensor([0, 1, 200, 255], dtype=torch.uint8)
cases["bool"] = torch.tensor([True, False, True])
cases["transposed"] = base.t()                       # stride (1, 5)
cases["strided_slice"] = base[:, ::2]                # stride (5, 2)
cases["offset_view"] = big[10:22].view(3, 4)         # storage offset 10, contiguous
cases["offset_transposed"] = big[5:17].view(3, 4).t()  # offset 5 and non-contiguous
cases["expanded"] = randn(3).expand(4, 3)            # stride (0, 1): 12 elements from a storage of 3
cases["permuted_4d"] = randn(2, 3, 4, 5).permute(0, 2, 3, 1)
cases["f16_transposed"] = randn(3, 5).half().t()
cases["bf16_transposed"] = randn(3, 5).bfloat16().t()
cases["i64_transposed"] = torch.arange(12, dtype=torch.int64).view(3, 4).t()
cases["scalar"] = torch.tensor(2.5)
cases["empty"] = torch.zeros(0, 3)
cases["param"] = torch.nn.Parameter(randn(2, 2))
cases["num_batches_tracked"] = torch.tensor(17, dtype=torch.int64)
for name, t in cases.items():
    assert name in ("transposed", "strided_slice", "offset_transposed", "expanded", "permuted_4d", "f16_transposed",
                    "bf16_transposed", "i64_transposed") or t.is_contiguous(), name
save("dtypes_views.pth", cases)
write_safetensors(os.path.join(OUT, "dtypes_views.expected.safetensors"), cases)
save("dtypes_views_protocol4.pth", cases, pickle_protocol=4)

# 2. a real model saved the ways training scripts save it
torch.manual_seed(0)
net = torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3), torch.nn.BatchNorm2d(4), torch.nn.ReLU(), torch.nn.Flatten(),
                          torch.nn.Linear(4 * 6 * 6, 5))
opt = torch.optim.AdamW(net.parameters(), lr=1e-4)
net(torch.randn(2, 3, 8, 8)).sum().backward()
opt.step()
sd = net.state_dict()
write_safetensors(os.path.join(OUT, "net.expected.safetensors"), sd)
save("net_plain.pth", sd)
save("net_model_wrapper.pth", {"model": sd, "optimizer": opt.state_dict(), "epoch": 7, "best_dice": 0.83,
                               "note": "medsam-style"})
dp = torch.nn.DataParallel(net).state_dict()
assert all(k.startswith("module.") for k in dp)
save("net_data_parallel.pth", dp)
save("net_nested_wrapper.pth", {"state_dict": {"model": dp, "ema_decay": 0.999}, "epoch": 3,
                                "args": {"lr": 1e-4, "betas": (0.9, 0.999), "targets": ["combine_all"], "amp": None}})
save("net_with_extras.pth", collections.OrderedDict(list(sd.items()) + [("epoch", 12), ("version", "1.0")]))
save("no_tensors.pth", {"epoch": 3, "model": {"lr": 0.1}, "optimizer": {"state": {}, "param_groups": []}})
save("list_of_tensors.pth", [torch.ones(2), torch.zeros(3)])
save("net_legacy_format.pth", sd, _use_new_zipfile_serialization=False)
torch.jit.save(torch.jit.script(torch.nn.Linear(2, 2)), os.path.join(OUT, "torchscript.pt"))
np.save(os.path.join(OUT, "not_a_checkpoint.npy"), np.arange(4, dtype=np.float32))
with open(os.path.join(OUT, "npz_not_a_checkpoint.pth"), "wb") as f:  # an npz is a zip too, without data.pkl
    np.savez(f, a=np.arange(3))

# 3. big-endian storages, as a big-endian machine writes them (torch.load swaps them back)
keys = {}


class Inspect(pickle.Unpickler):
    def find_class(self, mod, name):
        if name.endswith("Storage"):
            return name
        if name in ("_rebuild_tensor_v2", "_rebuild_parameter"):
            return lambda *a: a
        if (mod, name) == ("collections", "OrderedDict"):
            return collections.OrderedDict
        raise pickle.UnpicklingError(mod + "." + name)

    def persistent_load(self, pid):
        keys[pid[2]] = pid[1]
        return pid


plain = os.path.join(OUT, "dtypes_views.pth")
with zipfile.ZipFile(plain) as z:
    Inspect(io.BytesIO(z.read("dtypes_views/data.pkl"))).load()
width = {"FloatStorage": 4, "HalfStorage": 2, "BFloat16Storage": 2, "DoubleStorage": 8, "LongStorage": 8,
         "IntStorage": 4, "ShortStorage": 2, "CharStorage": 1, "ByteStorage": 1, "BoolStorage": 1}


def to_big(name, data):
    if "/data/" in name:
        w = width[keys[name.rsplit("/", 1)[1]]]
        return b"".join(data[i:i + w][::-1] for i in range(0, len(data), w))
    return data


big_path = os.path.join(OUT, "dtypes_views_big_endian.pth")
rewrite_zip(plain, big_path, to_big)
# torch 1.13 writes no byteorder record (torch >= 2.0 does, and swaps storages on load when it says "big")
with zipfile.ZipFile(big_path, "a", zipfile.ZIP_STORED) as z:
    z.writestr("dtypes_views/byteorder", b"big")
with zipfile.ZipFile(big_path) as zb, zipfile.ZipFile(plain) as zp:
    for n in zp.namelist():
        if "/data/" in n:
            assert to_big(n, zb.read(n)) == zp.read(n), n

# 4. damaged archives, made from the small net
np_path = os.path.join(OUT, "net_plain.pth")
with zipfile.ZipFile(np_path) as z:
    names = z.namelist()
    storage3 = [n for n in names if n.endswith("/data/3")][0]
rewrite_zip(np_path, os.path.join(OUT, "net_missing_storage.pth"), lambda n, d: None if n == storage3 else d)
rewrite_zip(np_path, os.path.join(OUT, "net_short_storage.pth"),
            lambda n, d: d[: len(d) // 2] if n == storage3 else d)


def shrink_numel(name, data):
    # the pickle claims a storage of fewer elements than the first tensor (conv weight, 108 floats) spans
    if name.endswith("data.pkl"):
        old = b"X\x01\x00\x00\x000q\x06X\x03\x00\x00\x00cpuq\x07Kl"
        assert old in data, data[:200]
        return data.replace(old, old[:-1] + b"\x10", 1)
    return data


rewrite_zip(np_path, os.path.join(OUT, "net_storage_smaller_than_tensor.pth"), shrink_numel)


# 5. hostile pickles: each would run a shell command that creates MARKER if it were ever executed
class System:
    def __reduce__(self):
        return (os.system, ("touch " + MARKER,))


class Eval:
    def __reduce__(self):
        import builtins
        return (builtins.eval, ("__import__('os').system('touch %s')" % MARKER,))


class Popen:
    def __reduce__(self):
        import subprocess
        return (subprocess.Popen, (["touch", MARKER],))


def hostile(name, obj, protocol=2):
    """A torch.save-shaped archive whose data.pkl holds obj, pickled by plain pickle (torch.save would too)."""
    path = os.path.join(OUT, name)
    torch.save(collections.OrderedDict(w=torch.ones(2)), path)
    pk = pickle.dumps(obj, protocol=protocol)
    rewrite_zip(path, path + ".tmp", lambda n, d: pk if n.endswith("data.pkl") else d)
    os.replace(path + ".tmp", path)


hostile("evil_os_system.pth", System())                       # GLOBAL 'posix system'
hostile("evil_eval_protocol4.pth", Eval(), protocol=4)        # STACK_GLOBAL 'builtins eval'
hostile("evil_popen.pth", Popen())
# the payload hides after a genuine tensor, inside an otherwise normal state dict
evil_sd = collections.OrderedDict(weight=torch.ones(2), bias=System())
path = os.path.join(OUT, "evil_inside_state_dict.pth")
torch.save(evil_sd, path)
hostile("evil_numpy_array.pth", {"w": np.zeros(3, dtype=np.float32)})

# 6. what python says about the shared fixtures (key, dtype, shape, CRC-32)
for folder, stem in (("sam-tiny", "tiny_sam"), ("sam-tiny", "tiny_sam_lora"), ("sam-tiny", "tiny_sam_adapter"),
                     ("mobilesam-tiny", "mobilesam_tiny")):
    loaded = torch.load(os.path.join(FIX, folder, stem + ".pth"), map_location="cpu")
    tensor_list(os.path.join(OUT, stem + ".tensors.txt"), loaded)

for f in sorted(os.listdir(OUT)):
    size = os.path.getsize(os.path.join(OUT, f))
    assert size < 50_000, (f, size)
    print("%8d %s" % (size, f))
assert not os.path.exists(MARKER)
