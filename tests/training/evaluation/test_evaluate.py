"""Metric code agrees with values computed by hand."""

from __future__ import annotations

import numpy as np
import pytest
from claim_risk.training.evaluation.evaluate import (
    _fast_metrics,
    binary_metrics,
    bootstrap_intervals,
    choose_threshold,
    precision_by_register,
    risk_bands,
    wilson,
)

Y = np.array([1, 1, 0, 1, 0, 0])
P = np.array([0.9, 0.8, 0.7, 0.4, 0.3, 0.1])


def test_binary_metrics_by_hand() -> None:
    m = binary_metrics(Y, P, 0.5)
    # Pairs (pos, neg) ranked correctly: 0.9,0.8 beat all 3 negatives; 0.4 beats 0.3 and 0.1.
    assert m["roc_auc"] == pytest.approx(8 / 9)
    # Precision at each positive: 1/1, 2/2, 3/4 -> mean.
    assert m["pr_auc"] == pytest.approx((1 + 1 + 0.75) / 3)
    assert m["precision"] == pytest.approx(2 / 3)
    assert m["recall"] == pytest.approx(2 / 3)
    assert m["f1"] == pytest.approx(2 / 3)
    assert m["n"] == 6 and m["n_positive"] == 3
    assert m["brier"] == pytest.approx(np.mean((P - Y) ** 2))


def test_fast_metrics_match_scikit_learn_with_ties() -> None:
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 300)
    p = np.round(rng.random(300), 1)
    m = binary_metrics(y, p, 0.5)
    assert _fast_metrics(y, p, 0.5) == pytest.approx(
        (m["roc_auc"], m["pr_auc"], m["f1"], m["precision"], m["recall"])
    )


def test_bootstrap_interval_brackets_the_point() -> None:
    rng = np.random.default_rng(1)
    y = rng.integers(0, 2, 200)
    p = np.clip(y * 0.3 + rng.random(200) * 0.7, 0, 1)
    ci = bootstrap_intervals(y, p, 0.5, n_boot=300, random_state=0)
    point = binary_metrics(y, p, 0.5)
    for key in ("roc_auc", "f1"):
        assert ci[key][0] <= point[key] <= ci[key][1]


def test_threshold_maximises_f1() -> None:
    t = choose_threshold(Y, P)
    assert t == pytest.approx(0.4)  # F1 at 0.4 is 6/7; at 0.8 it is 0.8
    bands = risk_bands(Y, P, t, high_precision=0.99)
    assert [b["band"] for b in bands] == ["low", "review", "high"]
    assert bands[1]["recall_if_cut_here"] == pytest.approx(1.0)
    assert bands[2]["from"] == pytest.approx(0.8)  # first cut with precision >= 0.99
    assert bands[2]["recall_if_cut_here"] == pytest.approx(2 / 3)
    assert sum(b["share_of_sentences"] for b in bands) == pytest.approx(1.0)


def test_high_band_holds_in_every_register_that_can_tell() -> None:
    """Pooled precision reaches 0.8 at 0.7; register b is wrong on a third of its flags there."""
    y = np.array([1, 1, 1, 1, 0, 0, 1, 1, 0, 0])
    p = np.array([0.9, 0.85, 0.8, 0.75, 0.1, 0.2, 0.95, 0.9, 0.7, 0.6])
    g = np.array(["a"] * 6 + ["b"] * 4)
    pooled = risk_bands(y, p, 0.5, high_precision=0.8)
    by_group = risk_bands(y, p, 0.5, high_precision=0.8, groups=g, min_positives=2)
    assert pooled[2]["from"] == pytest.approx(0.7)
    assert by_group[2]["from"] == pytest.approx(0.75)  # b's negative at 0.7 left out
    ignored = risk_bands(y, p, 0.5, high_precision=0.8, groups=g, min_positives=3)
    assert ignored[2]["from"] == pytest.approx(0.7)  # b has too few positives to tell


def test_precision_by_register_counts_each_slice() -> None:
    y = np.array([1, 0, 1, 0])
    p = np.array([0.9, 0.8, 0.2, 0.95])
    rows = precision_by_register(
        y, p, np.array(["seed", "seed", "authored", "authored"]),
        np.array(["promotional"] * 2 + ["evidence"] * 2), {"threshold": 0.5},
    )  # fmt: skip
    by = {r["slice"]: r for r in rows}
    assert by["seed/promotional"]["threshold"]["precision"] == 0.5
    assert by["authored/evidence"]["threshold"] == {
        "cut": 0.5, "flagged": 1, "precision": 0.0, "ci95": wilson(0, 1)
    }  # fmt: skip
    lo, hi = wilson(5, 10)
    assert lo < 0.5 < hi and wilson(0, 0) is None
