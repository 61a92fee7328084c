"""`predict`: score documents for unsupported medical claims, sentence by sentence.

Kept lean for a fast start: numpy, blingfire and the plain-data model only
(no scikit-learn, scipy, pandas or `datasets`); trafilatura loads only for
HTML, py3langid only for a sentence that may not be English, tqdm only when
stderr is a terminal. Everything written to standard output is UTF-8.
"""

from __future__ import annotations

import argparse
import codecs
import contextlib
import csv
import errno
import heapq
import io
import itertools
import json
import math
import operator
import os
import sys
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from ..core.artifacts import TIER_NAMES
from ..core.decision import Decision
from ..core.pipeline import RECORD_FIELDS, Block, ScoredDocument, SentenceScore, score_stream
from ..core.surrogates import replace_surrogates
from ..core.tiers import Tier
from ..exits import (
    EXIT_EMPTY_INPUT,
    EXIT_INTERNAL,
    EXIT_MODEL,
    EXIT_NOT_TEXT,
    EXIT_OK,
    EXIT_UNREADABLE,
    EXIT_USAGE,
)
from ..textio.csvsafe import escape_row
from ..textio.language import ENGLISH, UNDETERMINED
from ..textio.readers import (
    HTML_SUFFIXES,
    INPUT_FORMATS,
    MAX_LINE_BYTES,
    TEXT_SUFFIXES,
    Document,
    ExtractorMissing,
    InputError,
    expand_paths,
    looks_like_url,
    printable,
)

HTML_EXPLAIN = 5
MAX_JSON_DEPTH = 200
"""--jsonl-field records nested deeper than this are refused (exit 5), never a RecursionError."""
FIELDS = ("source", *RECORD_FIELDS, "lang")
"""A jsonl/csv record: its source, the fields of ``SentenceScore``, and its language."""
SCHEMA_ID = "https://claim-risk.invalid/schema/prediction.schema.json"
LANGUAGE_NAMES = {
    "de": "German",
    "fr": "French",
    "es": "Spanish",
    "it": "Italian",
    "nl": "Dutch",
    "pt": "Portuguese",
    "pl": "Polish",
    "sv": "Swedish",
    "da": "Danish",
    "no": "Norwegian",
    "ru": "Russian",
    "uk": "Ukrainian",
    "zh": "Chinese",
    "ja": "Japanese",
    "ar": "Arabic",
    "tr": "Turkish",
}

EPILOG = f"""\
examples:
  predict "Ketamine is not passed through breast milk, so breastfeeding is safe."
  predict --file page.html --format jsonl --header > scores.jsonl
  cat posts/*.txt | predict --only-flagged
  predict --file crawl/ --sort score --top 5 --html review.html
  tail -f comments.log | predict --lines --format jsonl
  predict --jsonl-field body --file posts.jsonl --format jsonl

output fields (jsonl, csv): source, index, text, start, end, score, flagged,
  band, page_score, lang; with --lines also line; with --jsonl-field also input
  start/end are character offsets into the document text (for HTML: its
  extracted main text); score is the probability of an unsupported claim,
  each sentence read with its document; flagged is score >= threshold; band is
  low, review or high; page_score is the document's risk (the mean of its three
  highest scores, over the whole document); lang is the sentence's language
  (ISO 639-1, "und" when it cannot be told).
  --explain adds "explain" (jsonl only): the n-grams that moved the sentence's
  own log-odds, and "page", what its document added. --header writes the
  model's identity first; --schema prints the JSON Schema of every record.

exit status:
  0 success            3 file missing or unreadable,  6 empty input
  1 internal error       or output not writable       7 model missing, corrupt
  2 usage error        4 folder with nothing to read    or incompatible
                       5 input not valid text
  (3: also a --lines line over {MAX_LINE_BYTES >> 20} MiB, which is skipped, or output that
  cannot be written: a full disk, an --html page refused. 5: bytes not valid
  in the encoding, binary content, an argument that is not UTF-8, or with
  --jsonl-field a line that is not a JSON object with that field, nests
  deeper than {MAX_JSON_DEPTH}, or holds NaN, Infinity or a number beyond a double.)
  A reader that stops early (predict | head) ends the run quietly with 0.
  With several inputs, every readable one is scored; the status is that of
  the first failure.
"""


def _clean(text: str) -> str:
    """``text`` as valid UTF-8: lone surrogates (from JSON escapes) become U+FFFD."""
    return replace_surrogates(text)


def _say(message: str) -> None:
    """One line on standard error, prefixed with the program name.

    A standard error that cannot be written (a full disk) is not a second failure:
    the line is dropped and the exit status still tells.
    """
    try:
        print(f"predict: {printable(message)}", file=sys.stderr, flush=True)
    except (OSError, ValueError):
        _silence(sys.stderr)


