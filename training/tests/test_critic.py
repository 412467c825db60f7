"""BLAST-CT v1 critic: strict load, then fast (cropped) checks on the real GE head CT.

The weights and the GE series are read in place from ../shared; without it these tests skip.
"""
import os
import sys
import time
import unittest

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from ichtrain import critic  # noqa: E402

HAVE_WEIGHTS = os.path.isfile(critic.blast_path())
HAVE_GE = os.path.isdir(os.path.join(critic.shared_dir(), "data", "ct-head-ge-tilt"))
SKIP = "../shared/data/blast-ct-v1 and ct-head-ge-tilt absent (fresh clone): BLAST critic not tested"


class ArchitectureTest(unittest.TestCase):
    def test_sizes(self):
        self.assertEqual(critic.BlastDeepMedic.output_size((110, 110, 110)), (30, 30, 30))  # training patch
        self.assertEqual(critic.BlastDeepMedic.output_size((140, 170, 200)), (60, 90, 120))
        with self.assertRaises(ValueError):
            critic.BlastDeepMedic.output_size((111, 110, 110))
        torch.manual_seed(0)
        net = critic.BlastDeepMedic().eval()
        with torch.inference_mode():
            self.assertEqual(tuple(net(torch.zeros(1, 1, 85, 85, 85)).shape), (1, 5, 5, 5, 5))

    def test_tiling_matches_one_pass(self):
        torch.manual_seed(0)
        net = critic.BlastDeepMedic().eval()
        x = np.random.default_rng(0).uniform(-1, 1, (40, 40, 40)).astype(np.float32)
        box = ((0, 15), (0, 15), (0, 30))
        a = critic.segment(net, x, box, torch.device("cpu"), tile=15)
        b = critic.segment(net, x, box, torch.device("cpu"), tile=30)
        np.testing.assert_array_equal(a, b)


@unittest.skipUnless(HAVE_WEIGHTS, SKIP)
class LoaderTest(unittest.TestCase):
    def test_strict_every_key_and_shape(self):
        sd = torch.load(critic.blast_path(), map_location="cpu")
        net = critic.load_blast()  # load_state_dict(strict=True) inside
        mine = net.state_dict()
        self.assertEqual(len(sd), 189)
        self.assertEqual(set(sd), set(mine))
        for k, v in sd.items():
            self.assertEqual(tuple(v.shape), tuple(mine[k].shape), k)
            self.assertTrue(torch.equal(v, mine[k]), k)
        self.assertEqual(sum(p.numel() for p in net.parameters()), 1030033)


@unittest.skipUnless(HAVE_WEIGHTS and HAVE_GE, SKIP)
class RealScanTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        torch.set_num_threads(1)
        cls.net = critic.load_blast()

    def test_real_normal_crop_has_no_hemorrhage(self):
        # a 60 mm cube of brain around the lateral ventricles of the real GE series (no bleed)
        hu, sp = critic.ge_real()
        t0 = time.time()
        r = critic.hemorrhage_ml(self.net, hu, sp, "cpu", roi=((60, 120), (75, 135), (95, 155)))
        print(f"\nBLAST on real GE normal, 60 mm cube: {r['hemorrhage_ml']:.2f} mL "
              f"{r['per_class_ml']} ({time.time() - t0:.0f}s)")
        self.assertLess(r["hemorrhage_ml"], 0.5)

    def test_inserted_bleed_is_found(self):
        from ichtrain.phantoms import ge_volume
        v = ge_volume(np.random.default_rng(5), lesion_types=["IPH"])  # a bleed in the real scan
        lab = critic.resample(v.label, v.spacing, order=1) >= 0.5
        idx = np.argwhere(lab)
        lo, hi = idx.min(0), idx.max(0) + 1
        c = (lo + hi) // 2
        roi = tuple((int(max(0, min(ci - 30, s - 60))), int(max(0, min(ci - 30, s - 60)) + 60))
                    for ci, s in zip(c, lab.shape))
        t0 = time.time()
        r = critic.hemorrhage_ml(self.net, v.hu, v.spacing, "cpu", roi=roi, return_seg=True)
        seg = r.pop("seg")
        hem = np.isin(seg, [1, 2, 4])
        on = float((hem & lab).sum()) / 1000.0
        print(f"\nBLAST on GE + inserted {v.lesion_types}: {r['hemorrhage_ml']:.2f} mL in a 60 mm cube, "
              f"{on:.2f} mL on the truth ({lab.sum() / 1000:.2f} mL at 1 mm) ({time.time() - t0:.0f}s)")
        self.assertGreater(on, 0.1)


if __name__ == "__main__":
    unittest.main()
