"""Command-line input that is not valid UTF-8 never gives an internal error (exit 1), and
everything `predict` writes to standard output is valid UTF-8 (issue 13, point 1).

The rule: texts given as arguments must be UTF-8 (the shell hands them over as bytes);
one that is not is refused with exit 5, naming the argument, and the others are still
scored. File names are used as the bytes they are and shown with ``\\xNN`` escapes. Input
read from files or standard input is decoded with --encoding (exit 5 on bytes not valid
in it). Text that reaches the output with lone surrogates (JSON escapes in --jsonl-field
input) is written as ``\\uXXXX`` escapes in JSON and as U+FFFD in tables and CSV.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from claim_risk.frontends.cli import main
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from tests.conftest import PREDICT

TEXT_BYTES = st.one_of(
    st.binary(max_size=40),
    st.lists(
        st.sampled_from(
            [
                b"Kratom ",
                b"cures ",
                b"all.",
                b"\xcc\xd6",
                b"\xff",
                b"\xc3\xa9",
                b"\xed\xa0\x80",
                b"\n",
                b"\x00",
                b"<p>",
                b"</p>",
                b"=cmd",
                b"\xe2\x80\xae",
                b"\xf0\x9f\x98\x80 ",
            ]
        ),
        max_size=8,
    ).map(b"".join),
)
OPTIONS = st.lists(
    st.sampled_from(
        [
            ["--format", "jsonl"],
            ["--format", "csv"],
            ["--format", "table"],
            ["--explain", "2"],
            ["--header"],
            ["--lines"],
            ["--jsonl-field", "t"],
            ["--jsonl-field", os.fsdecode(b"t\xff")],
            ["--top", "1"],
            ["--overall"],
            ["--only-flagged"],
            ["--skip-non-english"],
            ["--encoding", "latin-1"],
            ["--encoding", "utf-16"],
            ["--input-format", "html"],
            ["--file", "-"],
            ["--file", os.fsdecode(b"missing-\xff.txt")],
            ["--format", os.fsdecode(b"\xffjson")],
            ["--html", "HTML"],
            ["--html", "BADHTML"],
        ]
    ),
    max_size=4,
)
STDIN = st.one_of(
    TEXT_BYTES,
    st.sampled_from(
        [b'{"t": "Garlic \\ud800 cures flu."}\n', b'{"t": "x\xff"}\n', b"\xef\xbb\xbfHi.\n"]
    ),
)


def _drive(argv: list[str], stdin: bytes) -> tuple[int, bytes, bytes]:
    """Run ``main`` in this process with byte streams a fuzzing harness would give it."""
    saved = sys.stdin, sys.stdout, sys.stderr
    out, err = io.BytesIO(), io.BytesIO()
    streams = (
        io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8", errors="surrogateescape"),
        io.TextIOWrapper(out, encoding="utf-8", errors="surrogateescape"),
        io.TextIOWrapper(err, encoding="utf-8", errors="strict"),
    )
    sys.stdin, sys.stdout, sys.stderr = streams
    try:
        try:
            code = main(argv)
        except SystemExit as exc:  # argparse's own exits (usage errors, --help)
            code = int(exc.code or 0)
        for stream in streams[1:]:
            stream.flush()
        return code, out.getvalue(), err.getvalue()
    finally:
        sys.stdin, sys.stdout, sys.stderr = saved


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(texts=st.lists(TEXT_BYTES, max_size=3), options=OPTIONS, stdin=STDIN)
def test_generated_bytes_never_give_an_internal_error(texts, options, stdin) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        argv = [os.fsdecode(t) for t in texts]
        for opt in options:
            if opt == ["--html", "HTML"]:
                opt = ["--html", os.path.join(tmp, os.fsdecode(b"r\xff.html"))]
            elif opt == ["--html", "BADHTML"]:
                opt = ["--html", os.path.join(tmp, "no-such-folder", "r.html")]
            argv += opt
        code, out, err = _drive(argv, stdin)
    event(f"exit {code}")
    assert code != 1, err.decode("utf-8", "replace")
    assert code in {0, 2, 3, 4, 5, 6}, (code, err)
    out.decode("utf-8")  # valid UTF-8, whatever came in
    err.decode("utf-8")
    assert b"Traceback" not in err


def test_an_argument_that_is_not_utf8_is_refused_and_the_others_scored(tmp_path: Path) -> None:
    report = tmp_path / "r.html"
    res = subprocess.run(
        [*PREDICT, b"Kratom \xcc\xd6 cures all.", "Garlic cures flu.", "--html", report,
         "--format", "jsonl"],
        capture_output=True,
        timeout=120,
        env={**os.environ, "PYTHONIOENCODING": "utf-8:surrogateescape"},
    )  # fmt: skip
    assert res.returncode == 5
    assert b"<arg 1>: not valid UTF-8 (byte 0xcc at 7)" in res.stderr
    assert b"internal error" not in res.stderr
    res.stdout.decode("utf-8")
    assert res.stdout.count(b"\n") == 1 and b"<arg 2>" in res.stdout
    assert "Garlic cures flu." in report.read_text(encoding="utf-8")


def test_file_names_that_are_not_utf8_are_read_and_shown_escaped(tmp_path: Path) -> None:
    name = os.fsdecode(os.fsencode(str(tmp_path)) + b"/caf\xe9.txt")
    Path(name).write_text("Garlic cures flu.\n", encoding="utf-8")
    for fmt in ("jsonl", "csv", "table"):
        res = subprocess.run(
            [*PREDICT, "--file", os.fsencode(name), "--format", fmt],
            capture_output=True,
            timeout=120,
        )
        assert res.returncode == 0, res.stderr
        out = res.stdout.decode("utf-8")
        if fmt == "jsonl":
            out = json.loads(out)["source"]
        assert "caf\\xe9.txt" in out


def test_lone_surrogates_from_json_input_stay_valid_utf8() -> None:
    stdin = b'{"t": "Garlic \\ud800 cures flu."}\n'
    for fmt, expect in (
        ("jsonl", b"\\ud800"),
        ("csv", "\ufffd".encode()),
        ("table", b"\xef\xbf\xbd"),
    ):
        res = subprocess.run(
            [*PREDICT, "--jsonl-field", "t", "--format", fmt],
            input=stdin,
            capture_output=True,
            timeout=120,
        )
        assert res.returncode == 0, res.stderr
        res.stdout.decode("utf-8")
        assert expect in res.stdout
