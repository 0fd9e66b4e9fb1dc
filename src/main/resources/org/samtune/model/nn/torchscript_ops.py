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
    rq = q.reshape([bh, h, w, c])
    rel_h = torch.einsum("bhwc,hkc->bhwk", [rq, rh]).reshape([bh, n, h])
    rel_w = torch.einsum("bhwc,wkc->bhwk", [rq, rw]).reshape([bh, n, w])
    qa = torch.cat([torch.mul(q, c ** -0.5), rel_h, rel_w], 2)
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
    # Without autograd, the rel-pos bias goes in as a float mask for one grid row of queries at a time: the
    # (B, w, N) mask band is small, and q.k stays C wide, where the augmented form makes it C + h + w wide (three
    # times the products in ViT-B's global blocks). With gradients the fused kernel would keep every band's mask
    # for backward and give it no gradient, so training uses qkv_rel_pos_attention.
    qkv3 = torch.unbind(qkv, 0)
    q = qkv3[0]
    k = qkv3[1].unsqueeze(1)
    v = qkv3[2].unsqueeze(1)
    bh = q.size(0)
    n = q.size(1)
    c = q.size(2)
    h = rh.size(0)
    w = rw.size(0)
    rq = q.reshape([bh, h, w, c])
    rel_h = torch.einsum("bhwc,hkc->bhwk", [rq, rh]).reshape([bh, n, h])
    rel_w = torch.einsum("bhwc,wkc->bhwk", [rq, rw]).reshape([bh, n, w])
    outs = annotate(List[Tensor], [])
    for r0 in range(0, n, w):
      bias = torch.add(rel_h.narrow(1, r0, w).unsqueeze(3), rel_w.narrow(1, r0, w).unsqueeze(2))
      bias = bias.reshape([bh, 1, w, n])
      band = torch.scaled_dot_product_attention(q.narrow(1, r0, w).unsqueeze(1), k, v, bias, 0., False)
      outs.append(band.squeeze(1))
    return torch.cat(outs, 1)
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
  def linear_bf16(self: __torch__.Ops,
    x: Tensor,
    weight: Tensor,
    bias: Tensor) -> Tensor:
    y = torch.linear(x.to(15), weight.to(15), bias.to(15))
    return y.to(6)
  def linear_nobias_bf16(self: __torch__.Ops,
    x: Tensor,
    weight: Tensor) -> Tensor:
    return torch.linear(x.to(15), weight.to(15)).to(6)
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
    return self.qkv_attention(qkv.to(15)).to(6)
  def qkv_rel_pos_attention_bf16(self: __torch__.Ops,
    qkv: Tensor,
    rh: Tensor,
    rw: Tensor) -> Tensor:
    return self.qkv_rel_pos_attention(qkv.to(15), rh.to(15), rw.to(15)).to(6)
