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
    line = summary({**FAST, "user_cv": {"roc_auc": 0.8, "n": 13}})
    assert line == (
        "done: seed ROC-AUC 0.750, held-out-topic ROC-AUC 0.900, threshold 0.662, "
        "your labels ROC-AUC 0.800 (n=13)"
    )
