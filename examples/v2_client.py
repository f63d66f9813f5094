#!/usr/bin/env python3
"""Compute a loss through the Open Inference Protocol (KServe v2 / Triton HTTP) with binary tensors.

Standard library and numpy only: this is what any v2 client does, written from the protocol's
text. It sends a cross_entropy request with FP32 logits and INT64 class indices as binary
tensors, asks for binary outputs, splits the response at Inference-Header-Content-Length, and
checks the numbers against the service's own JSON route, POST /loss.

    LOSS_SERVICE_URL=http://127.0.0.1:3000 python3 examples/v2_client.py
"""
import json
import os
import sys
import urllib.request

import numpy as np

URL = os.environ.get("LOSS_SERVICE_URL", "http://127.0.0.1:3000").rstrip("/")
DTYPES = {"FP32": np.float32, "FP64": np.float64, "INT32": np.int32, "INT64": np.int64, "BOOL": np.bool_}


def infer(model, inputs, parameters=None):
    """POST /v2/models/{model}/infer with every input as binary tensor data; outputs binary too."""
    header = {
        "inputs": [
            {"name": name, "shape": list(array.shape), "datatype": datatype,
             "parameters": {"binary_data_size": array.nbytes}}
            for name, (array, datatype) in inputs.items()
        ],
        "parameters": {"binary_data_output": True, **(parameters or {})},
    }
    head = json.dumps(header).encode()
    # Little-endian, row-major, no padding, in input order after the JSON header.
    body = head + b"".join(np.ascontiguousarray(a, dtype=np.dtype(DTYPES[d]).newbyteorder("<")).tobytes()
                           for a, d in inputs.values())
    request = urllib.request.Request(
        f"{URL}/v2/models/{model}/infer", data=body, method="POST",
        headers={"Content-Type": "application/octet-stream", "Inference-Header-Content-Length": str(len(head))})
    with urllib.request.urlopen(request) as response:
        raw = response.read()
        json_length = int(response.headers["Inference-Header-Content-Length"])
    answer = json.loads(raw[:json_length])
    outputs, offset = {}, json_length
    for out in answer["outputs"]:
        size = out["parameters"]["binary_data_size"]
        dtype = np.dtype(DTYPES[out["datatype"]]).newbyteorder("<")
        outputs[out["name"]] = np.frombuffer(raw, dtype=dtype, count=size // dtype.itemsize, offset=offset).reshape(out["shape"])
        offset += size
    return outputs


def post_loss(body):
    request = urllib.request.Request(f"{URL}/loss", data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request) as response:
        return json.load(response)


def main():
    rng = np.random.default_rng(0)
    logits = rng.normal(size=(256, 10)).astype(np.float32)
    labels = rng.integers(0, 10, size=256).astype(np.int64)

    out = infer("cross_entropy", {"predictions": (logits, "FP32"), "targets": (labels, "INT64")},
                parameters={"label_smoothing": 0.1})
    print(f"v2 binary: value {out['value'][0]:.7f}, per_sample {out['per_sample'].shape}, gradient {out['gradient'].shape} {out['gradient'].dtype}")

    # The same request over JSON (float64 maths on the same float32 logits) must agree to float32 precision.
    ref = post_loss({"loss": "cross_entropy", "predictions": logits.astype(np.float64).tolist(), "targets": labels.tolist(),
                     "params": {"label_smoothing": 0.1}, "include": ["per_sample", "gradient"]})
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
    if worst > 1e-5:
        print("FAIL: v2 and POST /loss disagree", file=sys.stderr)
        return 1
    print("OK: v2 binary FP32 agrees with POST /loss")
    return 0


if __name__ == "__main__":
    sys.exit(main())
