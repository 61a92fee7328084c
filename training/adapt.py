"""Adapt the model to your own text: extract sentences to label, and choose which to label first.

    python -m training.adapt extract my_pages/ --out labels/user/my_pages.csv --topic my_site
    python -m training.adapt suggest labels/user/my_pages.csv --n 50
    # fill the `label` column of the suggested rows (unsupported / hedged / none), then:
    make train

``extract`` reads files and folders the way ``predict`` does (text, Markdown,
HTML reduced to its main text), keeps a copy of each document's text under
``labels/user/sources/`` and writes one row per sentence with the dataset's
columns (label empty, ``origin`` = ``user``) plus the current model's score.
Document ids are derived from the file name and a hash of its text, so they
and the sentence ids are stable across runs; re-extracting into the same file
keeps the labels already given. ``suggest`` ranks the unlabelled rows (see
``training/suggest.py``) and rewrites the file with the suggested rows first.
Rows left unlabelled are ignored by training.
"""

from __future__ import annotations

import argparse
import hashlib
import re
import sys
from pathlib import Path

from model.readers import InputError, expand_paths
from model.segment import split_sentences
from training.data import USER_DIR, LabelError, read_rows, write_rows
from training.schema import COLUMNS, LABELS, assign_ids

__all__ = ["doc_id_for", "extract", "suggest"]

USER_COLUMNS = (*COLUMNS, "score", "priority", "source")


def doc_id_for(source: str, text: str) -> str:
    """A stable id: ``user_<file stem>_<hash of the text>``."""
    stem = re.sub(r"[^a-z0-9]+", "_", Path(source).stem.lower()).strip("_")[:40] or "doc"
    return f"user_{stem}_{hashlib.sha1(text.encode('utf-8')).hexdigest()[:8]}"


def extract(paths: list[str], out: Path, topic: str, model_dir: str | None = None) -> int:
    """Write the labelling CSV for the documents at ``paths``; return the number of problems."""
    from model.score import score_sentences

    sources = out.parent / "sources"
    sources.mkdir(parents=True, exist_ok=True)
    previous = {r["id"]: r for r in read_rows(out)} if out.exists() else {}
    rows: list[dict[str, str]] = []
    problems = 0
    for item in expand_paths(paths):
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
        (sources / f"{doc_id}.txt").write_text(text, encoding="utf-8")
        scores = score_sentences(sentences, model_dir)
        for pos, (sid, sentence, score) in enumerate(
            zip(assign_ids(doc_id, sentences), sentences, scores, strict=True)
        ):
            old = previous.get(sid, {})
            rows.append(
                {
                    "id": sid,
                    "doc_id": doc_id,
                    "position": str(pos),
                    "text": sentence,
                    "label": old.get("label", ""),
                    "origin": "user",
                    "topic": topic,
                    "register": old.get("register", ""),
                    "notes": old.get("notes", ""),
                    "score": f"{score:.4f}",
                    "priority": "",
                    "source": item.source,
                }
            )
        print(f"extract: {item.source}: {len(sentences)} sentences as {doc_id}", file=sys.stderr)
    write_rows(out, rows, USER_COLUMNS)
    labelled = sum(1 for r in rows if r["label"])
    print(f"wrote {out}: {len(rows)} sentences ({labelled} already labelled)", file=sys.stderr)
    return problems


def suggest(path: Path, n: int, model_dir: str | None = None) -> list[dict[str, str]]:
    """Rank the unlabelled rows of ``path``, rewrite it with the top ``n`` first; return them."""
    from model.artifacts import load_model
    from model.score import score_sentences
    from training.suggest import suggest_order

    rows = read_rows(path)
    bad = [r["_line"] for r in rows if r.get("label", "") not in ("", *LABELS)]
    if bad:
        raise SystemExit(f"{path}: line(s) {bad[:10]} have a label that is not one of {LABELS}")
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
    rest = [r for i, r in enumerate(rows) if i not in set(picked)]
    write_rows(path, [rows[i] for i in picked] + rest, USER_COLUMNS)
    return [rows[i] for i in picked]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m training.adapt",
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
    s = sub.add_parser("suggest", help="rank unlabelled rows; rewrite the CSV best first")
    s.add_argument("csv", type=Path)
    s.add_argument("--n", type=int, default=50, help="how many to suggest (default 50)")
    s.add_argument("--model", default=None, help="model folder used for the scores")
    args = parser.parse_args(argv)
    if args.command == "extract":
        return 3 if extract(args.paths, args.out, args.topic, args.model) else 0
    if not args.csv.is_file():
        print(f"suggest: {args.csv}: no such file", file=sys.stderr)
        return 3
    try:
        picked = suggest(args.csv, args.n, args.model)
    except LabelError as exc:
        print(f"suggest: {exc}", file=sys.stderr)
        return 2
    for r in picked:
        print(f"{r['priority']:>3}  {float(r['score']):.3f}  {r['doc_id']}  {r['text'][:90]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
