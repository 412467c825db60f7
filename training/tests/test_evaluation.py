import unittest

import numpy as np

from ichtrain.evaluation import remove_small_components


class RemoveSmallComponentsTest(unittest.TestCase):
    """The evaluation must apply the worker's rule (Java Postprocessor): 3D, face-connected, mm^3."""

    def test_small_component_removed_large_kept(self):
        m = np.zeros((4, 10, 10), bool)
        m[0:3, 1:5, 1:5] = True      # 48 voxels
        m[3, 8, 8] = True            # 1 voxel
        out = remove_small_components(m, (2.0, 1.0, 1.0), min_mm3=10.0)
        self.assertEqual(int(out.sum()), 48)
        self.assertFalse(out[3, 8, 8])

    def test_diagonal_contact_does_not_join(self):
        m = np.zeros((2, 4, 4), bool)
        m[0, 0, 0] = True
        m[1, 1, 1] = True            # touches only by a corner: two components of 1 voxel each
        self.assertFalse(remove_small_components(m, (1.0, 1.0, 1.0), min_mm3=2.0).any())
        m[1, 0, 0] = True            # now face-connected: one component of 2 (+1) voxels
        self.assertEqual(int(remove_small_components(m, (1.0, 1.0, 1.0), min_mm3=2.0).sum()), 2)

    def test_size_uses_voxel_spacing(self):
        m = np.zeros((1, 3, 3), bool)
        m[0, 0, 0:2] = True          # 2 voxels of 5 mm^3 = 10 mm^3
        self.assertEqual(int(remove_small_components(m, (5.0, 1.0, 1.0), min_mm3=10.0).sum()), 2)
        self.assertFalse(remove_small_components(m, (5.0, 1.0, 1.0), min_mm3=10.5).any())

    def test_zero_keeps_everything(self):
        m = np.random.default_rng(0).random((3, 5, 5)) > 0.7
        np.testing.assert_array_equal(remove_small_components(m, (1.0, 1.0, 1.0), 0.0), m)


if __name__ == "__main__":
    unittest.main()
