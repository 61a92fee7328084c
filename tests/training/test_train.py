"""What `make train` prints at the end."""

from __future__ import annotations

from claim_risk.training.train import summary

FAST = {"seed_cv": {"roc_auc": 0.75}, "topic_heldout": {"roc_auc": 0.9}, "threshold": 0.662}


def test_summary_names_each_tiers_own_threshold() -> None:
    line = summary({**FAST, "semantic": {**FAST, "threshold": 0.5813}})
    fast, semantic = line.split("; semantic: ")
    assert "threshold 0.662" in fast and "0.5813" not in fast
    assert semantic.endswith("threshold 0.5813") and "0.662" not in semantic


def test_summary_of_the_fast_tier_alone_with_user_labels() -> None:
    """No figure on the user's labels (issue 20): a pointer to the page-grouped lift instead."""
    line = summary({**FAST, "user_labels": {"n": 13, "n_positive": 4, "n_pages": 2}})
    assert line == (
        "done: seed ROC-AUC 0.750, held-out-topic ROC-AUC 0.900, threshold 0.662, "
        "with your 13 labels (what they add on your pages: "
        "python -m claim_risk.training.adapt lift labels/user/*.csv)"
    )
    assert "ROC-AUC" not in line.split("with your")[1]
