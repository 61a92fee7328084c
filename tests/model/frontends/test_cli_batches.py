"""``predict`` scores short documents together in batches: the output is that of one at a time.

``BATCH_CHARS = 0`` makes every document come alone, read and scored as it
was before batching (one model call per document); the batched run must
write the same bytes to standard output, the same lines to standard error
(errors in their turn) and the same HTML page, whatever the options.
"""

from __future__ import annotations

import json
import math
import random
import shutil
from pathlib import Path

import claim_risk.frontends.cli as cli
import pytest

from tests.conftest import drive

ROOT = Path(__file__).resolve().parents[3]
SENTENCES = [
    "Our drops cure arthritis in days, guaranteed.",
    "A small trial found no clear effect on sleep.",
    "Ask your doctor before you take it.",
    "Kurkuma heilt Krebs garantiert und ohne Nebenwirkungen.",
    "Це масло лікує рак за кілька тижнів без побічних ефектів.",
    "This tea flushes every toxin 😀 out of your body overnight!",
    "Results were “mixed”, and the authors call for larger trials.",
]


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """Files of every kind, in an order that mixes short, long, bad and empty ones."""
    folder = tmp_path_factory.mktemp("docs")
    rng = random.Random(5)
    paths = []
    for i in range(40):
        lines = [
            " ".join(rng.choices(SENTENCES, k=rng.randint(1, 3))) for _ in range(rng.randint(1, 8))
        ]
        path = folder / f"doc{i:02d}.txt"
        path.write_text(rng.choice(["\n", "\r\n"]).join(lines), encoding="utf-8")
        paths.append(path)
    (folder / "empty.txt").write_text("  \n", encoding="utf-8")
    (folder / "binary.txt").write_bytes(b"\x00\x01\x02 binary")
    (folder / "latin1.txt").write_bytes("Caf\xe9 cures colds.".encode("latin-1"))
    (folder / "long.txt").write_text(
        "\n".join(rng.choice(SENTENCES) for _ in range(600)), encoding="utf-8"
    )
    shutil.copy(ROOT / "examples" / "shop.html", folder / "shop.html")
    odd = ["empty.txt", "binary.txt", "latin1.txt", "long.txt", "shop.html"]
    for k, name in enumerate(odd):
        paths.insert(3 + 7 * k, folder / name)
    return [str(p) for p in paths] + [str(folder / "missing.txt")]


OPTIONS = [
    ["--format", "jsonl"],
    ["--format", "jsonl", "--explain", "2", "--header"],
    ["--format", "csv", "--only-flagged"],
    [],
    ["--sort", "score", "--top", "2"],
    ["--overall", "--top", "7", "--format", "jsonl"],
    ["--skip-non-english", "--format", "jsonl"],
    ["--threshold", "0.3", "--format", "table"],
]


@pytest.mark.parametrize("options", OPTIONS, ids=[" ".join(o) or "table" for o in OPTIONS])
def test_batched_output_equals_one_document_at_a_time(
    options: list[str], inputs: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    argv = [*options, "--no-progress"]
    for path in inputs:
        argv += ["--file", path]
    argv[argv.index(inputs[20])] = "-"  # standard input among the files
    stdin = b"Standard input cures everything. Truly.\nA second line."
    calls = []
    score_stream = cli._score_stream

    def counted(blocks: list, run: cli._Run) -> object:
        calls.append(len(blocks))
        return score_stream(blocks, run)

    monkeypatch.setattr(cli, "_score_stream", counted)
    batched = drive(argv, stdin)
    assert max(calls) > 10  # short documents were scored together
    monkeypatch.setattr(cli, "BATCH_CHARS", 0)
    calls.clear()
    alone = drive(argv, stdin)
    assert max(calls) == 1
    assert batched == alone
    assert batched[1] and "binary" in batched[2] and "missing.txt" in batched[2]


def test_small_batches_and_a_long_document_keep_the_order(
    inputs: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    argv = ["--format", "jsonl", "--no-progress", *(f"--file={p}" for p in inputs)]
    batched = drive(argv)
    monkeypatch.setattr(cli, "BATCH_CHARS", 1500)  # some documents now count as long
    monkeypatch.setattr(cli, "BATCH_DOCUMENTS", 3)
    assert drive(argv) == batched


def test_the_html_page_is_the_same(
    inputs: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pages = []
    for chars in (cli.BATCH_CHARS, 0):
        monkeypatch.setattr(cli, "BATCH_CHARS", chars)
        target = tmp_path / f"report{chars}.html"
        argv = ["--no-progress", "--html", str(target), *(f"--file={p}" for p in inputs)]
        drive(argv)
        pages.append(target.read_text(encoding="utf-8"))
    assert pages[0] == pages[1]


def test_json_records_are_written_as_json_dumps_writes_them() -> None:
    records = [
        {"source": "<arg 1>", "index": 0, "text": 'a "quoted" \\ line\t😀\u2028', "score": 1e-06},
        {"score": 0.5, "flagged": True, "band": None, "big": 10**30, "neg": -0.0},
        {"explain": {"up": [["x", 0.1]], "down": [], "page": 0.0}, "input": {"k": [1, {"a": 2}]}},
        {"text": "lone \ud800 surrogate", "control": "\x00\x1f\x7f"},
    ]
    plain = dict.fromkeys(cli.FIELDS, "x")
    plain.update(index=0, start=5, end=10**20, score=0.5, flagged=False, page_score=1.0)
    rng = random.Random(2)
    alphabet = ["a", '"', "\\", "\n", "\x00", "\x1f", "\x7f", "é", "😀", "\u2028", "\ud800", "/"]
    for k in range(300):
        rec = dict(plain)
        rec["text"] = "".join(rng.choices(alphabet, k=rng.randint(0, 12)))
        rec["source"] = "".join(rng.choices(alphabet, k=3))
        rec["score"] = rng.choice([1e-06, 0.0, -0.0, 1.0, 0.123456, 5e-324, 1e16, k / 7])
        rec["flagged"] = bool(k % 2)
        records.append(rec)
    records.append({**plain, "index": True})  # not the usual type: the encoder writes it
    records.append({**plain, "extra": 1})
    for rec in records:
        line = cli._json_line(rec)
        try:
            want = json.dumps(rec, ensure_ascii=False, allow_nan=False)
            want.encode("utf-8")
        except UnicodeEncodeError:
            want = json.dumps(rec, ensure_ascii=True, allow_nan=False)
        assert line == want + "\n"
    for bad in (math.nan, math.inf, -math.inf):
        for rec in ({"score": bad}, {**plain, "score": bad}, {**plain, "page_score": bad}):
            with pytest.raises(ValueError, match="not JSON compliant"):
                cli._json_line(rec)
