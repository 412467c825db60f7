import os
import sys
import unittest

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from ichtrain import preprocess as P  # noqa: E402


class ResizeTest(unittest.TestCase):
    def test_matches_torch_bilinear_half_pixel(self):
        rng = np.random.default_rng(0)
        for (r, c, o) in [(512, 512, 128), (100, 77, 128), (256, 200, 160), (7, 5, 3)]:
            img = rng.normal(size=(r, c))
            ours = P.resize_bilinear(img, o, o)
            ref = F.interpolate(torch.from_numpy(img)[None, None], size=(o, o), mode="bilinear",
                                align_corners=False)[0, 0].numpy()
            self.assertLess(np.abs(ours - ref).max(), 1e-9, (r, c, o))

    def test_constant_stays_constant(self):
        self.assertTrue(np.allclose(P.resize_bilinear(np.full((9, 13), 3.5), 20, 20), 3.5))


class MaskTest(unittest.TestCase):
    def test_largest_component_and_hole_fill(self):
        hu = np.full((40, 40), -1000.0)
        hu[5:30, 5:30] = 30.0      # brain
        hu[10:14, 10:14] = 300.0   # calcification inside: a hole, joins the mask
        hu[32:38, 32:38] = 30.0    # smaller component: dropped
        m = P.intracranial_mask(hu)
        self.assertTrue(m[12, 12])
        self.assertFalse(m[35, 35])
        self.assertEqual(m.sum(), 25 * 25)

    def test_hole_open_to_border_is_not_filled(self):
        hu = np.full((30, 30), 30.0)
        hu[10:20, 0:15] = 500.0    # touches the left border
        m = P.intracranial_mask(hu)
        self.assertFalse(m[15, 5])

    def test_tie_goes_to_first_in_row_major_order(self):
        hu = np.full((40, 40), -1000.0)
        hu[30:35, 2:7] = 30.0
        hu[2:7, 30:35] = 30.0      # same size, starts earlier in row-major order
        m = P.intracranial_mask(hu)
        self.assertTrue(m[3, 31])
        self.assertFalse(m[31, 3])

    def test_small_component_gives_empty_mask(self):
        hu = np.full((100, 100), -1000.0)
        hu[0:7, 0:7] = 30.0        # 49 < 0.005 * 10000 = 50
        self.assertEqual(P.intracranial_mask(hu).sum(), 0)
        hu[0:10, 0:5] = 30.0       # 50 + ... >= 50
        self.assertGreater(P.intracranial_mask(hu).sum(), 0)

    def test_candidate_range_is_inclusive(self):
        hu = np.full((20, 20), -1000.0)
        hu[:, :10] = -15.0
        hu[:, 10:] = 130.0
        self.assertEqual(P.intracranial_mask(hu).sum(), 400)


class PipelineTest(unittest.TestCase):
    def test_window_and_zscore(self):
        hu = np.full((64, 64), -1000.0)
        hu[8:56, 8:56] = 40.0
        hu[20:30, 20:30] = 85.0
        x, m = P.preprocess_hu(hu, 32)
        self.assertEqual(x.dtype, np.float32)
        self.assertAlmostEqual(float(x.mean()), 0.0, places=5)
        self.assertAlmostEqual(float(x.std()), 1.0, places=4)
        w = P.window(hu, m)
        self.assertAlmostEqual(w[30, 30], (40 + 5) * 255 / 90)
        self.assertEqual(w[25, 25], 255.0)
        self.assertEqual(w[0, 0], 0.0)

    def test_empty_mask_gives_zeros(self):
        x, m = P.preprocess_hu(np.full((50, 50), -1000.0), 16)
        self.assertEqual(m.sum(), 0)
        self.assertTrue(np.all(x == 0))

    def test_stored_with_slope_intercept(self):
        st = np.full((30, 30), 1064, np.int16)
        hu = P.to_hu(st, 1.0, -1024.0)
        self.assertTrue(np.all(hu == 40.0))


if __name__ == "__main__":
    unittest.main()
