"""Fuzzing `predict`'s input paths in this process (issue 22): plain standard input, --lines
and --jsonl-field, fed hostile bytes: invalid UTF-8, NUL, lone surrogates encoded as WTF-8,
CRLF and lone CR, huge numbers, NaN and Infinity, deep nesting.

Whatever comes in: no traceback and no internal error, every line written to standard output
parses with a strict JSON parser (no NaN, no Infinity), and the exit status is one that
``predict --help`` documents. Bounded for the suite (FUZZ_EXAMPLES cases a test, seconds);
set ``CLAIM_RISK_FUZZ=1`` in the environment for a long run (20 times as many).
"""

from __future__ import annotations

import json
import math
import os

import pytest
from claim_risk.exits import EXIT_EMPTY_INPUT, EXIT_NOT_TEXT, EXIT_OK, EXIT_UNREADABLE
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from test_cli_reliability import drive, strict_json

FUZZ_EXAMPLES = 200 * (20 if os.environ.get("CLAIM_RISK_FUZZ") == "1" else 1)
FUZZ = settings(
    max_examples=FUZZ_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
DOCUMENTED = {EXIT_OK, EXIT_UNREADABLE, EXIT_NOT_TEXT, EXIT_EMPTY_INPUT}

PIECES = [
    b"Garlic cures flu, guaranteed. ",
    b"Ask your doctor. ",
    b"\xff",
    b"\xc3",
    b"\xc3\xa9",
    b"\x00",
    b"\xed\xa0\x80",  # a lone surrogate, as WTF-8
    b"\xed\xbf\xbf",
    b"\r\n",
    b"\r",
    b"\n",
    b"\xe2\x80\xae",
    b"\xef\xbb\xbf",
    b"1e999",
    b"-1e400",
    b"NaN",
    b"Infinity",
    b"9" * 5000,
    b"[" * 100_000,
    b"{" * 300,
    b'{"t": ',
    b'"',
    b"\\ud800",
    b"}",
    b"]",
    b",",
]
LINE = st.one_of(
    st.binary(max_size=30),
    st.lists(st.sampled_from(PIECES), max_size=8).map(b"".join),
)
DEEP = st.sampled_from([1, 10, 199, 200, 201, 1000, 100_000])
NUMBER = st.sampled_from(
    ["0", "-0.0", "1e308", "1e999", "-1e999", "NaN", "Infinity", "-Infinity", "9" * 400, "1" * 5000]
)


@st.composite
def jsonl_line(draw: st.DrawFn) -> bytes:
    """A JSON Lines record with a text field "t", hostile in its other fields, or garbage."""
    kind = draw(st.sampled_from(["number", "deep", "text", "raw"]))
    text = draw(st.sampled_from(['"Garlic cures flu."', '"Tea \\ud800 melts fat."', "7", "null"]))
    if kind == "number":
        return f'{{"t": {text}, "n": {draw(NUMBER)}}}'.encode()
    if kind == "deep":
        n = draw(DEEP)
        return f'{{"t": {text}, "x": {"[" * n}{"]" * n}}}'.encode()
    if kind == "text":
        return b'{"t": "' + draw(LINE).replace(b'"', b"").replace(b"\\", b"") + b'"}'
    return draw(LINE)


def check(argv: list[str], stdin: bytes, fuzzing: bool = True) -> None:
    """Run ``main`` on ``stdin``; hold it to the promises in the module's docstring."""
    code, out, err = drive(["--format", "jsonl", "--no-progress", *argv], stdin)
    if fuzzing:
        event(f"exit {code}")
    assert code in DOCUMENTED, (code, err)
    assert "Traceback" not in err and "internal error" not in err, err
    for line in out.splitlines():
        strict_json(line)


@FUZZ
@given(lines=st.lists(LINE, max_size=4), mode=st.sampled_from([[], ["--lines"]]))
def test_hostile_bytes_on_stdin_and_lines(lines: list[bytes], mode: list[str]) -> None:
    check(mode, b"\n".join(lines))


@FUZZ
@given(
    lines=st.lists(jsonl_line(), min_size=1, max_size=4),
    end=st.sampled_from([b"\n", b"\r\n"]),
    explain=st.booleans(),
)
def test_hostile_jsonl_records(lines: list[bytes], end: bytes, explain: bool) -> None:
    check(["--jsonl-field", "t", *(["--explain", "1"] if explain else [])], end.join(lines) + end)


JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()  # NaN and +-Infinity among them
    | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=12,
)


def _finite(value: object) -> bool:
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, list):
        return all(_finite(v) for v in value)
    if isinstance(value, dict):
        return all(_finite(v) for v in value.values())
    return True


@FUZZ
@given(value=JSON_VALUES, fmt=st.sampled_from(["jsonl", "csv"]))
def test_any_json_value_passes_through_as_json_or_the_line_is_refused(value, fmt: str) -> None:
    """Python writes NaN and Infinity as bare tokens; predict never does."""
    record = json.dumps({"t": "Garlic cures flu.", "v": value})
    code, out, err = drive(["--jsonl-field", "t", "--format", fmt], record.encode() + b"\n")
    if not _finite(value):
        assert code == EXIT_NOT_TEXT and "<stdin>:1:" in err
        assert out.count("\n") == (1 if fmt == "csv" else 0)  # the CSV header only
        return
    assert code == EXIT_OK, err
    if fmt == "jsonl":
        assert strict_json(out)["input"] == {"v": value}
    else:
        import csv
        import io

        [row] = csv.DictReader(io.StringIO(out))
        assert strict_json(row["input"].lstrip("'")) == {"v": value}


@pytest.mark.parametrize("depth", [100_000, 1_000_000])
def test_the_deepest_lines_are_reported_not_a_recursion_error(depth: int) -> None:
    stdin = b"[" * depth + b"\n" + b'{"t": "Garlic cures flu."}\n'
    check(["--jsonl-field", "t"], stdin, fuzzing=False)