def _silence(stream: IO[str] | None) -> None:
    """Point ``stream``'s file descriptor at /dev/null, so that bytes still buffered for a
    closed pipe or a full disk can be flushed at exit without a second error (or status 120)."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        fd = stream.fileno()
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, fd)
        os.close(devnull)


class OutputError(Exception):
    """Standard output cannot be written; ``closed`` when its reader stopped reading."""

    def __init__(self, exc: OSError) -> None:
        super().__init__(exc.strerror or str(exc))
        self.closed = isinstance(exc, BrokenPipeError) or exc.errno == errno.EPIPE


class _Guarded:
    """Standard output whose write errors become one ``OutputError``.

    With ``keep_going`` (an --html page still to write), a reader that stops
    early (``predict ... | head -1``) only ends what goes to standard output:
    later writes are dropped and the run goes on.
    """

    def __init__(self, stream: IO[str], keep_going: bool = False) -> None:
        self.stream, self.keep_going, self.gone = stream, keep_going, False

    def write(self, text: str) -> int:
        if not self.gone:
            try:
                self.stream.write(text)
            except OSError as exc:
                self._failed(exc)
        return len(text)

    def flush(self) -> None:
        if not self.gone:
            try:
                self.stream.flush()
            except OSError as exc:
                self._failed(exc)

    def _failed(self, exc: OSError) -> None:
        self.gone = True
        _silence(sys.stdout)
        error = OutputError(exc)
        if not (error.closed and self.keep_going):
            raise error from None


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, exit 2, no traceback
        self.print_usage(sys.stderr)
        print(f"predict: error: {printable(message)}", file=sys.stderr)
        raise SystemExit(EXIT_USAGE)


def build_parser() -> argparse.ArgumentParser:
    """The command-line interface."""
    p = _Parser(
        prog="predict",
        description="Score each sentence of health text for how likely it is an unsupported "
        "medical claim. Reads texts given as arguments, --file inputs, or standard input.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("texts", nargs="*", help="texts to score, each one a document")
    p.add_argument(
        "-f",
        "--file",
        action="append",
        default=[],
        metavar="PATH",
        help="a document to read (repeatable); '-' is standard input; a folder is "
        "searched recursively for .txt, .md and .html files; URLs are not fetched",
    )
    p.add_argument(
        "--format",
        choices=("table", "jsonl", "csv"),
        default="table",
        help="table for people (default), jsonl or csv for machines",
    )
    p.add_argument(
        "--input-format",
        choices=INPUT_FORMATS,
        default="auto",
        help="html: reduce inputs to their main text; text: score them as they are; auto "
        "(default): .html files, and standard input, arguments or other files that look "
        "like a web page, are HTML",
    )
    p.add_argument(
        "-t",
        "--threshold",
        type=_probability,
        default=None,
        help="flag sentences scoring at or above this (default: the model's own)",
    )
    p.add_argument(
        "--explain",
        type=_count,
        default=0,
        metavar="N",
        help="show the N n-grams that pushed each score up and down most",
    )
    p.add_argument("--only-flagged", action="store_true", help="output flagged sentences only")
    p.add_argument(
        "--sort",
        choices=("input", "score"),
        default="input",
        help="input: document order (default); score: riskiest first within each document",
    )
    p.add_argument(
        "--top",
        type=_positive,
        default=None,
        metavar="N",
        help="output only the N riskiest sentences of each document (with --overall: of all)",
    )
    p.add_argument(
        "--overall",
        action="store_true",
        help="rank the sentences of all documents together, riskiest first (with --top N: "
        "the N riskiest of all)",
    )
    p.add_argument(
        "--lines",
        action="store_true",
        help="each input line is a record: scored as a one-line document, results written "
        "(and flushed) as each line arrives",
    )
    p.add_argument(
        "--jsonl-field",
        metavar="NAME",
        default=None,
        help="read JSON Lines, scoring each record's NAME field; its other fields are passed "
        "through as 'input' (implies --lines)",
    )
    p.add_argument(
        "--skip-non-english",
        action="store_true",
        help="leave out sentences in another language (they are scored by default, "
        "marked in 'lang', with a warning)",
    )
    p.add_argument(
        "--header",
        action="store_true",
        help="first write the model's identity: version, artifact hash, threshold and bands "
        '(jsonl: a record with "record": "header"; table: a comment line)',
    )
    p.add_argument(
        "--model",
        metavar="NAME|DIR",
        default=None,
        help="fast (the default: TF-IDF + cues, thousands of sentences/s), semantic (adds "
        "MiniLM sentence embeddings: better on unseen text, ~100x slower, needs 'make semantic'), "
        "cascade (fast, then semantic on what fast scores high), or a model folder "
        "(default: $CLAIM_RISK_MODEL or fast)",
    )
    p.add_argument(
        "--html",
        metavar="OUT.html",
        default=None,
        help="also write a self-contained HTML page: each document with its structure, "
        "risky sentences highlighted with their scores, the riskiest ranked at the top",
    )
    p.add_argument(
        "--encoding",
        type=_encoding,
        default="utf-8",
        help="encoding of input files and standard input (default utf-8)",
    )
    p.add_argument(
        "--version", action="store_true", help="print the package and model versions and exit"
    )
    p.add_argument(
        "--schema", action="store_true", help="print the JSON Schema of the jsonl records and exit"
    )
    p.add_argument("--no-progress", action="store_true", help="never show a progress bar")
    return p


def _probability(value: str) -> float:
    try:
        x = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a number") from None
    if not 0.0 <= x <= 1.0:
        raise argparse.ArgumentTypeError(f"{value} is not between 0 and 1")
    return x


def _count(value: str) -> int:
    if not (value.isascii() and value.isdigit()):
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number >= 0")
    return int(value)


def _positive(value: str) -> int:
    n = _count(value)
    if n == 0:
        raise argparse.ArgumentTypeError("must be at least 1")
    return n


def _encoding(value: str) -> str:
    try:
        return codecs.lookup(value).name
    except (LookupError, ValueError):
        raise argparse.ArgumentTypeError(
            f"unknown encoding {value!r} (e.g. utf-8, latin-1, cp1252, utf-16)"
        ) from None


def _argument(raw: str, i: int) -> Document | InputError:
    """A text given as an argument, refused when the shell passed bytes that are not UTF-8."""
    source = f"<arg {i}>"
    try:
        raw.encode("utf-8")
    except UnicodeEncodeError:
        try:
            raw = raw.encode("utf-8", "surrogateescape").decode("utf-8")
        except UnicodeEncodeError:
            return _not_utf8(source, "a lone surrogate")
        except UnicodeDecodeError as exc:
            return _not_utf8(source, f"byte 0x{exc.object[exc.start]:02x} at {exc.start}")
    if looks_like_url(raw):
        return InputError(
            f"{source}: {raw.strip()} is a URL; predict scores text and never fetches pages: "
            "save the page (e.g. curl -o page.html URL) and pass --file page.html",
            EXIT_USAGE,
        )
    return Document(source=source, text=raw)


def _not_utf8(source: str, where: str) -> InputError:
    return InputError(
        f"{source}: not valid UTF-8 ({where}): arguments are read as UTF-8; save the text "
        "to a file and pass --file PATH --encoding ENCODING",
        EXIT_NOT_TEXT,
    )


def _documents(args: argparse.Namespace) -> Iterator[Document | InputError]:
    for i, text in enumerate(args.texts, start=1):
        item = _argument(text, i)
        if isinstance(item, Document):
            item.input_format = args.input_format
        yield item
    yield from expand_paths(args.file, args.encoding, args.input_format)
    if not args.texts and not args.file:
        if sys.stdin is None or sys.stdin.isatty():
            yield InputError(
                "no input: give texts, --file PATH, or pipe text to standard input "
                "(see predict --help)",
                EXIT_USAGE,
            )
        else:
            yield Document(
                source="<stdin>", stdin=True, encoding=args.encoding, input_format=args.input_format
            )


@dataclass
class Scored:
    """One sentence's output record, and the text between it and the sentence before."""

    rec: dict
    gap: str = ""


