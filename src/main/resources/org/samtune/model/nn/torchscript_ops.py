# TorchScript source of samtune's helper module (org.samtune.model.nn.TorchScriptOps). libtorch compiles it when
# the module is loaded; this is the dialect of a saved archive's code/__torch__.py (typed `self`, explicit lists).
# Only out-of-place ops: autograd records through these methods like any other libtorch op.
class Ops(Module):
  __parameters__ = []
  __buffers__ = []
  training : bool
  def forward(self: __torch__.Ops,
    x: Tensor) -> Tensor:
    return x
  def attention(self: __torch__.Ops,
    q: Tensor,
    k: Tensor,
    v: Tensor) -> Tensor:
    # softmax(q k^T / sqrt(C)) v for (B, N, C) inputs, with libtorch's fused kernel
    out = torch.scaled_dot_product_attention(q.unsqueeze(1), k.unsqueeze(1), v.unsqueeze(1), None, 0., False)
    return out.squeeze(1)
  def rel_pos_attention(self: __torch__.Ops,
    q: Tensor,
    k: Tensor,
    v: Tensor,
    rh: Tensor,
    rw: Tensor) -> Tensor:
    # SAM's attention with decomposed relative positions (image_encoder.py Attention) for (B, N, C) inputs on an
    # (h, w) grid, N = h*w; rh (h, h, C) and rw (w, w, C) are the gathered tables (get_rel_pos). The bias
    # rel_h[i, kh] + rel_w[i, kw] is folded into augmented queries and keys,
    #   q' = [q*scale, rel_h[i, :], rel_w[i, :]],  k' = [k, onehot(kh), onehot(kw)],
    # so q'.k' = scale q.k + rel_h[i, kh] + rel_w[i, kw] and the fused kernel needs no float mask. The kernel
    # wants equal head sizes, so v is padded with zeros and the padding cut from the output.
    bh = q.size(0)
    n = q.size(1)
    c = q.size(2)
    h = rh.size(0)
    w = rw.size(0)
    rel = self.decomposed_rel_pos(q, rh, rw)
    qa = torch.cat([torch.mul(q, c ** -0.5), rel[0], rel[1]], 2)
    eh = torch.eye(h, dtype=q.dtype, device=q.device)
    ew = torch.eye(w, dtype=q.dtype, device=q.device)
    # key j = (kh, kw), j = kh*w + kw: row j holds onehot(kh) then onehot(kw)
    ind = torch.cat([torch.repeat_interleave(eh, w, 0), ew.repeat([h, 1])], 1)
    ka = torch.cat([k, ind.expand([bh, n, h + w])], 2)
    va = torch.cat([v, torch.zeros([bh, n, h + w], dtype=v.dtype, device=v.device)], 2)
    out = torch.scaled_dot_product_attention(qa.unsqueeze(1), ka.unsqueeze(1), va.unsqueeze(1), None, 0., False,
        scale=1.)
    return out.squeeze(1).narrow(2, 0, c)
  def qkv_attention(self: __torch__.Ops,
    qkv: Tensor) -> Tensor:
    # q, k, v stacked as (3, B, N, C): unbind's backward stacks the three gradients into one tensor, where
    # three selects would each zero-fill a (3, B, N, C) gradient and add them up
    qkv3 = torch.unbind(qkv, 0)
    return self.attention(qkv3[0], qkv3[1], qkv3[2])
  def qkv_rel_pos_attention(self: __torch__.Ops,
    qkv: Tensor,
    rh: Tensor,
    rw: Tensor) -> Tensor:
    qkv3 = torch.unbind(qkv, 0)
    return self.rel_pos_attention(qkv3[0], qkv3[1], qkv3[2], rh, rw)
  def qkv_rel_pos_attention_inference(self: __torch__.Ops,
    qkv: Tensor,
    rh: Tensor,
    rw: Tensor) -> Tensor:
    # Without autograd, the rel-pos bias goes in as a float mask for a tile of heads and queries at a time
    # (rel_pos_attention_forward below): the tile's mask is small, and q.k stays C wide, where the augmented
    # form makes it C + h + w wide (three times the products in ViT-B's global blocks). With gradients the fused
    # kernel would keep every tile's mask for backward and give it no gradient: training goes through
    # qkv_rel_pos_attention, or through the staged path. The staged path's tiles: at ViT-B's global shape one head
    # with 456 queries took 0.47 s per block where all heads with one grid row (64 queries) took 0.57-0.64 s
    # (tools/bench_staged_attention.py, glibc's default allocator as at inference).
    return self.rel_pos_attention_forward(qkv, self.rel_pos_terms(qkv, rh, rw))
  # ---- the staged path (org.samtune.model.nn.StagedBackward) for training with relative positions ----------------
  # The augmented form above makes q.k and p.v C + h + w wide (three times the products in ViT-B's global blocks),
  # only so that autograd can reach the bias. Here the attention runs outside autograd, headDim wide with the bias
  # as a float mask, and its gradient is computed by rel_pos_attention_backward, bands of queries at a time; Java
  # hands the gradients on to the rest of the graph.
  def rel_pos_terms(self: __torch__.Ops,
    qkv: Tensor,
    rh: Tensor,
    rw: Tensor) -> Tensor:
    # rel_h and rel_w for the queries of stacked qkv, side by side: (B, N, h + w)
    rel = self.decomposed_rel_pos(torch.select(qkv, 0, 0), rh, rw)
    return torch.cat([rel[0], rel[1]], 2)
  def decomposed_rel_pos(self: __torch__.Ops,
    q: Tensor,
    rh: Tensor,
    rw: Tensor) -> Tuple[Tensor, Tensor]:
    # get_decomposed_rel_pos's terms for (B, N, C) queries on an (h, w) grid: rel_h (B, N, h), rel_w (B, N, w)
    h = rh.size(0)
    w = rw.size(0)
    rq = self.on_grid(q, h, w)
    rel_h = torch.einsum("bhwc,hkc->bhwk", [rq, rh]).reshape([q.size(0), q.size(1), h])
    rel_w = torch.einsum("bhwc,wkc->bhwk", [rq, rw]).reshape([q.size(0), q.size(1), w])
    return rel_h, rel_w
  def on_grid(self: __torch__.Ops,
    x: Tensor,
    h: int,
    w: int) -> Tensor:
    # (B, N, X) rows of an (h, w) grid, N = h*w, as (B, h, w, X)
    return x.reshape([x.size(0), h, w, x.size(2)])
  def decomposed_rel_pos_backward(self: __torch__.Ops,
    drel: Tensor,
    q: Tensor,
    rh: Tensor,
    rw: Tensor,
    dq: Tensor) -> Tuple[Tensor, Tensor]:
    # rel_pos_terms' backward, from the gradient of its (B, N, h + w) result: adds drel_h . rh + drel_w . rw into
    # dq (B, N, C) in place and returns the gradients of rh (h, h, C) and rw (w, w, C)
    h = rh.size(0)
    w = rw.size(0)
    rq = self.on_grid(q, h, w)
    drel_h = self.on_grid(drel.narrow(2, 0, h), h, w)
    drel_w = self.on_grid(drel.narrow(2, h, w), h, w)
    dq.add_(torch.einsum("bhwk,hkc->bhwc", [drel_h, rh]).reshape(dq.size()))
    dq.add_(torch.einsum("bhwk,wkc->bhwc", [drel_w, rw]).reshape(dq.size()))
    return torch.einsum("bhwk,bhwc->hkc", [drel_h, rq]), torch.einsum("bhwk,bhwc->wkc", [drel_w, rq])
  def band_bias(self: __torch__.Ops,
    rel: Tensor,
    i0: int,
    m: int) -> Tensor:
    # rel_h[i, kh] + rel_w[i, kw] for queries i0 .. i0+m-1 of a square grid, (B, m, N)
    w = rel.size(2) // 2
    r = rel.narrow(1, i0, m)
    return torch.add(r.narrow(2, 0, w).unsqueeze(3), r.narrow(2, w, w).unsqueeze(2)).reshape([rel.size(0), m, w * w])
  def requires_grad(self: __torch__.Ops,
    x: Tensor) -> Tensor:
    # whether autograd reaches x (DJL 0.36's own check answers for leaves only, and its gradient-function name
    # crashes on a tensor that has none)
    return torch.tensor([int(x.requires_grad)])
  def rel_pos_tiles(self: __torch__.Ops,
    bh: int,
    n: int) -> Tuple[int, int]:
    # (heads, queries) per tile of the staged path: each (heads, queries, N) float map just below 8 MiB, where
    # training maps tensors on their own (NativeHeap), so that the maps come from the heap and are reused tile after
    # tile. Within that, as many queries as fit, in bands of equal size: the products' M dimension is the band, and
    # at ViT-B's global shape (12 heads, N = 4096) one head at a time with 456 queries took 0.49-0.50 s forward and
    # 1.27-1.28 s backward per block, all twelve heads with 42 queries 0.79 and 1.49-1.64 s
    # (tools/bench_staged_attention.py).
    floats = 2080768  # 8 MiB less 64 KiB, room for the allocator's own header and alignment
    band = min(n, max(1, floats // n))
    bands = (n + band - 1) // band
    band = (n + bands - 1) // bands
    return max(1, min(bh, floats // (band * n))), band
  def rel_pos_attention_forward(self: __torch__.Ops,
    qkv: Tensor,
    rel: Tensor) -> Tensor:
    # softmax(scale q.k + rel_h[i, kh] + rel_w[i, kw]) v on a square grid (h = w), no gradient recorded, in the
    # tiles of heads (of the B = batch x heads maps) and queries that its backward uses
    qkv3 = torch.unbind(qkv, 0)
    q = qkv3[0]
    k = qkv3[1].unsqueeze(1)
    v = qkv3[2].unsqueeze(1)
    bh = q.size(0)
    n = q.size(1)
    tiles = self.rel_pos_tiles(bh, n)
    heads = tiles[0]
    band = tiles[1]
    # results go straight into their rows (no list of tile results between the tiles' temporaries, which would
    # scatter long-lived small blocks through the heap)
    out = torch.empty_like(q)
    for h0 in range(0, bh, heads):
      g = min(heads, bh - h0)
      qh = q.narrow(0, h0, g)
      kh = k.narrow(0, h0, g)
      vh = v.narrow(0, h0, g)
      relh = rel.narrow(0, h0, g)
      outh = out.narrow(0, h0, g)
      for i0 in range(0, n, band):
        m = min(band, n - i0)
        bias = self.band_bias(relh, i0, m).unsqueeze(1)
        o = torch.scaled_dot_product_attention(qh.narrow(1, i0, m).unsqueeze(1), kh, vh, bias, 0., False)
        outh.narrow(1, i0, m).copy_(o.squeeze(1))
    return out
  def rel_pos_attention_backward(self: __torch__.Ops,
    grad_out: Tensor,
    qkv: Tensor,
    rel: Tensor,
    out: Tensor) -> Tuple[Tensor, Tensor]:
    # The gradients of rel_pos_attention_forward for stacked qkv and for rel, with the softmax recomputed per tile
    # of heads and queries (flash attention's backward, plus the bias gradient dS summed over key columns for rel_h
    # and over key rows for rel_w): d v += P^T dO, dP = dO v^T, dS = P * (dP - rowsum(dO * O)), d q = scale dS k,
    # d k += scale dS^T q.
    qkv3 = torch.unbind(qkv, 0)
    q = qkv3[0]
    k = qkv3[1]
    v = qkv3[2]
    bh = q.size(0)
    n = q.size(1)
    c = q.size(2)
    w = rel.size(2) // 2
    h = n // w
    scale = c ** -0.5
    dqkv = torch.zeros_like(qkv)
    dq = torch.select(dqkv, 0, 0)
    dk = torch.select(dqkv, 0, 1)
    dv = torch.select(dqkv, 0, 2)
    drel = torch.empty_like(rel)
    tiles = self.rel_pos_tiles(bh, n)
    heads = tiles[0]
    band = tiles[1]
    for h0 in range(0, bh, heads):
      g = min(heads, bh - h0)
      qh = q.narrow(0, h0, g)
      kh = k.narrow(0, h0, g)
      k_t = kh.transpose(1, 2)
      v_t = v.narrow(0, h0, g).transpose(1, 2)
      dqh = dq.narrow(0, h0, g)
      dkh = dk.narrow(0, h0, g)
      dvh = dv.narrow(0, h0, g)
      relh = rel.narrow(0, h0, g)
      drelh = drel.narrow(0, h0, g)
      doh = grad_out.narrow(0, h0, g)
      outh = out.narrow(0, h0, g)
      for i0 in range(0, n, band):
        m = min(band, n - i0)
        qb = qh.narrow(1, i0, m)
        dob = doh.narrow(1, i0, m)
        p = torch.softmax(torch.baddbmm(self.band_bias(relh, i0, m), qb, k_t, beta=1., alpha=scale), -1)
        dvh.baddbmm_(p.transpose(1, 2), dob)
        ds = torch.bmm(dob, v_t)
        ds.sub_(torch.sum(torch.mul(dob, outh.narrow(1, i0, m)), [-1], True)).mul_(p)
        dqh.narrow(1, i0, m).copy_(torch.bmm(ds, kh)).mul_(scale)
        dkh.baddbmm_(ds.transpose(1, 2), qb, beta=1., alpha=scale)
        ds4 = ds.reshape([g, m, h, w])
        drel_b = drelh.narrow(1, i0, m)
        drel_b.narrow(2, 0, h).copy_(torch.sum(ds4, [3]))
        drel_b.narrow(2, h, w).copy_(torch.sum(ds4, [2]))
    return dqkv, drel
  def rel_pos_attention_terms_backward(self: __torch__.Ops,
    grad_out: Tensor,
    qkv: Tensor,
    rh: Tensor,
    rw: Tensor,
    rel: Tensor,
    out: Tensor) -> Tuple[Tensor, Tensor, Tensor]:
    # the staged attention's gradient for its inputs qkv, rh and rw (it forms the terms itself, so that its
    # inputs' recorded histories do not meet): the attention's backward, then the terms'
    grads = self.rel_pos_attention_backward(grad_out, qkv, rel, out)
    dqkv = grads[0]
    dtables = self.decomposed_rel_pos_backward(grads[1], torch.select(qkv, 0, 0), rh, rw, torch.select(dqkv, 0, 0))
    return dqkv, dtables[0], dtables[1]
  def biased_attention(self: __torch__.Ops,
    q: Tensor,
    k: Tensor,
    v: Tensor,
    bias: Tensor) -> Tensor:
    # TinyViT's window attention, softmax(q k^T / sqrt(C) + bias) v, for (B, heads, N, C) inputs (strided views
    # are fine) and a (heads, N, N) additive bias, with libtorch's fused kernel: the (B, heads, N, N) maps are
    # never written out
    return torch.scaled_dot_product_attention(q, k, v, bias.unsqueeze(0), 0., False)
  # (dtype codes: 15 = bfloat16, 6 = float32, as in saved TorchScript)
  # bf16 with autocast's semantics for the op itself: inputs cast to bf16, the product accumulated by the bf16
  # kernel, the result handed back as float32 (so normalisation, softmax outside, losses and optimiser state stay
  # float32). Autograd flows through the casts: gradients of float32 parameters are float32.
  def bf16(self: __torch__.Ops,
    x: Tensor) -> Tensor:
    # x in bf16, laid out contiguously: a cast keeps the strides of a permuted view (ViT's windows, q/k/v split
    # from one qkv product), and libtorch's bf16 products copy such an operand on every call (the global attention's
    # score products took 0.51 s instead of 0.16 s per ViT-B block in a probe). Convolutions cast with x.to(15),
    # which keeps a channels-last layout.
    return x.to(15, False, False, 0)
  def linear_bf16(self: __torch__.Ops,
    x: Tensor,
    weight: Tensor,
    bias: Tensor) -> Tensor:
    y = torch.linear(self.bf16(x), weight.to(15), bias.to(15))
    return y.to(6)
  def linear_nobias_bf16(self: __torch__.Ops,
    x: Tensor,
    weight: Tensor) -> Tensor:
    return torch.linear(self.bf16(x), weight.to(15)).to(6)
  def mlp_gelu_inference(self: __torch__.Ops,
    x: Tensor,
    w1: Tensor,
    b1: Tensor,
    w2: Tensor,
    b2: Tensor) -> Tensor:
    # Without autograd: SAM's MLPBlock on row bands whose hidden layer (4x wide) stays below 8 MiB. Written whole,
    # ViT-B's hidden map is 50 MB at 1024², above the largest size glibc's malloc reuses (32 MiB), so each block
    # would map it and its GELU fresh and fault them in page by page; bands come from the heap and are reused.
    # GELU runs in place (no autograd here to save its input).
    c = x.size(-1)
    rows_in = x.reshape([-1, c])
    n = rows_in.size(0)
    hidden = w1.size(0)
    band = max(1, 2097152 // hidden)
    out = torch.empty([n, w2.size(0)], dtype=x.dtype, device=x.device)
    w1_t = torch.t(w1)
    w2_t = torch.t(w2)
    for i0 in range(0, n, band):
      m = min(band, n - i0)
      h = torch.addmm(b1, rows_in.narrow(0, i0, m), w1_t)
      h = torch.gelu_(h)
      torch.addmm(b2, h, w2_t, beta=1, alpha=1, out=out.narrow(0, i0, m))
    shape = x.size()
    shape[len(shape) - 1] = w2.size(0)
    return out.reshape(shape)
  def mlp_gelu_bf16(self: __torch__.Ops,
    x: Tensor,
    w1: Tensor,
    b1: Tensor,
    w2: Tensor,
    b2: Tensor) -> Tensor:
    # SAM's MLPBlock as autocast runs it: the 4x-wide hidden layer stays bf16 from one product through GELU (whose
    # bf16 kernel computes in float32 and rounds once, as casting a float32 GELU to bf16 would) into the next, so
    # it is never written out as float32 (a 50 MB map per ViT-B block at 1024², too large for the C allocator to
    # reuse: fresh pages on every call)
    y = torch.gelu(torch.linear(self.bf16(x), w1.to(15), b1.to(15)))
    return torch.linear(y, w2.to(15), b2.to(15)).to(6)
  def conv2d_bf16(self: __torch__.Ops,
    x: Tensor,
    weight: Tensor,
    bias: Tensor,
    geometry: Tensor) -> Tensor:
    # geometry: int64 (stride, padding, groups)
    stride = int(geometry[0])
    padding = int(geometry[1])
    groups = int(geometry[2])
    y = torch.conv2d(x.to(15), weight.to(15), bias.to(15), [stride, stride],
        [padding, padding], [1, 1], groups)
    return y.to(6)
  def conv2d_nobias_bf16(self: __torch__.Ops,
    x: Tensor,
    weight: Tensor,
    geometry: Tensor) -> Tensor:
    stride = int(geometry[0])
    padding = int(geometry[1])
    groups = int(geometry[2])
    y = torch.conv2d(x.to(15), weight.to(15), None, [stride, stride], [padding, padding],
        [1, 1], groups)
    return y.to(6)
  def qkv_attention_bf16(self: __torch__.Ops,
    qkv: Tensor) -> Tensor:
    return self.qkv_attention(self.bf16(qkv)).to(6)
  def qkv_rel_pos_attention_inference_bf16(self: __torch__.Ops,
    qkv: Tensor,
    rh: Tensor,
    rw: Tensor) -> Tensor:
    # Autocast's own steps, a band of queries (one grid row) at a time: scores from a bf16 product with the
    # relative-position bias (bf16 terms, autocast's einsum) added, softmax of the bf16 scores, a bf16 product with
    # v. libtorch's CPU flash kernel gains little from bf16 without AMX (ViT-B's global block: 0.51 s against 0.58
    # s in float32); these two products take 0.31-0.33 s (tools/bench_bf16_attention.py).
    qkv16 = self.bf16(qkv)
    rel = self.rel_pos_terms(qkv16, rh.to(15), rw.to(15))
    qkv3 = torch.unbind(qkv16, 0)
    q = qkv3[0]
    k_t = qkv3[1].transpose(1, 2)
    v = qkv3[2]
    n = q.size(1)
    band = rw.size(0)
    scale = q.size(2) ** -0.5
    out = torch.empty([q.size(0), n, q.size(2)], dtype=6, device=q.device)
    for i0 in range(0, n, band):
      m = min(band, n - i0)
      s = torch.baddbmm(self.band_bias(rel, i0, m), q.narrow(1, i0, m), k_t, beta=1., alpha=scale)
      out.narrow(1, i0, m).copy_(torch.bmm(torch.softmax(s, -1), v))
    return out
  def qkv_rel_pos_attention_bf16(self: __torch__.Ops,
    qkv: Tensor,
    rh: Tensor,
    rw: Tensor) -> Tensor:
    return self.qkv_rel_pos_attention(self.bf16(qkv), rh.to(15), rw.to(15)).to(6)
