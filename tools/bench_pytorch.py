"""The PyTorch side of samtune's side-by-side benchmark: the OFFICIAL model code, timed on this machine.

Workloads (random weights, 1024x1024, batch 1, the same libtorch intra-op threads as `samtune bench --threads`):
  vit_b        segment-anything's ImageEncoderViT (build_sam_vit_b) forward, eval, no_grad
  vit_t        MobileSAM's TinyViT (build_sam_vit_t) forward, eval (its attention-bias cache filled), no_grad
  vit_b_bf16   vit_b under torch.autocast("cpu", torch.bfloat16) (only meaningful with native bf16: AMX/AVX512-BF16)
  train_adapter  one finetune-SAM training step of ViT-B with adapters in encoder (blocks 0,1,10,11) and mask
               decoder (finetune_type adapter, if_encoder_adapter, if_mask_decoder_adapter; 2 classes; no prompt):
               image encoder with graph, prompt encoder without prompts, multimask decoder, Dice (MONAI's
               DiceLoss(sigmoid, squared_pred, to_onehot_y) written out below: MONAI is not installed here) + CE,
               backward, AdamW(lr 1e-3, weight decay 0.1), zero_grad -- SingleGPU_train_finetune_noprompt.py's loop
               body on the CPU. Peak RSS: VmHWM of that process, reset (/proc/self/clear_refs 5) before the build.
  train_lora   the same step with finetune-SAM's LoRA recipe (finetune_type lora, rank 4, LoRA_Sam on encoder blocks
               0,1,10,11 and the mask decoder's transformer; the rest of the decoder trains)
  train_vanilla  the same step with every weight trained (finetune_type vanilla, if_update_encoder)
Each workload runs in its own python process (one warm-up, then --runs timed calls; the median is reported).

Nothing from the reference repositories is copied here: check them out anywhere (outside samtune) and name the
folders, e.g.
  git clone https://github.com/facebookresearch/segment-anything   /tmp/ref/sa
  git clone https://github.com/ChaoningZhang/MobileSAM              /tmp/ref/ms   (mobile_sam/ is enough)
  git clone https://github.com/mazurowski-lab/finetune-SAM          /tmp/ref/fs   (models/, cfg.py, utils/)
  pip install --no-deps einops          # finetune-SAM's modeling imports it at module level
  pip install --no-deps safetensors     # train_lora: finetune-SAM's sam_LoRa imports it
  python3 tools/bench_pytorch.py --segment-anything /tmp/ref/sa --mobilesam /tmp/ref/ms --finetune-sam /tmp/ref/fs \
      --threads 2 --runs 5 --workloads vit_t,vit_b,train_adapter
The reference code imports timm (MobileSAM: DropPath, to_2tuple, trunc_normal_, register_model), torchvision,
monai, cv2, matplotlib, tensorboardX and icecream at module level. torchvision's wheel does not match torch here and the others
are absent; none of them is called on the timed paths, so they are replaced by stand-ins that raise if called, and
timm's four names by their torch equivalents (DropPath is never built: drop_path_rate is 0).

With --profile FILE (one workload), one more call runs under torch.profiler after the timed ones and its Chrome
trace goes to FILE; tools/profile_summary.py totals it by operator, as it does samtune's -Dsamtune.profile=FILE.

Output: one `result:` line per workload (median seconds, every run, peak RSS MB, loadavg) and a small table with the
versions (torch, BLAS, the reference commits). docs/bench.md has the side-by-side numbers and the commands.
"""
import argparse
import importlib.abc
import importlib.machinery
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import types

WORKLOADS = ("vit_t", "vit_b", "vit_b_bf16", "train_adapter", "train_lora", "train_vanilla")


# ---- stand-ins for module-level imports of the reference code ----------------------------------------------------

_STUB = {"torchvision", "monai", "nrrd", "seaborn", "cv2", "matplotlib", "tensorboardX", "skimage", "icecream"}


