"""Finding, checking and loading the trained model: plain data, never code.

A model folder holds ``model.json`` (vocabulary, idf, weights, cue patterns,
the context stage) and ``metadata.json`` (versions, hashes, the decision
threshold and risk bands). Two models ship, chosen by name wherever a model
folder is asked for: ``fast`` (``model/artifacts/``, the default) and
``semantic`` (``model/artifacts/semantic/``, the same features plus the
sentence's MiniLM embedding, which needs ``make semantic``), each loaded as
a ``LinearTier``; the name ``cascade`` loads the two as a ``CascadeTier``
that scores with ``fast`` and re-scores with ``semantic`` the sentences
``fast`` places at or above the cut stored with the semantic model.

Loading parses JSON and checks it; nothing in the folder is executed. Before
parsing, ``model.json`` is checked against the SHA-256 in ``metadata.json``.
The hash covers ``model.json`` only: ``metadata.json`` holds it and is covered
by nothing, and anyone who can write the folder can rewrite ``model.json`` and
re-sign it. The hash catches corruption and stray edits, not a forger, so
every field of either file that scoring or a decision reads is checked
strictly: its type, and its range (a number at most ``MAX_MAGNITUDE`` in size,
a count at most ``MAX_COUNT``), so a folder that loads scores every sentence
finite and in [0, 1]. Each file is capped in size (``MAX_MODEL_BYTES``,
``MAX_METADATA_BYTES``), which caps the memory loading takes. Every refusal is
a ``ModelError`` whose message is one line saying what is wrong and what to do.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from .context import ContextModel
from .decision import Decision, short_repr
from .features import SentenceFeatures
from .lexicon import Abstractor
from .linear import SentenceModel
from .shape import SHAPES, SegmentShape
from .tiers import CascadeTier, LinearTier, Tier

__all__ = [
    "DEFAULT_DIR",
    "FORMAT",
    "FORMAT_VERSION",
    "METADATA_FILE",
    "MODEL_FILE",
    "NAMED",
    "TIER_NAMES",
    "ModelChoice",
    "ModelError",
    "cascade",
    "load_model",
    "parse_model",
    "resolve_dir",
]

DEFAULT_DIR = Path(__file__).resolve().parent.parent / "artifacts"
SEMANTIC_DIR = DEFAULT_DIR / "semantic"
NAMED = {"fast": DEFAULT_DIR, "semantic": SEMANTIC_DIR}
CASCADE = "cascade"
TIER_NAMES = (*NAMED, CASCADE)
MODEL_FILE = "model.json"
METADATA_FILE = "metadata.json"
ENV_VAR = "CLAIM_RISK_MODEL"
FORMAT = "claim-risk-model"
FORMAT_VERSION = 1
MAX_METADATA_BYTES = 1 << 20
"""The largest ``metadata.json`` read (1 MiB; the shipped ones are about 2 KB)."""
MAX_MODEL_BYTES = 8 << 20
"""The largest ``model.json`` read (8 MiB; the shipped ones are 0.3 MB, 8,001 words).

