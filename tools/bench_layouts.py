#!/usr/bin/env python3
"""PyTorch-side measurements behind two of samtune's speed choices (docs/bench.md), run with torch 2.13 CPU.

  layout     MobileSAM's TinyViT encoder (official code, random weights, 1024², eval, no_grad) with NCHW maps
             and with the model and input converted to channels_last: why samtune's TinyViT runs its conv
             stage on channels-last maps.
  attention  SAM's global attention with decomposed relative positions at ViT-B's global-block shape
             (12 heads, 64×64 grid, head 64), four ways: samtune's augmented q/k fed to the fused kernel
             (forward, forward+backward), the official plain form with materialised maps (forward+backward), and
             the fused kernel with the bias as a float mask per grid row of queries (no_grad): why training keeps
             the augmented form and inference uses the mask bands.

Usage: tools/bench_layouts.py --mobilesam MS [--threads 2] [--runs 5] [--what layout,attention]
MS is a MobileSAM checkout (as for tools/bench_pytorch.py, whose stand-ins for timm are reused).
"""
import argparse
import copy
import os
import sys
import time


def _median_s(fn, runs):
    fn()
    ts = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t0)
    return sorted(ts)[len(ts) // 2]


def layout(args):
    import torch
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import bench_pytorch
    bench_pytorch._install_stand_ins()
    sys.path.insert(0, args.mobilesam)
    from mobile_sam import build_sam_vit_t
    enc = build_sam_vit_t(checkpoint=None).image_encoder.eval()
    enc_cl = copy.deepcopy(enc).to(memory_format=torch.channels_last)
    x = torch.randn(1, 3, 1024, 1024)
    x_cl = x.contiguous(memory_format=torch.channels_last)
    with torch.no_grad():
        for r in range(2):
            print(f"layout round {r + 1}: NCHW {_median_s(lambda: enc(x), args.runs):.3f} s, "
                  f"channels_last {_median_s(lambda: enc_cl(x_cl), args.runs):.3f} s")


def attention(args):
    import torch
    F = torch.nn.functional
    torch.manual_seed(0)
    bh, h, w, c = 12, 64, 64, 64
    n = h * w
    q, k, v = (torch.randn(bh, n, c, requires_grad=True) for _ in range(3))
    rh = (torch.randn(h, h, c) * 0.1).requires_grad_()
    rw = (torch.randn(w, w, c) * 0.1).requires_grad_()
    g = torch.randn(bh, n, c)

    def rel(q):
        rq = q.reshape(bh, h, w, c)
        return (torch.einsum("bhwc,hkc->bhwk", rq, rh).reshape(bh, n, h),
                torch.einsum("bhwc,wkc->bhwk", rq, rw).reshape(bh, n, w))

    def augmented():
        rel_h, rel_w = rel(q)
        qa = torch.cat([q * c ** -0.5, rel_h, rel_w], 2)
        ind = torch.cat([torch.repeat_interleave(torch.eye(h), w, 0), torch.eye(w).repeat(h, 1)], 1)
        ka = torch.cat([k, ind.expand(bh, n, h + w)], 2)
        va = torch.cat([v, torch.zeros(bh, n, h + w)], 2)
        return F.scaled_dot_product_attention(qa.unsqueeze(1), ka.unsqueeze(1), va.unsqueeze(1),
                                              scale=1.).squeeze(1)[:, :, :c]

    def plain():
        rel_h, rel_w = rel(q)
        a = (q * c ** -0.5) @ k.transpose(1, 2)
        a = (a.view(bh, n, h, w) + rel_h[:, :, :, None] + rel_w[:, :, None, :]).view(bh, n, n)
        return a.softmax(-1) @ v

    def masked_bands():
        rel_h, rel_w = rel(q)
        outs = []
        for r0 in range(0, n, w):
            bias = (rel_h[:, r0:r0 + w, :, None] + rel_w[:, r0:r0 + w, None, :]).reshape(bh, 1, w, n)
            outs.append(F.scaled_dot_product_attention(q[:, r0:r0 + w].unsqueeze(1), k.unsqueeze(1),
                                                       v.unsqueeze(1), attn_mask=bias).squeeze(1))
        return torch.cat(outs, 1)

    def backward(f):
        return lambda: f().backward(g)

    with torch.no_grad():
        print(f"attention, no_grad: augmented fused {_median_s(augmented, args.runs):.3f} s, "
              f"mask bands {_median_s(masked_bands, args.runs):.3f} s, plain {_median_s(plain, args.runs):.3f} s")
        print(f"  max |mask bands - augmented| {(masked_bands() - augmented()).abs().max().item():.2e}")
    print(f"attention, forward + backward: augmented fused {_median_s(backward(augmented), args.runs):.3f} s, "
          f"plain {_median_s(backward(plain), args.runs):.3f} s")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--mobilesam", help="MobileSAM checkout (for layout)")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--what", default="layout,attention")
    a = p.parse_args()
    import torch
    torch.set_num_threads(a.threads)
    what = a.what.split(",")
    if "layout" in what:
        if not a.mobilesam:
            p.error("layout needs --mobilesam")
        layout(a)
    if "attention" in what:
        attention(a)


if __name__ == "__main__":
    main()
