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
