"""Model integrity: the loader refuses malformed, truncated, tampered or incompatible artifacts.

Each refusal is a ModelError whose message is one line naming the problem.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

import pytest
from claim_risk.core.artifacts import DEFAULT_DIR, MODEL_FILE, ModelError, load_model


@pytest.fixture
def model_copy(tmp_path: Path) -> Path:
    target = tmp_path / "m"
    shutil.copytree(DEFAULT_DIR, target)
    return target


def _edit_metadata(folder: Path, **changes: object) -> None:
    path = folder / "metadata.json"
    meta = json.loads(path.read_text())
    meta.update(changes)
    path.write_text(json.dumps(meta))


def _rewrite_model(folder: Path, edit) -> None:
    """Change model.json and re-sign it, as someone rewriting both files would."""
    spec = json.loads((folder / MODEL_FILE).read_text())
    edit(spec)
    data = json.dumps(spec).encode()
    (folder / MODEL_FILE).write_bytes(data)
    _edit_metadata(folder, model_sha256=hashlib.sha256(data).hexdigest())


def _refused(folder: Path, match: str) -> str:
    with pytest.raises(ModelError, match=match) as info:
        load_model(folder)
    message = str(info.value)
    assert "\n" not in message
    return message


def test_a_good_copy_loads_and_holds_no_pickle(model_copy: Path) -> None:
    model = load_model(model_copy)
    assert 0 < model.threshold < 1
    assert model.context is not None
    assert not [p for p in DEFAULT_DIR.iterdir() if p.suffix in (".joblib", ".pkl", ".pickle")]


def test_truncated_model_is_refused(model_copy: Path) -> None:
    path = model_copy / MODEL_FILE
    path.write_bytes(path.read_bytes()[:1000])
    _refused(model_copy, "does not match the SHA-256")


def test_truncated_model_with_matching_hash_is_refused(model_copy: Path) -> None:
    data = (model_copy / MODEL_FILE).read_bytes()[:1000]
    (model_copy / MODEL_FILE).write_bytes(data)
    _edit_metadata(model_copy, model_sha256=hashlib.sha256(data).hexdigest())
    _refused(model_copy, "not valid JSON")


@pytest.mark.parametrize(
    ("edit", "match"),
    [
        (lambda s: s["sentence_model"]["weights"].pop(), "weights must be a list of"),
        (lambda s: s["sentence_model"]["idf"].__setitem__(0, "x"), "idf must hold numbers"),
        (lambda s: s["sentence_model"].__setitem__("intercept", None), "intercept must be"),
        (lambda s: s["sentence_model"]["cues"].__setitem__("booster", "(("), "does not compile"),
        (lambda s: s["sentence_model"]["tokenizer"].__setitem__("norm", "l1"), "not supported"),
        (lambda s: s["sentence_model"]["vocabulary"].append("the"), "duplicate|weights"),
        (lambda s: s["sentence_model"].pop("vocabulary"), "missing field 'vocabulary'"),
        (lambda s: s.__setitem__("format_version", 99), "format version 99"),
        (lambda s: s.__setitem__("format", "something else"), "not a claim-risk-model"),
        (
            lambda s: s["context_model"].update(
                features=[*s["context_model"]["features"], "mystery"],
                weights=[*s["context_model"]["weights"], 0.0],
            ),
            "unknown context feature",
        ),
        (lambda s: s["context_model"].__setitem__("window", 0), "window must be an integer from 1"),
        (lambda s: s["sentence_model"]["shape"]["weights"].pop(), "shape weights must be"),
        (lambda s: s["sentence_model"]["shape"].__setitem__("min_words", 0), "min_words must"),
        (lambda s: s["sentence_model"]["shape"].__setitem__("names", ["x"]), "shape names"),
        (
            lambda s: s["sentence_model"]["shape"]["patterns"].__setitem__("flat", "(("),
            "does not compile",
        ),
        (lambda s: s["sentence_model"]["lexicon"].pop("kinds"), "lexicon must be an object"),
        (
            lambda s: s["sentence_model"]["lexicon"]["terms"]["treatment"].append("Garlic"),
            "lower-case",
        ),
        (lambda s: s["sentence_model"]["lexicon"]["terms"].__setitem__("treatment", "x"), "lists"),
    ],
)
def test_malformed_model_is_refused(model_copy: Path, edit, match: str) -> None:
    _rewrite_model(model_copy, edit)
    _refused(model_copy, match)


def test_non_finite_number_is_refused(model_copy: Path) -> None:
    text = (model_copy / MODEL_FILE).read_text()
    data = text.replace('"intercept":', '"intercept":NaN,"x":', 1).encode()
    (model_copy / MODEL_FILE).write_bytes(data)
    _edit_metadata(model_copy, model_sha256=hashlib.sha256(data).hexdigest())
    _refused(model_copy, "NaN is not allowed")


def test_missing_metadata_is_refused(model_copy: Path) -> None:
    (model_copy / "metadata.json").unlink()
    _refused(model_copy, r"metadata\.json is missing")


def test_corrupt_metadata_is_refused(model_copy: Path) -> None:
    (model_copy / "metadata.json").write_text("{not json")
    _refused(model_copy, "not valid JSON")


@pytest.mark.parametrize(
    ("changes", "match"),
    [
        ({"threshold": 5}, "threshold must be between 0 and 1"),
        ({"threshold": "0.5"}, "threshold must be a number"),
        ({"package_version": 1}, "must be strings"),
        ({"package_version": "9.0.0"}, r"claim-risk 9\.0\.0"),
        ({"format_version": 2}, "model format 2"),
        ({"bands": []}, "bands must be a list of three"),
    ],
)
def test_bad_metadata_is_refused(model_copy: Path, changes: dict, match: str) -> None:
    _edit_metadata(model_copy, **changes)
    _refused(model_copy, match)


def test_metadata_that_is_not_a_regular_file_is_refused(model_copy: Path) -> None:
    (model_copy / "metadata.json").unlink()
    (model_copy / "metadata.json").symlink_to("/dev/zero")
    _refused(model_copy, "not a regular file")
    (model_copy / "metadata.json").unlink()
    os.mkfifo(model_copy / "metadata.json")
    _refused(model_copy, "not a regular file")


def test_symlink_loop_folder_is_refused(tmp_path: Path) -> None:
    (tmp_path / "a").symlink_to(tmp_path / "b")
    (tmp_path / "b").symlink_to(tmp_path / "a")
    with pytest.raises(ModelError):
        load_model(tmp_path / "a")


def test_missing_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="no model folder"):
        load_model(tmp_path / "nowhere")


def test_shipped_model_reads_abstracted_text_and_segment_shape() -> None:
    """Both shipped tiers carry their lexicon and shape; a remedy swap scores the same."""
    from claim_risk import score_sentences

    for name in ("fast", "semantic"):
        spec = json.loads((DEFAULT_DIR / ("" if name == "fast" else "semantic") / "model.json")
                          .read_text(encoding="utf-8"))["sentence_model"]  # fmt: skip
        assert spec["lexicon"]["terms"]["treatment"] and spec["shape"]["min_words"] >= 1
    a, b = score_sentences(["Garlic cures flu.", "Kratom cures anxiety."], model_dir="fast")
    assert a == b