# One encoder for every record: json.dumps(..., ensure_ascii=False, allow_nan=False) makes
# a new one per call, which cost a third of its time; the output is the same.
_JSON = json.JSONEncoder(ensure_ascii=False, allow_nan=False).encode
_JSON_ASCII = json.JSONEncoder(ensure_ascii=True, allow_nan=False).encode
_JSON_STRING = json.encoder.encode_basestring  # the string escaper _JSON uses
_PLAIN_FIELDS = ("source", "index", "text", "start", "end", "score", "flagged", "band")
_PLAIN_FIELDS += ("page_score", "lang")
_PLAIN = FIELDS == _PLAIN_FIELDS  # the record the template below writes (else: _JSON)


def _json_object(rec: dict) -> str:
    """``_JSON(rec)``: the same characters, written from a template for a plain record.

    A record with exactly the fields ``FIELDS``, each of its usual type and
    every float finite, is written with the escaper and number formats
    ``json.dumps`` uses, about four times faster; anything else (options
    that add fields, a value of another type, a float that is not finite,
    which ``_JSON`` refuses) goes to ``_JSON``.
    """
    if _PLAIN and len(rec) == len(FIELDS) and tuple(rec) == FIELDS:
        source, index, text, start, end, score, flagged, band, page, lang = rec.values()
        if (
            type(score) is float
            and type(page) is float
            and score - score == 0.0
            and page - page == 0.0
            and type(index) is int
            and type(start) is int
            and type(end) is int
            and type(flagged) is bool
            and type(source) is str
            and type(text) is str
            and type(band) is str
            and type(lang) is str
        ):
            return (
                f'{{"source": {_JSON_STRING(source)}, "index": {int.__repr__(index)}, '
                f'"text": {_JSON_STRING(text)}, "start": {int.__repr__(start)}, '
                f'"end": {int.__repr__(end)}, "score": {float.__repr__(score)}, '
                f'"flagged": {"true" if flagged else "false"}, "band": {_JSON_STRING(band)}, '
                f'"page_score": {float.__repr__(page)}, "lang": {_JSON_STRING(lang)}}}'
            )
    return _JSON(rec)