The cap bounds memory too: loading the worst file of this size (740,000 of
the shortest distinct words) peaks at about 320 MiB (under 400), against 37 MiB for
the shipped model (tests/model/core/test_loader_numbers.py).
"""
MAX_MAGNITUDE = 1e6
"""The largest absolute value of a weight, idf, intercept or scale (the shipped: under 10)."""
MAX_COUNT = 1 << 20
"""The largest context window, top-k, neighbour count or minimum page (the shipped: 256)."""
REQUIRED_METADATA = ("package_version", "model_sha256", "threshold", "bands", "format_version")


class ModelError(RuntimeError):
    """The model is missing, corrupt, tampered with, or from an incompatible version."""


def resolve_dir(model_dir: str | os.PathLike | None = None) -> Path:
    """The model folder: the argument, else $CLAIM_RISK_MODEL, else the shipped one.

    The names ``fast`` and ``semantic`` stand for the shipped models (a folder
    of that name is reached as ``./semantic``); ``cascade`` is two folders,
    so it is refused here (``load_model`` builds it).
    """
    return _folder(_choice(model_dir))


def _folder(raw: str | os.PathLike | None) -> Path:
    """The folder a model name or path stands for (the environment already consulted)."""
    if raw == CASCADE:
        raise ModelError("the cascade is two model folders (fast and semantic), not one")
    if raw is None:
        return DEFAULT_DIR
    if isinstance(raw, str) and raw in NAMED:
        return NAMED[raw]
    try:
        return Path(raw).resolve()
    except (OSError, RuntimeError) as exc:  # symlink loops raise RuntimeError
        raise ModelError(f"model folder {raw} cannot be resolved ({exc})") from None


def _read_regular(path: Path, limit: int, what: str) -> bytes:
    """The bytes of a regular file no larger than ``limit``; anything else is refused."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise ModelError(
            f"{path} is missing ({what}): run 'make train' or pass --model DIR"
        ) from None
    except OSError as exc:
        raise ModelError(f"{path} cannot be read ({exc.strerror or exc})") from None
    if not stat.S_ISREG(info.st_mode):
        raise ModelError(f"{path} is not a regular file: a model folder holds plain files only")
    if info.st_size > limit:
        raise ModelError(f"{path} is {info.st_size:,} bytes, over the {limit:,} allowed")
    try:
        with path.open("rb") as fh:
            data = fh.read(limit + 1)
    except OSError as exc:
        raise ModelError(f"{path} cannot be read ({exc.strerror or exc})") from None
    if len(data) > limit:
        raise ModelError(f"{path} grew past {limit:,} bytes while being read")
    return data


def _json(data: bytes, path: Path, strict: bool = True) -> Any:
    """Parsed JSON; ``strict`` refuses NaN and infinities (model numbers must be finite)."""
    try:
        hook = _no_constant if strict else None
        return json.loads(data.decode("utf-8"), parse_constant=hook)
    except (UnicodeDecodeError, ValueError) as exc:
        raise ModelError(
            f"{path} is not valid JSON ({exc}): it is truncated or corrupt; rebuild with "
            "'make train'"
        ) from None
    except RecursionError:
        raise ModelError(
            f"{path} is not valid JSON (nested too deeply): it is corrupt; rebuild with "
            "'make train'"
        ) from None


def _no_constant(name: str) -> None:
    raise ValueError(f"{name} is not allowed")


def read_metadata(directory: Path) -> dict:
    """Parse and check ``metadata.json`` or raise ModelError."""
    if not directory.is_dir():
        if directory == SEMANTIC_DIR:
            raise ModelError(
                f"no semantic model at {directory}: 'make semantic' then 'make train' trains it"
            )
        raise ModelError(f"no model folder at {directory}: run 'make train' or pass --model DIR")
    path = directory / METADATA_FILE
    # Metadata may record undefined figures (NaN) of a slice without data; the
    # numbers scoring uses (threshold, bands) are checked by Decision.
    meta = _json(_read_regular(path, MAX_METADATA_BYTES, "the model's metadata"), path, False)
    if not isinstance(meta, dict):
        raise ModelError(f"{path} is not a JSON object: rebuild with 'make train'")
    missing = [k for k in REQUIRED_METADATA if k not in meta]
    if missing:
        raise ModelError(
            f"{path} lacks {', '.join(missing)}: it is from an older claim-risk or was edited; "
            "rebuild with 'make train'"
        )
    if not isinstance(meta["package_version"], str) or not isinstance(meta["model_sha256"], str):
        raise ModelError(f"{path}: package_version and model_sha256 must be strings")
    if not _VERSION.fullmatch(meta["package_version"]):
        raise ModelError(f"{path}: package_version must be a version such as 0.1.0")
    if not _SHA256.fullmatch(meta["model_sha256"]):
        raise ModelError(f"{path}: model_sha256 must be 64 hex digits: rebuild with 'make train'")
    for key in ("training_data_sha256", "created"):
        if not isinstance(meta.get(key, ""), str):
            raise ModelError(f"{path}: {key} must be a string: rebuild with 'make train'")
    version = meta["format_version"]
    if isinstance(version, bool) or not isinstance(version, int) or version != FORMAT_VERSION:
        raise ModelError(
            f"{path}: model format {short_repr(meta['format_version'])}, this claim-risk reads "
            f"format {FORMAT_VERSION}: install the claim-risk version that made it or retrain"
        )
    return meta


