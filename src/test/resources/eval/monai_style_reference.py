# Dev-time cross-check: MONAI's surface metrics re-stated with scipy (binary_erosion edges, distance_transform_edt
# with sampling, numpy linear percentile). Prints the numbers committed in SegmentationMetricsTest.
import numpy as np
from scipy.ndimage import binary_erosion, distance_transform_edt

def ellipsoid(shape, c, r):
    g = np.meshgrid(*[np.arange(n, dtype=np.float64) for n in shape], indexing="ij")
    s = np.zeros(shape)
    for a in range(len(shape)):
        s = s + ((g[a] - c[a]) / r[a]) ** 2
    return s <= 1.0

def metrics(pred, gt, spacing, tol):
    ep = binary_erosion(pred) ^ pred
    eg = binary_erosion(gt) ^ gt
    d1 = distance_transform_edt(~eg, sampling=spacing)[ep]
    d2 = distance_transform_edt(~ep, sampling=spacing)[eg]
    inter = np.logical_and(pred, gt).sum()
    dice = 2.0 * inter / (pred.sum() + gt.sum())
    iou = inter / np.logical_or(pred, gt).sum()
    hd95 = max(np.percentile(d1, 95), np.percentile(d2, 95))
    alld = np.concatenate([d1, d2])
    return dice, iou, hd95, alld.mean(), (alld <= tol).sum() / alld.size

np.set_printoptions(precision=17)
shape = (24, 20, 12); sp = (0.8, 1.0, 2.5)
pred = ellipsoid(shape, (11.3, 9.1, 5.2), (7.2, 5.5, 3.1))
gt = ellipsoid(shape, (12.6, 8.4, 6.1), (6.1, 6.3, 2.7))
print("3d", [repr(float(v)) for v in metrics(pred, gt, sp, 2.0)], int(pred.sum()), int(gt.sum()))
shape2 = (40, 33); sp2 = (0.7, 1.3)
pred2 = ellipsoid(shape2, (18.2, 15.7), (11.4, 7.9)) & ~ellipsoid(shape2, (20.1, 16.2), (3.3, 2.6))
gt2 = ellipsoid(shape2, (21.5, 14.1), (9.7, 10.2))
print("2d", [repr(float(v)) for v in metrics(pred2, gt2, sp2, 1.5)], int(pred2.sum()), int(gt2.sum()))

# Real data: AAL subcortical classes vs the same atlas shifted by +1 voxel along j and +2 along k (zero fill),
# spacing taken as (1, 1, 1) mm from the Colin27 affine; NSD tolerance 2 mm. Run from the repository root.
import gzip, os
if os.path.exists("data/colin27/aal.nii.gz"):
    b = gzip.open("data/colin27/aal.nii.gz").read()
    dims = np.frombuffer(b[40:56], "<i2").astype(np.int64)
    off = int(np.frombuffer(b[108:112], "<f4")[0])
    n = int(dims[1] * dims[2] * dims[3])
    aal = np.frombuffer(b[off:off + n], np.uint8).reshape(dims[3], dims[2], dims[1]).transpose(2, 1, 0)
    shifted = np.zeros_like(aal)
    shifted[:, 1:, 2:] = aal[:, :-1, :-2]
    for name, values in [("caudate", (71, 72)), ("pallidum", (75, 76)), ("hippocampus", (37, 38))]:
        print(name, [repr(float(v)) for v in metrics(np.isin(shifted, values), np.isin(aal, values), (1, 1, 1), 2.0)])