def _json_line(rec: dict) -> str:
    """One JSON object on one line, valid UTF-8 (lone surrogates as \\u escapes)."""
    line = _json_object(rec)
    try:
        line.encode("utf-8")
    except UnicodeEncodeError:
        line = _JSON_ASCII(rec)
    return line + "\n"


class _Writer:
    """Writes records in the chosen format as they come."""

    def __init__(self, args: argparse.Namespace, out: IO[str]) -> None:
        self.fmt, self.out, self.explain = args.format, out, bool(args.explain)
        self.lines, self.overall = args.lines, args.overall
        self.csv = None
        if self.fmt == "csv":
            fields = list(FIELDS) + ["line"] * args.lines + ["input"] * bool(args.jsonl_field)
            self.csv = csv.DictWriter(
                out, fieldnames=fields, extrasaction="ignore", lineterminator="\n"
            )
            self.csv.writeheader()

    def header(self, identity: dict) -> None:
        if self.fmt == "jsonl":
            self.out.write(_json_line(identity))
        else:
            model = identity["model"]
            self.out.write(
                f"# claim-risk {identity['claim_risk']}, model {model['version']} "
                f"(sha256 {model['model_sha256'][:16]}), threshold "
                f"{identity['threshold']:.4f}\n"
            )

    def record(self, rec: dict) -> None:
        if self.fmt == "jsonl":
            self.out.write(_json_line(rec))
        elif self.fmt == "csv":
            row = {**rec, "score": f"{rec['score']:.6f}"}
            if "input" in rec:
                row["input"] = json.dumps(rec["input"], ensure_ascii=False, allow_nan=False)
            self.csv.writerow(escape_row({k: _text_cell(v) for k, v in row.items()}))
        else:
            mark = "!!" if rec["flagged"] else "  "
            where = ""
            if self.overall:
                where = f"{rec['source']} #{rec['index']}" + (
                    f" line {rec['line']}" if "line" in rec else ""
                )
                where += "  "
            elif "line" in rec:
                where = f"{rec['line']}: "
            lang = f"[{rec['lang']}] " if rec.get("lang") not in (ENGLISH, UNDETERMINED) else ""
            self.out.write(_clean(f"{mark} {rec['score']:.3f}  {where}{lang}{rec['text']}\n"))
            if self.explain and "explain" in rec:
                from .html_report import feature_label

                ups = ", ".join(f"{feature_label(t)} {c:+.2f}" for t, c in rec["explain"]["up"])
                dns = ", ".join(f"{feature_label(t)} {c:+.2f}" for t, c in rec["explain"]["down"])
                self.out.write(_clean(f"          up: {ups or '-'}\n        down: {dns or '-'}\n"))

    def document_start(self, source: str, page: float) -> None:
        if self.fmt == "table" and not self.lines and not self.overall:
            self.out.write(_clean(f"== {source}  (page score {page:.3f})\n"))

    def document_end(self, summary: dict) -> None:
        if self.fmt == "table" and not self.lines and not self.overall:
            self.out.write(
                f"   {summary['flagged']} of {summary['sentences']} sentences flagged "
                f"(max score {summary['max_score']:.3f}, "
                f"page score {summary['page_score']:.3f})\n\n"
            )
        self.out.flush()

    def ranking_start(self, documents: int) -> None:
        if self.fmt == "table":
            self.out.write(f"== all {documents} document(s), riskiest sentences first\n")


def _text_cell(value: object) -> object:
    return _clean(value) if isinstance(value, str) else value


def _squeeze(gap: str) -> str:
    """The text between two sentences, shortened to what the page layout needs."""
    if len(gap) <= 200:
        return gap
    breaks = gap.count("\n") + gap.count("\r")
    return "\n" * min(breaks, 2) + gap[-50:].lstrip("\r\n")


@dataclass
class _Run:
    """What every document is scored with, and what the run has seen."""

    model: Tier
    decision: Decision
    threshold: float | None
    explain_n: int
    skip_non_english: bool
    gaps: bool = False
    languages: Counter = field(default_factory=Counter)


def _foreign(lang: str) -> bool:
    return lang not in (ENGLISH, UNDETERMINED)


_VALUES = operator.attrgetter(*FIELDS[1:])


def _output(source: str, r: SentenceScore) -> dict:
    """The jsonl/csv/table record of one scored sentence: scores to 6 places, reasons to 4."""
    rec = dict(zip(FIELDS, (source, *_VALUES(r)), strict=True))
    rec["score"], rec["page_score"] = round(r.score, 6), round(r.page_score, 6)
    if r.explain is not None:
        why = r.explain
        rec["explain"] = {key: [[t, round(c, 4)] for t, c in why[key]] for key in ("up", "down")}
        rec["explain"]["page"] = round(why["page"], 4)
    return rec


