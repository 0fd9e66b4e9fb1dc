"""Golden gradient of finetune-SAM's Dice+CE loss w.r.t. the logits, for DiceCeLossTest.

Run with Debian's python3-torch (torch 1.13) from the project root:
    /usr/bin/python3 src/test/resources/golden/train/generate_loss_grad.py
The Dice part is MONAI's DiceLoss(sigmoid=True, squared_pred=True, to_onehot_y=True, include_background=True,
smooth_nr=smooth_dr=1e-5, batch=False, reduction='mean') written out (MONAI is not packaged in Debian); its value
on the same input is checked against the MONAI-made fixture train_loss.npy in the same test.
"""
import numpy as np
import torch
import torch.nn.functional as F

torch.set_num_threads(1)
fx = "src/test/resources/fixtures/sam-tiny/"
pred = torch.tensor(np.load(fx + "train_pred.npy"), requires_grad=True)
target = torch.tensor(np.load(fx + "train_target.npy"))
c = pred.shape[1]
onehot = F.one_hot(target[:, 0], c).permute(0, 3, 1, 2).float()
s = torch.sigmoid(pred)
inter = (s * onehot).sum(dim=(2, 3))
den = (onehot * onehot).sum(dim=(2, 3)) + (s * s).sum(dim=(2, 3))
dice = (1 - (2 * inter + 1e-5) / (den + 1e-5)).mean()
ce = torch.nn.CrossEntropyLoss()(pred, target[:, 0])
total = dice + ce
total.backward()
expected = np.load(fx + "train_loss.npy")
assert np.allclose([dice.item(), ce.item(), total.item()], expected, atol=1e-6), (dice, ce, expected)
np.save("src/test/resources/golden/train/train_loss_grad_pred.npy", pred.grad.numpy().astype(np.float32))
print("loss", dice.item(), ce.item(), total.item(), "grad max", pred.grad.abs().max().item())
