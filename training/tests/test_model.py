import os
import sys
import tempfile
import unittest

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from ichtrain.model import ModelConfig, SlexNet, VolumeGraph, binary_entropy  # noqa: E402


def tiny(fusion="probability"):
    torch.manual_seed(0)
    return SlexNet(ModelConfig(width=4, depth=2, input_size=32, fusion=fusion)).eval()


class VolumeGraphTest(unittest.TestCase):
    def test_shapes_and_ranges(self):
        g = VolumeGraph(tiny())
        with torch.no_grad():
            for s in (1, 2, 5):
                p, h, e = g(torch.randn(s, 1, 32, 32))
                self.assertEqual(tuple(p.shape), (s, 1, 32, 32))
                self.assertEqual(tuple(h.shape), (s, 3, 32, 32))
                self.assertEqual(tuple(e.shape), (s, 1, 32, 32))
                self.assertTrue(torch.all((p >= 0) & (p <= 1)))
                self.assertTrue(torch.all((e >= 0) & (e <= np.log(2) + 1e-6)))

    def test_matches_triple_path_with_replicated_edges(self):
        for fusion in ("probability", "logit"):
            net = tiny(fusion)
            x = torch.randn(4, 1, 32, 32)
            with torch.no_grad():
                p, h, _ = VolumeGraph(net)(x)
                for i in range(4):
                    prev, nxt = x[max(i - 1, 0)][None], x[min(i + 1, 3)][None]
                    out = net.triple(prev, x[i][None], nxt)
                    sh = net.cfg.prior_shift
                    self.assertAlmostEqual(sh, float(np.log(10.0)), places=6)
                    exp, _ = net.aggregate(out["zi"] - sh, out["zf"] - sh, out["zb"] - sh)
                    self.assertLess((exp - p[i:i + 1]).abs().max().item(), 1e-5)
                    self.assertLess((torch.sigmoid(out["zf"] - sh) - h[i:i + 1, 1:2]).abs().max().item(), 1e-5)

    def test_cw_msa_formula(self):
        net = tiny()
        zi, zf, zb = torch.tensor([0.3]), torch.tensor([1.2]), torch.tensor([-0.7])
        pi, pf, pb = torch.sigmoid(zi), torch.sigmoid(zf), torch.sigmoid(zb)
        w = 0.2 * torch.exp(-(pf - pb) ** 2)
        p, _ = net.aggregate(zi, zf, zb)
        self.assertAlmostEqual(p.item(), ((1 - 2 * w) * pi + w * pf + w * pb).item(), places=6)

    def test_entropy_guarded(self):
        e = binary_entropy(torch.tensor([0.0, 1.0, 0.5]))
        self.assertTrue(torch.isfinite(e).all())
        self.assertAlmostEqual(e[2].item(), float(np.log(2)), places=6)


class ExportTest(unittest.TestCase):
    def test_export_passes_checker_with_dynamic_s(self):
        import onnx
        from ichtrain.export import export_onnx
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "m.onnx")
            sha = export_onnx(tiny(), path)
            self.assertEqual(len(sha), 64)
            m = onnx.load(path)
            self.assertEqual([i.name for i in m.graph.input], ["slices"])
            self.assertEqual([o.name for o in m.graph.output], ["prob", "hypotheses", "entropy"])
            self.assertEqual(m.graph.input[0].type.tensor_type.shape.dim[0].dim_param, "S")
            self.assertEqual(m.opset_import[0].version, 17)


if __name__ == "__main__":
    unittest.main()
