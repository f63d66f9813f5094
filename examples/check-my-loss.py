#!/usr/bin/env python3
"""Is my loss right? A user's own binary cross-entropy, written with numpy as it often is (the
probabilities clipped at 1e-12, the mean over every element), sent with its inputs to the service's
POST /check, which says which reference and which convention reproduce it.

    LOSS_SERVICE_URL=http://127.0.0.1:3000 python3 examples/check-my-loss.py

Standard library + numpy (Debian's python3-numpy).
"""
import json
import os
import urllib.request

import numpy as np


def my_bce(p, t, eps=1e-12):
    """The user's own code: clip, then the textbook formula, averaged over every element."""
    p = np.clip(p, eps, 1 - eps)
    per = -(t * np.log(p) + (1 - t) * np.log(1 - p))
    grad = (p - t) / (p * (1 - p)) * ((p > eps) & (p < 1 - eps)) / p.size
    return per.mean(), per, grad


def main():
    url = os.environ.get("LOSS_SERVICE_URL", "http://127.0.0.1:3000")
    rng = np.random.default_rng(7)
    t = rng.integers(0, 2, size=(8, 4)).astype(np.float64)
    p = rng.uniform(0.02, 0.98, size=(8, 4))
    p[0, 0], t[0, 0] = 1e-15, 1.0  # a confident wrong prediction: where conventions part
    value, per, grad = my_bce(p, t)
    body = {
        "loss": "torch.nn.BCELoss",
        "predictions": p.tolist(),
        "targets": t.tolist(),
        "yours": {"value": float(value), "per_sample": per.tolist(), "gradient": grad.tolist()},
    }
    req = urllib.request.Request(f"{url}/check", data=json.dumps(body).encode(), headers={"content-type": "application/json"})
    with urllib.request.urlopen(req) as resp:
        answer = json.load(resp)
    ref = answer["reference"]
    print(f"verdict: {answer['verdict']} ({ref['loss']}, reduction {ref['reduction']})")
    for e in answer["explanation"]:
        print(f"{e['id']} {json.dumps(e.get('params', {}))}: {e['says']}")
    diff = answer["plain_reference"]["outputs"]["per_sample"].get("first_difference")
    if diff:
        print(f"plain {answer['plain_reference']['loss']} parts from yours first at {diff['at']}: yours {diff['yours']:.6g}, "
              f"reference {diff['reference']:.6g}, inputs {json.dumps(diff['inputs'])}")


if __name__ == "__main__":
    main()
