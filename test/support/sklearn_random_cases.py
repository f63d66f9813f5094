#!/usr/bin/env python3
"""Random requests of every sklearn.* function and what scikit-learn itself answers to each (its
value, or that it refuses), for test/sklearnDifferential.test.ts: a differential test beside the
golden cases, over shapes, labels (numbers, strings, booleans), weights and parameters drawn at
random (a fixed seed: the same cases every run).

    /usr/bin/python3 test/support/sklearn_random_cases.py SEED COUNT   # JSON on stdout

Debian's python3-sklearn (1.2.1) and python3-numpy. NaN and ±inf values are written as null.
"""
import json
import sys
import warnings

import numpy as np
from sklearn import metrics as M

LABEL_FUNCTIONS = ["log_loss", "hinge_loss", "brier_score_loss", "zero_one_loss", "hamming_loss"]
REGRESSION_FUNCTIONS = ["mean_squared_error", "mean_absolute_error", "mean_squared_log_error", "mean_absolute_percentage_error",
                        "mean_pinball_loss", "median_absolute_error", "max_error", "mean_tweedie_deviance", "mean_poisson_deviance",
                        "mean_gamma_deviance", "r2_score", "explained_variance_score", "d2_tweedie_score", "d2_pinball_score",
                        "d2_absolute_error_score"]
POSITIVE = ("mean_squared_log_error", "mean_poisson_deviance", "mean_gamma_deviance", "mean_tweedie_deviance", "d2_tweedie_score")


def call(fn, y, p, kw):
    """scikit-learn's answer: {"value": [...], "vector": bool} or {"error": "..."}."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            v = getattr(M, fn)(y, p, **kw)
        except Exception as e:  # its refusals: ValueError, TypeError, ZeroDivisionError
            return {"error": type(e).__name__ + ": " + str(e)[:120]}
    values = [x if np.isfinite(x) else None for x in np.asarray(v, dtype=float).ravel().tolist()]
    return {"value": values, "vector": isinstance(v, np.ndarray) and v.ndim > 0}


def labels(rng, kind, n, k):
    if kind == "int":
        return rng.integers(0, k, size=n).tolist()
    if kind == "str":
        return [["a", "b", "c", "d", "é", "Z"][i] for i in rng.integers(0, k, size=n)]
    if kind == "bool":
        return [bool(v) for v in rng.integers(0, 2, size=n)]
    if kind == "signs":
        return [int(v) for v in rng.choice([-1, 1], size=n)]
    if kind == "pair":  # two classes that are neither {0, 1} nor {-1, 1}
        return [int(v) for v in rng.choice(rng.choice(np.arange(-3, 6), size=2, replace=False), size=n)]
    return [float(v) for v in rng.choice([0.0, 1.0, 2.0][:k], size=n)]


def label_case(rng):
    fn = str(rng.choice(LABEL_FUNCTIONS))
    n, k = int(rng.integers(1, 7)), int(rng.integers(1, 5))
    kind = str(rng.choice(["int", "str", "bool", "signs", "pair", "float"]))
    y, kw = labels(rng, kind, n, k), {}
    if fn == "log_loss":
        c = int(rng.choice([1, 2, 3, 4]))
        p = rng.uniform(0, 1, size=(n,) if c == 1 else (n, c)).tolist()
        if rng.uniform() < 0.3:
            kw["labels"] = sorted(set(labels(rng, kind, 6, k)))
        if rng.uniform() < 0.3:
            kw["normalize"] = False
        if rng.uniform() < 0.2:
            kw["eps"] = 1e-3
    elif fn == "hinge_loss":
        c = int(rng.choice([1, 2, 3, 4]))
        p = rng.normal(size=(n,) if c == 1 else (n, c)).tolist()
        if rng.uniform() < 0.3:
            kw["labels"] = sorted(set(labels(rng, kind, 6, k)))
    elif fn == "brier_score_loss":
        p = rng.uniform(-0.1, 1.1, size=n).tolist()
        if rng.uniform() < 0.4:
            kw["pos_label"] = labels(rng, kind, 1, k)[0]
    else:
        if rng.uniform() < 0.3:
            width = int(rng.integers(2, 4))
            y, p = rng.integers(0, 2, size=(n, width)).tolist(), rng.integers(0, 2, size=(n, width)).tolist()
        else:
            p = labels(rng, kind, n, k)
        if fn == "zero_one_loss" and rng.uniform() < 0.3:
            kw["normalize"] = False
    weights = rng.uniform(0.2, 2, size=n).tolist() if rng.uniform() < 0.3 else None
    arrays = (np.asarray(y), np.asarray(p) if fn in ("zero_one_loss", "hamming_loss") else np.asarray(p, dtype=float))
    answer = call(fn, *arrays, dict(kw, **({} if weights is None else {"sample_weight": np.asarray(weights)})))
    return fn, y, p, kw, weights, answer


def regression_case(rng):
    fn = str(rng.choice(REGRESSION_FUNCTIONS))
    n, outputs = int(rng.integers(1, 8)), int(rng.choice([0, 1, 2, 3]))
    shape = (n,) if outputs == 0 else (n, outputs)
    positive = fn in POSITIVE and rng.uniform() < 0.85
    y = rng.uniform(0.1, 3, size=shape) if positive else rng.normal(size=shape) * 2
    p = rng.uniform(0.1, 3, size=shape) if positive else y + rng.normal(size=shape)
    if rng.uniform() < 0.1:
        y = np.round(y)
    if rng.uniform() < 0.05:
        y = np.ones(shape)
    kw = {}
    if fn not in ("max_error", "mean_tweedie_deviance", "mean_poisson_deviance", "mean_gamma_deviance", "d2_tweedie_score"):
        r = rng.uniform()
        if r < 0.25:
            kw["multioutput"] = "raw_values"
        elif r < 0.4 and outputs >= 2:
            kw["multioutput"] = rng.uniform(0, 1, size=outputs).tolist()
        elif r < 0.5 and fn in ("r2_score", "explained_variance_score"):
            kw["multioutput"] = "variance_weighted"
    if fn in ("mean_squared_error", "mean_squared_log_error") and rng.uniform() < 0.4:
        kw["squared"] = False
    if fn in ("mean_pinball_loss", "d2_pinball_score") and rng.uniform() < 0.6:
        kw["alpha"] = float(rng.uniform(0.05, 0.95))
    if fn in ("mean_tweedie_deviance", "d2_tweedie_score") and rng.uniform() < 0.8:
        kw["power"] = float(rng.choice([0, 1, 1.5, 2, 3, -1, 0.5]))
    if fn in ("r2_score", "explained_variance_score") and rng.uniform() < 0.3:
        kw["force_finite"] = False
    weights = rng.uniform(0.2, 2, size=n).tolist() if fn != "max_error" and rng.uniform() < 0.3 else None
    answer = call(fn, y, p, dict(kw, **({} if weights is None else {"sample_weight": np.asarray(weights)})))
    return fn, y.tolist(), p.tolist(), kw, weights, answer


def main():
    seed, count = int(sys.argv[1]), int(sys.argv[2])
    rng = np.random.default_rng(seed)
    cases = []
    for i in range(count):
        fn, y, p, kw, weights, answer = (label_case if i % 2 == 0 else regression_case)(rng)
        body = {"loss": "sklearn." + fn, "targets": y, "predictions": p, "params": kw}
        if weights is not None:
            body["sample_weight"] = weights
        cases.append({"body": body, "sklearn": answer})
    json.dump(cases, sys.stdout)


if __name__ == "__main__":
    main()
