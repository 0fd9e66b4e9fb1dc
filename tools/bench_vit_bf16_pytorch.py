"""The official ViT-B image encoder's forward time in float32 and under CPU bf16 autocast (PyTorch 2.13 CPU),
for docs/bench.md's comparison with `samtune bench encoder --precision bf16`. Random weights (speed does not
depend on the values), one (1, 3, S, S) image, one warm-up then --runs timed passes, and a 2048² float32 matmul
in the same process (the same reference `samtune bench` prints), so ratios survive a shared machine.

Usage: PYTHONPATH=/path/to/segment-anything:/work/shared/tools/pytorch-reference \
       python3 tools/bench_vit_bf16_pytorch.py [--size 1024] [--runs 3] [--threads 2]
"""
import argparse
import statistics
import time
from functools import partial

import torch
from segment_anything.modeling.image_encoder import ImageEncoderViT

p = argparse.ArgumentParser()
p.add_argument('--size', type=int, default=1024)
p.add_argument('--runs', type=int, default=3)
p.add_argument('--threads', type=int, default=2)
a = p.parse_args()
torch.set_num_threads(a.threads)
torch.manual_seed(0)
enc = ImageEncoderViT(img_size=a.size, patch_size=16, embed_dim=768, depth=12, num_heads=12, mlp_ratio=4,
                      out_chans=256, qkv_bias=True, norm_layer=partial(torch.nn.LayerNorm, eps=1e-6),
                      use_rel_pos=True, window_size=14, global_attn_indexes=(2, 5, 8, 11)).eval()
x = torch.randn(1, 3, a.size, a.size)


def timed(f, runs):
    f()
    out = []
    for _ in range(runs):
        t = time.perf_counter()
        f()
        out.append(time.perf_counter() - t)
    return out


mm = torch.randn(2048, 2048)
mm_s = statistics.median(timed(lambda: mm @ mm, 5))
print('torch %s, %d threads; matmul_gflops: %.2f' % (torch.__version__, a.threads, 2 * 2048 ** 3 / mm_s / 1e9))
with torch.no_grad():
    fp32 = timed(lambda: enc(x), a.runs)
    print('fp32 runs_s: %s median %.2f' % (' '.join('%.2f' % t for t in fp32), statistics.median(fp32)))

    def bf16():
        with torch.autocast('cpu', dtype=torch.bfloat16):
            enc(x)
    b = timed(bf16, a.runs)
    print('bf16 autocast runs_s: %s median %.2f' % (' '.join('%.2f' % t for t in b), statistics.median(b)))
mm_s = statistics.median(timed(lambda: mm @ mm, 5))
print('matmul_gflops after: %.2f' % (2 * 2048 ** 3 / mm_s / 1e9))
