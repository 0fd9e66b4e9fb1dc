"""Golden numbers for samtune's LoRA qkv wrapper (org.samtune.peft.LoraQkv), forward and backward.

Runs finetune-SAM's own `_LoRA_qkv` (models/sam_LoRa.py, SAMed's form: qkv(x) with B_q A_q x added to the q third
and B_v A_v x to the v third, in place) with PyTorch 2.13 CPU in float64, and writes
src/test/resources/fixtures/lora-qkv/<case>.npz:
  qkv.weight, qkv.bias, linear_a_q.weight, linear_b_q.weight, linear_a_v.weight, linear_b_v.weight
                              the wrapper's state, the keys under a block's attn.qkv. (random; B is non-zero,
                              unlike LoRA's start, so that every gradient path is exercised)
  x (B, H, W, C) input, grad_out (B, H, W, 3C) upstream gradient, out the forward output,
  grad.<name>                 d sum(out * grad_out) / d <name> for x and every parameter
Reference numbers are float64 (stored as float32), so the test measures samtune's float32 error.

finetune-SAM's models package imports torchvision and more on import, so the class is read from its source file
alone (not copied here). Usage:
  python3 tools/make_lora_qkv_goldens.py /path/to/finetune-SAM
Not run by the tests; the committed files are the reference.
"""
import ast
import os
import sys

import numpy as np
import torch
import torch.nn as nn

OUT = os.path.join(os.path.dirname(__file__), '..', 'src', 'test', 'resources', 'fixtures', 'lora-qkv')


def lora_qkv_class(finetune_sam):
    path = os.path.join(finetune_sam, 'models', 'sam_LoRa.py')
    with open(path) as f:
        tree = ast.parse(f.read(), path)
    node = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == '_LoRA_qkv')
    scope = {'nn': nn, 'torch': torch}
    exec(compile(ast.Module(body=[node], type_ignores=[]), path, 'exec'), scope)
    return scope['_LoRA_qkv']


def case(cls, name, seed, batch, grid_h, grid_w, dim, rank):
    g = torch.Generator().manual_seed(seed)
    lora = cls(nn.Linear(dim, 3 * dim, bias=True), nn.Linear(dim, rank, bias=False),
               nn.Linear(rank, dim, bias=False), nn.Linear(dim, rank, bias=False), nn.Linear(rank, dim, bias=False))
    with torch.no_grad():
        for p in lora.parameters():
            p.copy_(torch.randn(p.shape, generator=g) * 0.3)
    lora = lora.double()
    x = torch.randn(batch, grid_h, grid_w, dim, generator=g, dtype=torch.float64).requires_grad_(True)
    grad_out = torch.randn(batch, grid_h, grid_w, 3 * dim, generator=g, dtype=torch.float64)
    out = lora(x)
    (out * grad_out).sum().backward()
    arrays = {k: v.detach().float().numpy() for k, v in lora.state_dict().items()}
    arrays['x'] = x.detach().float().numpy()
    arrays['grad_out'] = grad_out.float().numpy()
    arrays['out'] = out.detach().float().numpy()
    arrays['grad.x'] = x.grad.float().numpy()
    for k, p in lora.named_parameters():
        arrays['grad.' + k] = p.grad.float().numpy()
    np.savez(os.path.join(OUT, name + '.npz'), **arrays)
    print(name, {k: v.shape for k, v in arrays.items()})


if __name__ == '__main__':
    os.makedirs(OUT, exist_ok=True)
    cls = lora_qkv_class(sys.argv[1])
    case(cls, 'block', 21, 2, 5, 7, 24, 4)
