"""The plain-data scorer equals the scikit-learn pipeline it was exported from."""

from __future__ import annotations

import json
import random
import warnings

import numpy as np
import pytest
from claim_risk.core.artifacts import parse_model
from claim_risk.core.linear import sigmoid
from claim_risk.core.shape import SHAPES
from claim_risk.training.data.sentences import SENTENCES, read_rows
from claim_risk.training.fit.export import WEIGHT_DECIMALS, export_sentence_model, model_json
from claim_risk.training.fit.features import SOLVER_TOL, build_pipeline, logistic_regression

ALPHABET = [
    *"abcdefghijklmnopqrstuvwxyz ABCXYZ'-.,;:!?%&0123456789",
    *"àéÏøœßİıΣσςÆ\u0301\u0308\u200b\u202e\u2028\ufeff\x00\t\r\nﬁ😀",
    "cures",
    " safe ",
    "proven",
    "studies show",
    "no side effects",
    "i ",
    "my ",
    "100% ",
    "1999 ",
    "randomized",
    "clinically proven",
]


def hostile_strings(n: int, seed: int = 0) -> list[str]:
    """Generated strings: control characters, combining marks, case traps, cue fragments."""
    rng = random.Random(seed)
    fixed = ["", " ", "\x00", "İSTANBUL CURES", "ΣΑΣ cures", "e\u0301 cures", "\ud800 lone",
             "x" * 5000, "don't-stop rock'n'roll", "100%", "100% safe.", "studies show\x00it",
             "ﬁne", "Ⅻ cures", "ǅ", "a" * 3 + " b" * 2000]  # fmt: skip
    return fixed + [
        "".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 80))) for _ in range(n)
    ]


@pytest.fixture(scope="module")
def fitted():
    rows = read_rows(SENTENCES)
    texts = [r["text"] for r in rows]
    y = np.array([r["label"] == "unsupported" for r in rows], dtype=int)
    pipe = build_pipeline(word_ngrams=(1, 3)).fit(texts, y)
    model, _ = parse_model(json.loads(model_json(export_sentence_model(pipe), None)))
    return pipe, model, texts


def test_equal_on_every_labelled_sentence(fitted) -> None:
    pipe, model, texts = fitted
    ref = pipe.predict_proba(texts)[:, 1]
    np.testing.assert_allclose(sigmoid(model.logits(texts)), ref, rtol=0, atol=1e-9)


def test_equal_on_hostile_strings(fitted) -> None:
    pipe, model, _ = fitted
    texts = hostile_strings(3000)
    ref = pipe.predict_proba(texts)[:, 1]
    np.testing.assert_allclose(sigmoid(model.logits(texts)), ref, rtol=0, atol=1e-9)


def test_batch_equals_one_by_one(fitted) -> None:
    _, model, texts = fitted
    some = texts[:50] + hostile_strings(50, seed=1)
    one = np.array([model.logits([t])[0] for t in some])
    np.testing.assert_allclose(model.logits(some), one, rtol=0, atol=1e-12)


def test_explanations_equal_the_pipeline_arithmetic(fitted) -> None:
    pipe, model, texts = fitted
    X = pipe.named_steps["features"].transform(texts[:20]).toarray()
    coef = pipe.named_steps["clf"].coef_[0]
    names = list(model.features.feature_names()) + [f"shape:{n}" for n in SHAPES]
    for row, explained in zip(X, model.explain(texts[:20], k=10_000), strict=True):
        expected = {names[j]: row[j] * coef[j] for j in np.flatnonzero(row * coef)}
        got = dict(explained["up"] + explained["down"])
        assert got.keys() == expected.keys()
        assert all(abs(got[k] - expected[k]) < 1e-12 for k in got)


def test_unsupported_settings_are_refused() -> None:
    pipe = build_pipeline().set_params(features__word__vectorizer__stop_words="english")
    pipe.fit(["a cure for all", "ask a doctor", "a cure", "a doctor"], [1, 0, 1, 0])
    with pytest.raises(ValueError, match="does not support"):
        export_sentence_model(pipe)


def test_export_rounds_the_optimum_not_a_stopping_point() -> None:
    """The fit reaches the optimum's gradient floor; a fit started elsewhere ends beside it.

    Rounding to the 1e-7 grid only hides CPU noise if the weights sit within
    noise of the unique optimum, not where a tolerance happened to stop (lbfgs
    at tol=1e-8 ended 7e-6 from where it ended when started elsewhere).
    """
    rows = read_rows(SENTENCES)
    y = np.array([r["label"] == "unsupported" for r in rows], dtype=int)
    pipe = build_pipeline()
    X = pipe.named_steps["features"].fit_transform([r["text"] for r in rows], y)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no line-search failure, no ConvergenceWarning
        clf = logistic_regression(4.0).fit(X, y)
        other = logistic_regression(4.0).set_params(warm_start=True)
        rng = np.random.default_rng(0)
        other.coef_ = clf.coef_ + rng.normal(0, 0.1, clf.coef_.shape)
        other.intercept_ = clf.intercept_ + 0.1
        other.fit(X, y)
    sw = np.where(y == 1, len(y) / (2 * y.sum()), len(y) / (2 * (len(y) - y.sum())))
    residual = sw * (sigmoid(X @ clf.coef_[0] + clf.intercept_[0]) - y) / sw.sum()
    gradient = np.r_[X.T @ residual + clf.coef_[0] / (4.0 * sw.sum()), residual.sum()]
    assert np.abs(gradient).max() <= SOLVER_TOL
    np.testing.assert_allclose(other.coef_, clf.coef_, rtol=0, atol=10.0 ** -(WEIGHT_DECIMALS + 4))
    np.testing.assert_allclose(other.intercept_, clf.intercept_, rtol=0, atol=1e-11)
