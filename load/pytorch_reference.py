#!/usr/bin/env python3
"""Times a loss's forward and backward in PyTorch, in-process, on tensors the benchmark wrote.

Usage: pytorch_reference.py LOSS THREADS REPEATS PRED_FILE PRED_SHAPE TARGET_FILE TARGET_DTYPE TARGET_SHAPE [PRED_DTYPE]
       pytorch_reference.py LOSS THREADS REPEATS --named SPEC_JSON
Shapes are comma-separated; files are raw little-endian: predictions float32 (or float64 with
PRED_DTYPE float64), targets float32 (cast to the predictions' dtype) or int64. With --named, the
losses of several inputs: SPEC_JSON is {"inputs": [{"name", "file", "dtype" (float32, float64,
int64), "shape", "grad"}], "params": {...}}, each input passed to the function by name and the
gradient taken with respect to those with "grad".
Prints one JSON line: {"loss", "threads", "median_ms", "min_ms", "value"}.
Uses Debian's python3-torch (run with /usr/bin/python3).
"""
import json
import sys
import time
import warnings

import numpy as np
import torch
import torch.nn.functional as F


def shape(s):
    return tuple(int(d) for d in s.split(","))


def focal(x, t):
    # torchvision.ops.sigmoid_focal_loss, written in torch ops (alpha 0.25, gamma 2), mean.
    p = torch.sigmoid(x)
    ce = F.binary_cross_entropy_with_logits(x, t, reduction="none")
    p_t = p * t + (1 - p) * (1 - t)
    loss = ce * ((1 - p_t) ** 2)
    alpha_t = 0.25 * t + 0.75 * (1 - t)
    return (alpha_t * loss).mean()


LOSSES = {
    "mse": F.mse_loss,
    "l1": F.l1_loss,
    "huber": F.huber_loss,
    "smooth_l1": F.smooth_l1_loss,
    "poisson_nll": lambda x, t: F.poisson_nll_loss(x, t, log_input=True, full=False),
    "binary_cross_entropy": F.binary_cross_entropy,
    "bce_with_logits": F.binary_cross_entropy_with_logits,
    "logistic": F.soft_margin_loss,
    "sigmoid_focal": focal,
    "cross_entropy": F.cross_entropy,
    "nll": F.nll_loss,
    "kl_div": lambda x, t: F.kl_div(x, t, reduction="mean"),
    "multi_margin": F.multi_margin_loss,
    "hinge_embedding": F.hinge_embedding_loss,
    "multilabel_soft_margin": F.multilabel_soft_margin_loss,
}


# Losses of several inputs, by the service's input and parameter names.
NAMED = {
    "gaussian_nll": lambda a, k: F.gaussian_nll_loss(a["predictions"], a["targets"], a["var"], full=k.get("full", False), eps=k.get("eps", 1e-6)),
    "cosine_embedding": lambda a, k: F.cosine_embedding_loss(a["input1"], a["input2"], a["targets"], margin=k.get("margin", 0.0)),
    "margin_ranking": lambda a, k: F.margin_ranking_loss(a["input1"], a["input2"], a["targets"], margin=k.get("margin", 0.0)),
    "triplet_margin": lambda a, k: F.triplet_margin_loss(a["anchor"], a["positive"], a["negative"], margin=k.get("margin", 1.0), p=k.get("p", 2), eps=k.get("eps", 1e-6), swap=k.get("swap", False)),
    "triplet_margin_with_distance": lambda a, k: F.triplet_margin_with_distance_loss(a["anchor"], a["positive"], a["negative"], margin=k.get("margin", 1.0), swap=k.get("swap", False)),
    "multilabel_margin": lambda a, k: F.multilabel_margin_loss(a["predictions"], a["targets"]),
    "ctc": lambda a, k: F.ctc_loss(a["log_probs"], a["targets"], a["input_lengths"], a["target_lengths"], blank=k.get("blank", 0), zero_infinity=k.get("zero_infinity", False)),
}


def named(loss, repeats, spec_file):
    with open(spec_file) as f:
        spec = json.load(f)
    dtypes = {"float32": "<f4", "float64": "<f8", "int64": "<i8"}
    base = {i["name"]: torch.from_numpy(np.fromfile(i["file"], dtype=dtypes[i["dtype"]]).reshape(tuple(i["shape"]))) for i in spec["inputs"]}
    grads = [i["name"] for i in spec["inputs"] if i["grad"]]
    times, value = [], None
    for i in range(int(repeats) + 1):
        args = {k: (v.clone().requires_grad_(True) if k in grads else v) for k, v in base.items()}
        start = time.perf_counter()
        out = NAMED[loss](args, spec["params"])
        out.backward()
        elapsed = (time.perf_counter() - start) * 1000
        value = float(out)
        if i > 0:
            times.append(elapsed)
    times.sort()
    return times, value


def main():
    # kl_div's 'mean' warns that it will change; the service's kl_div mean is PyTorch 1.13's.
    warnings.filterwarnings("ignore", category=UserWarning)
    if len(sys.argv) > 4 and sys.argv[4] == "--named":
        loss, threads, repeats = sys.argv[1:4]
        torch.set_num_threads(int(threads))
        times, value = named(loss, repeats, sys.argv[5])
        print(json.dumps({"loss": loss, "threads": int(threads), "median_ms": times[len(times) // 2], "min_ms": times[0], "value": value}))
        return
    loss, threads, repeats, pred_file, pred_shape, target_file, target_dtype, target_shape = sys.argv[1:9]
    pred_dtype = sys.argv[9] if len(sys.argv) > 9 else "float32"
    torch.set_num_threads(int(threads))
    x0 = torch.from_numpy(np.fromfile(pred_file, dtype="<f8" if pred_dtype == "float64" else "<f4").reshape(shape(pred_shape)))
    t = torch.from_numpy(np.fromfile(target_file, dtype="<i8" if target_dtype == "int64" else "<f4").reshape(shape(target_shape)))
    if t.is_floating_point():
        t = t.to(x0.dtype)
    fn = LOSSES[loss]
    times = []
    value = None
    for i in range(int(repeats) + 1):
        x = x0.clone().requires_grad_(True)
        start = time.perf_counter()
        out = fn(x, t)
        out.backward()
        elapsed = (time.perf_counter() - start) * 1000
        value = float(out)
        if i > 0:  # the first run warms up
            times.append(elapsed)
    times.sort()
    print(json.dumps({"loss": loss, "threads": int(threads), "median_ms": times[len(times) // 2], "min_ms": times[0], "value": value}))


if __name__ == "__main__":
    main()
