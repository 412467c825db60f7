import unittest

import numpy as np

from ichtrain.postprocess import gate_radius_px, physics_gate
from ichtrain import preprocess as P


class PhysicsGateTest(unittest.TestCase):
    def test_keeps_blood_drops_brain_and_bone_rim(self):
        hu = np.full((1, 40, 40), 35.0)
        hu[0, :, :4] = 1000.0
        hu[0, 16:25, 16:25] = 60.0
        kept = physics_gate(np.ones_like(hu, bool), hu, 0.5)
        self.assertTrue(kept[0, 20, 20])
        self.assertFalse(kept[0, 5, 30])  # brain
        self.assertFalse(kept[0, 20, 5])  # next to bone
        self.assertFalse(kept[0, 20, 27])  # 3 px beyond the clot
        self.assertLessEqual(kept.sum(), 13 * 13)

    def test_mean_counts_in_image_pixels_only(self):
        hu = np.full((1, 10, 10), 60.0)
        self.assertTrue(physics_gate(np.ones_like(hu, bool), hu, 0.5).all())

    def test_radius(self):
        self.assertEqual(gate_radius_px(0.45), 2)
        self.assertEqual(gate_radius_px(3.0), 1)


class MaskV2Test(unittest.TestCase):
    @staticmethod
    def ring(n=64, inside=35.0, outside=50.0):
        y, x = np.mgrid[:n, :n] - n // 2
        d = np.sqrt(x * x + y * y)
        s = np.where(d < 18, inside, np.where(d < 22, 1200.0, np.where(d < 30, outside, -1000.0)))
        return np.stack([s] * 5), d

    def test_soft_tissue_outside_the_ring_is_not_intracranial(self):
        vol, d = self.ring()
        m = P.intracranial_mask_volume(vol, 1.0)
        self.assertTrue(m[2][d < 17].all())
        self.assertFalse(m[2][d > 23].any())
        # v1 keeps the larger outer soft tissue instead: the failure v2 exists for
        self.assertTrue(P.intracranial_mask(vol[2])[d > 23].any())

    def test_neck_slices_without_a_ring_are_dropped(self):
        vol, d = self.ring()
        neck = np.where(d < 28, 45.0, -1000.0)
        vol = np.concatenate([np.stack([neck] * 3), vol])
        m = P.intracranial_mask_volume(vol, 1.0)
        self.assertEqual(m[:3].sum(), 0)
        self.assertGreater(m[3:].sum(), 0)

    def test_clipped_export_uses_the_window_top_as_bone(self):
        vol, d = self.ring()
        clipped = np.clip(vol, -5.0, 75.0)
        m = P.intracranial_mask_volume(clipped, 1.0)
        self.assertTrue(m[2][d < 17].all())
        self.assertFalse(m[2][d > 23].any())

    def test_square_filter_edges(self):
        a = np.ones((5, 5), bool)
        self.assertTrue(P._square_filter(a, 2, False).all())
        b = np.zeros((5, 5), bool)
        b[2, 2] = True
        self.assertEqual(P._square_filter(b, 1, True).sum(), 9)


if __name__ == "__main__":
    unittest.main()
