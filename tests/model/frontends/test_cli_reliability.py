"""`predict` under hostile input and a hostile environment (issue 22, items 2, 3 and 9, and the
memory cap for a single line).

- A JSONL line nested too deep is reported with its number and skipped; later lines are scored.
- NaN, Infinity and numbers beyond the range of a double are not JSON a strict parser reads
  back: such a line is refused like any line that is not JSON, so every line written parses.
- Output that cannot be written (a full disk, a read-only target) is one line on stderr and
  exit 3; a reader that stops early (``predict ... | head -1``) ends the run quietly, exit 0.
- A line longer than ``MAX_LINE_BYTES`` under ``--lines`` is reported and skipped, read in
  bounded memory.
"""

from __future__ import annotations

import errno
import io
import json
import os
import subprocess
from pathlib import Path

import claim_risk.frontends.cli as cli
import claim_risk.textio.readers as readers
import pytest
from claim_risk.exits import EXIT_NOT_TEXT, EXIT_OK, EXIT_UNREADABLE, EXIT_USAGE

from tests.conftest import PREDICT, drive


def _refuse_constant(name: str) -> None:
    raise ValueError(f"not JSON: {name}")


def strict_json(line: str) -> object:
    """Parse ``line`` as RFC 8259 JSON: NaN, Infinity and overflowing numbers raise."""

    def finite(text: str) -> float:
        value = float(text)
        if value in (float("inf"), float("-inf")):
            raise ValueError(f"not a finite number: {text}")
        return value

    return json.loads(line, parse_constant=_refuse_constant, parse_float=finite)


def test_a_line_nested_too_deep_is_reported_and_the_next_lines_scored() -> None:
    stdin = b'{"t": "Garlic cures flu."}\n' + b"[" * 100_000 + b"\n" + b'{"t": "Tea melts fat."}\n'
    code, out, err = drive(["--jsonl-field", "t", "--format", "jsonl"], stdin)
    assert code == EXIT_NOT_TEXT, err
    assert [strict_json(line)["line"] for line in out.splitlines()] == [1, 3]
    assert err.count("\n") == 1 and "<stdin>:2:" in err and "internal error" not in err


def test_a_record_nested_deeper_than_the_cap_is_refused_even_when_python_parses_it() -> None:
    deep = "[" * (cli.MAX_JSON_DEPTH + 1) + "]" * (cli.MAX_JSON_DEPTH + 1)
    stdin = f'{{"t": "Garlic cures flu.", "x": {deep}}}\n'.encode()
    code, out, err = drive(["--jsonl-field", "t", "--format", "csv"], stdin)
    assert code == EXIT_NOT_TEXT and "nested deeper than" in err
    ok = "[" * (cli.MAX_JSON_DEPTH - 1) + "]" * (cli.MAX_JSON_DEPTH - 1)
    stdin = f'{{"t": "Garlic cures flu.", "x": {ok}}}\n'.encode()
    code, out, err = drive(["--jsonl-field", "t", "--format", "jsonl"], stdin)
    assert code == EXIT_OK, err
    strict_json(out)


@pytest.mark.parametrize("value", ["NaN", "Infinity", "-Infinity", "1e999", "-1e400"])
def test_numbers_json_cannot_carry_are_refused_like_a_bad_line(value: str) -> None:
    stdin = f'{{"t": "Garlic cures flu.", "n": {value}}}\n{{"t": "Tea melts fat."}}\n'.encode()
    code, out, err = drive(["--jsonl-field", "t", "--format", "jsonl"], stdin)
    assert code == EXIT_NOT_TEXT
    assert [strict_json(line)["line"] for line in out.splitlines()] == [2]
    assert "<stdin>:1:" in err and "internal error" not in err


def test_large_but_finite_numbers_pass_through_unchanged() -> None:
    stdin = b'{"t": "Garlic cures flu.", "n": 1e308, "i": 123456789012345678901234567890}\n'
    code, out, err = drive(["--jsonl-field", "t", "--format", "jsonl"], stdin)
    assert code == EXIT_OK, err
    assert strict_json(out)["input"] == {"n": 1e308, "i": 123456789012345678901234567890}