class _Dummy:
    def __init__(self, *a, **k):
        pass

    def __call__(self, *a, **k):
        raise RuntimeError("stand-in called: the benchmark reached code it should not")

    def __getattr__(self, n):
        return _Dummy()


class _StubModule(types.ModuleType):
    def __getattr__(self, n):
        if n.startswith("__"):
            raise AttributeError(n)
        return _Dummy


class _StubFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    def find_spec(self, name, path, target=None):
        if name.split(".")[0] in _STUB:
            return importlib.machinery.ModuleSpec(name, self, is_package=True)
        return None

    def create_module(self, spec):
        return _StubModule(spec.name)

    def exec_module(self, m):
        m.__path__ = []


def _install_stand_ins():
    import torch
    sys.meta_path.insert(0, _StubFinder())
    # timm: the four names MobileSAM's tiny_vit_sam imports, with their torch equivalents
    timm = types.ModuleType("timm")
    models = types.ModuleType("timm.models")
    layers = types.ModuleType("timm.models.layers")
    registry = types.ModuleType("timm.models.registry")

    class DropPath(torch.nn.Module):
        def __init__(self, drop_prob=0.0):
            super().__init__()
            if drop_prob:
                raise RuntimeError("stand-in DropPath: drop_path_rate must be 0")

        def forward(self, x):
            return x

    layers.DropPath = DropPath
    layers.to_2tuple = lambda x: tuple(x) if isinstance(x, (tuple, list)) else (x, x)
    layers.trunc_normal_ = torch.nn.init.trunc_normal_
    registry.register_model = lambda f: f
    timm.models, models.layers, models.registry = models, layers, registry
    sys.modules.update({"timm": timm, "timm.models": models, "timm.models.layers": layers,
                        "timm.models.registry": registry})


# ---- one workload in this process --------------------------------------------------------------------------------

def _vm_kb(field):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return -1


def _reset_peak():
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        pass


def _timed(fn, runs):
    out = []
    for r in range(-1, runs):
        t0 = time.perf_counter()
        fn()
        t1 = time.perf_counter()
        if r >= 0:
            out.append(t1 - t0)
    return out


def _encoder_fn(workload, args):
    import torch
    torch.manual_seed(args.seed)
    x = torch.randn(1, 3, 1024, 1024)
    if workload == "vit_t":
        sys.path.insert(0, args.mobilesam)
        from mobile_sam import build_sam_vit_t
        enc = build_sam_vit_t(checkpoint=None).image_encoder
    else:
        sys.path.insert(0, args.segment_anything)
        from segment_anything import build_sam_vit_b
        enc = build_sam_vit_b(checkpoint=None).image_encoder
    enc.eval()  # MobileSAM's Attention.train(False) gathers its bias table into `ab` once
    bf16 = workload.endswith("_bf16")

    def fn():
        with torch.no_grad(), torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
            y = enc(x)
        y.float().numpy()  # as samtune's bench: the result copied out
    return fn


def _dice_loss(pred, target_idx, num_classes):
    """monai.losses.DiceLoss(sigmoid=True, squared_pred=True, to_onehot_y=True, reduction='mean'), written out."""
    import torch
    p = torch.sigmoid(pred)
    onehot = torch.nn.functional.one_hot(target_idx, num_classes).permute(0, 3, 1, 2).float()
    dims = (2, 3)
    inter = (p * onehot).sum(dims)
    denom = (p * p).sum(dims) + (onehot * onehot).sum(dims)
    return (1.0 - (2.0 * inter + 1e-5) / (denom + 1e-5)).mean()


