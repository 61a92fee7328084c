"""The workbench's fixtures: pages to review, and a real server started as a user starts it."""

from __future__ import annotations

import http.client
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest

_BIN = Path(sys.executable).parent / "claim-risk"
# The installed console script, or the same command as a module when it is not installed.
CLAIM_RISK = (
    [str(_BIN)] if _BIN.exists() else [sys.executable, "-m", "claim_risk.training.review.cli"]
)

HOSTILE = [
    "<script>document.title='pwned'</script> This tea cures cancer in a week.",
    "<img src=x onerror=\"document.title='pwned'\"> Our drops are totally safe for babies.",
    '=HYPERLINK("http://evil.example","click") Proven to melt fat overnight.',
]


def write_pages(folder: Path, pages: int = 3, sentences: int = 6) -> Path:
    """``pages`` plain-text pages of ``sentences`` distinct sentences each, in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    claims = [
        "Our {x} drops cure insomnia in {n} days, guaranteed.",
        "Studies show {x} is completely safe with no side effects for {n} weeks.",
        "There is no good evidence that {x} helps more than {n} people in a trial.",
        "Talk to your doctor before taking {x}, especially for more than {n} days.",
        "I felt better within {n} hours of my first dose of {x}.",
        "Some users report benefits from {x} after {n} days, but no trial has tested this.",
    ]
    herbs = ["valerian", "kava", "ashwagandha", "chamomile", "kratom", "melatonin", "hops"]
    for p in range(pages):
        lines = [
            claims[(p + i) % len(claims)].format(x=herbs[(p + i) % len(herbs)], n=p * 100 + i + 1)
            for i in range(sentences)
        ]
        (folder / f"page_{p:02d}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


@dataclass
class Workbench:
    """A running ``claim-risk review``: its printed URL, token, and process."""

    url: str
    proc: subprocess.Popen
    labels: Path

    @property
    def base(self) -> str:
        parts = urlsplit(self.url)
        return f"{parts.scheme}://{parts.netloc}"

    @property
    def port(self) -> int:
        return urlsplit(self.url).port or 80

    @property
    def token(self) -> str:
        return self.url.split("token=", 1)[1]

    def request(
        self, method: str, path: str, body: dict | None = None, *, conn=None
    ) -> tuple[int, dict]:
        """One API request with the token header and the page's own Origin."""
        own = conn or http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        headers = {"X-Claim-Risk-Token": self.token, "Origin": self.base}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        own.request(method, path, body=data, headers=headers)
        response = own.getresponse()
        raw = response.read()
        if conn is None:
            own.close()
        return response.status, json.loads(raw) if raw else {}


def start_workbench(tmp: Path, *paths: str, labels: Path, extra: tuple[str, ...] = ()) -> Workbench:
    """Start ``claim-risk review PATHS --labels LABELS --no-browser`` and read its URL."""
    log = (tmp / "workbench.log").open("w")
    proc = subprocess.Popen(
        [*CLAIM_RISK, "review", *paths, "--labels", str(labels), "--no-browser", *extra],
        stdout=subprocess.PIPE,
        stderr=log,
        stdin=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    first = proc.stdout.readline().strip() if proc.stdout else ""
    if not first.startswith("http://"):
        proc.kill()
        proc.wait()
        raise AssertionError(f"no URL first: {first!r}\n{(tmp / 'workbench.log').read_text()}")
    return Workbench(first, proc, labels)


def stop(bench: Workbench) -> None:
    """Stop the server (as Ctrl-C would) and wait for it."""
    bench.proc.terminate()
    try:
        bench.proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        bench.proc.kill()
        bench.proc.wait()


@pytest.fixture
def pages_dir(tmp_path: Path) -> Path:
    """Three small pages and one with hostile text."""
    folder = write_pages(tmp_path / "pages")
    (folder / "hostile.txt").write_text("\n".join(HOSTILE) + "\n", encoding="utf-8")
    return folder


@pytest.fixture
def workbench(tmp_path: Path, pages_dir: Path) -> Iterator[Workbench]:
    """A workbench on ``pages_dir`` with a fresh labels file."""
    bench = start_workbench(tmp_path, str(pages_dir), labels=tmp_path / "labels" / "mine.csv")
    try:
        yield bench
    finally:
        stop(bench)
