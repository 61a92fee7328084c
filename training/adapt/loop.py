"""Adapt the model to your own text: extract sentences to label, and choose which to label first.

    python -m claim_risk.training.adapt extract my_pages/ --out labels/user/my_pages.csv \
        --topic my_site
    python -m claim_risk.training.adapt suggest labels/user/my_pages.csv --n 50
    # fill the `label` column of the suggested rows (unsupported / hedged / none), then:
    python -m claim_risk.training.adapt lift labels/user/my_pages.csv
    python -m claim_risk.training.adapt retrain labels/user/*.csv --out my_model/
    predict --model my_model/ --file new_page.html

``extract`` reads files and folders the way ``predict`` does (text, Markdown,
HTML reduced to its main text), keeps a copy of each document's text under
``labels/user/sources/`` and writes one row per sentence with the dataset's
columns (label empty, ``origin`` = ``user``) plus the current model's score.
Document ids are derived from the file name and a hash of its text, so they
and the sentence ids are stable across runs. ``suggest`` ranks the unlabelled
rows (see ``training/adapt/suggest.py``) and rewrites the file with the suggested rows
first. Rows left unlabelled are ignored by training. ``lift`` measures what your
labels add on your own pages, by cross-validation grouped by page (before and
after, with intervals, and a warning when there are too few to tell);
``retrain`` writes a model folder fitted with them and its ``lift.json``
(``training/adapt/lift.py``). ``make train`` also reads ``labels/user/*.csv``.

A user's labels are never lost:
- ``--out`` must be one of extract's own files (every row ``origin`` = ``user``)
  or a new file; anything else, or a place in ``labels/`` other than
  ``labels/user/``, needs ``--force``; ``labels/sentences.csv`` and any file
  directly in ``labels/`` are refused outright.
- Re-extracting merges: rows of documents not named this time stay. A page is
  recognised by its path (or its file stem when the old path is gone); when
  its text changed, labels follow their sentence's text to the new version,
  and labels whose sentence is gone are kept aside in ``orphaned/<out name>``
  next to ``--out`` (outside training), with counts printed.
- The read-merge-write runs under a lock, the file is replaced atomically, and
  it is written again from scratch if it changed since it was read (a label
  saved from a spreadsheet meanwhile is merged, not overwritten).
- Symbolic links inside an input folder that lead outside it are skipped.
- Cells that a spreadsheet would run as a formula are written with a leading
  ``'`` and read back without it (``model/textio/csvsafe.py``), so ids still match.
- The copies under ``sources/`` and the rows land together or not at all: the
  sources are written first and the labels file last (one atomic rename, the
  commit point); when anything fails before that rename, the source files this
  run created are removed again. Labels set aside in ``orphaned/`` are written
  before the labels file, so a failure may leave them in both, never in neither.
- ``--out`` may be a symbolic link: the file it leads to is replaced, the link kept.
- A run killed mid-write (SIGKILL) leaves its temporary copy
  ``.<out name>.<pid>.<random>.tmp``; the next run on the same file removes the
  copies of processes no longer running (``model/textio/atomic.py``).

Exit status: 0 done; 2 refused (``--out`` not extract's, a bad label); 3 an input
unreadable, or a file that could not be written (read-only folder, full disk,
no permission: one line on standard error, and nothing changed); for ``lift`` and
``retrain`` also 2 for an unknown tier or an ``--out`` that is not a model folder,
and 7 when the shipped model cannot be read.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import sys
from collections.abc import Iterator
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

from claim_risk.core.artifacts import ModelError
from claim_risk.core.segment import split_sentences
from claim_risk.exits import EXIT_MODEL, EXIT_OK, EXIT_UNREADABLE, EXIT_USAGE
from claim_risk.textio.readers import Document, InputError, expand_paths

from ..data.schema import COLUMNS, LABELS, assign_ids
from ..data.sentences import (
    LABELS_DIR,
    SENTENCES,
    SOURCES,
    USER_DIR,
    FileChanged,
    LabelError,
    file_stamp,
    locked,
    read_rows,
    shown,
    write_rows,
    write_text,
)

__all__ = ["Refused", "WriteFailed", "check_out", "doc_id_for", "extract", "suggest"]

USER_COLUMNS = (*COLUMNS, "score", "priority", "source")
WORK = ("label", "register", "notes")  # what a user writes into a row
ATTEMPTS = 5


class Refused(Exception):
    """Writing would replace data that extract does not own; the message says which and why."""


class WriteFailed(Exception):
    """The system refused a write (read-only, full, no permission); nothing was changed."""


def failed(prog: str, exc: Exception) -> int:
    """Say why a command stopped, in one line on standard error, and return its exit status.

    The one mapping the label commands share (``adapt extract/suggest/lift/retrain``,
    ``claim-risk review``): a model that cannot be loaded is ``EXIT_MODEL``, a
    write the system refused ``EXIT_UNREADABLE``, anything else refused (labels,
    arguments) ``EXIT_USAGE``.
    """
    print(f"{prog}: {exc}", file=sys.stderr)
    if isinstance(exc, ModelError):
        return EXIT_MODEL
    if isinstance(exc, WriteFailed):
        return EXIT_UNREADABLE
    return EXIT_USAGE


def _cannot_write(exc: OSError, path: Path, kept: str) -> WriteFailed:
    """One line for ``exc``: where the write failed, why, and what is as it was."""
    place = Path(exc.filename).parent if exc.filename else path.parent
    why = exc.strerror or type(exc).__name__
    return WriteFailed(f"cannot write in {shown(place)} ({why}); nothing changed: {kept}")


def doc_id_for(source: str, text: str) -> str:
    """A stable id: ``user_<file stem>_<hash of the text>``."""
    stem = re.sub(r"[^a-z0-9]+", "_", Path(source).stem.lower()).strip("_")[:40] or "doc"
    return f"user_{stem}_{hashlib.sha1(text.encode('utf-8')).hexdigest()[:8]}"


def _stem(doc_id: str) -> str:
    return doc_id.rsplit("_", 1)[0]


def _has_work(row: dict[str, str]) -> bool:
    return any(row.get(c) for c in WORK)


def _pos(row: dict[str, str]) -> int:
    p = row.get("position", "")
    return int(p) if p.isascii() and p.isdigit() else 0


def _owned_rows(
    path: Path, force: bool = False, hint: str = "pass --force to replace it"
) -> list[dict[str, str]]:
    """The rows of ``path`` if extract wrote it (or it is new or empty); raise Refused if not.

    With ``force``, a file that is not ours counts as empty (it will be replaced).
    """
    if file_stamp(path) is None or path.stat().st_size == 0:
        return []
    try:
        rows = read_rows(path, spreadsheet=True)
    except LabelError as exc:
        if force:
            return []
        first = str(exc).splitlines()[0]
        raise Refused(
            f"{shown(path)}: cannot be read as extract's CSV ({first}); fix it, or {hint}"
        ) from None
    others = [r for r in rows if r["origin"] != "user"]
    if others and not force:
        raise Refused(
            f"{_where(path, others[0])}: {len(others)} row(s) not written by extract "
            f"(origin {others[0]['origin']!r}); {hint}"
        )
    return [] if others else rows


def _where(path: Path, row: dict[str, str]) -> str:
    return f"{shown(path)} line {row.get('_line', '?')} (id {row.get('id', '')!r})"


def _check_place(out: Path) -> None:
    """Refuse, whatever the options, to write the dataset or next to it."""
    target = out.resolve()
    if target == SENTENCES.resolve() or target.parent == LABELS_DIR.resolve():
        raise Refused(
            f"{shown(out)}: the files directly in {shown(LABELS_DIR)}/ are the labelled dataset "
            f"and its sources; write to {shown(USER_DIR)}/ instead"
        )
    if (out.parent / "sources").resolve() == SOURCES.resolve():
        raise Refused(f"{shown(out)}: its sources would go into {shown(SOURCES)}/")
    if target.is_dir():
        raise Refused(f"{shown(out)}: is a folder; name a .csv file")


def check_out(out: Path, force: bool = False) -> None:
    """Raise Refused unless extract may write ``out`` (see the module's docstring)."""
    _check_place(out)
    target = out.resolve()
    if (
        not force
        and target.is_relative_to(LABELS_DIR.resolve())
        and target.parent != USER_DIR.resolve()
    ):
        raise Refused(
            f"{shown(out)}: inside {shown(LABELS_DIR)}/ only {shown(USER_DIR)}/*.csv holds "
            "your labels (and training reads no other); pass --force to write here anyway"
        )
    _owned_rows(out, force)


@dataclass
class _Page:
    """One extracted document: where it came from, its id, sentences and their scores."""

    source: str
    doc_id: str
    sentences: list[str]
    scores: list[float]


def _documents(paths: list[str]) -> Iterator[Document | InputError]:
    """``expand_paths``, without links inside a folder that lead outside it (warned on stderr)."""
    for raw in paths:
        folder = Path(raw)
        root = folder.resolve() if raw != "-" and folder.is_dir() else None
        for item in expand_paths([raw]):
            if root is not None and isinstance(item, Document) and item.path is not None:
                try:
                    real = item.path.resolve(strict=True)
                except (OSError, RuntimeError):
                    real = None
                if real is None or not real.is_relative_to(root):
                    print(
                        f"extract: {item.source}: a link that leads outside {raw}: skipped",
                        file=sys.stderr,
                    )
                    continue
            yield item


def _read_pages(paths: list[str], model_dir: str | None) -> tuple[list[_Page], dict[str, str], int]:
    """The documents at ``paths``, scored; their texts by doc id; and the number of problems."""
    from claim_risk.core.score import score_sentences

    pages: list[_Page] = []
    texts: dict[str, str] = {}
    problems = 0
    for item in _documents(paths):
        if isinstance(item, InputError):
            print(f"extract: {item}", file=sys.stderr)
            problems += 1
            continue
        try:
            text = "".join(block for _, block in item.blocks())
        except InputError as exc:
            print(f"extract: {exc}", file=sys.stderr)
            problems += 1
            continue
        sentences = split_sentences(text)
        if not sentences:
            print(f"extract: {item.source}: no sentences", file=sys.stderr)
            continue
        doc_id = doc_id_for(item.source, text)
        if doc_id in texts:
            print(f"extract: {item.source}: same text as an earlier file: skipped", file=sys.stderr)
            continue
        texts[doc_id] = text
        pages.append(_Page(item.source, doc_id, sentences, score_sentences(sentences, model_dir)))
    return pages, texts, problems


def _same_file(a: str, b: str) -> bool:
    if not a or not b:
        return False
    return os.path.normpath(a) == os.path.normpath(b) or Path(a).resolve() == Path(b).resolve()


@dataclass
class _Merge:
    """The merged rows and what happened to the old ones."""

    rows: list[dict[str, str]]
    orphans: list[dict[str, str]]
    kept: int
    notes: dict[str, str]


def _previous_versions(
    page: _Page, by_doc: dict[str, list[dict[str, str]]], pages: list[_Page]
) -> list[str]:
    """Doc ids in the old file that ``page`` replaces: same id, same path, or a moved file."""
    found = [
        d
        for d, rows in by_doc.items()
        if d == page.doc_id or _same_file(rows[0].get("source", ""), page.source)
    ]
    if found or sum(_stem(p.doc_id) == _stem(page.doc_id) for p in pages) > 1:
        return found
    return [
        d
        for d, rows in by_doc.items()
        if _stem(d) == _stem(page.doc_id)
        and rows[0].get("source")
        and not Path(rows[0]["source"]).exists()
    ]


def _merge(previous: list[dict[str, str]], pages: list[_Page], topic: str) -> _Merge:
    """The new file: old rows of documents not extracted now, then the extracted ones."""
    by_doc: dict[str, list[dict[str, str]]] = {}
    for row in previous:
        by_doc.setdefault(row["doc_id"], []).append(row)
    replaced: set[str] = set()
    rows: list[dict[str, str]] = []
    orphans: list[dict[str, str]] = []
    notes: dict[str, str] = {}
    for page in pages:
        olds = _previous_versions(page, by_doc, pages)
        replaced.update(olds)
        old_rows = sorted(
            (r for d in olds for r in by_doc[d]),
            key=lambda r: (r["doc_id"] != page.doc_id, r["doc_id"], _pos(r)),
        )
        by_id = {r["id"]: r for r in old_rows}
        by_text: dict[str, list[dict[str, str]]] = {}
        for r in old_rows:
            if _has_work(r):
                by_text.setdefault(r["text"], []).append(r)
        used: set[str] = set()
        carried = 0
        old_texts = {r["text"] for r in old_rows}
        new = sum(1 for t in page.sentences if t not in old_texts)
        ids = assign_ids(page.doc_id, page.sentences)
        for pos, (sid, sentence, score) in enumerate(
            zip(ids, page.sentences, page.scores, strict=True)
        ):
            old = by_id.get(sid)
            if old is None or old["id"] in used:
                old = next((r for r in by_text.get(sentence, []) if r["id"] not in used), None)
            if old is None:
                old = {}
            else:
                used.add(old["id"])
                carried += old["doc_id"] != page.doc_id and bool(old.get("label"))
            rows.append(
                {
                    "id": sid,
                    "doc_id": page.doc_id,
                    "position": str(pos),
                    "text": sentence,
                    "label": old.get("label", ""),
                    "origin": "user",
                    "topic": topic,
                    "register": old.get("register", ""),
                    "notes": old.get("notes", ""),
                    "score": f"{score:.4f}",
                    "priority": "",
                    "source": page.source,
                }
            )
        lost = [r for r in old_rows if _has_work(r) and r["id"] not in used]
        orphans.extend(lost)
        changed = [d for d in olds if d != page.doc_id]
        if changed:
            notes[page.doc_id] = (
                f"replaces {', '.join(changed)}: {carried} label(s) carried over, "
                f"{new} sentence(s) new, {len(lost)} label(s) set aside"
            )
    kept = [r for r in previous if r["doc_id"] not in replaced]
    return _Merge(kept + rows, orphans, len(kept), notes)


def _set_aside(path: Path, orphans: list[dict[str, str]]) -> None:
    """Add ``orphans`` to the set-aside file ``path`` (merged by id)."""
    with locked(path):
        have = read_rows(path, spreadsheet=True) if file_stamp(path) else []
        fresh = {r["id"] for r in orphans}
        rows = [r for r in have if r["id"] not in fresh] + orphans
        write_rows(path, rows, USER_COLUMNS, spreadsheet=True)


def extract(
    paths: list[str],
    out: Path,
    topic: str,
    model_dir: str | None = None,
    force: bool = False,
) -> int:
    """Write or update the labelling CSV for the documents at ``paths``; return the problem count.

    Raises Refused (nothing written) when ``out`` is not extract's to write, and
    WriteFailed (nothing changed) when the system refuses a write.
    """
    check_out(out, force)
    pages, texts, problems = _read_pages(paths, model_dir)
    try:
        merged, aside = _write_all(out, pages, texts, topic, force)
    except OSError as exc:
        raise _cannot_write(exc, out, f"{shown(out)} and its sources are as they were") from None
    for page in pages:
        note = f" ({merged.notes[page.doc_id]})" if page.doc_id in merged.notes else ""
        print(
            f"extract: {page.source}: {len(page.sentences)} sentences as {page.doc_id}{note}",
            file=sys.stderr,
        )
    labelled = sum(1 for r in merged.rows if r["label"])
    print(
        f"wrote {shown(out)}: {len(merged.rows)} sentences ({labelled} already labelled)",
        file=sys.stderr,
    )
    if merged.kept:
        print(
            f"    {merged.kept} row(s) of documents not extracted this time kept", file=sys.stderr
        )
    if merged.orphans:
        print(
            f"    {len(merged.orphans)} label(s) whose sentence is no longer in its page "
            f"set aside in {shown(aside)} (not used for training)",
            file=sys.stderr,
        )
    return problems


def _write_all(
    out: Path, pages: list[_Page], texts: dict[str, str], topic: str, force: bool
) -> tuple[_Merge, Path]:
    """Under ``out``'s lock: the sources, then the merged rows; a failure removes new sources."""
    sources = out.parent / "sources"
    aside = out.parent / "orphaned" / out.name
    with locked(out):
        created: list[Path] = [] if sources.exists() else [sources]
        try:
            for page in pages:
                source = sources / f"{page.doc_id}.txt"
                if not source.is_file() or source.read_text(encoding="utf-8") != texts[page.doc_id]:
                    if not source.exists():
                        created.append(source)
                    write_text(source, texts[page.doc_id])
            for _ in range(ATTEMPTS):
                stamp = file_stamp(out)
                merged = _merge(_owned_rows(out, force), pages, topic)
                if merged.orphans:
                    _set_aside(aside, merged.orphans)
                try:
                    write_rows(
                        out, merged.rows, USER_COLUMNS, spreadsheet=True, unchanged_since=stamp
                    )
                    return merged, aside
                except FileChanged:
                    continue
            raise Refused(f"{shown(out)}: changed on disk {ATTEMPTS} times while being updated")
        except BaseException:
            for path in reversed(created):
                with suppress(OSError):
                    if path == sources:
                        path.rmdir()  # only if still empty
                    else:
                        path.unlink()
            raise


def suggest(path: Path, n: int, model_dir: str | None = None) -> list[dict[str, str]]:
    """Rank the unlabelled rows of ``path``, rewrite it with the top ``n`` first; return them.

    Raises Refused for a file that extract did not write, LabelError for a bad label,
    WriteFailed (the file as it was) when the system refuses the write.
    """
    try:
        return _suggest(path, n, model_dir)
    except OSError as exc:
        raise _cannot_write(exc, path, f"{shown(path)} is as it was") from None


def _suggest(path: Path, n: int, model_dir: str | None) -> list[dict[str, str]]:
    """``suggest`` without the translation of system errors."""
    from claim_risk.core.artifacts import load_model
    from claim_risk.core.score import score_sentences

    from .suggest import suggest_order

    _check_place(path)
    with locked(path):
        for _ in range(ATTEMPTS):
            stamp = file_stamp(path)
            rows = _owned_rows(path, hint="suggest rewrites only files that extract wrote")
            bad = [r for r in rows if r.get("label", "") not in ("", *LABELS)]
            if bad:
                raise LabelError(
                    f"{_where(path, bad[0])}: label {bad[0]['label']!r} is not one of "
                    f"{', '.join(LABELS)}" + (f" (and {len(bad) - 1} more)" if len(bad) > 1 else "")
                )
            todo = [i for i, r in enumerate(rows) if not r.get("label")]
            texts = [rows[i]["text"] for i in todo]
            scores = score_sentences(texts, model_dir)
            for i, s in zip(todo, scores, strict=True):
                rows[i]["score"] = f"{s:.4f}"
                rows[i]["priority"] = ""
            order = suggest_order(
                texts,
                [rows[i]["doc_id"] for i in todo],
                scores,
                load_model(model_dir).threshold,
                n,
                labelled_texts=[r["text"] for r in rows if r.get("label")],
            )
            picked = [todo[j] for j in order]
            for rank, i in enumerate(picked, start=1):
                rows[i]["priority"] = str(rank)
            chosen = set(picked)
            rest = [r for i, r in enumerate(rows) if i not in chosen]
            try:
                write_rows(
                    path,
                    [rows[i] for i in picked] + rest,
                    USER_COLUMNS,
                    spreadsheet=True,
                    unchanged_since=stamp,
                )
            except FileChanged:
                continue
            return [rows[i] for i in picked]
    raise Refused(f"{shown(path)}: changed on disk {ATTEMPTS} times while being updated")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m claim_risk.training.adapt",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", required=True)
    e = sub.add_parser("extract", help="documents -> a CSV of sentences to label")
    e.add_argument("paths", nargs="+", help="files or folders (.txt, .md, .html)")
    e.add_argument(
        "--out",
        type=Path,
        default=USER_DIR / "mine.csv",
        help="CSV to write (default labels/user/mine.csv)",
    )
    e.add_argument("--topic", default="user", help="topic name for these documents")
    e.add_argument("--model", default=None, help="model folder used for the scores")
    e.add_argument(
        "--force",
        action="store_true",
        help="replace an --out that extract did not write, or write elsewhere in labels/",
    )
    s = sub.add_parser("suggest", help="rank unlabelled rows; rewrite the CSV best first")
    s.add_argument("csv", type=Path)
    s.add_argument("--n", type=int, default=50, help="how many to suggest (default 50)")
    s.add_argument("--model", default=None, help="model folder used for the scores")
    from .lift import add_commands, run_command  # scikit-learn, for these two commands only

    add_commands(sub)
    args = parser.parse_args(argv)
    if args.command in ("lift", "retrain"):
        return run_command(args)
    if args.command == "extract":
        try:
            problems = extract(args.paths, args.out, args.topic, args.model, args.force)
            return EXIT_UNREADABLE if problems else EXIT_OK
        except (Refused, LabelError, WriteFailed) as exc:
            return failed("extract", exc)
    if not args.csv.is_file():
        print(f"suggest: {args.csv}: no such file", file=sys.stderr)
        return EXIT_UNREADABLE
    try:
        picked = suggest(args.csv, args.n, args.model)
    except (Refused, LabelError, WriteFailed) as exc:
        return failed("suggest", exc)
    for r in picked:
        print(f"{r['priority']:>3}  {float(r['score']):.3f}  {r['doc_id']}  {r['text'][:90]}")
    return EXIT_OK


if __name__ == "__main__":
    raise SystemExit(main())