def _full_disk(*args: str, stdin: bytes) -> subprocess.CompletedProcess:
    with open("/dev/full", "wb") as full:
        return subprocess.run(
            [*PREDICT, *args], input=stdin, stdout=full, stderr=subprocess.PIPE, timeout=120
        )


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
@pytest.mark.parametrize("mode", [[], ["--lines"], ["--version"], ["--schema"]])
def test_a_full_disk_on_stdout_is_one_line_and_exit_3(mode: list[str]) -> None:
    res = _full_disk("--format", "jsonl", *mode, stdin=b"Garlic cures flu. " * 2000 + b"\n")
    err = res.stderr.decode()
    assert res.returncode == EXIT_UNREADABLE, err
    assert err.count("\n") == 1, err
    assert "cannot write standard output" in err and "No space left" in err


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_a_full_disk_on_stderr_still_gives_the_documented_status() -> None:
    with open("/dev/full", "wb") as full:
        res = subprocess.run(
            [*PREDICT, "--file", "no-such-file.txt"], stdout=subprocess.PIPE, stderr=full,
            timeout=120,
        )  # fmt: skip
    assert res.returncode == EXIT_UNREADABLE


def test_a_write_error_in_process_is_one_line_and_exit_3(monkeypatch) -> None:
    class Full(io.StringIO):
        def write(self, s: str) -> int:
            raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(cli, "_utf8", lambda stream: Full())
    code, _out, err = drive(["--format", "jsonl", "Garlic cures flu."])
    assert code == EXIT_UNREADABLE
    assert err == "predict: cannot write standard output (No space left on device)\n"


def test_a_read_only_html_target_is_one_line_and_exit_3(monkeypatch, tmp_path: Path) -> None:
    import claim_risk.frontends.html_report as html_report

    def read_only(*args: object, **kwargs: object) -> None:
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(html_report, "write_html", read_only)
    code, _out, err = drive(["--html", str(tmp_path / "r.html"), "Garlic cures flu."])
    assert code == EXIT_UNREADABLE
    assert err.count("\n") == 1 and "Read-only file system" in err


def test_a_reader_that_stops_early_ends_the_run_quietly() -> None:
    proc = subprocess.Popen(
        [*PREDICT, "--format", "jsonl", "--lines"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    proc.stdin.write(b"Garlic cures flu.\n")
    proc.stdin.flush()
    strict_json(proc.stdout.readline().decode())
    proc.stdout.close()  # as `head -1` does
    proc.stdin.write(b"Tea melts fat.\n" * 50)
    proc.stdin.close()
    assert proc.wait(timeout=120) == EXIT_OK
    assert proc.stderr.read() == b""


def test_a_reader_that_stops_early_still_gets_the_html_page(tmp_path: Path) -> None:
    report = tmp_path / "r.html"
    doc = b"Garlic cures flu.\n" * 20_000 + b"Tea melts fat overnight.\n"
    proc = subprocess.Popen(
        [*PREDICT, "--format", "jsonl", "--html", str(report)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    proc.stdin.write(doc)
    proc.stdin.close()
    proc.stdout.readline()
    proc.stdout.close()
    assert proc.wait(timeout=120) == EXIT_OK
    assert proc.stderr.read() == b""
    assert "Tea melts fat overnight." in report.read_text(encoding="utf-8")


def test_a_line_over_the_cap_is_reported_and_skipped(monkeypatch) -> None:
    monkeypatch.setattr(readers, "MAX_LINE_BYTES", 64)
    stdin = b"Garlic cures flu.\n" + b"Tea melts fat. " * 40 + b"\nAsk your doctor.\n"
    code, out, err = drive(["--lines", "--format", "jsonl"], stdin)
    assert code == EXIT_UNREADABLE
    assert [strict_json(line)["line"] for line in out.splitlines()] == [1, 3]
    assert "<stdin>:2: line longer than 64 bytes" in err
    stdin = b'{"t": "Garlic cures flu."}\n{"t": "' + b"x" * 80 + b'"}\n{"t": "Tea."}\n'
    code, out, err = drive(["--jsonl-field", "t", "--format", "jsonl"], stdin)
    assert code == EXIT_UNREADABLE
    assert [strict_json(line)["line"] for line in out.splitlines()] == [1, 3]
    assert "<stdin>:2: line longer than 64 bytes" in err


def test_help_lists_the_caps_and_what_exit_3_now_covers() -> None:
    text = cli.build_parser().format_help()
    assert f"over {readers.MAX_LINE_BYTES >> 20} MiB" in text
    assert f"deeper than {cli.MAX_JSON_DEPTH}" in text
    assert "output not writable" in text and "quietly with 0" in text


def test_an_html_target_that_is_not_a_regular_file_is_refused_untouched(tmp_path: Path) -> None:
    """`--html /dev/null` must never replace the device with a page (atomic writes rename)."""
    fifo = tmp_path / "pipe.html"
    os.mkfifo(fifo)
    code, out, err = drive(["--html", str(fifo), "Garlic cures flu."])
    assert code == EXIT_USAGE and out == ""
    assert "not a regular file" in err and err.count("\n") == 1
    assert fifo.is_fifo()
