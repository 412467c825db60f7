"""TrainConfig: every setting a run uses is in its run.json and its card, and reads back equal."""
import dataclasses
import json
import os
import shutil
import tempfile
import unittest

from ichtrain.config import ConfigError, TrainConfig

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def field_paths(obj, prefix=""):
    """Every leaf setting of a config dataclass as a dotted path (model.width, sampling.batch...)."""
    out = set()
    for f in dataclasses.fields(obj):
        v = getattr(obj, f.name)
        if dataclasses.is_dataclass(v):
            out |= field_paths(v, prefix + f.name + ".")
        else:
            out.add(prefix + f.name)
    return out


SUBCONFIGS = ("model", "loss", "augmentation", "sem_perturbation", "sampling", "optimiser", "schedule",
              "data", "split", "uncertainty")


def json_paths(d):
    """The dotted paths a recorded config holds (a dict value such as split.train_mix is one setting)."""
    out = set()
    for k, v in d.items():
        if k in SUBCONFIGS and isinstance(v, dict):
            out |= {f"{k}.{kk}" for kk in v}
        else:
            out.add(k)
    return out


class SmokeRunRecordsConfigTest(unittest.TestCase):
    """The smoke run's settings (two steps instead of eight): run.json and the card hold every
    field of TrainConfig, and both read back to the config that ran."""

    @classmethod
    def setUpClass(cls):
        from ichtrain.__main__ import smoke_config
        from ichtrain.train import train
        cls.cfg = smoke_config().replace(schedule={"stage1_steps": 1, "stage2_steps": 1})
        cls.tmp = tempfile.mkdtemp(prefix="ichtrain-config-")
        cls.run_dir = os.path.join(cls.tmp, "run")
        train(cls.cfg, cls.run_dir, log=lambda msg: None)
        with open(os.path.join(cls.run_dir, "run.json")) as f:
            cls.meta = json.load(f)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def test_run_json_holds_every_field(self):
        recorded = json_paths(self.meta["config"])
        missing = field_paths(self.cfg) - recorded
        self.assertFalse(missing, f"settings not in run.json: {sorted(missing)}")
        self.assertEqual(self.meta["config"]["loss"], dataclasses.asdict(self.cfg.loss))

    def test_run_json_round_trips(self):
        self.assertEqual(TrainConfig.from_dict(self.meta["config"]), self.cfg)
        self.assertEqual(self.meta["stage2_steps_run"], 1)

    def test_card_training_section_holds_every_field(self):
        from ichtrain.pipeline import card_training_section
        training = card_training_section(self.run_dir, self.meta)
        self.assertFalse(field_paths(self.cfg) - json_paths(training["config"]))
        self.assertEqual(TrainConfig.from_dict(json.loads(json.dumps(training["config"]))), self.cfg)
        self.assertEqual(training["loss"]["w_background"], self.cfg.loss.w_background)
        self.assertIn(f"stage 2 for {self.cfg.schedule.stage2_steps} steps", training["schedule"])


class FromDictTest(unittest.TestCase):
    def test_changed_settings_round_trip_through_json(self):
        cfg = TrainConfig().replace(seed=3, loss={"w_background": 0.2}, augmentation={"intensity_scale": (0.8, 1.2)},
                                    uncertainty={"ensemble_seeds": (4, 5, 6)}, schedule={"stage2_budget_s": 12.5})
        back = TrainConfig.from_dict(json.loads(json.dumps(cfg.to_dict())))
        self.assertEqual(back, cfg)
        self.assertNotEqual(back, TrainConfig())
        self.assertEqual(back.augmentation.intensity_scale, (0.8, 1.2))

    def test_shipped_card_flat_layout_reads_back(self):
        with open(os.path.join(REPO, "models", "slexnet-ich.json")) as f:
            flat = json.load(f)["training"]["config"]
        cfg = TrainConfig.from_dict(flat)
        self.assertEqual(cfg.sampling.batch, flat["batch"])
        self.assertEqual(cfg.optimiser.lr_stage2, flat["lr_stage2"])
        self.assertEqual(cfg.schedule.stage2_budget_s, flat["stage2_budget_s"])
        self.assertEqual(cfg.split.train_mix, flat["train_mix"])
        self.assertEqual(cfg.loss.w_background, flat["loss"]["w_background"])
        self.assertEqual(cfg.model.input_size, flat["model"]["input_size"])

    def test_unknown_setting_is_named(self):
        d = TrainConfig().to_dict()
        d["sampling"]["batchsize"] = 8
        with self.assertRaisesRegex(ConfigError, "sampling.batchsize"):
            TrainConfig.from_dict(d)
        with self.assertRaisesRegex(ConfigError, "'learning_rate'"):
            TrainConfig.from_dict({**TrainConfig().to_dict(), "learning_rate": 1.0})

    def test_unimplemented_optimiser_refused(self):
        d = TrainConfig().to_dict()
        d["optimiser"]["kind"] = "SGD"
        with self.assertRaisesRegex(ConfigError, "SGD"):
            TrainConfig.from_dict(d)


if __name__ == "__main__":
    unittest.main()
