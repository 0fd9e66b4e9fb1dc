"""Goldens for the data pipeline tests (PIL, torchvision, OpenCV semantics), written as .npy files.

Run from the project root with Debian's packages (python3-pil 9.4, python3-torchvision 0.14, python3-opencv 4.6):
    /usr/bin/python3 src/test/resources/golden/data/generate.py
"""
import numpy as np
import cv2
import torch
import torchvision.transforms.functional as F
from torchvision.transforms import InterpolationMode
from PIL import Image, ImageEnhance, ImageOps

out = "src/test/resources/golden/data/"
rng = np.random.RandomState(3)

# 8-bit RGB: a smooth colour gradient plus noise (many distinct values) and a grey version.
h, w = 23, 31
yy, xx = np.mgrid[0:h, 0:w]
rgb = np.stack([(xx * 7 + rng.randint(0, 40, (h, w))) % 256,
                (yy * 9 + rng.randint(0, 40, (h, w))) % 256,
                ((xx + yy) * 4 + 30 + rng.randint(0, 60, (h, w))) % 256], axis=-1).astype(np.uint8)
grey = np.repeat(((xx * 3 + yy * 5 + rng.randint(0, 20, (h, w))) % 200 + 20).astype(np.uint8)[..., None], 3, -1)
np.save(out + "rgb.npy", rgb)
np.save(out + "grey.npy", grey)

def pil(a):
    return Image.fromarray(a, "RGB")

for name, img in [("rgb", rgb), ("grey", grey)]:
    np.save(out + f"{name}_equalize.npy", np.array(ImageOps.equalize(pil(img))))
    for f in [0.7, 1.234, 1.3]:
        tag = str(f).replace(".", "p")
        np.save(out + f"{name}_brightness_{tag}.npy", np.array(F.adjust_brightness(pil(img), f)))
        np.save(out + f"{name}_contrast_{tag}.npy", np.array(F.adjust_contrast(pil(img), f)))
        np.save(out + f"{name}_saturation_{tag}.npy", np.array(F.adjust_saturation(pil(img), f)))
    for hf in [0.1, 0.27, -0.2]:
        tag = str(hf).replace(".", "p").replace("-", "m")
        np.save(out + f"{name}_hue_{tag}.npy", np.array(F.adjust_hue(pil(img), hf)))

# Spatial: a float image (3, 17, 20) and labels; rotation and resized crop with fixed parameters.
img = torch.tensor(rng.randn(3, 17, 20).astype(np.float32))
np.save(out + "spatial_image.npy", img.numpy())
for angle in [30.0, -45.0, 12.5, 90.0]:
    tag = str(angle).replace(".", "p").replace("-", "m")
    r = F.rotate(img, angle, interpolation=InterpolationMode.NEAREST, fill=0)
    np.save(out + f"rotate_{tag}.npy", r.numpy())
for (top, left, ch, cw) in [(2, 3, 9, 11), (0, 0, 17, 20), (5, 1, 12, 7)]:
    r = F.resized_crop(img, top, left, ch, cw, [17, 20], interpolation=InterpolationMode.NEAREST)
    np.save(out + f"crop_{top}_{left}_{ch}_{cw}.npy", r.numpy())

# OpenCV distance transform (DIST_L2, maskSize 5) on small shapes, padded by one pixel as the reference does.
shapes = {}
a = np.zeros((9, 12), np.uint8); a[1:8, 2:11] = 1; shapes["rect"] = a
b = np.zeros((15, 15), np.uint8); cv2.circle(b, (7, 7), 6, 1, -1); shapes["disc"] = b
c = np.zeros((10, 10), np.uint8); c[2:9, 1:3] = 1; c[7:9, 1:9] = 1; shapes["ell"] = c
d = (rng.rand(14, 16) > 0.3).astype(np.uint8); shapes["noise"] = d
for k, m in shapes.items():
    padded = np.pad(m, ((1, 1), (1, 1)), "constant")
    dist = cv2.distanceTransform(padded, distanceType=cv2.DIST_L2, maskSize=5).astype(np.float32)
    np.save(out + f"dist_{k}_mask.npy", padded)
    np.save(out + f"dist_{k}.npy", dist)
print("ok")
