#!/usr/bin/env python3
"""A model's evaluation with scikit-learn, and the same numbers from the service: a spam filter's
probabilities scored with log_loss, brier_score_loss and zero_one_loss (string labels, sample
weights), a regression's with r2_score and mean_pinball_loss (two outputs). The service answers
what scikit-learn answers, and more: the per-sample terms (which emails cost most) and the
gradient of log_loss with respect to the probabilities (to fine-tune on it).

    LOSS_SERVICE_URL=http://127.0.0.1:3000 python3 examples/sklearn-metrics.py

Standard library + numpy + scikit-learn (Debian's python3-numpy and python3-sklearn).
"""
import json
import os
import urllib.request

import numpy as np
from sklearn import metrics


def service(url, body):
    request = urllib.request.Request(f"{url}/loss", json.dumps(body).encode(), {"Content-Type": "application/json"})
    with urllib.request.urlopen(request) as response:
        return json.load(response)


def main():
    url = os.environ.get("LOSS_SERVICE_URL", "http://127.0.0.1:3000")
    rng = np.random.default_rng(22)
    labels = np.array(["ham", "spam"])
    y_true = labels[rng.integers(0, 2, size=12)]
    p_spam = np.clip(np.where(y_true == "spam", 0.7, 0.3) + rng.normal(0, 0.25, size=12), 0.01, 0.99)
    p_spam[3] = 0.999 if y_true[3] == "ham" else 0.001  # one confident mistake
    weights = rng.uniform(0.5, 2, size=12)
    y_prob = np.column_stack([1 - p_spam, p_spam])  # columns in sorted label order: ham, spam
    y_pred = labels[(p_spam > 0.5).astype(int)]

    rows = []
    ours = service(url, {"loss": "sklearn.metrics.log_loss", "y_true": y_true.tolist(), "y_pred": y_prob.tolist(),
                         "sample_weight": weights.tolist(), "include": ["per_sample", "gradient"]})
    rows.append(("log_loss(y_true, y_prob, sample_weight=w)", metrics.log_loss(y_true, y_prob, sample_weight=weights), ours["value"]))
    brier = service(url, {"loss": "sklearn.brier_score_loss", "y_true": y_true.tolist(), "y_prob": p_spam.tolist(), "params": {"pos_label": "spam"}})
    rows.append(("brier_score_loss(y_true, p_spam, pos_label='spam')", metrics.brier_score_loss(y_true, p_spam, pos_label="spam"), brier["value"]))
    errors = service(url, {"loss": "sklearn.zero_one_loss", "y_true": y_true.tolist(), "y_pred": y_pred.tolist(), "params": {"normalize": False}})
    rows.append(("zero_one_loss(y_true, y_pred, normalize=False)", metrics.zero_one_loss(y_true, y_pred, normalize=False), errors["value"]))

    y = rng.normal(size=(10, 2)) * [1, 10]
    y_hat = y + rng.normal(size=(10, 2)) * [0.3, 2]
    r2 = service(url, {"loss": "sklearn.r2_score", "y_true": y.tolist(), "y_pred": y_hat.tolist(), "params": {"multioutput": "raw_values"}})
    sk_r2 = metrics.r2_score(y, y_hat, multioutput="raw_values")
    for k in range(2):
        rows.append((f"r2_score(y, y_hat, multioutput='raw_values')[{k}]", sk_r2[k], r2["value"][k]))
    pinball = service(url, {"loss": "sklearn.mean_pinball_loss", "y_true": y.tolist(), "y_pred": y_hat.tolist(), "params": {"alpha": 0.9}})
    rows.append(("mean_pinball_loss(y, y_hat, alpha=0.9)", metrics.mean_pinball_loss(y, y_hat, alpha=0.9), pinball["value"]))

    width = max(len(name) for name, _, _ in rows)
    print(f"{'scikit-learn call':<{width}}  {'scikit-learn':>20}  {'service':>20}")
    agree = True
    for name, expected, got in rows:
        same = abs(got - expected) <= 1e-12 * max(1.0, abs(expected))
        agree &= same
        print(f"{name:<{width}}  {float(expected):>20.15g}  {float(got):>20.15g}{'' if same else '  DIFFERENT'}")

    # What scikit-learn does not give: which samples cost most, and the gradient.
    terms = np.array(ours["per_sample"])
    worst = np.argsort(-terms * weights)[:3]
    print("costliest emails (weighted log loss):", ", ".join(f"#{i} {y_true[i]} p(spam)={p_spam[i]:.3f}: {terms[i] * weights[i]:.3f}" for i in worst))
    gradient = np.array(ours["gradient"])
    g = gradient[worst[0]]
    print(f"d log_loss / d y_prob of email #{worst[0]}: ham {g[0]:.4f}, spam {g[1]:.4f} (raise its true class's probability)")
    print("OK: the service agrees with scikit-learn" if agree else "the service DIFFERS from scikit-learn")


if __name__ == "__main__":
    main()
