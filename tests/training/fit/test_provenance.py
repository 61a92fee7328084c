"""``created`` in metadata.json: renewed when the training inputs change, the same when not."""

from __future__ import annotations

import os
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest
from claim_risk.training.fit.provenance import FROM_COMMIT, FROM_ENV, FROM_FILES, provenance

T0 = 1_790_000_000  # 2026-09-21: a commit time in the past of every file written below


def iso(epoch: int) -> str:
    return datetime.fromtimestamp(epoch, tz=UTC).isoformat()


def commit(repo: Path, when: int) -> str:
    """Commit everything in ``repo`` at time ``when``; returns the commit id."""
    stamp = f"@{when} +0000"
    env = {**os.environ, "GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp}
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid"]
    subprocess.run([*git, "add", "-A"], cwd=repo, check=True, env=env)
    subprocess.run([*git, "commit", "-qm", "inputs"], cwd=repo, check=True, env=env)
    out = subprocess.run(["git", "rev-parse", "HEAD"], cwd=repo, check=True, capture_output=True)
    return out.stdout.decode().strip()


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A repository holding labels and training code, committed at T0."""
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    root = tmp_path / "repo"
    (root / "labels").mkdir(parents=True)
    (root / "training").mkdir()
    (root / "reports").mkdir()
    (root / "labels" / "sentences.csv").write_text("id,text\n1,a\n")
    (root / "training" / "train.py").write_text("x = 1\n")
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    commit(root, T0)
    return root


def test_clean_inputs_give_the_commit_time(repo: Path) -> None:
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=repo, capture_output=True, text=True)
    p = provenance(root=repo)
    assert (p.created, p.created_from) == (iso(T0), FROM_COMMIT)
    assert (p.commit, p.inputs_dirty) == (head.stdout.strip(), False)
    # Outputs are not inputs: writing a report changes nothing.
    (repo / "reports" / "README.md").write_text("report")
    assert provenance(root=repo) == p


def test_an_edit_renews_created_and_a_rerun_keeps_it(repo: Path) -> None:
    labels = repo / "labels" / "sentences.csv"
    labels.write_text("id,text\n1,b\n")
    os.utime(labels, (T0 + 500, T0 + 500))
    p = provenance(root=repo)
    assert (p.created, p.created_from, p.inputs_dirty) == (iso(T0 + 500), FROM_FILES, True)
    assert provenance(root=repo) == p  # the same inputs: the same bytes in metadata.json
    new = commit(repo, T0 + 900)
    p = provenance(root=repo)
    assert (p.created, p.created_from, p.commit, p.inputs_dirty) == (
        iso(T0 + 900),
        FROM_COMMIT,
        new,
        False,
    )


def test_new_and_deleted_inputs_count(repo: Path) -> None:
    new = repo / "training" / "extra.py"
    new.write_text("y = 2\n")
    os.utime(new, (T0 + 100, T0 + 100))
    assert provenance(root=repo).created == iso(T0 + 100)
    new.unlink()
    (repo / "training" / "train.py").unlink()
    os.utime(repo / "training", (T0 + 200, T0 + 200))
    p = provenance(root=repo)
    assert (p.created, p.inputs_dirty) == (iso(T0 + 200), True)


def test_labels_read_from_outside_the_repository_count(repo: Path, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere.csv"
    outside.write_text("id,text\n")
    os.utime(outside, (T0 - 100, T0 - 100))
    assert provenance((outside,), root=repo).created == iso(T0)  # older than the commit
    os.utime(outside, (T0 + 300, T0 + 300))
    p = provenance((outside,), root=repo)
    assert (p.created, p.created_from) == (iso(T0 + 300), FROM_FILES)


def test_source_date_epoch_wins(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(T0 + 42))
    p = provenance(root=repo)
    assert (p.created, p.created_from) == (iso(T0 + 42), FROM_ENV)
    assert p.commit is not None


def test_without_git_the_newest_input_file(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    (tmp_path / "labels").mkdir()
    (tmp_path / "model").mkdir()
    for name, when in (("labels/sentences.csv", T0), ("model/score.py", T0 + 7)):
        (tmp_path / name).write_text("x")
        os.utime(tmp_path / name, (when, when))
    (tmp_path / "model" / "weights.json").write_text("an output, not an input")
    p = provenance(root=tmp_path)
    assert (p.created, p.created_from, p.commit) == (iso(T0 + 7), FROM_FILES, None)
