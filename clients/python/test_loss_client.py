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
        for answer in (self.client.loss("mse", [1, 2, 3], [1, 2, 5], include=["gradient"]),
                       self.client.loss("MSELoss", predictions=np.array([1, 2, 3.0]), targets=[1, 2, 5], include=["gradient"])):
            self.assertEqual(answer["value"], 4 / 3)
            self.assertEqual(answer["gradient"].tolist(), [0, 0, -4 / 3])
            answer["gradient"][0] = 1.0  # the caller's own array
            self.assertEqual(answer["gradient"].dtype, np.float64)

    def test_every_input_by_name(self):
        rng = np.random.default_rng(2)
        a, p, n = (rng.normal(size=(8, 4)) for _ in range(3))
        answer = self.client.loss("triplet_margin", anchor=a, positive=p, negative=n, params={"margin": 0.5}, include=["gradient"])
        # PyTorch's formula: max(d(a, p) - d(a, n) + margin, 0) with d(x, y) = ||x - y + 1e-6||_2, the mean
        d = lambda x, y: np.linalg.norm(x - y + 1e-6, axis=1)  # noqa: E731
        self.assertAlmostEqual(answer["value"], np.maximum(d(a, p) - d(a, n) + 0.5, 0).mean(), places=14)
        self.assertEqual(sorted(answer["gradients"]), ["anchor", "negative", "positive"])
        self.assertEqual(answer["gradients"]["anchor"].shape, (8, 4))

        mu, y, var = rng.normal(size=6), rng.normal(size=6), rng.uniform(0.5, 2, size=6)
        answer = self.client.loss("gaussian_nll", predictions=mu, targets=y, var=var, include=["gradient", "per_sample"])
        per_sample = 0.5 * (np.log(var) + (mu - y) ** 2 / var)  # full=False, var over eps=1e-6
        np.testing.assert_allclose(answer["per_sample"], per_sample, rtol=1e-14)
        np.testing.assert_allclose(answer["gradients"]["var"], 0.5 * (1 / var - (mu - y) ** 2 / var ** 2) / 6, rtol=1e-13)

        y_true, y_pred, w = rng.integers(0, 2, size=(5, 3)).astype(float), rng.uniform(size=(5, 3)), rng.uniform(size=5)
        answer = self.client.loss("keras.binary_crossentropy", y_true=y_true, y_pred=y_pred, sample_weight=w)
        eps = 1e-7  # Keras 3: clip to [eps, 1 - eps], the mean over the last axis, weighted, / batch
        q = np.clip(y_pred, eps, 1 - eps)
        rows = -(y_true * np.log(q) + (1 - y_true) * np.log(1 - q)).mean(axis=-1)
        self.assertAlmostEqual(answer["value"], (rows * w).sum() / 5, places=12)

        unreduced = self.client.loss("mse_loss", predictions=[1.0, 2.0], targets=[0.0, 0.0], reduction="none")
        self.assertIsNone(unreduced.get("value"))
        self.assertEqual(unreduced["per_sample"].tolist(), [1.0, 4.0])

    def test_scikit_learn_labels_as_scikit_learn_takes_them(self):
        from sklearn import metrics  # Debian's python3-sklearn, the reference
        y = np.array(["spam", "ham", "eggs", "spam", "ham"])
        p = np.random.default_rng(3).dirichlet(np.ones(3), size=5)
        w = np.array([1.0, 2.0, 0.5, 1.0, 3.0])
        expected = metrics.log_loss(y, p, sample_weight=w)
        answer = self.client.loss("sklearn.metrics.log_loss", y_true=y, y_pred=p, sample_weight=w, include=["per_sample"])
        self.assertAlmostEqual(answer["value"], expected, delta=1e-12 * expected)
        for binary in (True, False):
            out = self.client.infer("sklearn.log_loss", {"predictions": p, "targets": y, "sample_weight": w}, binary=binary)
            self.assertAlmostEqual(float(out["value"][0]), expected, delta=1e-12 * expected)
        self.assertEqual(self.client.loss("sklearn.zero_one_loss", y, np.array(["spam", "ham", "ham", "eggs", "ham"]), params={"normalize": False})["value"],
                         metrics.zero_one_loss(y, ["spam", "ham", "ham", "eggs", "ham"], normalize=False))

    def test_problem_fields(self):
        with self.assertRaises(LossServiceError) as refused:
            self.client.loss("mse", predictions=[1, 2, 3], targets=[1, 2])
        e = refused.exception
        self.assertEqual((e.status, e.code, e.field), (400, "shape_mismatch", "targets"))
        self.assertIn("shape", e.detail)
        self.assertTrue(e.request_id)
        with self.assertRaises(LossServiceError) as refused:
            self.client.loss("triplet_margin", predictions=[1.0], targets=[1.0])
        self.assertEqual(refused.exception.status, 400)
        self.assertIn("anchor", refused.exception.detail)

    def test_names_are_quoted(self):
        for name in ("no such/model", "a?b#c", "ü ö"):
            with self.assertRaises(LossServiceError) as refused:
                self.client.model_metadata(name)
            self.assertEqual(refused.exception.status, 404, name)
        self.assertEqual(self.client.model_metadata("keras.binary_crossentropy")["name"], "keras.binary_crossentropy")

    def test_check_my_loss(self):
        p, y = np.array([0.9, 0.2, 0.6, 0.3]), np.array([1.0, 0.0, 1.0, 0.0])
        mine = float(-(y * np.log(p) + (1 - y) * np.log(1 - p)).sum())  # a sum where PyTorch takes the mean
        answer = self.client.check("binary_cross_entropy", {"value": mine}, predictions=p, targets=y)
        self.assertEqual(answer["verdict"], "explained")
        self.assertEqual([h["id"] for h in answer["explanation"]], ["sum_instead_of_mean"])
        self.assertEqual(self.client.check("binary_cross_entropy", {"value": mine / 4}, predictions=p, targets=y)["verdict"], "match")

    def test_binary_and_json_infer_agree(self):
        binary = self.client.infer("cross_entropy", {"predictions": self.logits, "targets": self.labels})
        as_json = self.client.infer("cross_entropy", {"predictions": self.logits, "targets": self.labels}, binary=False)
        self.assertEqual(binary["gradient"].dtype, np.float32)
        self.assertTrue(binary["gradient"].flags.writeable)
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
