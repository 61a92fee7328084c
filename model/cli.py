"""`predict`: score documents for unsupported medical claims, sentence by sentence.

Kept lean for a fast start: numpy, blingfire and the plain-data model only
(no scikit-learn, scipy, pandas or `datasets`); trafilatura loads only for
HTML, tqdm only when stderr is a terminal.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
from collections.abc import Iterator
from typing import IO

from model.artifacts import LoadedModel
from model.context import page_score
from model.csvsafe import escape_row
from model.decision import Decision
from model.linear import sigmoid
from model.readers import Document, InputError, expand_paths
from model.score import document_logits
from model.segment import Span, segment

EXIT_OK = 0
EXIT_INTERNAL = 1
EXIT_USAGE = 2
EXIT_UNREADABLE = 3
EXIT_EMPTY_DIR = 4
EXIT_NOT_UTF8 = 5
EXIT_EMPTY_INPUT = 6
EXIT_MODEL = 7

HTML_EXPLAIN = 5
FIELDS = ("source", "index", "text", "start", "end", "score", "flagged", "band", "page_score")

EPILOG = """\
examples:
  predict "Ketamine is not passed through breast milk, so breastfeeding is safe."
  predict --file page.html --format jsonl > scores.jsonl
  cat posts/*.txt | predict --only-flagged
  predict --file crawl/ --format csv --threshold 0.7 --html review.html

output fields (jsonl, csv): source, index, text, start, end, score, flagged,
  band, page_score
  start/end are character offsets into the document text (for HTML: its
  extracted main text); score is the probability of an unsupported claim,
  each sentence read with its document; flagged is score >= threshold; band is
  low, review or high; page_score is the document's risk (the mean of its three
  highest scores; for documents over 256 sentences, over those read so far).
  --explain adds "explain" (jsonl only): the n-grams that moved the sentence's
  own log-odds, and "page", what its document added.

exit status:
  0 success            3 file missing or unreadable   6 empty input
  1 internal error     4 folder with nothing to read  7 model missing, corrupt
  2 usage error        5 not valid UTF-8                or incompatible
  With several inputs, every readable one is scored; the status is that of
  the first failure.
"""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, exit 2, no traceback
        self.print_usage(sys.stderr)
        print(f"predict: error: {message}", file=sys.stderr)
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
        "searched recursively for .txt, .md and .html files",
    )
    p.add_argument(
        "--format",
        choices=("table", "jsonl", "csv"),
        default="table",
        help="table for people (default), jsonl or csv for machines",
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
        "--model",
        metavar="DIR",
        default=None,
        help="model folder (default: $CLAIM_RISK_MODEL or the shipped model)",
    )
    p.add_argument(
        "--html",
        metavar="OUT.html",
        default=None,
        help="also write a self-contained HTML page highlighting every sentence",
    )
    p.add_argument("--encoding", default="utf-8", help="encoding of input files (default utf-8)")
    p.add_argument(
        "--version", action="store_true", help="print the package and model versions and exit"
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
    if not value.isdigit():
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number >= 0")
    return int(value)


def _documents(args: argparse.Namespace) -> Iterator[Document | InputError]:
    for i, text in enumerate(args.texts, start=1):
        yield Document(source=f"<arg {i}>", text=text)
    yield from expand_paths(args.file, args.encoding)
    if not args.texts and not args.file:
        if sys.stdin is None or sys.stdin.isatty():
            yield InputError(
                "no input: give texts, --file PATH, or pipe text to standard input "
                "(see predict --help)",
                EXIT_USAGE,
            )
        else:
            yield Document(source="<stdin>", stdin=True, encoding=args.encoding)


class _Writer:
    """Writes records in the chosen format as they come."""

    def __init__(self, fmt: str, out: IO[str], explain: bool) -> None:
        self.fmt, self.out, self.explain = fmt, out, explain
        self.csv = None
        if fmt == "csv":
            self.csv = csv.DictWriter(
                out, fieldnames=FIELDS, extrasaction="ignore", lineterminator="\n"
            )
            self.csv.writeheader()

    def record(self, rec: dict) -> None:
        if self.fmt == "jsonl":
            self.out.write(json.dumps(rec, ensure_ascii=False) + "\n")
        elif self.fmt == "csv":
            self.csv.writerow(escape_row({**rec, "score": f"{rec['score']:.6f}"}))
        else:
            mark = "!!" if rec["flagged"] else "  "
            self.out.write(f"{mark} {rec['score']:.3f}  {rec['text']}\n")
            if self.explain and "explain" in rec:
                ups = ", ".join(f"{t} {c:+.2f}" for t, c in rec["explain"]["up"])
                downs = ", ".join(f"{t} {c:+.2f}" for t, c in rec["explain"]["down"])
                self.out.write(f"          up: {ups or '-'}\n        down: {downs or '-'}\n")

    def document_start(self, source: str, page: float) -> None:
        if self.fmt == "table":
            self.out.write(f"== {source}  (page score {page:.3f})\n")

    def document_end(self, source: str, summary: dict) -> None:
        if self.fmt == "table":
            self.out.write(
                f"   {summary['flagged']} of {summary['sentences']} sentences flagged "
                f"(max score {summary['max_score']:.3f}, "
                f"page score {summary['page_score']:.3f})\n\n"
            )
        self.out.flush()


def _windows(doc: Document, size: int) -> Iterator[list[tuple[int, Span]]]:
    """The document's sentences (with the offset of their block) in windows of ``size``."""
    window: list[tuple[int, Span]] = []
    for offset, block in doc.blocks():
        for span in segment(block):
            window.append((offset, span))
            if len(window) == size:
                yield window
                window = []
    if window:
        yield window


def _score_document(
    doc: Document, model: LoadedModel, decision: Decision, explain_n: int
) -> Iterator[dict]:
    """Records of one document, window by window, each read with its window as its page."""
    size = model.context.window if model.context is not None else 4096
    index = 0
    top: list[float] = []
    for window in _windows(doc, size):
        texts = [span.text for _, span in window]
        z, zc = document_logits(model.sentence, model.context, [texts])
        scores = sigmoid(zc).tolist()
        top = sorted(top + scores, reverse=True)[:3]
        page = round(page_score(top), 6)
        explanations = model.sentence.explain(texts, explain_n) if explain_n else None
        for j, ((offset, span), score) in enumerate(zip(window, scores, strict=True)):
            rec = {
                "source": doc.source,
                "index": index,
                "text": span.text,
                "start": offset + span.start,
                "end": offset + span.end,
                "score": round(score, 6),
                "flagged": decision.flagged(score),
                "band": decision.band(score),
                "page_score": page,
            }
            if explanations is not None:
                rec["explain"] = {
                    k: [[t, round(c, 4)] for t, c in v] for k, v in explanations[j].items()
                }
                rec["explain"]["page"] = round(float(zc[j] - z[j]), 4)
            index += 1
            yield rec


def _without_explain(rec: dict) -> dict:
    return {k: v for k, v in rec.items() if k != "explain"} if "explain" in rec else rec


def run(args: argparse.Namespace, out: IO[str]) -> int:
    """Score every document; return the exit status."""
    from model.artifacts import ModelError, load_model

    try:
        model = load_model(args.model)
    except ModelError as exc:
        print(f"predict: {exc}", file=sys.stderr)
        return EXIT_MODEL
    decision = model.decision.with_threshold(args.threshold)
    writer = _Writer(args.format, out, bool(args.explain))
    status = EXIT_OK
    html_docs: list[tuple[str, list[dict]]] = []
    items = list(_documents(args)) if not args.no_progress and sys.stderr.isatty() else None
    stream = _progress(items) if items is not None else _documents(args)
    for item in stream:
        if isinstance(item, InputError):
            print(f"predict: {item}", file=sys.stderr)
            status = status or item.code
            continue
        records: list[dict] = []
        summary = {"sentences": 0, "flagged": 0, "max_score": 0.0, "page_score": 0.0}
        # The HTML page always explains on hover; stdout carries explanations only on request.
        explain_n = args.explain or (HTML_EXPLAIN if args.html else 0)
        try:
            for rec in _score_document(item, model, decision, explain_n):
                if not summary["sentences"]:
                    writer.document_start(item.source, rec["page_score"])
                summary["page_score"] = rec["page_score"]
                summary["sentences"] += 1
                summary["flagged"] += rec["flagged"]
                summary["max_score"] = max(summary["max_score"], rec["score"])
                if args.html:
                    records.append(rec)
                if rec["flagged"] or not args.only_flagged:
                    writer.record(rec if args.explain else _without_explain(rec))
        except InputError as exc:
            print(f"predict: {exc}", file=sys.stderr)
            status = status or exc.code
            continue
        if summary["sentences"] == 0:
            print(f"predict: {item.source}: empty input (no sentences to score)", file=sys.stderr)
            status = status or EXIT_EMPTY_INPUT
            continue
        writer.document_end(item.source, summary)
        if args.html:
            html_docs.append((item.source, records))
    if args.html:
        from model.html_report import write_html

        try:
            write_html(args.html, html_docs, decision, model.version)
        except OSError as exc:
            print(f"predict: cannot write {args.html} ({exc.strerror or exc})", file=sys.stderr)
            status = status or EXIT_UNREADABLE
    return status


def _progress(items: list) -> Iterator:
    if len(items) < 2:
        yield from items
        return
    from tqdm import tqdm

    yield from tqdm(items, desc="documents", unit="doc", file=sys.stderr, leave=False)


def _print_version(model_dir: str | None, out: IO[str]) -> int:
    """``predict --version``: the package, and the model it would score with."""
    from model import __version__
    from model.artifacts import ModelError, load_model

    out.write(f"claim-risk {__version__}\n")
    try:
        model = load_model(model_dir)
    except ModelError as exc:
        print(f"predict: {exc}", file=sys.stderr)
        return EXIT_MODEL
    meta = model.metadata
    out.write(
        f"model {model.version} ({model.directory}), created {meta.get('created', 'unknown')}, "
        f"threshold {model.threshold}\n"
    )
    return EXIT_OK


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `predict` console script."""
    args = build_parser().parse_args(argv)
    if args.version:
        return _print_version(args.model, sys.stdout)
    try:
        return run(args, sys.stdout)
    except BrokenPipeError:  # e.g. `predict ... | head`
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK
    except KeyboardInterrupt:
        print("predict: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # never a traceback for users
        print(f"predict: internal error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return EXIT_INTERNAL


if __name__ == "__main__":
    raise SystemExit(main())
