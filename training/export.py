"""From fitted scikit-learn objects to the plain-data model the scorer reads.

``export_sentence_model`` turns the fitted pipeline (TF-IDF word n-grams, cue
counts, logistic regression) into a JSON-ready dictionary. Its numbers are
rounded to a fixed grid (idf to 1e-8, weights to 1e-7) and written back into
the pipeline, so the pipeline and the artifact are one model, and two machines
whose floating point differs in the last digits (about 1e-11 was seen) write
the same bytes. ``write_model_folder`` writes ``model.json``, ``metadata.json``
and the model card into a temporary folder swapped in whole.
"""

from __future__ import annotations

import hashlib
import json
import platform
from importlib import metadata as importlib_metadata
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline

from model import __version__
from model.artifacts import FORMAT, FORMAT_VERSION, METADATA_FILE, MODEL_FILE, parse_model
from model.cues import CUES
from training.features import CueFeatures
from training.save import atomic_dir, created_stamp, dump_json, git_inputs_commit

__all__ = [
    "IDF_DECIMALS",
    "WEIGHT_DECIMALS",
    "export_context_model",
    "export_sentence_model",
    "library_versions",
    "model_json",
    "write_model_folder",
]

IDF_DECIMALS = 8
WEIGHT_DECIMALS = 7
LIBRARIES = ("numpy", "scipy", "scikit-learn", "blingfire", "pandas", "datasets")


def _check_vectorizer(vec: TfidfVectorizer) -> None:
    """Refuse settings the plain-data scorer does not reproduce."""
    wanted = {
        "analyzer": "word",
        "lowercase": True,
        "strip_accents": "unicode",
        "norm": "l2",
        "use_idf": True,
        "binary": False,
        "stop_words": None,
        "preprocessor": None,
        "tokenizer": None,
        "max_df": 1.0,
        "max_features": None,
        "vocabulary": None,
    }
    params = vec.get_params()
    bad = {k: params[k] for k, v in wanted.items() if params[k] != v}
    if bad:
        raise ValueError(f"the plain-data scorer does not support TfidfVectorizer{bad}")


def export_sentence_model(pipeline: Pipeline) -> dict:
    """The sentence model as plain data; rounds the pipeline's own numbers to match."""
    union = pipeline.named_steps["features"]
    clf: LogisticRegression = pipeline.named_steps["clf"]
    parts = dict(union.transformer_list)
    if list(parts) not in (["word"], ["word", "cues"]) or not isinstance(
        parts["word"], TfidfVectorizer
    ):
        raise ValueError(f"expected features ['word'] or ['word', 'cues'], got {list(parts)}")
    if "cues" in parts and not isinstance(parts["cues"], CueFeatures):
        raise ValueError("the 'cues' step must be CueFeatures")
    vec: TfidfVectorizer = parts["word"]
    _check_vectorizer(vec)
    vocabulary = [str(v) for v in vec.get_feature_names_out()]
    idf = np.round(np.asarray(vec.idf_, dtype=np.float64), IDF_DECIMALS)
    vec.idf_ = idf
    clf.coef_ = np.round(clf.coef_, WEIGHT_DECIMALS)
    clf.intercept_ = np.round(clf.intercept_, WEIGHT_DECIMALS)
    cues = dict(CUES) if "cues" in parts else {}
    lo, hi = vec.ngram_range
    return {
        "tokenizer": {
            "analyzer": "word",
            "lowercase": True,
            "strip_accents": "unicode",
            "token_pattern": vec.token_pattern,
            "ngram_range": [int(lo), int(hi)],
            "sublinear_tf": bool(vec.sublinear_tf),
            "smooth_idf": bool(vec.smooth_idf),
            "norm": "l2",
        },
        "vocabulary": vocabulary,
        "idf": idf.tolist(),
        "cues": cues,
        "weights": clf.coef_[0].tolist(),
        "intercept": float(clf.intercept_[0]),
    }


def export_context_model(
    clf: LogisticRegression,
    features: list[str],
    window: int,
    top_k: int,
    neighbours: int,
    min_page: int,
) -> dict:
    """The context stage as plain data; rounds the classifier's own numbers to match."""
    clf.coef_ = np.round(clf.coef_, WEIGHT_DECIMALS)
    clf.intercept_ = np.round(clf.intercept_, WEIGHT_DECIMALS)
    return {
        "features": list(features),
        "weights": clf.coef_[0].tolist(),
        "intercept": float(clf.intercept_[0]),
        "window": int(window),
        "top_k": int(top_k),
        "neighbours": int(neighbours),
        "min_page": int(min_page),
    }


def model_json(sentence: dict, context: dict | None) -> bytes:
    """The bytes of ``model.json``: checked by the same parser the scorer uses."""
    spec = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "sentence_model": sentence,
        "context_model": context,
    }
    parse_model(spec)
    return (json.dumps(spec, ensure_ascii=False, allow_nan=False, indent=0) + "\n").encode()


def library_versions() -> dict[str, str]:
    """Versions of the libraries training ran with (recorded in metadata.json)."""
    out = {"python": ".".join(platform.python_version_tuple()[:2])}
    for name in LIBRARIES:
        try:
            out[name] = importlib_metadata.version(name)
        except importlib_metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def write_model_folder(
    artifacts: Path, model_bytes: bytes, metadata: dict, model_card: str
) -> dict:
    """Write the model folder atomically; returns the full metadata written."""
    full = {
        "package_version": __version__,
        "format_version": FORMAT_VERSION,
        "model_file": MODEL_FILE,
        "model_sha256": hashlib.sha256(model_bytes).hexdigest(),
        "libraries": library_versions(),
        "created": created_stamp(),
        "git": git_inputs_commit(),
        **metadata,
    }
    with atomic_dir(artifacts) as tmp:
        (tmp / MODEL_FILE).write_bytes(model_bytes)
        dump_json(full, tmp / METADATA_FILE)
        (tmp / "MODEL_CARD.md").write_text(model_card, encoding="utf-8")
    return full
