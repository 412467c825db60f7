"""DICOM CT + SEG loader (ichtrain.dicomseg): SEGs written here with pydicom, and one written by
the Java service (`bin/ich-triage analyze`, skipped when target/ich-triage.jar is absent)."""
import os
import random
import shutil
import subprocess
import tempfile
import unittest

import numpy as np
import pydicom
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.sequence import Sequence
from pydicom.uid import ExplicitVRLittleEndian, generate_uid

from ichtrain import dicomseg as D
from ichtrain.datasets import DatasetError

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
JAR = os.path.join(REPO, "target", "ich-triage.jar")
AXIAL = [1.0, 0.0, 0.0, 0.0, 1.0, 0.0]
CORONAL = [1.0, 0.0, 0.0, 0.0, 0.0, -1.0]  # normal = row x col = (0, 1, 0)


def _meta(cls, sop, ts=ExplicitVRLittleEndian):
    fm = FileMetaDataset()
    fm.MediaStorageSOPClassUID = cls
    fm.MediaStorageSOPInstanceUID = sop
    fm.TransferSyntaxUID = ts
    return fm


def write_ct(out_dir, hu, spacing, iop=AXIAL, origin=(-100.0, -100.0, 20.0), patient="P1",
             intercept=-1024.0, slope=1.0, names=None):
    """hu [S,R,C] (integers in HU) as CT Image Storage files, slice k at origin + k*step*normal.
    Files get shuffled names and reversed InstanceNumbers. Returns a dict describing the series."""
    os.makedirs(out_dir, exist_ok=True)
    S, R, C = hu.shape
    iop = np.array(iop, float)
    normal = np.cross(iop[:3], iop[3:])
    study, series, frame = generate_uid(), generate_uid(), generate_uid()
    names = names or [f"IM{random.Random(S * 7 + R).random():.12f}_{k}" for k in range(S)]
    order = list(range(S))
    random.Random(3).shuffle(order)
    sops, ipps = [], []
    for k in range(S):
        sop = generate_uid()
        ipp = np.array(origin) + k * spacing[2] * normal
        ds = Dataset()
        ds.file_meta = _meta(D.CT_IMAGE_STORAGE, sop)
        ds.SOPClassUID, ds.SOPInstanceUID, ds.Modality = D.CT_IMAGE_STORAGE, sop, "CT"
        ds.PatientName, ds.PatientID = "TEST^" + patient, patient
        ds.StudyInstanceUID, ds.SeriesInstanceUID, ds.FrameOfReferenceUID = study, series, frame
        ds.InstanceNumber, ds.SeriesNumber = S - k, 1
        ds.ImagePositionPatient = [float(x) for x in ipp]
        ds.ImageOrientationPatient = [float(x) for x in iop]
        ds.PixelSpacing = [round(float(spacing[0]), 6), round(float(spacing[1]), 6)]
        ds.SliceThickness = spacing[2]
        ds.Rows, ds.Columns = R, C
        ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
        ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 16, 15, 1
        ds.RescaleIntercept, ds.RescaleSlope = intercept, slope
        ds.PixelData = np.round((hu[k] - intercept) / slope).astype("<i2").tobytes()
        ds.is_little_endian, ds.is_implicit_VR = True, False
        ds.save_as(os.path.join(out_dir, names[order[k]]), write_like_original=False)
        sops.append(sop)
        ipps.append(ipp)
    return {"series": series, "study": study, "frame": frame, "sops": sops, "ipps": ipps,
            "iop": iop, "rows": R, "cols": C, "spacing": spacing}


