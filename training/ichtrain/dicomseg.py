"""DICOM CT series + DICOM SEG loader: a site's own labelled studies (OHIF, 3D Slicer, ich-triage).

Under DICOM_DIR (searched recursively; any file names, any folder layout):
- CT Image Storage instances (SOP class 1.2.840.10008.5.1.4.1.1.2), grouped by SeriesInstanceUID;
- Segmentation Storage instances (1.2.840.10008.5.1.4.1.1.66.4, or Modality SEG), each matched to
  its CT series by ReferencedSeriesSequence, else by the SourceImageSequence SOP UIDs of its frames.
A CT series with one or more SEGs is a training pair (several SEGs of one series are united);
a CT series without a SEG is not used.

The CT volume is sorted along the slice normal (ImageOrientationPatient row x column, dotted with
ImagePositionPatient), HU = stored * RescaleSlope + RescaleIntercept, spacing = (PixelSpacing row,
PixelSpacing column, median position step). Each SEG frame goes on the slice its
DerivationImageSequence > SourceImageSequence > ReferencedSOPInstanceUID names, else on the slice
its PlanePositionSequence > ImagePositionPatient lies on (nearest, within half a step).
BINARY frames are bit-packed (PS3.5 8.1.1, least significant bit first, frames contiguous);
FRACTIONAL frames are thresholded at 0.5 * MaximumFractionalValue.
Segments: all are hemorrhage by default; SegmentRule chooses them by number or label substring.
Whatever does not fit raises a DicomSegError (a DatasetError) naming the file and the tag.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field

import numpy as np

from .config import SplitConfig
from .datasets import DatasetError
from .phantoms import Volume

CT_IMAGE_STORAGE = "1.2.840.10008.5.1.4.1.1.2"
ENHANCED_CT_STORAGE = "1.2.840.10008.5.1.4.1.1.2.1"
SEG_STORAGE = "1.2.840.10008.5.1.4.1.1.66.4"
LABELMAP_SEG_STORAGE = "1.2.840.10008.5.1.4.1.1.66.7"
DICOMDIR_CLASS = "1.2.840.10008.1.3.10"
ORIENTATION_TOL = 1e-3   # direction cosines
POSITION_TOL_MM = 1e-3   # two slices closer than this along the normal are duplicates


class DicomSegError(DatasetError):
    """A DICOM/SEG input the loader refuses; the message names the file and the tag."""


class SegWithoutSeriesError(DicomSegError):
    pass


class FrameOutsideStackError(DicomSegError):
    pass


class GeometryMismatchError(DicomSegError):
    pass


class UndecodableCtError(DicomSegError):
    pass


class UnsupportedSegError(DicomSegError):
    pass


class SegmentRuleError(DicomSegError):
    pass


def _tag(keyword: str) -> str:
    from pydicom.datadict import tag_for_keyword
    t = tag_for_keyword(keyword)
    return f"{keyword} ({t >> 16:04X},{t & 0xFFFF:04X})" if t is not None else keyword


@dataclass
class SegmentRule:
    """Which segments count as hemorrhage. include: numbers (int) or label substrings (str,
    case-insensitive); empty = every segment. exclude: the same, applied after include."""
    include: tuple = ()
    exclude: tuple = ()

    @staticmethod
    def parse(include: str | None = None, exclude: str | None = None) -> "SegmentRule":
        def items(s):
            out = []
            for tok in (s or "").split(","):
                tok = tok.strip()
                if tok:
                    out.append(int(tok) if tok.isdigit() else tok.lower())
            return tuple(out)
        return SegmentRule(items(include), items(exclude))

    @staticmethod
    def _hit(tokens, number, label):
        for t in tokens:
            if isinstance(t, int) and t == number:
                return True
            if isinstance(t, str) and t.lower() in (label or "").lower():
                return True
        return False

    def selects(self, number: int, label: str) -> bool:
        if self.include and not self._hit(self.include, number, label):
            return False
        return not self._hit(self.exclude, number, label)

    def describe(self) -> str:
        inc = ", ".join(map(repr, self.include)) if self.include else "every segment"
        exc = (" except " + ", ".join(map(repr, self.exclude))) if self.exclude else ""
        return (f"hemorrhage = {inc}{exc} (numbers match SegmentNumber, text matches a substring "
                f"of SegmentLabel, case-insensitive)")

    def to_dict(self):
        return {"include": list(self.include), "exclude": list(self.exclude)}

    @staticmethod
    def from_dict(d: dict | None) -> "SegmentRule":
        d = d or {}
        return SegmentRule(tuple(d.get("include") or ()), tuple(d.get("exclude") or ()))


@dataclass
class CtSlice:
    path: str
    sop: str
    ipp: np.ndarray
    iop: np.ndarray
    rows: int
    cols: int
    pixel_spacing: tuple


@dataclass
class CtSeries:
    uid: str
    slices: list = field(default_factory=list)  # CtSlice, sorted along the normal by geometry()
    patient: str = ""
    study: str = ""
    frame_of_reference: str = ""


@dataclass
class DicomPair:
    id: str            # the CT SeriesInstanceUID
    group: str         # PatientID (else StudyInstanceUID): the split keeps a patient in one split
    ct: CtSeries
    segs: list         # paths of the SEG files of this series


@dataclass
class Scan:
    series: dict       # SeriesInstanceUID -> CtSeries
    segs: list         # (path, header dataset)
    skipped: list      # (path, reason)


def _read_header(path):
    import pydicom
    from pydicom.errors import InvalidDicomError
    try:
        return pydicom.dcmread(path, stop_before_pixels=True)
    except (InvalidDicomError, EOFError, OSError, ValueError, TypeError, KeyError) as e:
        return e


def _floats(ds, keyword, n, path):
    v = ds.get(keyword)
    try:
        a = np.array([float(x) for x in v], dtype=np.float64) if v is not None else None
    except (TypeError, ValueError):
        a = None
    if a is None or a.shape != (n,) or not np.all(np.isfinite(a)):
        raise GeometryMismatchError(f"{path}: {_tag(keyword)} needs {n} numbers, has {v!r}")
    return a


def scan(dicom_dir: str) -> Scan:
    """Reads the headers (no pixels) of every file under dicom_dir."""
    if not os.path.isdir(dicom_dir):
        raise DicomSegError(f"{dicom_dir}: not a folder")
    series, segs, skipped = {}, [], []
    for root, dirs, files in os.walk(dicom_dir):
        dirs.sort()
        for name in sorted(files):
            path = os.path.join(root, name)
            ds = _read_header(path)
            if isinstance(ds, Exception):
                skipped.append((path, f"not DICOM ({type(ds).__name__})"))
                continue
            cls = str(ds.get("SOPClassUID", "") or getattr(getattr(ds, "file_meta", None), "MediaStorageSOPClassUID", ""))
            if cls == DICOMDIR_CLASS or "DirectoryRecordSequence" in ds:
                skipped.append((path, "DICOMDIR"))
                continue
            if cls in (SEG_STORAGE, LABELMAP_SEG_STORAGE) or ds.get("Modality") == "SEG":
                segs.append((path, ds))
            elif cls == CT_IMAGE_STORAGE:
                uid = str(ds.get("SeriesInstanceUID", ""))
                if not uid:
                    raise DicomSegError(f"{path}: CT instance without {_tag('SeriesInstanceUID')}")
                s = series.setdefault(uid, CtSeries(uid, [], str(ds.get("PatientID", "") or ""),
                                                    str(ds.get("StudyInstanceUID", "") or ""),
                                                    str(ds.get("FrameOfReferenceUID", "") or "")))
                ps = _floats(ds, "PixelSpacing", 2, path)
                s.slices.append(CtSlice(path, str(ds.SOPInstanceUID), _floats(ds, "ImagePositionPatient", 3, path),
                                        _floats(ds, "ImageOrientationPatient", 6, path),
                                        int(ds.get("Rows", 0) or 0), int(ds.get("Columns", 0) or 0),
                                        (float(ps[0]), float(ps[1]))))
            else:
                what = "Enhanced CT (multi-frame) is not read" if cls == ENHANCED_CT_STORAGE else \
                    f"SOP class {cls or '?'} ({ds.get('Modality', '?')}) is not CT Image Storage"
                skipped.append((path, what))
    return Scan(series, segs, skipped)


def _normal(iop):
    return np.cross(iop[:3], iop[3:])


def geometry(ct: CtSeries):
    """Sorts ct.slices along the normal in place; returns (positions along the normal, step, normal)."""
    first = ct.slices[0]
    for s in ct.slices[1:]:
        if np.max(np.abs(s.iop - first.iop)) > ORIENTATION_TOL:
            raise GeometryMismatchError(f"{s.path}: {_tag('ImageOrientationPatient')} {list(s.iop)} differs from "
                                        f"{list(first.iop)} of {first.path}: one series must be one stack")
        if (s.rows, s.cols) != (first.rows, first.cols):
            raise GeometryMismatchError(f"{s.path}: {_tag('Rows')}/{_tag('Columns')} {s.rows}x{s.cols} differ from "
                                        f"{first.rows}x{first.cols} of {first.path}")
        if np.max(np.abs(np.subtract(s.pixel_spacing, first.pixel_spacing))) > 1e-4:
            raise GeometryMismatchError(f"{s.path}: {_tag('PixelSpacing')} {s.pixel_spacing} differs from "
                                        f"{first.pixel_spacing} of {first.path}")
    n = _normal(first.iop)
    ct.slices.sort(key=lambda s: float(np.dot(n, s.ipp)))
    pos = np.array([float(np.dot(n, s.ipp)) for s in ct.slices])
    d = np.diff(pos)
    if len(d) and d.min() < POSITION_TOL_MM:
        i = int(np.argmin(d))
        raise GeometryMismatchError(f"{ct.slices[i + 1].path}: {_tag('ImagePositionPatient')} repeats the slice position "
                                    f"of {ct.slices[i].path} ({pos[i]:.3f} mm along the normal): two stacks in one series?")
    step = float(np.median(d)) if len(d) else 1.0
    return pos, step, n


def _ct_pixels(sl: CtSlice, rows, cols):
    import pydicom
    ds = pydicom.dcmread(sl.path)
    try:
        px = ds.pixel_array
    except Exception as e:  # no handler for the transfer syntax, or damaged data
        ts = getattr(getattr(ds, "file_meta", None), "TransferSyntaxUID", "?")
        name = getattr(ts, "name", "")
        raise UndecodableCtError(f"{sl.path}: pydicom cannot decode the pixels ({_tag('TransferSyntaxUID')} "
                                 f"{ts} {name}): {type(e).__name__}: {e}. Decompress the series first "
                                 f"(e.g. dcmdjpeg / gdcmconv --raw)") from None
    if px.shape != (rows, cols):
        raise GeometryMismatchError(f"{sl.path}: pixel data is {px.shape}, {_tag('Rows')}/{_tag('Columns')} say "
                                    f"{rows}x{cols} (one frame expected)")
    slope = float(ds.get("RescaleSlope", 1.0) or 1.0)
    inter = float(ds.get("RescaleIntercept", 0.0) or 0.0)
    return px.astype(np.float64) * slope + inter


def _seg_referenced_series(seg_ds):
    return [str(it.get("SeriesInstanceUID", "")) for it in seg_ds.get("ReferencedSeriesSequence", []) or []]


def _frame_source_sops(fg):
    sops = []
    for der in fg.get("DerivationImageSequence", []) or []:
        for src in der.get("SourceImageSequence", []) or []:
            if "ReferencedSOPInstanceUID" in src:
                sops.append(str(src.ReferencedSOPInstanceUID))
    return sops


def match_segs(sc: Scan):
    """SEG path -> CT SeriesInstanceUID; raises SegWithoutSeriesError for a SEG that fits none."""
    sop_to_series = {s.sop: uid for uid, ser in sc.series.items() for s in ser.slices}
    out = {}
    for path, ds in sc.segs:
        refs = _seg_referenced_series(ds)
        found = sorted({r for r in refs if r in sc.series})
        if not found:  # fallback: the source images of the frames
            sops = [sop for fg in ds.get("PerFrameFunctionalGroupsSequence", []) or [] for sop in _frame_source_sops(fg)]
            found = sorted({sop_to_series[s] for s in sops if s in sop_to_series})
            if not found:
                raise SegWithoutSeriesError(
                    f"{path}: no CT series under the folder matches this SEG: {_tag('ReferencedSeriesSequence')} "
                    f"names {refs or 'nothing'}, and none of the {len(sops)} frame references in "
                    f"PerFrameFunctionalGroupsSequence > {_tag('SourceImageSequence')} is a CT Image Storage "
                    f"instance here (CT series found: {len(sc.series)})")
        if len(found) > 1:
            raise UnsupportedSegError(f"{path}: {_tag('ReferencedSeriesSequence')} matches {len(found)} CT series "
                                      f"here ({found}); one SEG must label one series")
        out[path] = found[0]
    return out


def find_dicom_pairs(dicom_dir: str):
    """(pairs sorted by series UID, scan). Reads headers only."""
    sc = scan(dicom_dir)
    if not sc.segs:
        raise DicomSegError(f"{dicom_dir}: no DICOM SEG found ({len(sc.series)} CT series, "
                            f"{len(sc.skipped)} other files)")
    m = match_segs(sc)
    by_series = {}
    for path, uid in m.items():
        by_series.setdefault(uid, []).append(path)
    pairs = []
    for uid in sorted(by_series):
        ct = sc.series[uid]
        pairs.append(DicomPair(uid, ct.patient or ct.study or uid, ct, sorted(by_series[uid])))
    return pairs, sc


def _seq_first(fg, seq, keyword):
    items = fg.get(seq, None) if fg is not None else None
    if items and keyword in items[0]:
        return items[0].get(keyword)
    return None


def _unpack_seg_frames(ds, path, nframes, rows, cols):
    """[F, R, C] uint8 (BINARY: 0/1; FRACTIONAL: stored values)."""
    from pydicom.uid import UID
    ts = UID(str(getattr(getattr(ds, "file_meta", None), "TransferSyntaxUID", "1.2.840.10008.1.2.1")))
    bits = int(ds.get("BitsAllocated", 0) or 0)
    if "PixelData" not in ds:
        raise UnsupportedSegError(f"{path}: SEG without {_tag('PixelData')}")
    if ts.is_compressed or bits not in (1, 8):
        try:
            px = np.asarray(ds.pixel_array)
        except Exception as e:
            raise UnsupportedSegError(f"{path}: pydicom cannot decode the SEG pixels ({_tag('TransferSyntaxUID')} "
                                      f"{ts} {ts.name}, {_tag('BitsAllocated')} {bits}): {e}") from None
        return px.reshape(nframes, rows, cols).astype(np.uint8)
    raw = np.frombuffer(ds.PixelData, dtype=np.uint8)
    n = nframes * rows * cols
    if bits == 1:
        need = (n + 7) // 8
        if raw.size < need:
            raise UnsupportedSegError(f"{path}: {_tag('PixelData')} has {raw.size} bytes, {nframes} frames of "
                                      f"{rows}x{cols} 1-bit pixels need {need}")
        return np.unpackbits(raw[:need], bitorder="little")[:n].reshape(nframes, rows, cols)
    if raw.size < n:
        raise UnsupportedSegError(f"{path}: {_tag('PixelData')} has {raw.size} bytes, {nframes} frames of "
                                  f"{rows}x{cols} 8-bit pixels need {n}")
    return raw[:n].reshape(nframes, rows, cols)


def read_seg(path: str, ct: CtSeries, pos, step, normal, rule: SegmentRule, log=None):
    """The SEG's selected segments as a uint8 [S, R, C] label on ct's (sorted) slices, plus notes."""
    import pydicom
    ds = pydicom.dcmread(path)
    notes = []
    first = ct.slices[0]
    R, C = first.rows, first.cols
    if str(ds.get("SOPClassUID", "")) == LABELMAP_SEG_STORAGE:
        raise UnsupportedSegError(f"{path}: {_tag('SOPClassUID')} is Label Map Segmentation; export BINARY SEG")
    rows, cols = int(ds.get("Rows", 0) or 0), int(ds.get("Columns", 0) or 0)
    if (rows, cols) != (R, C):
        raise GeometryMismatchError(f"{path}: {_tag('Rows')}/{_tag('Columns')} {rows}x{cols} differ from the CT's "
                                    f"{R}x{C} ({first.path}): a resampled SEG is not read")
    stype = str(ds.get("SegmentationType", "") or "")
    if stype == "BINARY":
        thr = 1
    elif stype == "FRACTIONAL":
        mx = int(ds.get("MaximumFractionalValue", 255) or 255)
        thr = mx / 2.0
        notes.append(f"{os.path.basename(path)}: FRACTIONAL SEG thresholded at 0.5 of "
                     f"MaximumFractionalValue {mx} (value >= {thr:g} is lesion)")
        if log:
            log(notes[-1])
    else:
        raise UnsupportedSegError(f"{path}: {_tag('SegmentationType')} is {stype!r}, BINARY or FRACTIONAL expected")
    segments = {}
    for it in ds.get("SegmentSequence", []) or []:
        segments[int(it.SegmentNumber)] = str(it.get("SegmentLabel", "") or "")
    if not segments:
        raise UnsupportedSegError(f"{path}: empty {_tag('SegmentSequence')}")
    chosen = {n for n, lab in segments.items() if rule.selects(n, lab)}
    if not chosen:
        raise SegmentRuleError(f"{path}: no segment of {_tag('SegmentSequence')} "
                               f"{[(n, lab) for n, lab in sorted(segments.items())]} is chosen by the rule: "
                               f"{rule.describe()}")
    nframes = int(ds.get("NumberOfFrames", 1) or 1)
    pf = ds.get("PerFrameFunctionalGroupsSequence", None)
    if pf is None or len(pf) != nframes:
        raise UnsupportedSegError(f"{path}: {_tag('PerFrameFunctionalGroupsSequence')} has "
                                  f"{0 if pf is None else len(pf)} items, {_tag('NumberOfFrames')} is {nframes}")
    shared = (ds.get("SharedFunctionalGroupsSequence", None) or [None])[0]
    iop = _seq_first(shared, "PlaneOrientationSequence", "ImageOrientationPatient")
    frames = _unpack_seg_frames(ds, path, nframes, rows, cols)
    sop_index = {s.sop: i for i, s in enumerate(ct.slices)}
    same_for = (not ct.frame_of_reference or
                str(ds.get("FrameOfReferenceUID", ct.frame_of_reference)) == ct.frame_of_reference)
    row_dir, col_dir = first.iop[:3], first.iop[3:]
    label = np.zeros((len(ct.slices), R, C), np.uint8)
    used = 0
    for f, fg in enumerate(pf):
        seg_no = _seq_first(fg, "SegmentIdentificationSequence", "ReferencedSegmentNumber")
        if seg_no is None:
            seg_no = _seq_first(shared, "SegmentIdentificationSequence", "ReferencedSegmentNumber")
        if seg_no is None:
            raise UnsupportedSegError(f"{path}: frame {f + 1} has no SegmentIdentificationSequence > "
                                      f"{_tag('ReferencedSegmentNumber')}")
        seg_no = int(seg_no)
        if seg_no not in segments:
            raise UnsupportedSegError(f"{path}: frame {f + 1} {_tag('ReferencedSegmentNumber')} {seg_no} is not in "
                                      f"SegmentSequence {sorted(segments)}")
        f_iop = _seq_first(fg, "PlaneOrientationSequence", "ImageOrientationPatient")
        f_iop = f_iop if f_iop is not None else iop
        if f_iop is not None and np.max(np.abs(np.array([float(x) for x in f_iop]) - first.iop)) > ORIENTATION_TOL:
            raise GeometryMismatchError(f"{path}: frame {f + 1} PlaneOrientationSequence > "
                                        f"{_tag('ImageOrientationPatient')} {list(f_iop)} differs from the CT's "
                                        f"{list(first.iop)}")
        ipp = _seq_first(fg, "PlanePositionSequence", "ImagePositionPatient")
        ipp = None if ipp is None else np.array([float(x) for x in ipp])
        sops = _frame_source_sops(fg)
        idx = next((sop_index[s] for s in sops if s in sop_index), None)
        if idx is not None and ipp is not None:
            off = abs(float(np.dot(normal, ipp)) - pos[idx])
            if off > step / 2:
                raise FrameOutsideStackError(
                    f"{path}: frame {f + 1} references SOP {ct.slices[idx].sop} (ReferencedSOPInstanceUID) but its "
                    f"PlanePositionSequence > {_tag('ImagePositionPatient')} {list(ipp)} is {off:.2f} mm from that "
                    f"slice along the normal (step {step:.2f} mm)")
        if idx is None:
            if ipp is None or not same_for:
                why = "no PlanePositionSequence > ImagePositionPatient" if ipp is None else \
                    f"{_tag('FrameOfReferenceUID')} differs from the CT's"
                raise FrameOutsideStackError(
                    f"{path}: frame {f + 1} fits no slice of series {ct.uid}: its DerivationImageSequence > "
                    f"SourceImageSequence > ReferencedSOPInstanceUID {sops or 'is absent'} names no slice of it, "
                    f"and {why}")
            s = float(np.dot(normal, ipp))
            idx = int(np.argmin(np.abs(pos - s)))
            if abs(pos[idx] - s) > step / 2:
                raise FrameOutsideStackError(
                    f"{path}: frame {f + 1} fits no slice of series {ct.uid}: ReferencedSOPInstanceUID "
                    f"{sops or 'absent'} names no slice of it, and its PlanePositionSequence > "
                    f"{_tag('ImagePositionPatient')} {list(ipp)} lies {s:.2f} mm along the normal, "
                    f"{abs(pos[idx] - s):.2f} mm from the nearest slice (more than half the step "
                    f"{step:.2f} mm; stack {pos[0]:.2f}..{pos[-1]:.2f} mm)")
        if ipp is not None:
            d = ipp - ct.slices[idx].ipp
            dr, dc = abs(float(np.dot(d, row_dir))), abs(float(np.dot(d, col_dir)))
            if dr > first.pixel_spacing[1] / 2 or dc > first.pixel_spacing[0] / 2:
                raise GeometryMismatchError(
                    f"{path}: frame {f + 1} PlanePositionSequence > {_tag('ImagePositionPatient')} {list(ipp)} is "
                    f"shifted in-plane by ({dr:.2f}, {dc:.2f}) mm from slice {ct.slices[idx].path}: the frame "
                    f"does not lie on the CT's pixel grid")
        if seg_no in chosen:
            label[idx] |= (frames[f] >= thr).astype(np.uint8)
            used += 1
    notes.append(f"{os.path.basename(path)}: {used}/{nframes} frames of segments "
                 f"{[(n, segments[n]) for n in sorted(chosen)]}")
    return label, notes


def load_dicom_pair(pair: DicomPair, rule: SegmentRule | None = None, log=None) -> Volume:
    """The CT of the pair (HU) and the union of its SEGs' chosen segments, as a Volume."""
    rule = rule or SegmentRule()
    ct = pair.ct
    pos, step, normal = geometry(ct)
    first = ct.slices[0]
    if first.rows <= 0 or first.cols <= 0:
        raise GeometryMismatchError(f"{first.path}: {_tag('Rows')}/{_tag('Columns')} missing")
    hu = np.stack([_ct_pixels(s, first.rows, first.cols) for s in ct.slices]).astype(np.float32)
    label = np.zeros(hu.shape, np.uint8)
    notes = []
    for p in pair.segs:
        lab, n = read_seg(p, ct, pos, step, normal, rule, log)
        label |= lab
        notes += n
    if log and not label.any():
        log(f"{first.path}: series {ct.uid}: the chosen segments of its SEG(s) are empty: a negative volume")
    v = Volume(hu, label.astype(np.float32), (first.pixel_spacing[0], first.pixel_spacing[1], step), "dicom", [])
    v.notes = notes
    return v


