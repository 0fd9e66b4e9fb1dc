# Writes the small NIfTI files of NiftiGoldenTest with nibabel, and what nibabel reads back from them
# (data after scaling, get_best_affine) into golden.txt. Run with Debian's python3-nibabel (5.0.0).
import numpy as np
import nibabel as nib

out = []

def record(name):
    img = nib.load(name)
    hdr = img.header
    data = img.get_fdata(dtype=np.float64)
    aff = hdr.get_best_affine()
    out.append(name)
    out.append("shape " + " ".join(str(s) for s in data.shape[:3]))
    out.append("affine " + " ".join(repr(float(x)) for x in aff.ravel()))
    out.append("axcodes " + "".join(nib.aff2axcodes(aff)))
    # x-fastest order, as samtune's Volume
    out.append("data " + " ".join(repr(float(x)) for x in data.reshape(data.shape[:3]).ravel(order="F")))

rng = np.random.default_rng(7)

# 1. NIfTI-1 big-endian int16, qform only (rotation, qfac -1), scl_slope 0.5 / inter 10.
d = rng.integers(-300, 300, size=(3, 4, 2)).astype(">i2")
c, s = np.cos(0.4), np.sin(0.4)
aff = np.array([[0.9 * c, -1.1 * s, 0, 5], [0.9 * s, 1.1 * c, 0, -7], [0, 0, -2.5, 11], [0, 0, 0, 1]])
img = nib.Nifti1Image(d, None)
img.header.set_data_dtype(">i2")
img.header.set_qform(aff, code=1)
img.header.set_sform(None, code=0)
img.header.set_slope_inter(0.5, 10)
nib.save(img, "qform_be_int16.nii")
# nibabel writes native order; rewrite as big-endian explicitly
hdr = img.header.as_byteswapped(">")
hdr["vox_offset"] = 352
with open("qform_be_int16.nii", "wb") as f:
    hdr.write_to(f)
    f.write(b"\0" * (int(hdr["vox_offset"]) - 348))
    f.write(d.astype(">i2").tobytes(order="F"))
record("qform_be_int16.nii")

# 2. NIfTI-2 float32 .nii.gz with a sheared sform (code 3) and a qform (code 1): sform wins.
d = rng.standard_normal((2, 3, 4)).astype("<f4")
sform = np.array([[1.2, 0.1, 0, -3], [0, -0.8, 0.2, 4], [0.05, 0, 3.0, -5], [0, 0, 0, 1]])
img = nib.Nifti2Image(d, None)
img.header.set_qform(np.diag([2, 2, 2, 1.0]), code=1)
img.header.set_sform(sform, code=3)
nib.save(img, "sform_nifti2_float32.nii.gz")
record("sform_nifti2_float32.nii.gz")

# 3. NIfTI-1 uint16, neither qform nor sform: nibabel's base affine (x flipped, centred).
d = rng.integers(0, 65535, size=(5, 2, 3)).astype("<u2")
img = nib.Nifti1Image(d, None)
img.header.set_zooms((0.7, 1.3, 2.0))
img.header.set_qform(None, code=0)
img.header.set_sform(None, code=0)
nib.save(img, "base_uint16.nii")
record("base_uint16.nii")

# 4. NIfTI-2 big-endian int32 with a 4-D dim (dim[4] = 1).
d = rng.integers(-100000, 100000, size=(2, 2, 2, 1)).astype(">i4")
img = nib.Nifti2Image(d, np.diag([3.0, 2.0, 1.0, 1.0]))
img.header.set_data_dtype(">i4")
hdr = img.header.as_byteswapped(">")
hdr["vox_offset"] = 544
with open("nifti2_be_int32_4d.nii", "wb") as f:
    hdr.write_to(f)
    f.write(b"\0" * (int(hdr["vox_offset"]) - 540))
    f.write(d.astype(">i4").tobytes(order="F"))
record("nifti2_be_int32_4d.nii")

with open("golden.txt", "w") as f:
    f.write("\n".join(out) + "\n")
