"""The context stage's gated page terms act through the sentence's own evidence."""

from __future__ import annotations

import numpy as np
from claim_risk.core.context import FEATURES, ContextModel, context_features


def test_gated_terms_are_the_page_terms_times_the_sentence_probability() -> None:
    z = np.array([-3.0, 0.0, 2.0, 1.0, -1.0])
    page = np.array([0, 0, 0, 1, 1])
    f = context_features(z, page, ["a."] * 5, top_k=2, neighbours=1)
    own = 1 / (1 + np.exp(-z))
    np.testing.assert_allclose(f["page_top_gated"], own * f["page_top"])
    np.testing.assert_allclose(f["page_mean_gated"], own * f["page_mean"])
    assert set(f) == set(FEATURES)


def test_a_background_sentence_on_a_selling_page_is_lifted_less_than_a_claim() -> None:
    """With a positive weight on the gated term, the page lifts a claim more than background."""
    stage = ContextModel(["sentence", "page_top_gated"], [1.0, 1.0], 0.0, 256, 3, 1)
    z = np.array([-3.0, 4.0, 4.0, 4.0])  # background, then three strong claims
    out = stage.logits(z, np.zeros(4, dtype=int), ["x."] * 4)
    lift = out - z
    assert lift[0] < 0.2 < lift[1]


def test_features_asked_for_are_those_of_the_full_set() -> None:
    """Computing only some features (what a model uses) gives each the value it has in the
    full set, for every subset of one or two features."""
    rng = np.random.default_rng(0)
    z = rng.normal(size=40)
    page = np.repeat(np.arange(6), [1, 2, 3, 9, 10, 15])
    texts = [t for t in ("A heading", "A sentence.", "x") for _ in range(14)][:40]
    full = context_features(z, page, texts, top_k=3, neighbours=2)
    for a in FEATURES:
        for b in FEATURES:
            some = context_features(z, page, texts, 3, 2, (a, b))
            assert list(some) == [f for f in FEATURES if f in (a, b)]
            for name, values in some.items():
                np.testing.assert_array_equal(values, full[name])
    empty = context_features(np.zeros(0), np.zeros(0), [], 3, 2, ("sentence",))
    assert list(empty) == ["sentence"]
