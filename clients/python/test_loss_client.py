"""Tests of loss_client.py against a started service (LOSS_SERVICE_URL): python3 -m unittest."""
import os
import unittest

import numpy as np

from loss_client import LossClient, LossServiceError

URL = os.environ.get("LOSS_SERVICE_URL", "http://127.0.0.1:3000")


class LossClientTest(unittest.TestCase):
    def setUp(self):
        self.client = LossClient(URL)
        rng = np.random.default_rng(1)
        self.logits = rng.normal(size=(64, 5)).astype(np.float32)
        self.labels = rng.integers(0, 5, size=64).astype(np.int64)

    def test_json_loss(self):
        answer = self.client.loss("mse", [1, 2, 3], [1, 2, 5], include=["gradient"])
        self.assertEqual(answer["value"], 4 / 3)
        self.assertEqual(answer["gradient"], [0, 0, -4 / 3])

    def test_binary_and_json_infer_agree(self):
        binary = self.client.infer("cross_entropy", {"predictions": self.logits, "targets": self.labels})
        as_json = self.client.infer("cross_entropy", {"predictions": self.logits, "targets": self.labels}, binary=False)
        self.assertEqual(binary["gradient"].dtype, np.float32)
        np.testing.assert_array_equal(binary["gradient"], as_json["gradient"])
        self.assertEqual(binary["parameters"]["reduction"], "mean")

    def test_request_compression_gzip_and_deflate(self):
        plain = self.client.infer("cross_entropy", {"predictions": self.logits, "targets": self.labels})
        for algorithm in ("gzip", "deflate"):
            got = LossClient(URL, compression=algorithm).infer("cross_entropy", {"predictions": self.logits, "targets": self.labels})
            for name in ("value", "per_sample", "gradient"):
                np.testing.assert_array_equal(got[name], plain[name], err_msg=f"{algorithm} {name}")
            answer = LossClient(URL, compression=algorithm).loss("mse", [1, 2], [1, 3])
            self.assertEqual(answer["value"], 0.5)

    def test_empty_tensor_sum_is_zero(self):
        out = self.client.infer("mse", {"predictions": np.zeros(0, np.float64), "targets": np.zeros(0, np.float64)}, parameters={"reduction": "sum"})
        self.assertEqual(out["value"].tolist(), [0.0])
        self.assertEqual(out["gradient"].shape, (0,))
        with self.assertRaises(LossServiceError) as refused:
            self.client.infer("mse", {"predictions": np.zeros(0), "targets": np.zeros(0)})
        self.assertEqual(refused.exception.status, 400)

    def test_health_config_and_errors(self):
        self.assertTrue(self.client.live())
        self.assertTrue(self.client.ready())
        config = self.client.model_config("mse")
        self.assertEqual(config["max_batch_size"], 0)
        self.assertEqual([i["name"] for i in config["input"]][:2], ["predictions", "targets"])
        with self.assertRaises(LossServiceError) as refused:
            self.client.model_metadata("nope")
        self.assertEqual(refused.exception.status, 404)
        self.assertIn("unknown model", refused.exception.body["error"])


if __name__ == "__main__":
    unittest.main()