def write_seg(path, ct, frames, segments=((1, "Hemorrhage"),), fractional=False, ref_series=None,
              with_sop=True, with_position=True, rows=None, cols=None):
    """A Segmentation Storage file by hand. frames: (slice index, mask [R,C] bool or uint8, segment)
    where the slice index may be a (sop, ipp) tuple for a frame that names something else."""
    R, C = rows or ct["rows"], cols or ct["cols"]
    os.makedirs(os.path.dirname(path), exist_ok=True)
    sop = generate_uid()
    ds = Dataset()
    ds.file_meta = _meta(D.SEG_STORAGE, sop)
    ds.SOPClassUID, ds.SOPInstanceUID, ds.Modality = D.SEG_STORAGE, sop, "SEG"
    ds.PatientID, ds.StudyInstanceUID = "P", ct["study"]
    ds.SeriesInstanceUID, ds.FrameOfReferenceUID = generate_uid(), ct["frame"]
    ds.SeriesNumber, ds.InstanceNumber = 99, 1
    ds.ImageType = ["DERIVED", "PRIMARY"]
    ds.SegmentationType = "FRACTIONAL" if fractional else "BINARY"
    if fractional:
        ds.SegmentationFractionalType, ds.MaximumFractionalValue = "PROBABILITY", 255
    ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
    ds.Rows, ds.Columns = R, C
    bits = 8 if fractional else 1
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = bits, bits, bits - 1, 0
    ds.NumberOfFrames = len(frames)
    segs = []
    for n, lab in segments:
        it = Dataset()
        it.SegmentNumber, it.SegmentLabel, it.SegmentAlgorithmType = n, lab, "MANUAL"
        segs.append(it)
    ds.SegmentSequence = Sequence(segs)
    shared = Dataset()
    po = Dataset()
    po.ImageOrientationPatient = [float(x) for x in ct["iop"]]
    pm = Dataset()
    pm.PixelSpacing = list(ct["spacing"][:2])
    pm.SliceThickness = ct["spacing"][2]
    shared.PlaneOrientationSequence = Sequence([po])
    shared.PixelMeasuresSequence = Sequence([pm])
    ds.SharedFunctionalGroupsSequence = Sequence([shared])
    pf = []
    for where, mask, seg_no in frames:
        sop_ref, ipp = (ct["sops"][where], ct["ipps"][where]) if isinstance(where, int) else where
        fg = Dataset()
        if with_sop:
            src = Dataset()
            src.ReferencedSOPClassUID, src.ReferencedSOPInstanceUID = D.CT_IMAGE_STORAGE, sop_ref
            der = Dataset()
            der.SourceImageSequence = Sequence([src])
            fg.DerivationImageSequence = Sequence([der])
        if with_position:
            pp = Dataset()
            pp.ImagePositionPatient = [float(x) for x in ipp]
            fg.PlanePositionSequence = Sequence([pp])
        si = Dataset()
        si.ReferencedSegmentNumber = seg_no
        fg.SegmentIdentificationSequence = Sequence([si])
        pf.append(fg)
    ds.PerFrameFunctionalGroupsSequence = Sequence(pf)
    if ref_series is not False:
        rs = Dataset()
        rs.SeriesInstanceUID = ref_series or ct["series"]
        inst = []
        for s in ct["sops"]:
            r = Dataset()
            r.ReferencedSOPClassUID, r.ReferencedSOPInstanceUID = D.CT_IMAGE_STORAGE, s
            inst.append(r)
        rs.ReferencedInstanceSequence = Sequence(inst)
        ds.ReferencedSeriesSequence = Sequence([rs])
    stack = np.stack([np.asarray(m) for _, m, _ in frames]) if frames else np.zeros((0, R, C))
    if fractional:
        data = stack.astype(np.uint8).tobytes()
    else:
        data = np.packbits(stack.astype(bool).ravel(), bitorder="little").tobytes()
    if len(data) % 2:
        data += b"\0"
    ds.PixelData = data
    ds["PixelData"].VR = "OB"
    ds.is_little_endian, ds.is_implicit_VR = True, False
    ds.save_as(path, write_like_original=False)
    return path


def blob_case(S=8, R=64, C=64, seed=0):
    """Integer HU with a bright blob; the blob's mask is the label (voxel truth)."""
    rng = np.random.default_rng(seed)
    hu = np.round(rng.normal(30, 5, (S, R, C))).astype(np.float32)
    hu[:, :4] = -1000
    z, y, x = np.mgrid[:S, :R, :C]
    lab = ((z - 4) ** 2 / 4.0 + (y - 25) ** 2 / 64.0 + (x - 40) ** 2 / 36.0) <= 1.0
    hu[lab] = 70 + hu[lab] * 0
    hu[:, 10, 5] = np.arange(S) * 10  # a per-slice marker: slice order is checkable from HU alone
    return hu, lab


class DicomSegLoaderTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="dicomseg-test-")

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def _load_one(self, rule=None):
        pairs, sc = D.find_dicom_pairs(self.tmp)
        self.assertEqual(len(pairs), 1)
        return D.load_dicom_pair(pairs[0], rule), pairs[0]

    def test_binary_seg_voxel_exact_sorted_and_spaced(self):
        hu, lab = blob_case()
        spacing = (0.7, 0.9, 2.5)
        ct = write_ct(os.path.join(self.tmp, "a", "ct"), hu, spacing)
        oedema = np.zeros_like(lab[0])
        oedema[40:44, 10:20] = True
        lesion = [k for k in range(len(lab)) if lab[k].any()]
        frames = [(k, lab[k], 1) for k in lesion]
        frames.append((1, oedema, 2))
        random.Random(1).shuffle(frames)  # frame order is not slice order
        write_seg(os.path.join(self.tmp, "b", "x.dcm"), ct, frames,
                  segments=((1, "Hemorrhage"), (2, "Perihematomal oedema")))
        with open(os.path.join(self.tmp, "README.txt"), "w") as f:
            f.write("not dicom")
        v, pair = self._load_one(D.SegmentRule.parse(exclude="oedema"))
        self.assertEqual(pair.id, ct["series"])
        self.assertEqual(v.hu.shape, hu.shape)
        np.testing.assert_array_equal(v.hu, hu)          # voxel-exact, slice k = position k
        np.testing.assert_array_equal(v.label, lab.astype(np.float32))
        self.assertEqual(v.spacing, (0.7, 0.9, 2.5))
        # default rule: every segment is hemorrhage, the oedema frame joins slice 1
        v_all, _ = self._load_one()
        want = lab.copy()
        want[1] |= oedema
        np.testing.assert_array_equal(v_all.label, want.astype(np.float32))
        v_two, _ = self._load_one(D.SegmentRule.parse(include="2"))
        self.assertEqual(int(v_two.label.sum()), int(oedema.sum()))
        self.assertEqual(v_two.label[1].sum(), oedema.sum())
        with self.assertRaises(D.SegmentRuleError) as cm:
            self._load_one(D.SegmentRule.parse(include="subdural"))
        self.assertIn("x.dcm", str(cm.exception))

    def test_sorting_along_an_oblique_normal_and_rescale(self):
        hu, lab = blob_case(S=6, R=32, C=48, seed=2)
        lab[:, 20:] = False
        # coronal stack: positions vary in y; slope 2 keeps even HU exact
        hu = (np.round(hu / 2) * 2).astype(np.float32)
        ct = write_ct(os.path.join(self.tmp, "ct"), hu, (0.5, 0.6, 3.0), iop=CORONAL,
                      origin=(10.0, -40.0, 5.0), slope=2.0, intercept=-2000.0)
        write_seg(os.path.join(self.tmp, "seg.dcm"), ct, [(k, lab[k], 1) for k in range(6) if lab[k].any()],
                  with_sop=False)  # placed by Plane Position alone
        v, _ = self._load_one()
        np.testing.assert_array_equal(v.hu, hu)
        np.testing.assert_array_equal(v.label, lab.astype(np.float32))
        self.assertAlmostEqual(v.spacing[2], 3.0, places=6)

    def test_match_by_frame_sources_when_no_referenced_series(self):
        hu, lab = blob_case(S=5, R=32, C=32, seed=3)
        ct = write_ct(os.path.join(self.tmp, "one"), hu, (1.0, 1.0, 5.0), patient="A")
        other = write_ct(os.path.join(self.tmp, "two"), hu + 1, (1.0, 1.0, 5.0), patient="B")
        write_seg(os.path.join(self.tmp, "s.dcm"), ct, [(2, lab[2], 1)], ref_series=False)
        pairs, sc = D.find_dicom_pairs(self.tmp)
        self.assertEqual([p.id for p in pairs], [ct["series"]])
        self.assertEqual(len(sc.series), 2)
        self.assertNotEqual(other["series"], ct["series"])
        v = D.load_dicom_pair(pairs[0])
        np.testing.assert_array_equal(v.label[2], lab[2].astype(np.float32))
        self.assertEqual(v.label.sum(), lab[2].sum())

    def test_fractional_thresholded_at_half_max(self):
        hu, _ = blob_case(S=4, R=16, C=16, seed=4)
        ct = write_ct(os.path.join(self.tmp, "ct"), hu, (1.0, 1.0, 5.0))
        prob = np.zeros((16, 16), np.uint8)
        prob[3, 3], prob[4, 4], prob[5, 5] = 127, 128, 255
        write_seg(os.path.join(self.tmp, "f.dcm"), ct, [(1, prob, 1)], fractional=True)
        v, _ = self._load_one()
        self.assertEqual(v.label[1, 3, 3], 0)
        self.assertEqual(v.label[1, 4, 4], 1)
        self.assertEqual(v.label[1, 5, 5], 1)
        self.assertEqual(v.label.sum(), 2)
        self.assertTrue(any("FRACTIONAL" in n and "0.5" in n for n in v.notes), v.notes)

    def test_rle_compressed_ct_is_read(self):
        from pydicom.uid import RLELossless
        hu, lab = blob_case(S=4, R=16, C=16, seed=5)
        ct = write_ct(os.path.join(self.tmp, "ct"), hu, (1.0, 1.0, 5.0))
        for n in os.listdir(os.path.join(self.tmp, "ct")):
            p = os.path.join(self.tmp, "ct", n)
            ds = pydicom.dcmread(p)
            ds.compress(RLELossless)
            ds.save_as(p)
        write_seg(os.path.join(self.tmp, "s.dcm"), ct, [(2, lab[2], 1)])
        v, _ = self._load_one()
        np.testing.assert_array_equal(v.hu, hu)

    # ------------------------------------------------------------------ refusals
    def test_seg_of_a_missing_series_names_the_file(self):
        hu, lab = blob_case(S=4, R=16, C=16)
        ct = write_ct(os.path.join(self.tmp, "ct"), hu, (1.0, 1.0, 5.0))
        ghost = dict(ct, sops=[generate_uid() for _ in ct["sops"]])
        p = write_seg(os.path.join(self.tmp, "orphan.dcm"), ghost, [(1, lab[1], 1)], ref_series="1.2.3.4.5.999")
        with self.assertRaises(D.SegWithoutSeriesError) as cm:
            D.find_dicom_pairs(self.tmp)
        msg = str(cm.exception)
        self.assertIn(p, msg)
        self.assertIn("ReferencedSeriesSequence (0008,1115)", msg)
        self.assertIn("1.2.3.4.5.999", msg)
        self.assertIsInstance(cm.exception, DatasetError)

    def test_frame_with_unknown_sop_and_position_off_the_stack(self):
        hu, lab = blob_case(S=4, R=16, C=16)
        ct = write_ct(os.path.join(self.tmp, "ct"), hu, (1.0, 1.0, 5.0))
        off = ct["ipps"][-1] + np.array([0, 0, 4.0])  # 4 mm above the top slice, step 5
        p = write_seg(os.path.join(self.tmp, "off.dcm"), ct,
                      [(1, lab[1], 1), ((generate_uid(), off), lab[1], 1)])
        pairs, _ = D.find_dicom_pairs(self.tmp)
        with self.assertRaises(D.FrameOutsideStackError) as cm:
            D.load_dicom_pair(pairs[0])
        msg = str(cm.exception)
        self.assertIn(p, msg)
        self.assertIn("frame 2", msg)
        self.assertIn("ImagePositionPatient (0020,0032)", msg)
        # 2 mm above the top slice (within half a step) is that slice: accepted by position
        near = ct["ipps"][-1] + np.array([0, 0, 2.0])
        os.remove(p)
        write_seg(p, ct, [((generate_uid(), near), lab[1], 1)])
        v = D.load_dicom_pair(D.find_dicom_pairs(self.tmp)[0][0])
        np.testing.assert_array_equal(v.label[3], lab[1].astype(np.float32))

    def test_mismatched_rows_columns_and_undecodable_ct(self):
        hu, lab = blob_case(S=4, R=16, C=16)
        ct = write_ct(os.path.join(self.tmp, "ct"), hu, (1.0, 1.0, 5.0))
        p = write_seg(os.path.join(self.tmp, "big.dcm"), ct, [(1, np.ones((32, 32), bool), 1)], rows=32, cols=32)
        pairs, _ = D.find_dicom_pairs(self.tmp)
        with self.assertRaises(D.GeometryMismatchError) as cm:
            D.load_dicom_pair(pairs[0])
        self.assertIn(p, str(cm.exception))
        self.assertIn("Rows (0028,0010)", str(cm.exception))
        os.remove(p)
        write_seg(os.path.join(self.tmp, "ok.dcm"), ct, [(1, lab[1], 1)])
        # one slice re-encapsulated as JPEG-LS, which no installed pydicom handler decodes
        from pydicom.encaps import encapsulate
        victim = os.path.join(self.tmp, "ct", sorted(os.listdir(os.path.join(self.tmp, "ct")))[0])
        ds = pydicom.dcmread(victim)
        ds.file_meta.TransferSyntaxUID = "1.2.840.10008.1.2.4.80"
        ds.PixelData = encapsulate([b"\xff\xd8not-a-real-jpeg-ls-stream\xff\xd9"])
        ds["PixelData"].VR = "OB"
        ds.is_implicit_VR, ds.is_little_endian = False, True
        ds.save_as(victim)
        pairs, _ = D.find_dicom_pairs(self.tmp)
        with self.assertRaises(D.UndecodableCtError) as cm:
            D.load_dicom_pair(pairs[0])
        self.assertIn(victim, str(cm.exception))
        self.assertIn("TransferSyntaxUID (0002,0010) 1.2.840.10008.1.2.4.80", str(cm.exception))

    def test_split_keeps_a_patient_in_one_split_and_is_seeded(self):
        fake = [D.DicomPair(f"s{i}", f"p{i // 2}", None, []) for i in range(20)]  # 10 patients x 2
        a, b = D.split_pairs(fake, 0), D.split_pairs(fake, 0)
        self.assertEqual(a, b)
        self.assertNotEqual(a, D.split_pairs(fake, 1))
        self.assertEqual([len(a[k]) // 2 for k in ("train", "val", "test")], [7, 1, 2])
        for k in a:
            for m in a:
                if k != m:
                    self.assertFalse({fake[i].group for i in a[k]} & {fake[i].group for i in a[m]})
        self.assertEqual(sorted(a["train"] + a["val"] + a["test"]), list(range(20)))


class DicomTrainCliTest(unittest.TestCase):
    """`ichtrain train --dicom-dir`: refuses too few patients; fine-tunes the shipped weights and
    records the DICOM data in run.json (3 steps; output under the run dir, not models/)."""

    def test_cli_fine_tune_records_dicom_data(self):
        import contextlib
        import io
        import json
        from ichtrain import phantoms
        from ichtrain.__main__ import main
        if not os.path.exists(os.path.join(REPO, "models", "slexnet-ich.pt")):
            self.skipTest("models/slexnet-ich.pt is absent: nothing to fine-tune from")
        tmp = tempfile.mkdtemp(prefix="dicomseg-cli-")
        try:
            data = os.path.join(tmp, "site")
            for i in range(6):
                v = phantoms.simple_volume(np.random.default_rng(100 + i), n_slices=6, matrix=64,
                                           lesion_types=["IPH"], hard=[], step=5.0)
                lab = v.label >= 0.5
                ct = write_ct(os.path.join(data, f"p{i}", "ct"), np.round(v.hu), (v.spacing[0], v.spacing[1], 5.0),
                              patient=f"P{i}")
                write_seg(os.path.join(data, f"p{i}", "seg.dcm"), ct,
                          [(k, lab[k], 1) for k in range(6) if lab[k].any()] + [(0, np.ones_like(lab[0]), 2)],
                          segments=((1, "Hemorrhage"), (2, "Perihematomal oedema")))
                if i == 4:  # five patients are too few for a 70/10/20 split with a test set
                    err = io.StringIO()
                    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
                        rc = main(["train", "--dicom-dir", data, "--run-dir", os.path.join(tmp, "r0")])
                    self.assertEqual(rc, 2)
                    self.assertIn("at least 6", err.getvalue())
                    self.assertFalse(os.path.exists(os.path.join(tmp, "r0")))
            run = os.path.join(tmp, "run")
            with contextlib.redirect_stdout(io.StringIO()):
                rc = main(["train", "--dicom-dir", data, "--exclude-segments", "oedema", "--steps", "3",
                           "--run-dir", run, "--name", "site-test"])
            self.assertEqual(rc, 0)
            with open(os.path.join(run, "run.json")) as f:
                meta = json.load(f)
            self.assertEqual(meta["data"]["pairs"], 6)
            self.assertEqual(meta["data"]["dicom_dir"], os.path.abspath(data))
            self.assertIn("except 'oedema'", meta["data"]["segment_rule"])
            self.assertEqual(sorted(len(meta["splits"][k]) for k in ("train", "val", "test")), [1, 1, 4])
            self.assertEqual(meta["config"]["schedule"]["stage2_steps"], 3)
            self.assertEqual(meta["stage2_steps_run"], 3)
            self.assertNotIn("stage1_steps_run", meta)  # stage 1 skipped: warm start from the shipped weights
            with open(os.path.join(REPO, "models", "slexnet-ich.json")) as f:
                arch = json.load(f)["architecture"]["config"]
            for k in ("width", "depth", "input_size"):
                self.assertEqual(meta["config"]["model"][k], arch[k])
            self.assertEqual(meta["warm_start"]["init_from"], os.path.join("models", "slexnet-ich.pt"))
            import torch
            w0 = torch.load(os.path.join(REPO, "models", "slexnet-ich.pt"), map_location="cpu")["state_dict"]
            w1 = torch.load(os.path.join(run, "final.pt"), map_location="cpu")["state_dict"]
            params = [k for k in w0 if w0[k].is_floating_point() and "running_" not in k]  # not BN statistics
            moved = [k for k in params if not torch.equal(w0[k], w1[k])]
            self.assertTrue(moved, "the fine-tune changed no weight")
            # Adam moves a weight by at most ~lr per step: 3 steps at 5e-4 from the shipped weights
            self.assertLess(max(float((w1[k] - w0[k]).abs().max()) for k in params), 0.01,
                            "a weight moved far: the run did not start from the shipped weights")
            with open(os.path.join(run, "models", "site-test.json")) as f:
                text = f.read()

            def _no_nan(c):  # the Java card reader refuses NaN / Infinity
                raise AssertionError(f"card has {c}")
            card = json.loads(text, parse_constant=_no_nan)
            self.assertEqual(card["training"]["data"]["pairs"], 6)
            self.assertTrue(os.path.exists(os.path.join(run, "models", "site-test.onnx")))
        finally:
            shutil.rmtree(tmp, ignore_errors=True)


class JavaWrittenSegTest(unittest.TestCase):
    """A SEG from our own Java writer: `bin/ich-triage analyze` on a phantom series."""

    def test_loader_reads_the_service_seg(self):
        if not os.path.exists(JAR):
            self.skipTest(f"{JAR} is absent (run `make build`): the Java-written SEG case is not checked")
        if shutil.which("java") is None:
            self.skipTest("no `java` on PATH: the Java-written SEG case is not checked")
        from scipy import ndimage
        from ichtrain import phantoms
        tmp = tempfile.mkdtemp(prefix="dicomseg-java-")
        try:
            rng = np.random.default_rng(5)
            v = phantoms.simple_volume(rng, n_slices=12, matrix=128, lesion_types=["IPH"], hard=[], step=5.0)
            hu = np.round(v.hu).astype(np.float32)
            truth = v.label >= 0.5
            ct = write_ct(os.path.join(tmp, "in", "ct"), hu, (v.spacing[0], v.spacing[1], 5.0))
            out = os.path.join(tmp, "out")
            r = subprocess.run([os.path.join(REPO, "bin", "ich-triage"), "analyze", os.path.join(tmp, "in"),
                                "--out", out, "--state-dir", os.path.join(tmp, "state")],
                               capture_output=True, text=True, timeout=180, cwd=REPO)
            seg = os.path.join(out, "seg.dcm")
            self.assertEqual(r.returncode, 0, r.stdout[-2000:] + r.stderr[-2000:])
            self.assertTrue(os.path.exists(seg), "the service wrote no SEG (no hemorrhage found?): "
                            + r.stdout[-1500:])
            shutil.copy(seg, os.path.join(tmp, "in", "seg.dcm"))
            pairs, _ = D.find_dicom_pairs(os.path.join(tmp, "in"))
            self.assertEqual([p.id for p in pairs], [ct["series"]])
            vol = D.load_dicom_pair(pairs[0])
            np.testing.assert_array_equal(vol.hu, hu)
            # the slices the SEG has frames for, read independently of the loader
            ds = pydicom.dcmread(seg)
            self.assertEqual(ds.SegmentationType, "BINARY")
            framed = sorted(ct["sops"].index(fg.DerivationImageSequence[0].SourceImageSequence[0]
                                             .ReferencedSOPInstanceUID)
                            for fg in ds.PerFrameFunctionalGroupsSequence)
            self.assertGreater(len(framed), 0)
            has_label = [k for k in range(len(hu)) if vol.label[k].any()]
            self.assertEqual(has_label, framed)
            # the writer's frames are its masks bit for bit: same count as pydicom's own decoding
            self.assertEqual(int(vol.label.sum()), int(np.asarray(ds.pixel_array).sum()))
            # and they lie on the phantom's lesion (no flip or transposition on the way)
            near = ndimage.binary_dilation(truth, iterations=2)
            inside = float((vol.label.astype(bool) & near).sum()) / vol.label.sum()
            self.assertGreater(inside, 0.8, f"only {inside:.2f} of the SEG lies on the phantom lesion")
        finally:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    unittest.main()
