"""Model integrity: the loader refuses tampered, truncated, missing or incompatible artifacts."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from model.artifacts import DEFAULT_DIR, ModelError, load_model


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


def test_a_good_copy_loads(model_copy: Path) -> None:
    assert 0 < load_model(model_copy).threshold < 1


def test_truncated_pipeline_is_refused(model_copy: Path) -> None:
    pipe = model_copy / "pipeline.joblib"
    pipe.write_bytes(pipe.read_bytes()[:1000])
    with pytest.raises(ModelError, match="does not match the SHA-256"):
        load_model(model_copy)


def test_missing_metadata_is_refused(model_copy: Path) -> None:
    (model_copy / "metadata.json").unlink()
    with pytest.raises(ModelError, match=r"metadata\.json is missing"):
        load_model(model_copy)


def test_corrupt_metadata_is_refused(model_copy: Path) -> None:
    (model_copy / "metadata.json").write_text("{not json")
    with pytest.raises(ModelError, match="unreadable"):
        load_model(model_copy)


def test_other_sklearn_version_is_refused(model_copy: Path) -> None:
    _edit_metadata(model_copy, sklearn_version="0.24.2")
    with pytest.raises(ModelError, match=r"scikit-learn 0\.24\.2"):
        load_model(model_copy)


def test_other_package_version_is_refused(model_copy: Path) -> None:
    _edit_metadata(model_copy, package_version="9.0.0")
    with pytest.raises(ModelError, match=r"claim-risk 9\.0\.0"):
        load_model(model_copy)


def test_missing_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="no model folder"):
        load_model(tmp_path / "nowhere")