_VERSION = re.compile(r"\d{1,9}\.\d{1,9}(?:\.[0-9A-Za-z.+-]{1,40})?")
_SHA256 = re.compile(r"[0-9a-f]{64}")


def _check_compatible(meta: dict, directory: Path) -> None:
    from ..version import __version__

    if meta["package_version"].split(".")[:2] != __version__.split(".")[:2]:
        raise ModelError(
            f"model in {directory} was made by claim-risk {meta['package_version']}, this is "
            f"{__version__}: retrain with 'make train' or install the version that made it"
        )


def _floats(value: Any, n: int | None, what: str) -> np.ndarray:
    """A list of ``n`` numbers, each within ``MAX_MAGNITUDE``, as float64."""
    if not isinstance(value, list) or (n is not None and len(value) != n):
        raise ValueError(f"{what} must be a list of {n if n is not None else 'some'} numbers")
    if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in value):
        raise ValueError(f"{what} must hold numbers only")
    try:
        arr = np.asarray(value, dtype=np.float64)
    except OverflowError:  # an integer beyond any float
        arr = np.full(1, np.inf)
    if not np.all(np.abs(arr) <= MAX_MAGNITUDE):  # false for NaN and infinities too
        raise ValueError(f"{what} holds a number that is not finite or over {MAX_MAGNITUDE:g}")
    return arr


def _number(value: Any, what: str) -> float:
    """One number within ``MAX_MAGNITUDE``, as a float."""
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not -MAX_MAGNITUDE <= value <= MAX_MAGNITUDE
    ):
        raise ValueError(f"{what} must be a finite number of at most {MAX_MAGNITUDE:g}")
    return float(value)


def _count(value: Any, what: str, least: int) -> int:
    """An integer from ``least`` to ``MAX_COUNT``."""
    if isinstance(value, bool) or not isinstance(value, int) or not least <= value <= MAX_COUNT:
        raise ValueError(f"{what} must be an integer from {least} to {MAX_COUNT}")
    return value


def _sentence_model(spec: Any) -> SentenceModel:
    if not isinstance(spec, dict):
        raise ValueError("sentence_model must be an object")
    tok = spec["tokenizer"]
    expected = {"lowercase": True, "strip_accents": "unicode", "norm": "l2", "analyzer": "word"}
    for key, value in expected.items():
        if tok.get(key) != value:
            raise ValueError(
                f"tokenizer {key}={short_repr(tok.get(key))} is not supported (needs {value!r})"
            )
    vocab = spec["vocabulary"]
    if not isinstance(vocab, list) or not all(isinstance(v, str) and v for v in vocab):
        raise ValueError("vocabulary must be a list of non-empty strings")
    if len(set(vocab)) != len(vocab):
        raise ValueError("vocabulary has duplicate entries")
    ngram = tok["ngram_range"]
    if (
        not isinstance(ngram, list)
        or len(ngram) != 2
        or not all(isinstance(v, int) and not isinstance(v, bool) for v in ngram)
        or not 1 <= ngram[0] <= ngram[1] <= 3
    ):
        raise ValueError("ngram_range must be [min, max] with 1 <= min <= max <= 3")
    if any(not ngram[0] <= len(v.split(" ")) <= ngram[1] for v in vocab):
        raise ValueError("a vocabulary entry has a word count outside ngram_range")
    cues = spec["cues"]
    if not isinstance(cues, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in cues.items()
    ):
        raise ValueError("cues must map names to regular expressions")
    if not isinstance(tok["token_pattern"], str) or not isinstance(tok["sublinear_tf"], bool):
        raise ValueError("token_pattern must be a string and sublinear_tf true or false")
    try:
        features = SentenceFeatures(
            vocabulary=vocab,
            idf=_floats(spec["idf"], len(vocab), "idf"),
            token_pattern=tok["token_pattern"],
            ngram_range=(ngram[0], ngram[1]),
            sublinear_tf=tok["sublinear_tf"],
            cues=cues,
        )
    except re.error as exc:
        raise ValueError(f"a token or cue pattern does not compile ({exc})") from None
    weights = _floats(spec["weights"], features.n_features, "weights")
    embedding = _embedding_term(spec.get("embedding"))
    shape, shape_weights = _segment_shape(spec.get("shape"))
    return SentenceModel(
        features,
        weights,
        _number(spec["intercept"], "intercept"),
        embedding,
        lexicon=_lexicon(spec.get("lexicon")),
        shape=shape,
        shape_weights=shape_weights,
    )


