"""Every tier scores any batch of strings: one finite score in [0, 1] per input.

The semantic tier once crashed when no sentence of a batch held a known word
or cue (issue #22, item 1): ``np.bincount`` of an empty input is int64, and
the embedding term was then added to it in place. The fuzz tests run a few
hundred generated batches per tier (unknown words, symbols only, empty-ish
strings, lone surrogates, very long tokens); set ``CLAIM_RISK_FUZZ=1`` to run
ten times as many.
"""

from __future__ import annotations

import math
import os
import subprocess
import sys

import numpy as np
import pytest
from claim_risk import score_documents, score_sentences, score_text
from claim_risk.core.artifacts import load_model
from claim_risk.core.embedding import missing_packages
from claim_risk.core.features import FeatureMatrix
from claim_risk.core.linear import SentenceModel
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

needs_encoder = pytest.mark.skipif(
    bool(missing_packages()), reason="the semantic extra is not installed: make semantic"
)
TIERS = [
    "fast",
    pytest.param("semantic", marks=needs_encoder),
    pytest.param("cascade", marks=needs_encoder),
]
EXAMPLES = 2000 if os.environ.get("CLAIM_RISK_FUZZ") == "1" else 200
SETTINGS = settings(
    max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)

NO_KNOWN_WORD = ["Ω", "Xyzzy plugh.", "", " ", "\ud800", "…", "Ω Ω Ω", "qqqqqqqq " * 3]

unknown_words = st.text(alphabet="qxzjvkwy", min_size=1, max_size=12).map(lambda s: s + "zq")
symbols = st.text(alphabet=st.characters(categories=["P", "S", "Z", "C"]), max_size=40)
anything = st.text(alphabet=st.characters(codec=None), max_size=60)
surrogates = st.text(
    alphabet=st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF), min_size=1, max_size=5
)
long_token = st.integers(2_000, 20_000).map(lambda n: "a" * n)
sentence = st.one_of(
    unknown_words,
    symbols,
    anything,
    surrogates,
    long_token,
    st.lists(unknown_words, max_size=6).map(" ".join),
    st.sampled_from(NO_KNOWN_WORD),
)


@pytest.mark.parametrize("tier", TIERS)
def test_a_batch_without_any_known_word_scores(tier: str) -> None:
    """The reproduction of item 1: no feature anywhere in the batch."""
    scores = score_sentences(NO_KNOWN_WORD, tier)
    assert len(scores) == len(NO_KNOWN_WORD)
    assert all(math.isfinite(s) and 0.0 <= s <= 1.0 for s in scores)
    [records] = [score_text("Xyzzy plugh.", model_dir=tier)]
    assert len(records) == 1 and 0.0 <= records[0].score <= 1.0
    assert len(score_documents([["Ω"], ["Xyzzy plugh.", "Ω"]], tier)[1]) == 2


def test_empty_feature_matrix_gives_float_logits() -> None:
    """Whatever numpy's bincount returns for no input, the log-odds are float64."""
    model = load_model("fast").sentence
    empty = np.zeros(0, np.int64)
    matrix = FeatureMatrix(rows=empty, cols=empty, values=np.zeros(0), n_rows=3)
    z = SentenceModel.logits(model, ["a", "b", "c"], matrix=matrix)
    assert z.dtype == np.float64 and len(z) == 3
    shape = model.shape.columns(["a", "b", "c"]) @ model.shape_weights  # only the segment shape
    np.testing.assert_allclose(z, model.intercept + shape, rtol=0, atol=1e-12)


@needs_encoder
def test_predict_semantic_on_a_symbol_exits_zero() -> None:
    """``predict --model semantic "Ω"`` and a ``--lines`` stream through such a line."""
    cmd = [sys.executable, "-m", "claim_risk.frontends.cli", "--model", "semantic"]
    one = subprocess.run([*cmd, "--format", "jsonl", "Ω"], capture_output=True, text=True)
    assert one.returncode == 0, one.stderr
    lines = subprocess.run(
        [*cmd, "--lines", "--format", "jsonl"],
        input="Vitamin C cures colds.\nΩ\nXyzzy plugh.\nAsk your doctor first.\n",
        capture_output=True,
        text=True,
    )
    assert lines.returncode == 0, lines.stderr
    assert len(lines.stdout.splitlines()) == 4


@pytest.mark.parametrize("tier", TIERS)
@SETTINGS
@given(batch=st.lists(sentence, max_size=6))
def test_any_batch_scores_finite_in_unit_interval(tier: str, batch: list[str]) -> None:
    """Alone and as one document: one finite score in [0, 1] per sentence, in order."""
    for scores in (score_sentences(batch, tier), score_documents([batch], tier)[0]):
        assert len(scores) == len(batch)
        assert all(math.isfinite(s) and 0.0 <= s <= 1.0 for s in scores)


@needs_encoder
def test_a_sentence_scores_the_same_in_any_batch_within_float32_noise() -> None:
    """Alone, in batches of 7 and all together: within 2e-6 (float32 encoding; #22 saw 4.8e-7)."""
    from claim_risk.training.data.sentences import SENTENCES, read_rows

    texts = [r["text"] for r in read_rows(SENTENCES)][:35]
    together = np.array(score_sentences(texts, "semantic"))
    sevens = np.concatenate(
        [score_sentences(texts[i : i + 7], "semantic") for i in range(0, len(texts), 7)]
    )
    alone = np.array([score_sentences([t], "semantic")[0] for t in texts[:8]])
    assert np.max(np.abs(together - sevens)) < 2e-6
    assert np.max(np.abs(together[:8] - alone)) < 2e-6
