"""Golden for TrainingStepParityTest: 8 steps of finetune-SAM's recipe on a tiny per-pixel linear model.

Loss = MONAI-style Dice (sigmoid, squared, one-hot, background included) + CrossEntropy; AdamW(lr, betas 0.9/0.999,
eps 1e-8, wd 0.1) starting at lr/warmup; after each step lr_ = base*(i+1)/warmup while i < warmup, else
base*(1-(i-warmup)/max_iter)**0.9 (the reference's loop). One parameter never gets a gradient (skipped by AdamW).
Run from the project root with Debian's python3-torch 1.13:
    /usr/bin/python3 src/test/resources/golden/train/generate_mini_training.py
"""
import numpy as np
import torch
import torch.nn.functional as F

torch.set_num_threads(1)
rng = np.random.RandomState(5)
x = rng.randn(2, 3, 8, 8).astype(np.float32)
target = rng.randint(0, 3, size=(2, 1, 8, 8)).astype(np.int64)
w0 = (rng.randn(3, 3) * 0.5).astype(np.float32)
b0 = (rng.randn(3) * 0.1).astype(np.float32)
unused0 = rng.randn(4).astype(np.float32)

w = torch.tensor(w0, requires_grad=True)
b = torch.tensor(b0, requires_grad=True)
unused = torch.tensor(unused0, requires_grad=True)
base, warmup, max_iter, steps = 1e-2, 3, 10, 8
opt = torch.optim.AdamW([w, b, unused], lr=base / warmup, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.1)
xt = torch.tensor(x)
tt = torch.tensor(target)
losses, ws, bs, lrs = [], [], [], []
for i in range(steps):
    logits = torch.einsum("oc,bchw->bohw", w, xt) + b.view(1, 3, 1, 1)
    onehot = F.one_hot(tt[:, 0], 3).permute(0, 3, 1, 2).float()
    s = torch.sigmoid(logits)
    inter = (s * onehot).sum(dim=(2, 3))
    den = (onehot * onehot).sum(dim=(2, 3)) + (s * s).sum(dim=(2, 3))
    dice = (1 - (2 * inter + 1e-5) / (den + 1e-5)).mean()
    ce = torch.nn.CrossEntropyLoss()(logits, tt[:, 0])
    loss = dice + ce
    lrs.append(opt.param_groups[0]["lr"])
    loss.backward()
    opt.step()
    opt.zero_grad(set_to_none=False)
    if i < warmup:
        lr_ = base * ((i + 1) / warmup)
    else:
        lr_ = base * (1.0 - (i - warmup) / max_iter) ** 0.9
    for g in opt.param_groups:
        g["lr"] = lr_
    losses.append(loss.item())
    ws.append(w.detach().numpy().copy())
    bs.append(b.detach().numpy().copy())
assert unused.grad is None and np.array_equal(unused.detach().numpy(), unused0)
out = "src/test/resources/golden/train/"
np.savez(out + "mini_training.npz", x=x, target=target, w0=w0, b0=b0, unused0=unused0,
         losses=np.array(losses, np.float32), lrs=np.array(lrs, np.float64), w=np.stack(ws), b=np.stack(bs))
print("losses", losses)