def _score_stream(blocks: Iterable[Iterable[Block]], run: _Run) -> Iterator[ScoredDocument]:
    """Documents (their blocks) scored by the core, in order, as ``run`` asks."""
    return score_stream(
        blocks,
        run.model,
        threshold=run.threshold,
        explain=run.explain_n,
        detect_language=True,
        skip_non_english=run.skip_non_english,
    )


def _score_document(
    doc: Document, run: _Run, scored: ScoredDocument | None = None
) -> Iterator[Scored]:
    """Records of one document from the scoring core, formatted for output.

    ``scored``: the document already scored (with others, in one batch).
    """
    if scored is None:
        [scored] = _score_stream([doc.blocks()], run)
    run.languages.update(scored.languages)
    for r in scored:
        yield Scored(_output(doc.source, r), _squeeze(scored.gap(r.index)) if run.gaps else "")


BATCH_CHARS = 1_000_000
"""Documents are read whole and scored together until this many characters wait; a
longer document is scored alone, as it is read, so memory stays bounded."""
BATCH_DOCUMENTS = 1000


@dataclass
class _Batched:
    """One input of a batch: an error to report, or a document with its blocks.

    ``ready``: read whole (its ``blocks`` a list), scored with the batch; else
    ``blocks`` goes on reading it, or ``error`` says why it could not be read,
    or ``fatal`` is what reading it raised, to be raised again at its turn
    (after the documents before it are written, as when each was read in turn).
    """

    item: Document | InputError
    blocks: Iterable[Block] = ()
    error: InputError | None = None
    fatal: Exception | None = None
    ready: bool = False


def _read_whole(doc: Document) -> _Batched:
    """A document read whole if it is short; else its blocks so far and the rest to come."""
    blocks: list[Block] = []
    size = 0
    read = doc.blocks()
    try:
        for block in read:
            blocks.append(block)
            size += len(block[1])
            if size > BATCH_CHARS:
                return _Batched(doc, itertools.chain(blocks, read))
    except InputError as exc:
        return _Batched(doc, error=exc)
    except Exception as exc:  # e.g. ExtractorMissing: main says what it is, at its turn
        return _Batched(doc, fatal=exc)
    return _Batched(doc, blocks, ready=True)


def _batches(items: Iterable[Document | InputError], whole: bool) -> Iterator[list[_Batched]]:
    """The inputs in order, in batches whose documents are scored in one go.

    Short documents are read whole and wait for others (up to ``BATCH_CHARS``
    characters, ``BATCH_DOCUMENTS`` documents), so that they share model calls
    as ``score_texts`` does; a long one, standard input (which may be a person
    typing) and, without ``whole`` (``--lines``), every input come alone.
    Errors keep their turn.
    """
    batch: list[_Batched] = []
    size = 0
    for item in items:
        alone = not whole or (isinstance(item, Document) and item.stdin)
        if alone and batch:
            yield batch
            batch, size = [], 0
        if isinstance(item, InputError) or not whole:
            batch.append(_Batched(item))
        else:
            read = _read_whole(item)
            if not read.ready and read.error is None and read.fatal is None and batch:
                yield batch
                batch, size = [], 0
            batch.append(read)
            if read.ready:
                size += sum(len(text) for _, text in read.blocks)
            elif read.error is None and read.fatal is None:
                size = BATCH_CHARS  # a long document: alone
        if alone or size >= BATCH_CHARS or len(batch) >= BATCH_DOCUMENTS:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


def _without_explain(rec: dict) -> dict:
    return {k: v for k, v in rec.items() if k != "explain"} if "explain" in rec else rec


class _Ranker:
    """Keeps records for --sort score, --top N and --overall (a bounded heap with --top)."""

    def __init__(self, top: int | None, by_score: bool) -> None:
        self.top, self.by_score = top, by_score
        self.items: list[tuple[float, int, dict]] = []
        self.seen = 0

    def add(self, rec: dict) -> None:
        # Ties keep reading order: the earlier record ranks higher.
        item = (rec["score"], -self.seen, rec)
        self.seen += 1
        if self.top is None:
            self.items.append(item)
        elif len(self.items) < self.top:
            heapq.heappush(self.items, item)
        elif item[:2] > self.items[0][:2]:
            heapq.heapreplace(self.items, item)

    def drain(self) -> list[dict]:
        items, self.items, self.seen = self.items, [], 0
        if self.by_score:
            items.sort(key=lambda t: t[:2], reverse=True)
        else:
            items.sort(key=lambda t: -t[1])
        return [rec for _, _, rec in items]


def _line_records(
    item: Document, args: argparse.Namespace, run: _Run
) -> Iterator[tuple[list[Scored], InputError | None]]:
    """For --lines: each line (or JSONL record) scored as a one-line document, as it arrives."""
    for n, line in item.lines():
        if isinstance(line, InputError):
            yield [], line
            continue
        extra: dict = {"line": n}
        text = line
        if args.jsonl_field is not None:
            if not line.strip():
                continue
            parsed = _jsonl_text(line, args.jsonl_field, f"{item.source}:{n}")
            if isinstance(parsed, InputError):
                yield [], parsed
                continue
            text, extra["input"] = parsed
        doc = Document(source=item.source, text=text, input_format=args.input_format)
        if args.jsonl_field is None:
            doc.input_format = "text"
        yield [Scored({**s.rec, **extra}, s.gap) for s in _score_document(doc, run)], None


