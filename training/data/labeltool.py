"""Authoring tool for the labelled dataset.

``draft`` segments source documents (with the inference segmenter) into a CSV
ready to label; ``merge`` folds finished drafts into ``labels/sentences.csv``.

    python -m claim_risk.training.data.labeltool draft labels/sources/auth_cbd_01.txt \
        --origin authored --topic cbd --register promotional
    python -m claim_risk.training.data.labeltool merge labels/drafts/*.csv
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from claim_risk.core.segment import split_sentences

from .schema import LABELS, assign_ids
from .sentences import read_rows, write_rows

ROOT = Path(__file__).resolve().parents[2]
SENTENCES = ROOT / "labels" / "sentences.csv"
DRAFTS = ROOT / "labels" / "drafts"


def draft_rows(path: Path, origin: str, topic: str, register: str) -> list[dict[str, str]]:
    """One unlabelled row per sentence of the document at ``path``."""
    doc_id = path.stem
    texts = split_sentences(path.read_text(encoding="utf-8"))
    ids = assign_ids(doc_id, texts)
    return [
        {
            "id": sid,
            "doc_id": doc_id,
            "position": str(i),
            "text": text,
            "label": "",
            "origin": origin,
            "topic": topic,
            "register": register,
            "notes": "",
        }
        for i, (sid, text) in enumerate(zip(ids, texts, strict=True))
    ]


def merge(drafts: list[Path]) -> int:
    """Replace each drafted document's rows in sentences.csv with its draft."""
    existing = read_rows(SENTENCES) if SENTENCES.exists() else []
    incoming: list[dict[str, str]] = []
    for path in drafts:
        rows = read_rows(path)
        for row in rows:
            if row.get("label") not in LABELS:
                raise SystemExit(
                    f"{path}:{row['_line']}: label {row.get('label')!r} is not one of {LABELS}"
                )
        incoming.extend(rows)
    replaced = {row["doc_id"] for row in incoming}
    kept = [row for row in existing if row["doc_id"] not in replaced]
    rows = sorted(
        kept + incoming, key=lambda r: (r["origin"] != "seed", r["doc_id"], int(r["position"]))
    )
    write_rows(SENTENCES, rows)
    return len(incoming)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m claim_risk.training.data.labeltool",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", required=True)
    d = sub.add_parser("draft", help="segment documents into CSV drafts in labels/drafts/")
    d.add_argument("documents", nargs="+", type=Path)
    d.add_argument("--origin", choices=("seed", "authored"), required=True)
    d.add_argument("--topic", default="")
    d.add_argument("--register", choices=("promotional", "evidence", ""), default="")
    d.add_argument("--out", type=Path, default=DRAFTS, help="folder for the drafts")
    m = sub.add_parser("merge", help="fold labelled drafts into labels/sentences.csv")
    m.add_argument("drafts", nargs="+", type=Path)
    args = parser.parse_args(argv)
    if args.command == "draft":
        for doc in args.documents:
            rows = draft_rows(doc, args.origin, args.topic, args.register)
            out = args.out / f"{doc.stem}.csv"
            write_rows(out, rows)
            print(f"{out}: {len(rows)} sentences", file=sys.stderr)
    else:
        print(f"merged {merge(args.drafts)} rows into {SENTENCES}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