def _train_fn(args, kind):
    """One finetune-SAM training step of ViT-B, encoder and decoder tuned; kind: adapter, lora or vanilla."""
    import torch
    sys.path.insert(0, args.finetune_sam)
    saved = sys.argv
    sys.argv = [saved[0]]
    import cfg
    fargs = cfg.parse_args()  # finetune-SAM's defaults, then the recipe of `kind`
    sys.argv = saved
    fargs.arch, fargs.finetune_type, fargs.num_cls = "vit_b", kind, 2
    fargs.if_update_encoder = True
    if kind == "adapter":
        fargs.if_encoder_adapter, fargs.encoder_adapter_depths = True, [0, 1, 10, 11]
        fargs.if_mask_decoder_adapter, fargs.decoder_adapt_depth = True, 2
    elif kind == "lora":
        fargs.if_encoder_lora_layer, fargs.encoder_lora_layer = True, [0, 1, 10, 11]
        fargs.if_decoder_lora_layer = True
    fargs.devices = ["cpu", "cpu"]  # its ImageEncoderViT puts pos_embed on devices[0] (default GPU 0)
    from models.sam import sam_model_registry
    torch.manual_seed(args.seed)
    # The official builder needs a checkpoint file: an empty state dict keeps its random initialisation.
    with tempfile.TemporaryDirectory() as d:
        empty = os.path.join(d, "random-weights.pth")
        torch.save({}, empty)
        sam = sam_model_registry["vit_b"](fargs, checkpoint=empty, num_classes=fargs.num_cls)
    if kind == "adapter":
        for n, p in sam.named_parameters():
            if "Adapter" not in n:
                p.requires_grad = False
    elif kind == "lora":
        # finetune-SAM's train script: LoRA_Sam freezes the encoder and the decoder's transformer around the
        # low-rank matrices
        sys.path.insert(1, args.segment_anything)  # sam_LoRa imports segment_anything.modeling
        from models.sam_LoRa import LoRA_Sam
        sam = LoRA_Sam(fargs, sam, r=4).sam
    # vanilla with if_update_encoder: every weight trains
    optimizer = torch.optim.AdamW(sam.parameters(), lr=1e-3, betas=(0.9, 0.999), eps=1e-08, weight_decay=0.1)
    optimizer.zero_grad()
    ce = torch.nn.CrossEntropyLoss()
    sam.train()
    imgs = torch.randn(1, 3, 1024, 1024)
    msks = torch.randint(0, fargs.num_cls, (1, 1, 256, 256))

    def fn():
        img_emb = sam.image_encoder(imgs)
        sparse_emb, dense_emb = sam.prompt_encoder(points=None, boxes=None, masks=None)
        pred, _ = sam.mask_decoder(image_embeddings=img_emb, image_pe=sam.prompt_encoder.get_dense_pe(),
                                   sparse_prompt_embeddings=sparse_emb, dense_prompt_embeddings=dense_emb,
                                   multimask_output=True)
        target = torch.squeeze(msks.long(), 1)
        loss = _dice_loss(pred, target, fargs.num_cls) + ce(pred, target)
        loss.backward()
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        loss.item()
    trainable = sum(p.numel() for p in sam.parameters() if p.requires_grad)
    return fn, trainable


def run_one(workload, args):
    import torch
    torch.set_num_threads(args.threads)
    torch.set_num_interop_threads(1)
    _install_stand_ins()
    _reset_peak()
    extra = {}
    if workload.startswith("train_"):
        fn, extra["trainable"] = _train_fn(args, workload[len("train_"):])
        runs = args.steps
    else:
        fn = _encoder_fn(workload, args)
        runs = args.runs
    times = _timed(fn, runs)
    if args.profile:
        # one more call under the profiler, after the timed ones: a Chrome trace that tools/profile_summary.py
        # totals by operator, like samtune's -Dsamtune.profile=FILE
        from torch.profiler import ProfilerActivity, profile
        with profile(activities=[ProfilerActivity.CPU], record_shapes=True) as prof:
            fn()
        prof.export_chrome_trace(args.profile)
    with open("/proc/loadavg") as f:
        load = " ".join(f.read().split()[:3])
    print("RESULT " + json.dumps({"workload": workload, "runs_s": times, "median_s": statistics.median(times),
                                   "peak_rss_mb": _vm_kb("VmHWM") / 1024.0, "loadavg": load,
                                   "threads": torch.get_num_threads(), **extra}), flush=True)


