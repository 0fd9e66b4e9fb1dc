"""PyTorch's own bf16 error on one whole training step, for samtune's bf16 training test
(org.samtune.train.Bf16TrainingStepTest).

The step is the sam-tiny fixture's "train_step" (manifest.json): segment-anything's Sam built from tiny_sam.json
with tiny_sam.pth, model.train(), image_encoder(image) with gradients, no prompt, mask_decoder(multimask_output=True)
-> logits (1, 3, 32, 32); loss = MONAI DiceLoss(sigmoid, squared_pred, to_onehot_y, include_background, smooth 1e-5)
+ CrossEntropyLoss, written out here from the manifest's formula; backward through every parameter. It runs once
in float32 (checked against the fixture's train_grads.npz) and once with the forward under
torch.autocast('cpu', dtype=torch.bfloat16), the loss taken in float32 as finetune-SAM's autocast loop does
(the logits leave autocast as bf16 and are cast up). PyTorch 2.13 CPU. Writes src/test/resources/fixtures/bf16/:
  train_step_autocast.npz          the autocast gradients (as float32) and 'loss' [dice, ce, total]
  train_step_autocast_error.npy    [relative L2 of all gradients together, of the encoder's, of the prompt
                                    encoder's and mask decoder's, |loss difference|] of autocast against float32

Usage: PYTHONPATH=/path/to/segment-anything:/work/shared/tools/pytorch-reference python3 tools/make_bf16_train_step_reference.py
"""
import os
from functools import partial

import numpy as np
import torch
import torch.nn.functional as F
from segment_anything.modeling import ImageEncoderViT, MaskDecoder, PromptEncoder, Sam, TwoWayTransformer

HERE = os.path.dirname(__file__)
FIX = os.path.join(HERE, '..', 'src', 'test', 'resources', 'fixtures')
OUT = os.path.join(FIX, 'bf16')
os.makedirs(OUT, exist_ok=True)
torch.set_num_threads(1)


def tiny_sam():
    enc = ImageEncoderViT(img_size=128, patch_size=16, in_chans=3, embed_dim=48, depth=2, num_heads=2,
                          mlp_ratio=4.0, out_chans=32, qkv_bias=True,
                          norm_layer=partial(torch.nn.LayerNorm, eps=1e-6), act_layer=torch.nn.GELU,
                          use_abs_pos=True, use_rel_pos=True, rel_pos_zero_init=True, window_size=3,
                          global_attn_indexes=(1,))
    pe = PromptEncoder(embed_dim=32, image_embedding_size=(8, 8), input_image_size=(128, 128), mask_in_chans=16)
    dec = MaskDecoder(num_multimask_outputs=3,
                      transformer=TwoWayTransformer(depth=2, embedding_dim=32, mlp_dim=64, num_heads=2),
                      transformer_dim=32, iou_head_depth=3, iou_head_hidden_dim=32)
    sam = Sam(image_encoder=enc, prompt_encoder=pe, mask_decoder=dec,
              pixel_mean=[123.675, 116.28, 103.53], pixel_std=[58.395, 57.12, 57.375])
    sd = torch.load(os.path.join(FIX, 'sam-tiny', 'tiny_sam.pth'), map_location='cpu', weights_only=True)
    sam.load_state_dict(sd)
    return sam


def dice_ce(pred, target):
    """The manifest's loss: MONAI DiceLoss(sigmoid, squared_pred, one-hot, with background) + CrossEntropyLoss."""
    c = pred.shape[1]
    s = torch.sigmoid(pred)
    t = F.one_hot(target[:, 0], c).permute(0, 3, 1, 2).float()
    dims = (2, 3)
    dice = (1 - (2 * (t * s).sum(dims) + 1e-5) / ((t * t).sum(dims) + (s * s).sum(dims) + 1e-5)).mean()
    ce = F.cross_entropy(pred, target[:, 0])
    return dice, ce, dice + ce


def step(sam, image, target, autocast):
    sam.zero_grad(set_to_none=True)
    with torch.autocast('cpu', dtype=torch.bfloat16, enabled=autocast):
        emb = sam.image_encoder(image)
        sparse, dense = sam.prompt_encoder(points=None, boxes=None, masks=None)
        pred, _ = sam.mask_decoder(image_embeddings=emb, image_pe=sam.prompt_encoder.get_dense_pe(),
                                   sparse_prompt_embeddings=sparse, dense_prompt_embeddings=dense,
                                   multimask_output=True)
    dice, ce, total = dice_ce(pred.float(), target)
    total.backward()
    grads = {k: p.grad.detach().float().clone() for k, p in sam.named_parameters() if p.grad is not None}
    return pred.detach().float(), [dice.item(), ce.item(), total.item()], grads


sam = tiny_sam()
sam.train()
image = torch.from_numpy(np.load(os.path.join(FIX, 'sam-tiny', 'image.npy')))
target = torch.from_numpy(np.load(os.path.join(FIX, 'sam-tiny', 'train_target.npy'))).long()
golden = dict(np.load(os.path.join(FIX, 'sam-tiny', 'train_grads.npz')))
golden_loss = np.load(os.path.join(FIX, 'sam-tiny', 'train_loss.npy'))

pred32, loss32, g32 = step(sam, image, target, False)
print('float32 loss', loss32, 'fixture', golden_loss.tolist())
assert sorted(g32) == sorted(golden), 'float32 gradients do not cover the fixture\'s parameters'
worst = max((g32[k] - torch.from_numpy(golden[k])).abs().max().item() for k in golden)
print('float32 gradients vs fixture: max |diff| %.3g' % worst)
assert worst < 1e-6

pred16, loss16, g16 = step(sam, image, target, True)
assert sorted(g16) == sorted(g32)


def rel(keys):
    a = torch.cat([g16[k].flatten() for k in keys]).double()
    b = torch.cat([g32[k].flatten() for k in keys]).double()
    return ((a - b).norm() / b.norm()).item()


keys = sorted(g32)
enc_keys = [k for k in keys if k.startswith('image_encoder.')]
head_keys = [k for k in keys if not k.startswith('image_encoder.')]
err = [rel(keys), rel(enc_keys), rel(head_keys), abs(loss16[2] - loss32[2])]
print('autocast bf16 vs float32: gradients relative L2 all %.4g, encoder %.4g, prompt encoder + decoder %.4g; '
      '|loss diff| %.3g (loss %.6f vs %.6f)' % (err[0], err[1], err[2], err[3], loss16[2], loss32[2]))
out = {k: v.numpy() for k, v in g16.items()}
out['loss'] = np.array(loss16, dtype=np.float32)
np.savez(os.path.join(OUT, 'train_step_autocast.npz'), **out)
np.save(os.path.join(OUT, 'train_step_autocast_error.npy'), np.array(err, dtype=np.float64))
