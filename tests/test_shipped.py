"""The committed model and reports match the committed labels and keep the interface promises."""

from __future__ import annotations

import json
from pathlib import Path

import claim_risk
from claim_risk.core.artifacts import DEFAULT_DIR, load_model
from claim_risk.training.data.sentences import SENTENCES, file_sha256

from tests.conftest import METADATA_KEYS, SEED_CV_KEYS

ROOT = Path(__file__).resolve().parent.parent


def test_shipped_model_is_not_stale() -> None:
    """The model was trained on the labels here, a user's labels in labels/user/ included."""
    from claim_risk.training.data.sentences import USER_DIR, training_data_sha256

    meta = json.loads((DEFAULT_DIR / "metadata.json").read_text())
    current = training_data_sha256(SENTENCES, USER_DIR)
    assert meta["training_data_sha256"] in (current, file_sha256(SENTENCES)), (
        "labels/sentences.csv (or labels/user/) changed since the model was trained: run "
        "'make train' (and, for the shipped model, commit model/artifacts and reports)"
    )


def test_metrics_json_keeps_the_interface() -> None:
    metrics = json.loads((ROOT / "reports" / "metrics.json").read_text())
    assert set(metrics["seed_cv"]) >= SEED_CV_KEYS
    assert metrics["threshold"] == load_model().threshold
    assert metrics["seed_cv"]["n"] == 280


def test_metadata_keeps_the_interface() -> None:
    meta = load_model().metadata
    assert set(meta) >= METADATA_KEYS, METADATA_KEYS - set(meta)
    assert meta["package_version"] == claim_risk.__version__
    assert meta["label_names"] == ["unsupported", "hedged", "none"]


def test_shipped_semantic_model_comes_from_the_same_run() -> None:
    """The semantic tier beside the fast one: same labels, its figures in metrics.json."""
    from claim_risk.core.artifacts import SEMANTIC_DIR

    fast = json.loads((DEFAULT_DIR / "metadata.json").read_text())
    semantic = json.loads((SEMANTIC_DIR / "metadata.json").read_text())
    metrics = json.loads((ROOT / "reports" / "metrics.json").read_text())
    assert semantic["training_data_sha256"] == fast["training_data_sha256"]
    assert semantic["git"] == fast["git"] and semantic["created"] == fast["created"]
    assert semantic["seed_cv"] == metrics["semantic"]["seed_cv"]
    assert semantic["threshold"] == metrics["semantic"]["threshold"]
    assert semantic["cascade_cut"] == metrics["semantic"]["cascade"]["cut"]
    assert semantic["cascade_cut"] <= semantic["threshold"]
    spec = json.loads((SEMANTIC_DIR / "model.json").read_text())
    assert spec["sentence_model"]["embedding"]["dim"] == 384


def test_shipped_report_is_what_training_renders(tmp_path: Path) -> None:
    """reports/README.md, generated blocks included, is byte for byte what `make train` writes.

    (`make bench`, `make bench-spark` and `make adapt-curve` write their JSON files and have
    the README re-rendered by the same writer `make train` uses: the two must agree.)
    """
    import shutil

    from claim_risk.training.evaluation.report import main as rebuild

    copy = tmp_path / "reports"
    shutil.copytree(ROOT / "reports", copy)
    assert rebuild(["--reports", str(copy)]) == 0
    assert (copy / "README.md").read_text(encoding="utf-8") == (
        ROOT / "reports" / "README.md"
    ).read_text(encoding="utf-8"), "reports/README.md differs from what 'make train' renders"