def _lexicon(spec: Any) -> Abstractor | None:
    """The names the lexical features abstract, or None for a model fitted without."""
    if spec is None:
        return None
    if not isinstance(spec, dict) or set(spec) != {"kinds", "terms"}:
        raise ValueError("lexicon must be an object with 'kinds' and 'terms'")
    kinds, terms = spec["kinds"], spec["terms"]
    if not isinstance(kinds, dict) or not all(
        isinstance(k, str) and isinstance(v, str) and v.strip() and not v.isspace()
        for k, v in kinds.items()
    ):
        raise ValueError("lexicon kinds must map names to words")
    if not isinstance(terms, dict) or not all(
        isinstance(k, str) and isinstance(v, list) and all(isinstance(n, str) for n in v)
        for k, v in terms.items()
    ):
        raise ValueError("lexicon terms must map kinds to lists of names")
    if sum(len(v) for v in terms.values()) > MAX_COUNT:
        raise ValueError(f"lexicon holds more than {MAX_COUNT} names")
    return Abstractor(terms, kinds)


def _segment_shape(spec: Any) -> tuple[SegmentShape | None, np.ndarray | None]:
    """The segment shape and its weights, or (None, None) for a model fitted without."""
    if spec is None:
        return None, None
    if not isinstance(spec, dict) or set(spec) != {"min_words", "names", "weights", "patterns"}:
        raise ValueError(
            "shape must be an object with 'min_words', 'names', 'weights' and 'patterns'"
        )
    if spec["names"] != list(SHAPES):
        raise ValueError(f"shape names must be {list(SHAPES)}")
    patterns = spec["patterns"]
    if not isinstance(patterns, dict) or not all(isinstance(v, str) for v in patterns.values()):
        raise ValueError("shape patterns must map names to regular expressions")
    min_words = _count(spec["min_words"], "shape min_words", 1)
    try:
        shape = SegmentShape(min_words, patterns)
    except re.error as exc:
        raise ValueError(f"a shape pattern does not compile ({exc})") from None
    return shape, _floats(spec["weights"], len(SHAPES), "shape weights")


def _embedding_term(spec: Any) -> Any:
    """The semantic tier's embedding term, or None for the fast model."""
    if spec is None:
        return None
    from .embedding import ENCODER, EmbeddingTerm
    from .encoder import DIM

    if not isinstance(spec, dict):
        raise ValueError("embedding must be an object or null")
    if spec["encoder"] != ENCODER or spec["dim"] != DIM or spec["pooling"] != "mean+l2":
        raise ValueError(
            f"embedding from {short_repr(spec['encoder'])} ({short_repr(spec['dim'])} dims, "
            f"{short_repr(spec['pooling'])}): this claim-risk runs {ENCODER} ({DIM} dims, mean+l2)"
        )
    weights = _floats(spec["weights"], DIM, "embedding weights")
    sha = spec["encoder_sha256"]
    if not isinstance(sha, str) or not re.fullmatch(r"[0-9a-f]{64}", sha):
        raise ValueError("embedding encoder_sha256 must be 64 hex digits")
    return EmbeddingTerm(weights, _number(spec["scale"], "embedding scale"), sha)


def _context_model(spec: Any) -> ContextModel | None:
    if spec is None:
        return None
    if not isinstance(spec, dict):
        raise ValueError("context_model must be an object or null")
    names = spec["features"]
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise ValueError("context_model.features must be a list of names")
    least = {"window": 1, "top_k": 1, "neighbours": 0, "min_page": 1}
    ints = {k: _count(spec[k], f"context_model {k}", low) for k, low in least.items()}
    return ContextModel(
        names,
        _floats(spec["weights"], len(names), "context weights"),
        _number(spec["intercept"], "context intercept"),
        **ints,
    )


