"""Finding, checking and loading the trained pipeline.

A joblib file is a pickle, and unpickling runs code: only load models you made
or verified. Before unpickling, the loader checks the pipeline file against the
SHA-256 recorded in ``metadata.json`` and the scikit-learn and package versions
it was made with, and refuses a mismatch with a one-line explanation.
"""

from __future__ import annotations

import hashlib
import json
import os
import warnings
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

__all__ = [
    "DEFAULT_DIR",
    "METADATA_FILE",
    "PIPELINE_FILE",
    "LoadedModel",
    "ModelError",
    "load_model",
    "resolve_dir",
]

DEFAULT_DIR = Path(__file__).resolve().parent / "artifacts"
PIPELINE_FILE = "pipeline.joblib"
METADATA_FILE = "metadata.json"
ENV_VAR = "CLAIM_RISK_MODEL"


class ModelError(RuntimeError):
    """The model is missing, corrupt, or from an incompatible version."""


@dataclass(frozen=True)
class LoadedModel:
    """A fitted pipeline with its metadata and decision threshold."""

    pipeline: Any
    metadata: dict
    directory: Path

    @property
    def threshold(self) -> float:
        """The stored decision threshold for ``flagged``."""
        return float(self.metadata["threshold"])


def resolve_dir(model_dir: str | os.PathLike | None = None) -> Path:
    """The model folder: the argument, else $CLAIM_RISK_MODEL, else the shipped one."""
    if model_dir is not None:
        return Path(model_dir).resolve()
    env = os.environ.get(ENV_VAR)
    return Path(env).resolve() if env else DEFAULT_DIR


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _minor(version: str) -> tuple[str, ...]:
    return tuple(version.split(".")[:2])


def read_metadata(directory: Path) -> dict:
    """Parse ``metadata.json`` or raise ModelError."""
    meta_path = directory / METADATA_FILE
    if not directory.is_dir():
        raise ModelError(f"no model folder at {directory}: run 'make train' or pass --model DIR")
    try:
        metadata = json.loads(meta_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ModelError(f"{meta_path} is missing: run 'make train' to rebuild the model") from None
    except (OSError, ValueError) as exc:
        raise ModelError(f"{meta_path} is unreadable ({exc}): run 'make train'") from None
    for key in ("threshold", "pipeline_sha256", "sklearn_version", "package_version"):
        if key not in metadata:
            raise ModelError(f"{meta_path} lacks {key!r}: run 'make train' to rebuild the model")
    return metadata


def check_compatible(metadata: dict, directory: Path) -> None:
    """Refuse artifacts made with another scikit-learn or package minor version."""
    import sklearn

    from model import __version__

    if _minor(metadata["sklearn_version"]) != _minor(sklearn.__version__):
        raise ModelError(
            f"model in {directory} was made with scikit-learn {metadata['sklearn_version']}, "
            f"this environment has {sklearn.__version__}: retrain with 'make train' or install "
            f"scikit-learn=={metadata['sklearn_version']}"
        )
    if _minor(metadata["package_version"]) != _minor(__version__):
        raise ModelError(
            f"model in {directory} was made by claim-risk {metadata['package_version']}, "
            f"this is {__version__}: retrain with 'make train'"
        )


@lru_cache(maxsize=8)
def _load(directory: Path) -> LoadedModel:
    metadata = read_metadata(directory)
    pipe_path = directory / PIPELINE_FILE
    if not pipe_path.is_file():
        raise ModelError(f"{pipe_path} is missing: run 'make train' to rebuild the model")
    if _sha256(pipe_path) != metadata["pipeline_sha256"]:
        raise ModelError(
            f"{pipe_path} does not match the SHA-256 in {METADATA_FILE} (corrupt, truncated or "
            "replaced): rebuild it with 'make train'; never load a model you did not make or verify"
        )
    check_compatible(metadata, directory)
    import joblib
    from sklearn.exceptions import InconsistentVersionWarning

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", InconsistentVersionWarning)
            pipeline = joblib.load(pipe_path)
    except Exception as exc:
        raise ModelError(f"{pipe_path} could not be loaded ({type(exc).__name__}: {exc})") from None
    return LoadedModel(pipeline=pipeline, metadata=metadata, directory=directory)


def load_model(model_dir: str | os.PathLike | None = None) -> LoadedModel:
    """Load (once per process and folder) and verify the trained pipeline."""
    return _load(resolve_dir(model_dir))