def _not_json_constant(name: str) -> float:
    raise ValueError(f"{name} is not JSON")


def _finite(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise ValueError(f"{text[:20]} is beyond the range of a JSON number we can write back")
    return value


def _depth(obj: object) -> int:
    """How deeply ``obj`` nests lists and objects (iteratively: no recursion to run out of)."""
    deepest, stack = 0, [(obj, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            item = list(item.values())
        elif not isinstance(item, list):
            continue
        deepest = max(deepest, level)
        stack.extend((child, level + 1) for child in item)
    return deepest


def _jsonl_text(line: str, name: str, where: str) -> tuple[str, dict] | InputError:
    """The text of field ``name`` and the record's other fields, or why the line is refused.

    Only what a strict JSON parser reads back is passed through: NaN, Infinity and
    numbers beyond a double's range are refused, as is nesting deeper than MAX_JSON_DEPTH
    (so writing the record back can never run out of stack).
    """
    try:
        obj = json.loads(line, parse_constant=_not_json_constant, parse_float=_finite)
    except ValueError as exc:
        return InputError(f"{where}: not a JSON object ({exc})", EXIT_NOT_TEXT)
    except RecursionError:
        return InputError(
            f"{where}: not a JSON object we can read (nested deeper than {MAX_JSON_DEPTH})",
            EXIT_NOT_TEXT,
        )
    if isinstance(obj, (dict, list)) and _depth(obj) > MAX_JSON_DEPTH:
        return InputError(
            f"{where}: not a JSON object we can read (nested deeper than {MAX_JSON_DEPTH})",
            EXIT_NOT_TEXT,
        )
    if not isinstance(obj, dict):
        return InputError(f"{where}: not a JSON object", EXIT_NOT_TEXT)
    value = obj.get(name)
    if not isinstance(value, str):
        what = "has no field" if name not in obj else "has no text in field"
        fields = ", ".join(list(obj)[:8])
        return InputError(f"{where}: {what} {name!r} (fields: {fields})", EXIT_NOT_TEXT)
    return value, {k: v for k, v in obj.items() if k != name}


def _check_options(args: argparse.Namespace) -> str | None:
    """A usage problem with the options, or None."""
    if args.jsonl_field is not None:
        args.lines = True
    if args.header and args.format == "csv":
        return "--header needs --format jsonl or table (see predict --version for CSV users)"
    if args.lines and args.html:
        return "--html lays out whole documents: drop --lines (or --jsonl-field)"
    if args.lines and args.input_format == "html" and args.jsonl_field is None:
        return "--lines reads text lines: --input-format html works with --jsonl-field only"
    if args.overall:
        args.sort = "score"
    return None


def _check_html_target(args: argparse.Namespace) -> str | None:
    """Why --html cannot be written, checked before anything is scored; or None."""
    target = Path(args.html)
    parent = target.parent
    if not parent.is_dir():
        return f"--html {args.html}: folder {parent} does not exist"
    if target.is_dir():
        return f"--html {args.html}: is a folder; name a file, e.g. {target / 'report.html'}"
    if not os.access(parent, os.W_OK):
        return f"--html {args.html}: folder {parent} is not writable"
    if not target.exists():
        return None
    if not target.is_file():  # /dev/null, a FIFO: the atomic rename would replace it
        return f"--html {args.html}: not a regular file; name a file, e.g. review.html"
    for raw in args.file:
        if raw == "-" or looks_like_url(raw):
            continue
        path = Path(raw)
        try:
            if path.is_file() and path.samefile(target):
                return f"--html {args.html}: is one of the inputs (--file {raw}); not overwritten"
            if path.is_dir() and target.suffix.lower() in TEXT_SUFFIXES + HTML_SUFFIXES:
                inside = target.resolve().is_relative_to(path.resolve())
                if inside:
                    return (
                        f"--html {args.html}: is inside the input folder {raw} and would be "
                        "read as an input; write the report elsewhere"
                    )
        except OSError:
            continue
    return None


def _check_model_dir(model_dir: str | None) -> str | None:
    """Say what is missing from an explicit --model folder, before loading it."""
    if model_dir is None or model_dir in TIER_NAMES:
        return None
    path = Path(model_dir)
    if not path.exists():
        return f"--model {model_dir}: no such folder"
    if not path.is_dir():
        return f"--model {model_dir}: not a folder (a model folder holds metadata.json, model.json)"
    missing = [name for name in ("metadata.json", "model.json") if not (path / name).exists()]
    if missing:
        return (
            f"--model {model_dir}: not a model folder: no {' or '.join(missing)} in it "
            "(a model folder is what 'make train' writes to model/artifacts/)"
        )
    return None


def identity(model: Tier, decision: Decision) -> dict:
    """The header record: which package, model, threshold and bands scored the records."""
    from ..version import __version__

    return {
        "record": "header",
        "schema": SCHEMA_ID,
        "claim_risk": __version__,
        "model": model.describe(),
        **decision.to_dict(),
    }


def _load(args: argparse.Namespace) -> Tier | int:
    from ..core.artifacts import ModelError, load_model

    problem = _check_model_dir(args.model)
    if problem:
        _say(problem)
        return EXIT_MODEL
    try:
        return load_model(args.model)
    except ModelError as exc:
        _say(str(exc))
        return EXIT_MODEL


def run(args: argparse.Namespace, out: IO[str]) -> int:
    """Score every document; return the exit status."""
    problem = _check_options(args) or (_check_html_target(args) if args.html else None)
    if problem:
        _say(f"error: {problem}")
        return EXIT_USAGE
    model = _load(args)
    if isinstance(model, int):
        return model
    decision = model.decision.with_threshold(args.threshold)
    writer = _Writer(args, out)
    if args.header:
        writer.header(identity(model, decision))
    # The HTML page always explains; stdout carries explanations only on request.
    explain_n = args.explain or (HTML_EXPLAIN if args.html else 0)
    state = _Run(
        model, decision, args.threshold, explain_n, args.skip_non_english, gaps=bool(args.html)
    )
    ranked = args.sort == "score" or args.top is not None
    overall = _Ranker(args.top, args.sort == "score") if args.overall else None
    status = EXIT_OK
    html_docs: list[tuple[str, list[dict]]] = []
    n_docs = 0
    items = list(_documents(args)) if not args.no_progress and sys.stderr.isatty() else None
    read = _progress(items) if items is not None else _documents(args)
    for batch in _batches(read, whole=not args.lines):
        scored = _score_stream([b.blocks for b in batch if b.ready], state)
        for b in batch:
            if isinstance(b.item, InputError):
                _say(str(b.item))
                status = status or b.item.code
                continue
            if b.fatal is not None:
                raise b.fatal
            state.languages.clear()
            if args.lines:
                code = _run_lines(b.item, args, state, writer, overall, ranked)
            elif b.error is not None:
                _say(str(b.error))
                code = b.error.code
            else:
                one = next(scored) if b.ready else None
                blocks = None if b.ready else b.blocks
                code = _run_document(
                    b.item, args, state, writer, overall, ranked, html_docs, blocks, one
                )
            status = status or code
            n_docs += code == EXIT_OK
            _warn_languages(b.item.source, state)
    if overall is not None:
        writer.ranking_start(n_docs)
        for rec in overall.drain():
            writer.record(rec)
        out.flush()
    if args.html:
        from .html_report import write_html

        try:
            write_html(args.html, html_docs, decision, identity(model, decision))
        except OSError as exc:
            _say(f"cannot write {args.html} ({exc.strerror or exc}); no report written")
            status = status or EXIT_UNREADABLE
    return status


def _emit(rec: dict, args: argparse.Namespace, writer: _Writer) -> None:
    writer.record(rec if args.explain else _without_explain(rec))


def _run_document(
    item: Document,
    args: argparse.Namespace,
    state: _Run,
    writer: _Writer,
    overall: _Ranker | None,
    ranked: bool,
    html_docs: list[tuple[str, list[dict]]],
    blocks: Iterable[Block] | None = None,
    done: ScoredDocument | None = None,
) -> int:
    """Score one whole document and write its records; return its status.

    ``done``: the document already scored in a batch; else its ``blocks``, as
    far as they were read (default: read from the start).
    """
    summary = {"sentences": 0, "flagged": 0, "max_score": 0.0, "page_score": 0.0}
    records: list[dict] = []
    ranker = _Ranker(args.top, args.sort == "score") if ranked and overall is None else None
    try:
        if done is None and blocks is not None:
            [done] = _score_stream([blocks], state)
        for scored in _score_document(item, state, done):
            rec = scored.rec
            if not summary["sentences"] and ranker is None:
                writer.document_start(item.source, rec["page_score"])
            summary["page_score"] = rec["page_score"]
            summary["sentences"] += 1
            summary["flagged"] += rec["flagged"]
            summary["max_score"] = max(summary["max_score"], rec["score"])
            if args.html:
                records.append({**rec, "gap": scored.gap})
            if rec["flagged"] or not args.only_flagged:
                target = overall or ranker
                if target is not None:
                    target.add(rec)
                else:
                    _emit(rec, args, writer)
    except InputError as exc:
        _say(str(exc))
        return exc.code
    if summary["sentences"] == 0:
        if sum(state.languages.values()):
            return EXIT_OK  # every sentence was left out as not English (warned)
        _say(f"{item.source}: empty input (no sentences to score)")
        return EXIT_EMPTY_INPUT
    if ranker is not None:
        writer.document_start(item.source, summary["page_score"])
        for rec in ranker.drain():
            _emit(rec, args, writer)
    writer.document_end(summary)
    if args.html:
        html_docs.append((item.source, records))
    return EXIT_OK


def _run_lines(
    item: Document,
    args: argparse.Namespace,
    state: _Run,
    writer: _Writer,
    overall: _Ranker | None,
    ranked: bool,
) -> int:
    """Score a source line by line, writing and flushing each line's records as it comes."""
    status, sentences, bad = EXIT_OK, 0, 0
    try:
        for scored, error in _line_records(item, args, state):
            if error is not None:
                bad += 1
                if bad <= 5:
                    _say(str(error))
                status = status or error.code
                continue
            sentences += len(scored)
            recs = [s.rec for s in scored if s.rec["flagged"] or not args.only_flagged]
            if overall is not None:
                for rec in recs:
                    overall.add(rec)
                continue
            if ranked:
                ranker = _Ranker(args.top, args.sort == "score")
                for rec in recs:
                    ranker.add(rec)
                recs = ranker.drain()
            for rec in recs:
                _emit(rec, args, writer)
            writer.out.flush()
    except InputError as exc:
        _say(str(exc))
        return exc.code
    if bad > 5:
        _say(f"{item.source}: {bad} lines not scored in all ({bad - 5} more not shown)")
    if sentences == 0 and status == EXIT_OK and not sum(state.languages.values()):
        _say(f"{item.source}: empty input (no sentences to score)")
        return EXIT_EMPTY_INPUT
    return status


def _warn_languages(source: str, state: _Run) -> None:
    """One stderr line when some of a source's sentences are not English."""
    total = sum(state.languages.values())
    foreign = {k: v for k, v in state.languages.items() if _foreign(k)}
    if not foreign:
        return
    n = sum(foreign.values())
    names = ", ".join(
        f"{LANGUAGE_NAMES.get(k, k)} {v}" for k, v in sorted(foreign.items(), key=lambda t: -t[1])
    )
    what = "left out" if state.skip_non_english else "scored, but their scores mean little"
    hint = "" if state.skip_non_english else "; --skip-non-english leaves them out"
    _say(
        f"{source}: {n} of {total} sentences are not English ({names}): the model reads "
        f"English only; {what} (see the lang field{hint})"
    )


def _progress(items: list) -> Iterator:
    if len(items) < 2:
        yield from items
        return
    from tqdm import tqdm

    yield from tqdm(items, desc="documents", unit="doc", file=sys.stderr, leave=False)


def _print_version(model_dir: str | None, out: IO[str]) -> int:
    """``predict --version``: the package, and the model it would score with."""
    from ..version import __version__

    out.write(f"claim-risk {__version__}\n")
    model = _load(argparse.Namespace(model=model_dir))
    if isinstance(model, int):
        return model
    meta = model.metadata
    out.write(
        f"model {model.version} ({printable(str(model.directory))}), created "
        f"{meta.get('created', 'unknown')}, threshold {model.threshold}, "
        f"sha256 {meta['model_sha256']}\n"
    )
    return EXIT_OK


def schema_text() -> str:
    """The JSON Schema of predict's jsonl records (shipped as package data)."""
    from importlib.resources import files

    return files("claim_risk").joinpath("schema/prediction.schema.json").read_text(encoding="utf-8")


def _utf8(stream: IO[str]) -> IO[str]:
    """``stream`` as UTF-8 whatever the locale says (a new wrapper on its bytes, if it has any)."""
    buffer = getattr(stream, "buffer", None)
    if buffer is None:
        return stream
    stream.flush()
    return io.TextIOWrapper(buffer, encoding="utf-8", errors="replace", newline="\n")


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `predict` console script."""
    args = build_parser().parse_args(argv)
    stream = _utf8(sys.stdout)
    out = _Guarded(stream, keep_going=bool(args.html))
    try:
        if args.schema:
            out.write(schema_text())
            status = EXIT_OK
        elif args.version:
            status = _print_version(args.model, out)
        else:
            status = run(args, out)
        out.flush()
        return status
    except OutputError as exc:
        if exc.closed:  # e.g. `predict ... | head`: the reader has all it wanted
            return EXIT_OK
        _say(f"cannot write standard output ({exc})")
        return EXIT_UNREADABLE
    except BrokenPipeError:
        _silence(sys.stdout)
        return EXIT_OK
    except KeyboardInterrupt:
        _say("interrupted")
        return 130
    except ExtractorMissing as exc:  # a broken install: say what to install, once
        _say(str(exc))
        return EXIT_INTERNAL
    except Exception as exc:  # never a traceback for users
        _say(f"internal error: {type(exc).__name__}: {exc}")
        return EXIT_INTERNAL
    finally:
        _release(stream)


def _release(out: IO[str]) -> None:
    """Flush our UTF-8 wrapper and hand the bytes stream back to sys.stdout untouched."""
    if out is sys.stdout:
        return
    with contextlib.suppress(OSError, ValueError):
        out.flush()
    with contextlib.suppress(OSError, ValueError):
        out.detach()


if __name__ == "__main__":
    raise SystemExit(main())
