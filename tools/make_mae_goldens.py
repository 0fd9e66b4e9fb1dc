"""Golden numbers for samtune's MAE pretraining (org.samtune.pretrain), computed with PyTorch 2.13 CPU / numpy.

Writes src/test/resources/fixtures/mae/*.npy. Not run by the tests; the committed files are the reference.
The definitions follow facebookresearch/mae (models_mae.py: random_masking, patchify, forward_loss with
norm_pix_loss; util/lr_sched.py: adjust_learning_rate; util/pos_embed.py: get_2d_sincos_pos_embed), written
here from their documented semantics:
  noise.npy          (2, 12) uniform noise of random_masking
  mask.npy           (2, 12) 1 = masked, 0 = kept, for mask ratio 0.75 (int(L * (1 - 0.75)) = 3 kept)
  mask_r05.npy       (2, 12) the same noise with mask ratio 0.5
  imgs.npy           (2, 3, 64, 48) images (patch 16: 4 x 3 patches); patch (0, 1) of image 1 is constant
  patches.npy        (2, 12, 768) patchify(imgs): einsum nchpwq->nhwpqc
  target_norm.npy    (2, 12, 768) per-patch normalised target: (x - mean) / sqrt(var_unbiased + 1e-6)
  pred.npy           (2, 12, 768) a prediction
  loss_norm.npy      ()  MSE per patch, averaged over masked patches, norm_pix_loss=True
  loss_plain.npy     ()  the same with norm_pix_loss=False
  grad_pred.npy      (2, 12, 768) d loss_norm / d pred
  lr.npy             (60,) adjust_learning_rate per iteration: lr 1e-3, min_lr 1e-5, warmup 2 epochs, 10 epochs,
                     6 iterations per epoch, epoch = it / 6 (fractional, as main_pretrain.py calls it)
  pos_embed.npy      (16, 32) get_2d_sincos_pos_embed(32, 4) without the cls token
"""
import math
import os

import numpy as np
import torch

OUT = os.path.join(os.path.dirname(__file__), '..', 'src', 'test', 'resources', 'fixtures', 'mae')
os.makedirs(OUT, exist_ok=True)
torch.manual_seed(7)
P = 16


def save(name, a):
    np.save(os.path.join(OUT, name + '.npy'), np.ascontiguousarray(a))


def mask_from_noise(noise, ratio):
    n, length = noise.shape
    keep = int(length * (1 - ratio))
    ids_shuffle = torch.argsort(noise, dim=1)
    ids_restore = torch.argsort(ids_shuffle, dim=1)
    mask = torch.ones([n, length])
    mask[:, :keep] = 0
    return torch.gather(mask, dim=1, index=ids_restore)


def patchify(imgs, p):
    n, c, hh, ww = imgs.shape
    h, w = hh // p, ww // p
    x = imgs.reshape(n, c, h, p, w, p)
    x = torch.einsum('nchpwq->nhwpqc', x)
    return x.reshape(n, h * w, p * p * c)


def loss(imgs, pred, mask, norm_pix):
    target = patchify(imgs, P)
    if norm_pix:
        mean = target.mean(dim=-1, keepdim=True)
        var = target.var(dim=-1, keepdim=True)
        target = (target - mean) / (var + 1.e-6) ** .5
    l = ((pred - target) ** 2).mean(dim=-1)
    return (l * mask).sum() / mask.sum(), target


noise = torch.rand(2, 12)
mask = mask_from_noise(noise, 0.75)
imgs = torch.randn(2, 3, 64, 48)
imgs[1, :, 0:16, 16:32] = 0.37
pred = torch.randn(2, 12, P * P * 3, requires_grad=True)
l_norm, target = loss(imgs, pred, mask, True)
l_norm.backward()
l_plain, _ = loss(imgs, pred.detach(), mask, False)

save('noise', noise.numpy())
save('mask', mask.numpy())
save('mask_r05', mask_from_noise(noise, 0.5).numpy())
save('imgs', imgs.numpy())
save('patches', patchify(imgs, P).numpy())
save('target_norm', target.numpy())
save('pred', pred.detach().numpy())
save('loss_norm', l_norm.detach().numpy().astype(np.float32))
save('loss_plain', l_plain.detach().numpy().astype(np.float32))
save('grad_pred', pred.grad.numpy())

lr, min_lr, warmup, epochs, per_epoch = 1e-3, 1e-5, 2, 10, 6
lrs = []
for it in range(epochs * per_epoch):
    e = it / per_epoch
    if e < warmup:
        v = lr * e / warmup
    else:
        v = min_lr + (lr - min_lr) * 0.5 * (1. + math.cos(math.pi * (e - warmup) / (epochs - warmup)))
    lrs.append(v)
save('lr', np.array(lrs, dtype=np.float64))


def sincos_1d(dim, pos):
    omega = np.arange(dim // 2, dtype=np.float64) / (dim / 2.)
    omega = 1. / 10000 ** omega
    out = np.einsum('m,d->md', pos.reshape(-1), omega)
    return np.concatenate([np.sin(out), np.cos(out)], axis=1)


def sincos_2d(dim, grid_size):
    gh = np.arange(grid_size, dtype=np.float32)
    gw = np.arange(grid_size, dtype=np.float32)
    grid = np.meshgrid(gw, gh)  # w goes first, as in MAE
    grid = np.stack(grid, axis=0).reshape([2, 1, grid_size, grid_size])
    emb_h = sincos_1d(dim // 2, grid[0])
    emb_w = sincos_1d(dim // 2, grid[1])
    return np.concatenate([emb_h, emb_w], axis=1)


save('pos_embed', sincos_2d(32, 4).astype(np.float32))
print('written to', os.path.abspath(OUT))
