"""Golden data for the resizing kernels in org.samtune.data (run with Debian's python3: torch 1.13, Pillow 9.4).

Writes src/test/resources/kernels/*.npz. Not run by the tests; the committed files are the reference.
Each .npz holds cases c<k>_x (input) and c<k>_y (output); shapes carry the sizes.
  torch_bilinear.npz     F.interpolate(x[None], size, mode='bilinear', align_corners=False), x float32 (C,H,W)
  torch_bilinear_ac.npz  same with align_corners=True
  torch_bilinear_aa.npz  same with antialias=True (torchvision >= 0.17 tensor Resize)
  tv_label_resize.npz    torchvision Resize((h,w)) on a long mask (1,1,H,W): float -> interpolate -> round -> long;
                         c<k>_aa is 1 when antialias=True (torchvision >= 0.17), 0 for 0.15.2
  pil_bilinear.npz       np.array(Image.fromarray(x).resize((w,h), Image.BILINEAR)), x uint8 (H,W) or (H,W,3)
  pil_nearest.npz        same with Image.NEAREST
  sam_resize_longest.npz ResizeLongestSide(target).apply_image / apply_coords / apply_boxes
  finetune_sam_pre.npz   finetune-SAM Public_dataset transforms with real torchvision (Debian 0.14.1):
                         image x (uint8 HW or HWC) -> y (3,S,S) float; c<k>_norm 0 = 'sam', 1 = 'medsam';
                         mask m -> m_y (NEAREST); long mask -> torchvision Resize((S/4,S/4)) -> gt_y
  full_size.json         SHA-256 of outputs at the real sizes (1024², 256²) for inputs given by integer formulas
                         that the Java test recomputes (too large to commit as arrays)
"""
import os
import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

OUT = os.path.join(os.path.dirname(__file__), '..', 'src', 'test', 'resources', 'kernels')
rng = np.random.default_rng(20240601)
torch.set_num_threads(1)


def save(name, cases):
    d = {}
    for k, c in enumerate(cases):
        for key, v in c.items():
            d[f'c{k}_{key}'] = v
    np.savez_compressed(os.path.join(OUT, name), **d)


def torch_cases(align_corners=False, antialias=False):
    shapes = [((3, 7, 9), (13, 5)), ((2, 16, 16), (64, 64)), ((2, 48, 64), (30, 40)), ((2, 37, 53), (61, 31)),
              ((1, 17, 23), (40, 9)), ((2, 5, 5), (5, 5)), ((2, 1, 7), (3, 1)), ((2, 6, 8), (1, 1)),
              ((3, 8, 8), (32, 32)), ((2, 64, 48), (16, 20)), ((1, 40, 40), (7, 40))]
    cases = []
    for (c, h, w), (oh, ow) in shapes:
        x = (rng.standard_normal((c, h, w)) * 3).astype(np.float32)
        kw = dict(mode='bilinear', align_corners=align_corners)
        if antialias:
            kw['antialias'] = True
        y = F.interpolate(torch.from_numpy(x)[None], (oh, ow), **kw)[0].numpy()
        cases.append({'x': x, 'y': y})
    return cases