def parse_model(spec: Any) -> tuple[SentenceModel, ContextModel | None]:
    """Build the scoring objects from the parsed ``model.json``; ValueError if malformed."""
    if not isinstance(spec, dict) or spec.get("format") != FORMAT:
        raise ValueError(f"not a {FORMAT} file")
    if spec.get("format_version") != FORMAT_VERSION:
        raise ValueError(
            f"format version {short_repr(spec.get('format_version'))}, expected {FORMAT_VERSION}"
        )
    try:
        return _sentence_model(spec["sentence_model"]), _context_model(spec.get("context_model"))
    except KeyError as exc:
        raise ValueError(f"missing field {exc.args[0]!r}") from None
    except (TypeError, AttributeError) as exc:
        raise ValueError(f"a field has the wrong type ({exc})") from None


def _choice(model_dir: str | os.PathLike | None) -> str | os.PathLike | None:
    """The model asked for: the argument, else $CLAIM_RISK_MODEL (read here only)."""
    return model_dir if model_dir is not None else os.environ.get(ENV_VAR)


def _label(directory: Path) -> str | None:
    return next((name for name, folder in NAMED.items() if folder == directory), None)


@lru_cache(maxsize=8)
def _load(directory: Path) -> LinearTier:
    meta = read_metadata(directory)
    path = directory / MODEL_FILE
    data = _read_regular(path, MAX_MODEL_BYTES, "the model")
    if hashlib.sha256(data).hexdigest() != meta["model_sha256"]:
        raise ModelError(
            f"{path} does not match the SHA-256 in {METADATA_FILE} (corrupt, truncated or "
            "replaced): rebuild it with 'make train'"
        )
    _check_compatible(meta, directory)
    try:
        decision = Decision.from_metadata(meta["threshold"], meta["bands"])
        sentence, context = parse_model(_json(data, path))
    except (ValueError, OverflowError, RecursionError) as exc:
        raise ModelError(f"{directory}: {exc}: rebuild with 'make train'") from None
    loaded = LinearTier(sentence, context, decision, meta, directory, _label(directory))
    _check_encoder(loaded)
    return loaded


def _check_encoder(model: LinearTier) -> None:
    """A semantic model needs its encoder's packages, with the files it was trained on."""
    if model.sentence.embedding is None:
        return
    problem = model.sentence.embedding.problem()
    if problem:
        raise ModelError(f"the {model.name} model in {model.directory}: {problem}")


def cascade(semantic: LinearTier, fast: LinearTier, cut: float | None = None) -> CascadeTier:
    """The semantic model, run only where ``fast`` scores at least ``cut`` (default: its own)."""
    if cut is None:
        cut = semantic.metadata.get("cascade_cut")
    if isinstance(cut, bool) or not isinstance(cut, int | float) or not 0.0 <= cut <= 1.0:
        raise ModelError(
            f"{semantic.directory / METADATA_FILE} has no cascade_cut in [0, 1]: rebuild with "
            "'make train'"
        )
    if semantic.sentence.embedding is None:
        raise ModelError(f"{semantic.directory} is not a semantic model: a cascade needs one")
    try:
        return CascadeTier(fast, semantic, float(cut))
    except ValueError as exc:
        raise ModelError(f"{semantic.directory}: {exc}") from None


def _shipped_cascade() -> CascadeTier:
    """The shipped cascade; its two folders are loaded once (``_load`` caches them)."""
    return cascade(_load(SEMANTIC_DIR), _load(DEFAULT_DIR))


ModelChoice = str | os.PathLike | LinearTier | CascadeTier | None
"""A model name (``fast``, ``semantic``, ``cascade``), a model folder, or a loaded tier."""


def load_model(model_dir: ModelChoice = None) -> Tier:
    """Load (once per process and folder) and verify the trained model.

    ``"cascade"`` gives the shipped fast and semantic models as one
    ``CascadeTier``; a tier already loaded is returned as it is.
    """
    if isinstance(model_dir, LinearTier | CascadeTier):
        return model_dir
    raw = _choice(model_dir)
    if raw == CASCADE:
        return _shipped_cascade()
    return _load(_folder(raw))
