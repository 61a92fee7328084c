"""``claim-risk review`` as a command: its help, its URL first, and its exit statuses."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from claim_risk.exits import EXIT_EMPTY_DIR, EXIT_INTERNAL, EXIT_MODEL, EXIT_USAGE
from claim_risk.training.review import cli

from tests.training.review.conftest import CLAIM_RISK, Workbench


def _run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*CLAIM_RISK, *args], capture_output=True, text=True, timeout=300, cwd=cwd
    )


def test_help_names_the_keys_and_the_options() -> None:
    res = _run("review", "--help")
    assert res.returncode == 0
    for word in ("--labels", "--no-browser", "--host", "--port", "--model", "--tier"):
        assert word in res.stdout
    assert "u unsupported" in res.stdout and "s skip" in res.stdout
    top = _run("--help")
    assert top.returncode == 0 and "review" in top.stdout


def test_the_url_is_the_first_line_loopback_with_a_token(workbench: Workbench) -> None:
    parts = urlsplit(workbench.url)
    assert parts.scheme == "http" and parts.hostname == "127.0.0.1" and parts.port
    token = parse_qs(parts.query)["token"][0]
    assert len(token) >= 40  # token_urlsafe(32): 256 random bits
    assert workbench.request("GET", "/api/state")[0] == 200


def test_usage_errors_exit_2_and_say_why(tmp_path: Path, pages_dir: Path) -> None:
    res = _run("review", str(pages_dir))
    assert res.returncode == EXIT_USAGE and "--labels" in res.stderr
    sentences = Path(__file__).resolve().parents[3] / "labels" / "sentences.csv"
    res = _run("review", str(pages_dir), "--labels", str(sentences), "--no-browser")
    assert res.returncode == EXIT_USAGE and "Traceback" not in res.stderr
    res = _run("review", str(pages_dir), "--labels", "x.csv", "--port", "70000")
    assert res.returncode == EXIT_USAGE and "not a port" in res.stderr


def test_nothing_to_review_and_a_missing_model(tmp_path: Path, pages_dir: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    res = _run("review", str(empty), "--labels", str(tmp_path / "l.csv"), "--no-browser")
    assert res.returncode == EXIT_EMPTY_DIR and res.stdout == ""
    res = _run("review", str(pages_dir), "--labels", str(tmp_path / "l.csv"), "--model", str(empty))
    assert res.returncode == EXIT_MODEL and res.stdout == "" and "Traceback" not in res.stderr


def test_without_the_server_packages_it_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture, tmp_path: Path
) -> None:
    monkeypatch.setitem(sys.modules, "uvicorn", None)
    assert cli.main(["review", str(tmp_path), "--labels", "x.csv"]) == EXIT_INTERNAL
    assert "pip install 'claim-risk[review]'" in capsys.readouterr().err