def label_cases():
    cases = []
    for (h, w, oh, ow, ncls) in [(64, 64, 16, 16, 2), (50, 70, 20, 13, 4), (10, 10, 25, 25, 3), (96, 96, 32, 32, 2)]:
        # blocky labels so that boundaries and ties appear
        small = rng.integers(0, ncls, size=(max(h // 8, 1), max(w // 8, 1)))
        lab = np.kron(small, np.ones((8, 8), dtype=np.int64))[:h, :w]
        lab = np.pad(lab, ((0, h - lab.shape[0]), (0, w - lab.shape[1])), mode='edge').astype(np.int64)
        for aa in (False, True):
            t = torch.from_numpy(lab)[None, None].float()
            y = F.interpolate(t, (oh, ow), mode='bilinear', align_corners=False, antialias=aa)
            y = torch.round(y).to(torch.int64)[0, 0].numpy()
            cases.append({'x': lab.astype(np.int16), 'y': y.astype(np.int16), 'aa': np.array(int(aa))})
    return cases


def pil_cases(resample):
    shapes = [((37, 53), (20, 30)), ((20, 30), (64, 48)), ((64, 48), (17, 100)), ((60, 80), (96, 128)),
              ((100, 90), (7, 5)), ((40, 40), (40, 20)), ((33, 41), (33, 41)), ((9, 11), (250, 3)), ((20, 30), (7, 30))]
    cases = []
    for k, ((h, w), (oh, ow)) in enumerate(shapes):
        shape = (h, w, 3) if k % 2 == 0 else (h, w)
        # smooth gradient + noise so both flat areas and edges (clipping) occur
        yy, xx = np.mgrid[0:h, 0:w]
        base = (yy * 255.0 / max(h - 1, 1) * 0.5 + xx * 255.0 / max(w - 1, 1) * 0.5)
        if len(shape) == 3:
            base = np.stack([base, 255 - base, (base * 3) % 256], axis=-1)
        noise = rng.integers(-60, 61, size=shape)
        x = np.clip(base + noise, 0, 255).astype(np.uint8)
        x[0, :] = 255
        x[-1, :] = 0
        if resample == Image.NEAREST:
            x = (x // 64).astype(np.uint8)  # label-like values
        y = np.array(Image.fromarray(x).resize((ow, oh), resample))
        cases.append({'x': x, 'y': y})
    return cases



def get_preprocess_shape(oldh, oldw, long_side_length):
    scale = long_side_length * 1.0 / max(oldh, oldw)
    newh, neww = oldh * scale, oldw * scale
    return int(newh + 0.5), int(neww + 0.5)


def resize_longest_cases():
    cases = []
    for (h, w, target) in [(60, 80, 128), (50, 37, 64), (31, 200, 96), (40, 40, 48)]:
        x = rng.integers(0, 256, size=(h, w, 3), dtype=np.uint8)
        nh, nw = get_preprocess_shape(h, w, target)
        # torchvision resize(to_pil_image(img), (nh, nw)) == PIL resize((nw, nh), BILINEAR)
        y = np.array(Image.fromarray(x).resize((nw, nh), Image.BILINEAR))
        coords = rng.uniform(0, max(h, w), size=(5, 2))
        c2 = coords.copy().astype(float)
        c2[..., 0] = c2[..., 0] * (nw / w)
        c2[..., 1] = c2[..., 1] * (nh / h)
        boxes = rng.uniform(0, max(h, w), size=(2, 4))
        b2 = boxes.reshape(-1, 2, 2).copy().astype(float)
        b2[..., 0] = b2[..., 0] * (nw / w)
        b2[..., 1] = b2[..., 1] * (nh / h)
        cases.append({'x': x, 'y': y, 'target': np.array(target), 'coords': coords, 'coords_out': c2,
                      'boxes': boxes, 'boxes_out': b2.reshape(-1, 4)})
    return cases


def finetune_sam_cases():
    from torchvision import transforms
    from torchvision.transforms import InterpolationMode
    cases = []
    for k, (shape, norm, size) in enumerate([((37, 53), 0, 48), ((50, 40, 3), 0, 48), ((37, 53), 1, 32)]):
        x = rng.integers(0, 256, size=shape, dtype=np.uint8)
        img = Image.fromarray(x).convert('RGB')
        tf = [transforms.ToTensor()]
        if norm == 0:
            tf.append(transforms.Normalize(mean=[0.485, 0.456, 0.406], std=[0.229, 0.224, 0.225]))
        else:
            tf.append(transforms.Lambda(lambda t: (t - torch.min(t)) / (torch.max(t) - torch.min(t))))
        y = transforms.Compose(tf)(transforms.Resize((size, size))(img)).numpy()
        m = (rng.integers(0, 3, size=shape[:2]) * (rng.random(shape[:2]) > 0.5)).astype(np.uint8)
        m_y = np.array(transforms.Resize((size, size), InterpolationMode.NEAREST)(Image.fromarray(m).convert('L')))
        gt = torch.tensor(np.array(m_y, dtype=int), dtype=torch.long)[None, None]
        gt_y = transforms.Resize((size // 4, size // 4))(gt)[0, 0].numpy().astype(np.int16)
        cases.append({'x': x, 'y': y, 'norm': np.array(norm), 'm': m, 'm_y': m_y, 'gt_y': gt_y})
    return cases


def pattern_u8(h, w, c):
    y, x, ch = np.meshgrid(np.arange(h), np.arange(w), np.arange(c), indexing='ij')
    return ((y * 7 + x * 13 + ch * 101 + (x * y) % 31) % 256).astype(np.uint8)


def pattern_f32(n):
    i = np.arange(n, dtype=np.int64)
    return (((i * 37) % 1000).astype(np.float32) / np.float32(100) - np.float32(5)).astype(np.float32)


def full_size_hashes():
    import hashlib
    import json
    from torchvision import transforms
    h = lambda a: hashlib.sha256(np.ascontiguousarray(a).tobytes()).hexdigest()
    out = {}
    grey = pattern_u8(384, 384, 1)[..., 0]
    out['pil_bilinear_384_L_to_1024'] = h(np.array(Image.fromarray(grey).resize((1024, 1024), Image.BILINEAR)))
    rgb = pattern_u8(512, 400, 3)
    out['pil_bilinear_512x400_RGB_to_1024'] = h(np.array(Image.fromarray(rgb).resize((1024, 1024), Image.BILINEAR)))
    out['pil_nearest_384_L_to_1024'] = h(np.array(Image.fromarray(grey).resize((1024, 1024), Image.NEAREST)))
    rgb2 = pattern_u8(300, 500, 3)
    nh, nw = get_preprocess_shape(300, 500, 1024)
    out['resize_longest_300x500_RGB_to_1024'] = h(np.array(Image.fromarray(rgb2).resize((nw, nh), Image.BILINEAR)))
    low = torch.from_numpy(pattern_f32(2 * 3 * 256 * 256).reshape(2, 3, 256, 256))
    up = F.interpolate(low, (1024, 1024), mode='bilinear', align_corners=False)
    up = F.interpolate(up[..., :614, :1024], (300, 500), mode='bilinear', align_corners=False)
    out['sam_postprocess_2x3x256_to_300x500'] = h(up.numpy())
    one = F.interpolate(low[:, :1].contiguous(), (1024, 1024), mode='bilinear', align_corners=False)
    out['torch_bilinear_2x1x256_to_1024'] = h(one.numpy())
    # the same values as a strided slice: no longer channels-last contiguous, so ATen's generic kernel runs
    one = F.interpolate(low[:, :1], (1024, 1024), mode='bilinear', align_corners=False)
    out['torch_bilinear_2x1x256_to_1024_slice'] = h(one.numpy())
    # SAM postprocess with one mask per image (multimask_output=False): the crop decides the kernel
    for b in (1, 2):
        m = low[:b, :1].contiguous()
        up = F.interpolate(m, (1024, 1024), mode='bilinear', align_corners=False)
        up = F.interpolate(up[..., :614, :1024], (300, 500), mode='bilinear', align_corners=False)
        out[f'sam_postprocess_{b}x1x256_to_300x500'] = h(up.numpy())
    lab = torch.from_numpy((pattern_u8(1024, 1024, 1)[..., 0] // 86).astype(np.int64))[None, None]
    out['tv_label_1024_to_256'] = h(transforms.Resize((256, 256))(lab).numpy().astype(np.int64))
    out['tv_label_1024_to_256_antialias'] = h(
        torch.round(F.interpolate(lab.float(), (256, 256), mode='bilinear', align_corners=False, antialias=True))
        .to(torch.int64).numpy())
    img = Image.fromarray(grey).convert('RGB')
    t = transforms.Compose([transforms.Resize((1024, 1024)), transforms.ToTensor(),
                            transforms.Normalize(mean=[0.485, 0.456, 0.406], std=[0.229, 0.224, 0.225])])
    out['finetune_sam_image_384_L_sam'] = h(t(img).numpy())
    with open(os.path.join(OUT, 'full_size.json'), 'w') as f:
        json.dump(out, f, indent=1, sort_keys=True)


if __name__ == '__main__':
    os.makedirs(OUT, exist_ok=True)
    save('torch_bilinear.npz', torch_cases())
    save('torch_bilinear_ac.npz', torch_cases(align_corners=True))
    save('torch_bilinear_aa.npz', torch_cases(antialias=True))
    save('tv_label_resize.npz', label_cases())
    save('pil_bilinear.npz', pil_cases(Image.BILINEAR))
    save('pil_nearest.npz', pil_cases(Image.NEAREST))
    save('sam_resize_longest.npz', resize_longest_cases())
    save('finetune_sam_pre.npz', finetune_sam_cases())
    full_size_hashes()
    print(torch.__version__, Image.__version__)
