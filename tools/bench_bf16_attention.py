#!/usr/bin/env python3
"""Times the attention of one ViT-B global block at inference (12 heads, 64 x 64 tokens, head size 64, batch 1,
relative positions as a per-band bias), written out in PyTorch as samtune's torchscript_ops.py computes it, in
float32 and bf16: libtorch's fused kernel per band of queries (`flash`, samtune's float32 path) against autocast's
own steps per band (`products`: a bf16 score product with the bias added, softmax, a bf16 product with v;
samtune's bf16 path), each with q, k, v contiguous and as the strided views that splitting one qkv product gives.

  python3 tools/bench_bf16_attention.py --threads 2

Prints, per variant, the best of --runs timings of one block and its relative L2 error against the same attention
in float64. Random inputs; parity is FusedAttentionParityTest's job. This is how samtune's bf16 inference path was
chosen (docs/bench.md, "bf16 products on contiguous operands").
"""
import argparse
import time

import torch
import torch.nn.functional as F

HEADS, W, C = 12, 64, 64
N = W * W


def band_bias(rel, i0, m):
    r = rel.narrow(1, i0, m)
    return torch.add(r.narrow(2, 0, W).unsqueeze(3), r.narrow(2, W, W).unsqueeze(2)).reshape(rel.size(0), m, N)


def flash(q, k, v, rel, band):
    k, v = k.unsqueeze(1), v.unsqueeze(1)
    out = torch.empty_like(q)
    for i0 in range(0, N, band):
        m = min(band, N - i0)
        o = F.scaled_dot_product_attention(q.narrow(1, i0, m).unsqueeze(1), k, v, band_bias(rel, i0, m).unsqueeze(1))
        out.narrow(1, i0, m).copy_(o.squeeze(1))
    return out


def products(q, k, v, rel, band):
    out = torch.empty_like(q)
    k_t = k.transpose(1, 2)
    for i0 in range(0, N, band):
        m = min(band, N - i0)
        s = torch.baddbmm(band_bias(rel, i0, m), q.narrow(1, i0, m), k_t, beta=1., alpha=C ** -0.5)
        out.narrow(1, i0, m).copy_(torch.bmm(torch.softmax(s, -1), v))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--band", type=int, default=W, help="queries per band (samtune: one grid row)")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    # q, k, v as one qkv product's output split into heads: (B, N, 3, heads, C) -> (3, B*heads, N, C), a view
    qkv_strided = torch.randn(1, N, 3, HEADS, C).permute(2, 0, 3, 1, 4).reshape(3, HEADS, N, C)
    rel = torch.randn(HEADS, N, 2 * W) * 0.5
    with torch.no_grad():
        q64, k64, v64 = qkv_strided.double().unbind(0)
        ref = products(q64, k64, v64, rel.double(), a.band)
        for dtype in (torch.float32, torch.bfloat16):
            for layout in ("contiguous", "strided"):
                qkv = qkv_strided.to(dtype)
                qkv = qkv.contiguous() if layout == "contiguous" else qkv
                q, k, v = qkv.unbind(0)
                r = rel.to(dtype)
                for name, f in (("flash", flash), ("products", products)):
                    f(q, k, v, r, a.band)  # warm-up
                    best = float("inf")
                    for _ in range(a.runs):
                        t0 = time.perf_counter()
                        out = f(q, k, v, r, a.band)
                        best = min(best, time.perf_counter() - t0)
                    err = ((out.double() - ref).norm() / ref.norm()).item()
                    print(f"{str(dtype).replace('torch.', ''):9s} {layout:10s} {name:8s} {best:6.3f} s  "
                          f"relative L2 vs float64 {err:.2e}")


if __name__ == "__main__":
    main()
