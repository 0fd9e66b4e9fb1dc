#!/usr/bin/env python3
"""Prints the pydicom values that DicomRealFilesTest checks (pydicom 2.3.1, numpy; Debian python3-pydicom).

Run from the repository root: python3 tools/dicom_expected.py
"wsum" is sum(value * (flat index mod 1009)), a checksum that also catches misplaced pixels.
"""
import glob

import numpy as np
import pydicom
from pydicom.pixel_data_handlers.util import apply_color_lut, apply_modality_lut


def wsum(a):
    w = np.arange(a.size).reshape(a.shape) % 1009
    return int((a.astype(np.int64) * w).sum())


files = sorted(glob.glob('data/dicom/mr-series/*.dcm'))
ds = [pydicom.dcmread(f) for f in files]
o = np.array(ds[0].ImageOrientationPatient, float)
normal = np.cross(o[:3], o[3:])
pos = [float(np.dot(normal, np.array(d.ImagePositionPatient, float))) for d in ds]
order = np.argsort(pos)
vol = np.stack([apply_modality_lut(ds[i].pixel_array, ds[i]) for i in order])
print('mr-series normal', normal, 'positions', [round(pos[i], 4) for i in order])
print('mr-series first', ds[order[0]].ImagePositionPatient, 'last', ds[order[-1]].ImagePositionPatient)
print('mr-series sum', int(vol.sum()), 'wsum', wsum(vol))
for k, r, c in [(0, 128, 128), (5, 100, 150), (10, 128, 64), (19, 200, 30), (12, 77, 201)]:
    print('  mr-series [k, row, col]', k, r, c, vol[k, r, c])

for f, points in [('CT_small.dcm', [(0, 0), (64, 64), (10, 100), (100, 10), (63, 31)]),
                  ('MR_small.dcm', [(0, 0), (63, 31)])]:
    d = pydicom.dcmread('data/dicom/misc/' + f)
    a = apply_modality_lut(d.pixel_array, d)
    print(f, 'sum', int(a.sum()), 'wsum', wsum(a), 'min', a.min(), 'max', a.max())
    for r, c in points:
        print('  [row, col]', r, c, a[r, c])

d = pydicom.dcmread('data/dicom/misc/US-PAL-8-10x-echo.dcm')
rgb = apply_color_lut(d.pixel_array, d).astype(np.int64)
print('US-PAL sum per channel', rgb.sum(axis=(0, 1, 2)), 'wsum per channel', [wsum(rgb[..., c]) for c in range(3)])
for f, r, c in [(0, 215, 300), (0, 305, 421), (1, 294, 286), (2, 184, 3), (8, 91, 582), (1, 289, 369),
                (8, 27, 312), (3, 100, 200)]:
    print('  [frame, row, col] RGB', f, r, c, rgb[f, r, c])
