"""Training end to end on a tiny fixture corpus: artifacts, reports, round trip, determinism."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from claim_risk.core.artifacts import load_model
from claim_risk.core.score import score_documents, score_sentences

from tests.conftest import METADATA_KEYS, SEED_CV_KEYS


def test_quick_training_writes_artifacts_and_reports(tiny_model: Path) -> None:
    artifacts, reports = tiny_model / "artifacts", tiny_model / "reports"
    for name in ("model.json", "metadata.json", "MODEL_CARD.md"):
        assert (artifacts / name).is_file(), name
    for name in ("metrics.json", "README.md", "figures/pr_curve.png", "figures/calibration.png"):
        assert (reports / name).is_file(), name
    metrics = json.loads((reports / "metrics.json").read_text())
    assert set(metrics["seed_cv"]) >= SEED_CV_KEYS
    assert 0.0 < metrics["threshold"] < 1.0
    meta = json.loads((artifacts / "metadata.json").read_text())
    assert set(meta) >= METADATA_KEYS, METADATA_KEYS - set(meta)


def test_created_is_when_the_inputs_last_changed(tiny_model: Path) -> None:
    """The tiny corpus lies outside the repository: its files' times renew ``created``."""
    from datetime import datetime

    labels = tiny_model / "labels"
    newest = max(int(p.stat().st_mtime) for p in labels.rglob("*") if p.is_file())
    fast = json.loads((tiny_model / "artifacts" / "metadata.json").read_text())
    assert datetime.fromisoformat(fast["created"]).timestamp() >= newest
    assert fast["created_from"] in ("file modification time", "SOURCE_DATE_EPOCH")
    assert "## Provenance" in (tiny_model / "artifacts" / "MODEL_CARD.md").read_text()


def test_tiny_model_learns_the_fixture(tiny_model: Path) -> None:
    metrics = json.loads((tiny_model / "reports" / "metrics.json").read_text())
    # Loose bound: the fixture's promotional lines are easy to tell from evidence lines.
    assert metrics["all_cv"]["roc_auc"] > 0.75


def test_saved_model_loads_and_ranks(tiny_model: Path) -> None:
    artifacts = tiny_model / "artifacts"
    texts = ["Echinacea cures colds overnight, guaranteed.", "Ask a pharmacist first."]
    loaded = load_model(artifacts)
    assert loaded.context is not None
    scores = score_sentences(texts, artifacts)
    assert scores[0] > scores[1]
    [in_context] = score_documents([[*texts, "Order today."]], artifacts)
    assert in_context[0] > in_context[1]


@pytest.mark.slow
def test_training_is_deterministic(
    tiny_corpus: tuple[Path, Path], tmp_path: Path, train_quick
) -> None:
    labels_csv, sources = tiny_corpus
    outputs = []
    for run in ("a", "b"):
        assert train_quick(labels_csv, sources, tmp_path / run) == 0
        outputs.append(tmp_path / run)
    for rel in (
        "artifacts/model.json",
        "artifacts/metadata.json",
        "reports/metrics.json",
        "reports/README.md",
    ):
        assert (outputs[0] / rel).read_bytes() == (outputs[1] / rel).read_bytes(), rel


def test_reports_rebuild_from_saved_scores(tiny_model: Path, tmp_path: Path) -> None:
    """The report module rebuilds the same report from metrics.json and oof.csv."""
    import shutil

    from claim_risk.training.evaluation.report import main as rebuild

    reports = tmp_path / "reports"
    shutil.copytree(tiny_model / "reports", reports)
    (reports / "README.md").write_text("stale")
    labels = tiny_model / "labels"
    args = ["--labels", str(labels / "sentences.csv"), "--sources", str(labels / "sources"),
            "--user-labels", str(tmp_path / "none"), "--reports", str(reports)]  # fmt: skip
    assert rebuild(args) == 0
    for name in ("README.md", "figures/pr_curve.png", "figures/calibration.png"):
        assert (reports / name).read_bytes() == (tiny_model / "reports" / name).read_bytes(), name


def test_rebuild_refuses_scores_of_other_labels(tiny_model: Path, tmp_path: Path) -> None:
    import shutil

    from claim_risk.training.evaluation.report import main as rebuild

    reports = tmp_path / "reports"
    shutil.copytree(tiny_model / "reports", reports)
    oof = reports / "oof.csv"
    oof.write_text(oof.read_text().replace("auth_", "other_", 1))
    labels = tiny_model / "labels"
    args = ["--labels", str(labels / "sentences.csv"), "--sources", str(labels / "sources"),
            "--user-labels", str(tmp_path / "none"), "--reports", str(reports)]  # fmt: skip
    assert rebuild(args) == 2
