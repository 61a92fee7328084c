"""Explanations are the linear model's own arithmetic."""

from __future__ import annotations

import math

from claim_risk import explain_sentences, score_sentences
from claim_risk.core.artifacts import load_model

CLAIM = "Studies show this miracle tea is completely safe and cures anxiety fast."


def test_contributions_add_up_to_the_score() -> None:
    [explained] = explain_sentences([CLAIM], k=10_000)
    intercept = load_model().sentence.intercept
    logit = intercept + sum(c for _, c in explained["up"] + explained["down"])
    assert math.isclose(1 / (1 + math.exp(-logit)), score_sentences([CLAIM])[0], rel_tol=1e-12)


def test_k_limits_and_orders_contributions() -> None:
    [explained] = explain_sentences([CLAIM], k=3)
    assert 0 < len(explained["up"]) <= 3
    ups = [c for _, c in explained["up"]]
    assert ups == sorted(ups, reverse=True) and all(c > 0 for c in ups)
    assert all(c < 0 for _, c in explained["down"])


def test_explanations_of_a_batch_match_one_by_one() -> None:
    texts = [CLAIM, "", "Ask your doctor.", "I cured my migraines, guaranteed!"]
    assert explain_sentences(texts, k=4) == [explain_sentences([t], k=4)[0] for t in texts]
