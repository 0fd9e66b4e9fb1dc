"""Golden data for org.samtune.inference.ClassLabels (the one rule from class logits to a label map).

Run with the system python3 (torch 2.x CPU): python3 tools/make_inference_goldens.py
Writes src/test/resources/inference/class_labels.npz. Not run by the tests; the committed file is the reference.
Case k holds
  c<k>_x     float32 (1, C, low, low) decoder logits
  c<k>_meta  int64 [img_size, valid_h, valid_w, orig_h, orig_w]
  c<k>_up    float32 (1, C, orig_h, orig_w): segment-anything's postprocess_masks written out here with torch ops
             (bilinear to img_size², crop to the valid region, bilinear to the original size, align_corners=False)
  c<k>_y     int64 (orig_h, orig_w): torch.argmax(up, dim=1) (ties: the first maximal index)
  c<k>_low   int64 (low, low): torch.argmax(x, dim=1), finetune-SAM's scoring at the decoder's size
"""
import os
import numpy as np
import torch
import torch.nn.functional as F

OUT = os.path.join(os.path.dirname(__file__), '..', 'src', 'test', 'resources', 'inference')
rng = np.random.default_rng(20261203)
torch.set_num_threads(1)


def postprocess(x, img, vh, vw, oh, ow):
    m = F.interpolate(x, (img, img), mode='bilinear', align_corners=False)
    m = m[..., :vh, :vw]
    return F.interpolate(m, (oh, ow), mode='bilinear', align_corners=False)


cases = [
    # classes, low, img, valid h, valid w, original h, original w
    (3, 16, 64, 64, 64, 50, 37),     # square resize (finetune-SAM): no crop, aspect ratio not kept
    (2, 16, 64, 64, 44, 93, 64),     # longest-side resize (SAM): the padding is cropped
    (5, 8, 32, 21, 32, 40, 61),      # upsampling and downsampling axes mixed
    (4, 16, 64, 64, 64, 20, 24),     # smaller than the decoder output
    (3, 8, 32, 32, 32, 32, 32),      # ties: channels 0 and 2 equal, channel 1 lower in half the image
]
d = {}
for k, (c, low, img, vh, vw, oh, ow) in enumerate(cases):
    x = rng.normal(0, 2, size=(1, c, low, low)).astype(np.float32)
    if k == 4:
        x[0, 2] = x[0, 0]
        x[0, 1, : low // 2] = x[0, 0, : low // 2] - 1
    t = torch.from_numpy(x)
    up = postprocess(t, img, vh, vw, oh, ow)
    d[f'c{k}_x'] = x
    d[f'c{k}_meta'] = np.array([img, vh, vw, oh, ow], dtype=np.int64)
    d[f'c{k}_up'] = up.numpy()
    d[f'c{k}_y'] = torch.argmax(up, dim=1)[0].numpy().astype(np.int64)
    d[f'c{k}_low'] = torch.argmax(t, dim=1)[0].numpy().astype(np.int64)
os.makedirs(OUT, exist_ok=True)
np.savez_compressed(os.path.join(OUT, 'class_labels.npz'), **d)
print('wrote', len(cases), 'cases, torch', torch.__version__)
