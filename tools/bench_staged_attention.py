"""Times the staged attention of ViT-B's global blocks (samtune's torchscript_ops.py, rel_pos_attention_forward and
rel_pos_attention_backward, written out here in PyTorch) for several tiles (heads x queries), at ViT-B's global
shape (12 heads, 64 x 64 tokens, head size 64, batch 1), without autograd: how `rel_pos_tiles` was chosen.

  MALLOC_MMAP_THRESHOLD_=8388608 MALLOC_TRIM_THRESHOLD_=67108864 \
    python3 tools/bench_staged_attention.py --threads 2 --tiles 12x42,2x255,1x456

Prints, per tile, the forward and backward seconds of one block and the backward's split by step. Random inputs;
only the timing matters (parity is FusedAttentionParityTest's job). The environment above gives PyTorch the
allocator samtune's training uses (NativeHeap); without it, tiles whose maps reach 8 MiB are not penalised here as
they are in samtune.
"""
import argparse
import time

import torch


def band_bias(rel, i0, m, w):
    r = rel.narrow(1, i0, m)
    return torch.add(r.narrow(2, 0, w).unsqueeze(3), r.narrow(2, w, w).unsqueeze(2)).reshape(rel.size(0), m, w * w)


def forward(qkv, rel, heads, band, w):
    q, k, v = qkv.unbind(0)
    k, v = k.unsqueeze(1), v.unsqueeze(1)
    bh, n = q.size(0), q.size(1)
    out = torch.empty_like(q)
    for h0 in range(0, bh, heads):
        g = min(heads, bh - h0)
        qh, kh, vh, relh, outh = (t.narrow(0, h0, g) for t in (q, k, v, rel, out))
        for i0 in range(0, n, band):
            m = min(band, n - i0)
            o = torch.nn.functional.scaled_dot_product_attention(qh.narrow(1, i0, m).unsqueeze(1), kh, vh,
                                                                 band_bias(relh, i0, m, w).unsqueeze(1))
            outh.narrow(1, i0, m).copy_(o.squeeze(1))
    return out


def backward(grad_out, qkv, rel, out, heads, band, w, split):
    q, k, v = qkv.unbind(0)
    bh, n, c = q.shape
    scale = c ** -0.5
    dqkv = torch.zeros_like(qkv)
    dq, dk, dv = dqkv.unbind(0)
    drel = torch.empty_like(rel)

    def tick(name, t0):
        split[name] = split.get(name, 0.0) + time.perf_counter() - t0
        return time.perf_counter()

    for h0 in range(0, bh, heads):
        g = min(heads, bh - h0)
        qh, kh, vh, dqh, dkh, dvh, relh, drelh, doh, outh = (
            t.narrow(0, h0, g) for t in (q, k, v, dq, dk, dv, rel, drel, grad_out, out))
        k_t, v_t = kh.transpose(1, 2), vh.transpose(1, 2)
        for i0 in range(0, n, band):
            m = min(band, n - i0)
            t = time.perf_counter()
            qb, dob = qh.narrow(1, i0, m), doh.narrow(1, i0, m)
            s = torch.baddbmm(band_bias(relh, i0, m, w), qb, k_t, beta=1., alpha=scale); t = tick("scores", t)
            p = torch.softmax(s, -1); t = tick("softmax", t)
            dvh.baddbmm_(p.transpose(1, 2), dob); t = tick("dv", t)
            ds = torch.bmm(dob, v_t)
            ds.sub_(torch.sum(dob * outh.narrow(1, i0, m), -1, True)).mul_(p); t = tick("dS", t)
            dqh.narrow(1, i0, m).copy_(torch.bmm(ds, kh)).mul_(scale)
            dkh.baddbmm_(ds.transpose(1, 2), qb, beta=1., alpha=scale); t = tick("dq, dk", t)
            ds4 = ds.reshape(g, m, w, w)
            drelh.narrow(1, i0, m).narrow(2, 0, w).copy_(ds4.sum(3))
            drelh.narrow(1, i0, m).narrow(2, w, w).copy_(ds4.sum(2)); t = tick("drel", t)
    return dqkv, drel


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--tiles", default="12x42,2x255,1x456", help="comma-separated tiles, heads x queries")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    bh, w, c = 12, 64, 64
    n = w * w
    torch.manual_seed(0)
    qkv, rel, grad_out = torch.randn(3, bh, n, c), torch.randn(bh, n, 2 * w), torch.randn(bh, n, c)
    with torch.no_grad():
        for heads, band in (map(int, t.split("x")) for t in a.tiles.split(",")):
            forward(qkv, rel, heads, band, w)  # warm-up
            t0 = time.perf_counter()
            out = forward(qkv, rel, heads, band, w)
            t1 = time.perf_counter()
            split = {}
            backward(grad_out, qkv, rel, out, heads, band, w, split)
            t2 = time.perf_counter()
            print(f"tile {heads}x{band}: forward {t1 - t0:.3f} s, backward {t2 - t1:.3f} s "
                  f"({', '.join(f'{k} {v:.3f}' for k, v in split.items())})", flush=True)


if __name__ == "__main__":
    main()
