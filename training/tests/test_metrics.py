import os
import sys
import unittest

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from ichtrain import metrics as M  # noqa: E402


class MetricsTest(unittest.TestCase):
    def test_empty_prediction_counts_as_zero_dice(self):
        t = np.zeros((3, 8, 8), bool)
        t[1, 2:5, 2:5] = True
        self.assertEqual(M.dice(np.zeros_like(t), t), 0.0)
        self.assertEqual(M.dice(t, t), 1.0)

    def test_brier_is_not_doubled(self):
        c = M.Calibration()
        c.add(np.array([0.8, 0.3]), np.array([1.0, 0.0]))
        self.assertAlmostEqual(c.result()["brier"], (0.04 + 0.09) / 2)

    def test_ece_of_calibrated_bins_is_zero(self):
        c = M.Calibration()
        p = np.array([0.25] * 4 + [0.75] * 4)
        y = np.array([1, 0, 0, 0, 1, 1, 1, 0], float)
        c.add(p, y)
        self.assertAlmostEqual(c.result()["ece"], 0.0)

    def test_hausdorff_uses_native_spacing(self):
        a = np.zeros((5, 20, 20), bool)
        b = np.zeros_like(a)
        a[2, 5, 5] = True
        b[3, 5, 5] = True  # one slice apart
        hd, hd95 = M.hausdorff(a, b, (5.0, 0.5, 0.5))
        self.assertAlmostEqual(hd, 5.0)
        self.assertAlmostEqual(hd95, 5.0)

    def test_volume_ml(self):
        m = np.ones((2, 10, 10), bool)
        self.assertAlmostEqual(M.volume_ml(m, (5.0, 1.0, 1.0)), 1.0)


if __name__ == "__main__":
    unittest.main()
