"""Golden data for org.samtune.model.Conv2dBN in eval mode (BatchNorm folded into the convolution).

Run with the system python3 (torch 2.x CPU): python3 tools/make_conv2d_bn_goldens.py
Writes src/test/resources/fixtures/tinyvit/conv2d_bn_eval.npz. Not run by the tests; the committed file is the reference.

TinyViT's Conv2d_BN is torch.nn.Sequential(c=Conv2d(bias=False), bn=BatchNorm2d) (MobileSAM's tiny_vit_sam.py);
here the same two torch.nn layers in eval mode, with non-trivial running statistics and affine parameters, and
gradients recorded (a fine-tuning step through an encoder kept in eval mode). For case k:
  k<k>_meta   int64 [in, out, kernel, stride, padding, groups]
  k<k>_x      float32 input (B, in, H, W);  k<k>_w conv weight;  k<k>_gamma, k<k>_beta, k<k>_mean, k<k>_var
  k<k>_y      output;  k<k>_g  the upstream gradient (loss = sum(y * g))
  k<k>_dx, k<k>_dw, k<k>_dgamma, k<k>_dbeta   gradients of that loss
"""
import os
import numpy as np
import torch

OUT = os.path.join(os.path.dirname(__file__), '..', 'src', 'test', 'resources', 'fixtures', 'tinyvit')
torch.manual_seed(20261203)
torch.set_num_threads(1)

cases = [
    # in, out, kernel, stride, padding, groups
    (8, 16, 1, 1, 0, 1),      # MBConv conv1 / PatchMerging conv1,3: 1x1
    (16, 16, 3, 1, 1, 16),    # MBConv conv2 / local_conv: depthwise 3x3
    (16, 16, 3, 2, 1, 16),    # PatchMerging conv2: depthwise, stride 2
    (3, 8, 3, 2, 1, 1),       # PatchEmbed: full 3x3, stride 2
]
d = {}
for k, (cin, cout, ks, st, pad, groups) in enumerate(cases):
    c = torch.nn.Conv2d(cin, cout, ks, st, pad, groups=groups, bias=False)
    bn = torch.nn.BatchNorm2d(cout)
    with torch.no_grad():
        bn.weight.copy_(torch.randn(cout) * 0.5 + 1)
        bn.bias.copy_(torch.randn(cout) * 0.5)
        bn.running_mean.copy_(torch.randn(cout))
        bn.running_var.copy_(torch.rand(cout) * 2.8 + 0.2)
    seq = torch.nn.Sequential(c, bn).eval()
    x = torch.randn(2, cin, 13, 13, requires_grad=True)
    y = seq(x)
    g = torch.randn_like(y)
    (y * g).sum().backward()
    d[f'k{k}_meta'] = np.array([cin, cout, ks, st, pad, groups], dtype=np.int64)
    d[f'k{k}_x'] = x.detach().numpy()
    d[f'k{k}_w'] = c.weight.detach().numpy()
    d[f'k{k}_gamma'] = bn.weight.detach().numpy()
    d[f'k{k}_beta'] = bn.bias.detach().numpy()
    d[f'k{k}_mean'] = bn.running_mean.numpy()
    d[f'k{k}_var'] = bn.running_var.numpy()
    d[f'k{k}_y'] = y.detach().numpy()
    d[f'k{k}_g'] = g.numpy()
    d[f'k{k}_dx'] = x.grad.numpy()
    d[f'k{k}_dw'] = c.weight.grad.numpy()
    d[f'k{k}_dgamma'] = bn.weight.grad.numpy()
    d[f'k{k}_dbeta'] = bn.bias.grad.numpy()
os.makedirs(OUT, exist_ok=True)
np.savez_compressed(os.path.join(OUT, 'conv2d_bn_eval.npz'), **d)
print('wrote', len(cases), 'cases, torch', torch.__version__)