# ---- driver ------------------------------------------------------------------------------------------------------

def _commit(folder):
    try:
        return subprocess.run(["git", "-C", folder, "rev-parse", "--short=12", "HEAD"], capture_output=True,
                              text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "not a git checkout"


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--segment-anything", required=True, help="checkout of facebookresearch/segment-anything")
    p.add_argument("--mobilesam", required=True, help="checkout of ChaoningZhang/MobileSAM")
    p.add_argument("--finetune-sam", required=True, help="checkout of mazurowski-lab/finetune-SAM")
    p.add_argument("--workloads", default="vit_t,vit_b,train_adapter",
                   help="comma-separated, of " + ",".join(WORKLOADS))
    p.add_argument("--threads", type=int, default=2, help="torch.set_num_threads (samtune bench --threads)")
    p.add_argument("--runs", type=int, default=5, help="timed encoder forwards after one warm-up")
    p.add_argument("--steps", type=int, default=3, help="timed training steps after one warm-up")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--profile", metavar="FILE", help="after the timed calls, one more under torch.profiler, written "
                   "as a Chrome trace to FILE (one workload only; tools/profile_summary.py reads it)")
    p.add_argument("--one", choices=WORKLOADS, help=argparse.SUPPRESS)
    args = p.parse_args()
    for f in (args.segment_anything, args.mobilesam, args.finetune_sam):
        if not os.path.isdir(f):
            p.error(f"not a folder: {f}")
    if args.one:
        run_one(args.one, args)
        return
    workloads = [w.strip() for w in args.workloads.split(",") if w.strip()]
    for w in workloads:
        if w not in WORKLOADS:
            p.error(f"--workloads: unknown workload '{w}' (expected {', '.join(WORKLOADS)})")
    import torch
    blas = "mkl" if torch.backends.mkl.is_available() else "other"
    print(f"versions: python {sys.version.split()[0]}, torch {torch.__version__} ({blas}, "
          f"mkldnn {torch.backends.mkldnn.is_available()}), segment-anything {_commit(args.segment_anything)}, "
          f"MobileSAM {_commit(args.mobilesam)}, finetune-SAM {_commit(args.finetune_sam)}")
    rows = []
    for w in workloads:
        cmd = [sys.executable, os.path.abspath(__file__), "--one", w,
               "--segment-anything", args.segment_anything, "--mobilesam", args.mobilesam,
               "--finetune-sam", args.finetune_sam, "--threads", str(args.threads), "--runs", str(args.runs),
               "--steps", str(args.steps), "--seed", str(args.seed)]
        if args.profile:
            if len(workloads) > 1:
                p.error("--profile: one workload at a time")
            cmd += ["--profile", os.path.abspath(args.profile)]
        out = subprocess.run(cmd, capture_output=True, text=True)
        line = next((ln for ln in out.stdout.splitlines() if ln.startswith("RESULT ")), None)
        if out.returncode != 0 or line is None:
            sys.stderr.write(out.stdout + out.stderr)
            sys.exit(f"workload {w} failed (exit {out.returncode})")
        r = json.loads(line[len("RESULT "):])
        print("result: " + json.dumps(r), flush=True)
        rows.append(r)
    print()
    print(f"| workload (1024², batch 1, {args.threads} threads, random weights) | median s | runs s | peak RSS MB | loadavg |")
    print("|---|---|---|---|---|")
    for r in rows:
        runs = ", ".join(f"{t:.3f}" for t in r["runs_s"])
        print(f"| {r['workload']} | {r['median_s']:.3f} | {runs} | {r['peak_rss_mb']:.0f} | {r['loadavg']} |")


if __name__ == "__main__":
    main()
