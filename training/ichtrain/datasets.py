"""NIfTI image + mask loader for real labelled data (the common public ICH layouts).

Accepted layouts under DATA_DIR:
- one folder per patient: DATA_DIR/<id>/ct.nii.gz (or image.nii.gz) + DATA_DIR/<id>/mask.nii.gz;
- DATA_DIR/images/<id>.nii[.gz] + DATA_DIR/masks/<id>.nii[.gz] with matching names.
The CT must be in HU. Volumes are split train/val/test (SplitConfig: 70/10/20) by a seeded shuffle
of the ids; data.load_split prepares them.
"""
from __future__ import annotations

import os

import numpy as np

from .phantoms import Volume

IMAGE_NAMES = ("ct.nii.gz", "ct.nii", "image.nii.gz", "image.nii")
MASK_NAMES = ("mask.nii.gz", "mask.nii", "label.nii.gz", "label.nii", "seg.nii.gz")


class DatasetError(ValueError):
    pass


def find_pairs(data_dir: str):
    pairs = []
    img_dir, msk_dir = os.path.join(data_dir, "images"), os.path.join(data_dir, "masks")
    if os.path.isdir(img_dir) and os.path.isdir(msk_dir):
        masks = {n: os.path.join(msk_dir, n) for n in os.listdir(msk_dir)}
        for n in sorted(os.listdir(img_dir)):
            if n.endswith((".nii", ".nii.gz")):
                if n not in masks:
                    raise DatasetError(f"no mask for image {n} in {msk_dir}")
                pairs.append((n.split(".nii")[0], os.path.join(img_dir, n), masks[n]))
        return pairs
    for pid in sorted(os.listdir(data_dir)):
        d = os.path.join(data_dir, pid)
        if not os.path.isdir(d):
            continue
        img = next((os.path.join(d, n) for n in IMAGE_NAMES if os.path.exists(os.path.join(d, n))), None)
        msk = next((os.path.join(d, n) for n in MASK_NAMES if os.path.exists(os.path.join(d, n))), None)
        if img and msk:
            pairs.append((pid, img, msk))
        elif img or msk:
            raise DatasetError(f"{d}: needs both a CT ({IMAGE_NAMES}) and a mask ({MASK_NAMES})")
    if not pairs:
        raise DatasetError(f"{data_dir}: no image/mask pairs found")
    return pairs


def load_nifti_volume(img_path: str, mask_path: str) -> Volume:
    """NIfTI (x, y, z) -> Volume [S, rows, cols] with slices along the third axis."""
    import nibabel as nib
    img = nib.load(img_path)
    msk = nib.load(mask_path)
    if img.shape != msk.shape:
        raise DatasetError(f"{img_path}: image shape {img.shape} != mask shape {msk.shape}")
    if len(img.shape) != 3:
        raise DatasetError(f"{img_path}: expected a 3D volume, got shape {img.shape}")
    hu = np.asarray(img.dataobj, dtype=np.float32)  # scl_slope/inter applied by nibabel
    lab = (np.asarray(msk.dataobj) > 0).astype(np.float32)
    zooms = img.header.get_zooms()[:3]
    # (x, y, z) -> (z, y, x): rows are y, columns x, as in DICOM
    hu = np.transpose(hu, (2, 1, 0))
    lab = np.transpose(lab, (2, 1, 0))
    return Volume(np.ascontiguousarray(hu), np.ascontiguousarray(lab),
                  (float(zooms[1]), float(zooms[0]), float(zooms[2])), "nifti", [])


def nifti_split_volumes(data_dir: str, split: str, seed: int, split_cfg) -> list[tuple[int, Volume]]:
    """(pair index, Volume) of one split; split_cfg is a config.SplitConfig."""
    pairs = find_pairs(data_dir)
    out = []
    for i in split_cfg.indices(len(pairs), seed)[split]:
        pid, img, msk = pairs[i]
        out.append((int(i), load_nifti_volume(img, msk)))
    return out
