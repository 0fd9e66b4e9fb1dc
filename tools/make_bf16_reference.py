"""PyTorch's own bf16 error for samtune's --precision bf16 test (org.samtune.model.nn.Bf16ParityTest).

Builds segment-anything's ImageEncoderViT with the sam-tiny fixture's configuration (tiny_sam.json), loads its
weights (tiny_sam.pth), and runs the fixture image (image.npy) in float32 and under
torch.autocast('cpu', dtype=torch.bfloat16), PyTorch 2.13 CPU. Writes src/test/resources/fixtures/bf16/:
  image_embeddings_bf16_autocast.npy   the autocast output, as float32
  autocast_error.npy                   [relative L2 error, max |diff|] of autocast against float32
samtune's bf16 run is then judged against the same float32 numbers with a tolerance derived from PyTorch's error.

Usage: PYTHONPATH=/path/to/segment-anything:/work/shared/tools/pytorch-reference python3 tools/make_bf16_reference.py
"""
import os
from functools import partial

import numpy as np
import torch
from segment_anything.modeling.image_encoder import ImageEncoderViT

HERE = os.path.dirname(__file__)
FIX = os.path.join(HERE, '..', 'src', 'test', 'resources', 'fixtures')
OUT = os.path.join(FIX, 'bf16')
os.makedirs(OUT, exist_ok=True)

enc = ImageEncoderViT(img_size=128, patch_size=16, in_chans=3, embed_dim=48, depth=2, num_heads=2, mlp_ratio=4.0,
                      out_chans=32, qkv_bias=True, norm_layer=partial(torch.nn.LayerNorm, eps=1e-6),
                      act_layer=torch.nn.GELU, use_abs_pos=True, use_rel_pos=True, rel_pos_zero_init=True,
                      window_size=3, global_attn_indexes=(1,))
sd = torch.load(os.path.join(FIX, 'sam-tiny', 'tiny_sam.pth'), map_location='cpu', weights_only=True)
enc.load_state_dict({k[len('image_encoder.'):]: v for k, v in sd.items() if k.startswith('image_encoder.')})
enc.eval()
image = torch.from_numpy(np.load(os.path.join(FIX, 'sam-tiny', 'image.npy')))
with torch.no_grad():
    fp32 = enc(image)
    golden = torch.from_numpy(np.load(os.path.join(FIX, 'sam-tiny', 'image_embeddings.npy')))
    print('float32 vs fixture max |diff|', (fp32 - golden).abs().max().item())
    with torch.autocast('cpu', dtype=torch.bfloat16):
        bf16 = enc(image)
    bf16 = bf16.float()
rel = ((bf16 - fp32).norm() / fp32.norm()).item()
mx = (bf16 - fp32).abs().max().item()
print('autocast bf16 vs float32: relative L2 %.4g, max |diff| %.4g' % (rel, mx))
np.save(os.path.join(OUT, 'image_embeddings_bf16_autocast.npy'), bf16.numpy())
np.save(os.path.join(OUT, 'autocast_error.npy'), np.array([rel, mx], dtype=np.float64))

# The global-attention case of fixtures/fused-attention (a 12 x 12 grid, dim 64, 2 heads; its `out` was computed in
# float64) under autocast: the tolerance of samtune's banded bf16 inference path (Bf16ParityTest).
from segment_anything.modeling.image_encoder import Attention  # noqa: E402

g = dict(np.load(os.path.join(FIX, 'fused-attention', 'global.npz')))
attn = Attention(64, num_heads=2, qkv_bias=True, use_rel_pos=True, rel_pos_zero_init=True, input_size=(12, 12))
attn.load_state_dict({k: torch.from_numpy(g[k]) for k in attn.state_dict()})
attn.eval()
x = torch.from_numpy(g['x'])
ref = torch.from_numpy(g['out']).double()
with torch.no_grad(), torch.autocast('cpu', dtype=torch.bfloat16):
    a_bf16 = attn(x).float()
a_rel = ((a_bf16.double() - ref).norm() / ref.norm()).item()
print('global attention, autocast bf16 vs float64: relative L2 %.4g' % a_rel)
np.save(os.path.join(OUT, 'attention_global_bf16_autocast.npy'), a_bf16.numpy())
np.save(os.path.join(OUT, 'attention_global_autocast_error.npy'), np.array([a_rel], dtype=np.float64))