def split_pairs(pairs, seed: int = 0, split_cfg: SplitConfig | None = None):
    """70/10/20 (SplitConfig) by a seeded shuffle of the patients (PatientID, else study): as the
    NIfTI split, but a patient's series stay in one split."""
    groups = sorted({p.group for p in pairs})
    parts = (split_cfg or SplitConfig()).indices(len(groups), seed)
    out = {}
    for split, gi in parts.items():
        keep = {groups[i] for i in gi}
        out[split] = [i for i, p in enumerate(pairs) if p.group in keep]
    return out


def dicom_split_volumes(dicom_dir: str, split: str, seed: int = 0, split_cfg: SplitConfig | None = None,
                        rule: SegmentRule | None = None, log=print) -> list[tuple[int, Volume]]:
    """(pair index, Volume) of one split; data.load_split prepares them."""
    pairs, _ = find_dicom_pairs(dicom_dir)
    out = [(int(i), load_dicom_pair(pairs[i], rule, log)) for i in split_pairs(pairs, seed, split_cfg)[split]]
    if log:
        log(f"{split}: {len(out)} DICOM CT + SEG volumes from {dicom_dir}")
    return out


def describe_dicom_data(dicom_dir: str, rule: SegmentRule | None = None, seed: int = 0,
                        split_cfg: SplitConfig | None = None) -> dict:
    """What run.json records about DICOM training data (headers only)."""
    rule = rule or SegmentRule()
    pairs, sc = find_dicom_pairs(dicom_dir)
    sp = split_pairs(pairs, seed, split_cfg)
    return {"source": "DICOM CT + DICOM SEG (ichtrain.dicomseg)", "dicom_dir": os.path.abspath(dicom_dir),
            "pairs": len(pairs), "patients": len({p.group for p in pairs}),
            "seg_files": sum(len(p.segs) for p in pairs),
            "ct_series_without_seg": len(sc.series) - len(pairs),
            "files_skipped": len(sc.skipped), "segment_rule": rule.describe(),
            "fractional_segs": sum(1 for p, ds in sc.segs if ds.get("SegmentationType") == "FRACTIONAL"
                                   and any(p in q.segs for q in pairs)),
            "fractional_rule": "FRACTIONAL SEG values >= 0.5 * MaximumFractionalValue are lesion",
            "segment_rule_tokens": rule.to_dict(),
            "splits": {k: [pairs[i].id for i in v] for k, v in sp.items()}}
