#!/usr/bin/env python3
"""Compute a loss through the Open Inference Protocol (KServe v2 / Triton HTTP) with binary tensors,
using the one-file client clients/python/loss_client.py (standard library + numpy).

It sends a cross_entropy request with FP32 logits and INT64 class indices as binary tensors (and
again gzip-compressed), asks for binary outputs, and checks the numbers against the service's own
JSON route, POST /loss.

    LOSS_SERVICE_URL=http://127.0.0.1:3000 python3 examples/v2_client.py
"""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "clients", "python"))
from loss_client import LossClient, LossServiceError  # noqa: E402


def main():
    client = LossClient(os.environ.get("LOSS_SERVICE_URL", "http://127.0.0.1:3000"))
    rng = np.random.default_rng(0)
    logits = rng.normal(size=(256, 10)).astype(np.float32)
    labels = rng.integers(0, 10, size=256).astype(np.int64)

    out = client.infer("cross_entropy", {"predictions": logits, "targets": labels}, parameters={"label_smoothing": 0.1})
    print(f"v2 binary: value {out['value'][0]:.7f}, per_sample {out['per_sample'].shape}, gradient {out['gradient'].shape} {out['gradient'].dtype}")
    gz = LossClient(client.url, compression="gzip").infer("cross_entropy", {"predictions": logits, "targets": labels},
                                                           parameters={"label_smoothing": 0.1})
    same_gzip = all(np.array_equal(out[k], gz[k]) for k in ("value", "per_sample", "gradient"))
    print(f"the same request gzip-compressed: {'identical' if same_gzip else 'DIFFERENT'} outputs")

    # The same request over JSON (float64 maths on the same float32 logits) must agree to float32 precision.
    ref = client.loss("cross_entropy", logits.astype(np.float64), labels, params={"label_smoothing": 0.1}, include=["per_sample", "gradient"])
    checks = {
        "value": (out["value"][0], ref["value"]),
        "per_sample": (out["per_sample"], np.array(ref["per_sample"])),
        "gradient": (out["gradient"], np.array(ref["gradient"])),
    }
    worst = 0.0
    for name, (got, want) in checks.items():
        err = float(np.max(np.abs(np.asarray(got, np.float64) - want) / np.maximum(np.abs(want), 1e-6)))
        worst = max(worst, err)
        print(f"{name:10s} max relative difference v2 vs POST /loss: {err:.2e}")

    try:
        client.loss("mse", [1, 2], [1])
        refused = False
    except LossServiceError as err:
        refused = err.status == 400 and err.body.get("code") == "shape_mismatch"
        print(f"a refusal: {err}")
    if worst > 1e-5 or not same_gzip or not refused:
        print("FAIL: v2 and POST /loss disagree, or compression or errors misbehave", file=sys.stderr)
        return 1
    print("OK: v2 binary FP32 agrees with POST /loss")
    return 0


if __name__ == "__main__":
    sys.exit(main())
