"""Figures of the labels datasheet: counts and inter-annotator agreement.

    python -m claim_risk.training.data.datasheet          # print the figures
    python -m claim_risk.training.data.datasheet --write  # refresh labels/README.md's block

Agreement compares, for each set in ``labels/agreement/<set>/``, the first
annotator's labels as they stood before adjudication (``annotator_a.csv``) with
a blind second annotator's (``annotator_b.csv``), on the same sentences.
Because the guideline quotes some seed sentences as worked examples, kappa is
also given without the sentences the guideline quotes.
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
from collections import Counter
from pathlib import Path

from .schema import LABELS, POSITIVE
from .sentences import LABELS_DIR, SENTENCES, read_rows

__all__ = ["agreement", "counts_markdown", "render", "update_readme"]

AGREEMENT = LABELS_DIR / "agreement"
README = LABELS_DIR / "README.md"
GUIDELINES = LABELS_DIR / "GUIDELINES.md"
START, END = "<!-- generated:start -->", "<!-- generated:end -->"


def _labels(path: Path) -> dict[str, str]:
    with path.open(newline="", encoding="utf-8") as fh:
        return {row["id"]: row["label"] for row in csv.DictReader(fh)}


def _kappa(a: list[str], b: list[str]) -> float:
    from sklearn.metrics import cohen_kappa_score

    return float(cohen_kappa_score(a, b))


def _norm(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


def agreement(rows: list[dict[str, str]], folder: Path) -> dict:
    """Cohen's kappa (three-way and binary) between the two annotators, and against the final."""
    a, b = _labels(folder / "annotator_a.csv"), _labels(folder / "annotator_b.csv")
    final = {r["id"]: r["label"] for r in rows}
    text = {r["id"]: r["text"] for r in rows}
    guide = _norm(GUIDELINES.read_text(encoding="utf-8"))
    ids = [i for i in a if i in b and i in final]
    unquoted = [i for i in ids if _norm(text[i]) not in guide]

    def pair(x: dict, y: dict, keep: list[str]) -> dict:
        xs, ys = [x[i] for i in keep], [y[i] for i in keep]
        return {
            "n": len(keep),
            "kappa_3way": _kappa(xs, ys),
            "kappa_binary": _kappa([v == POSITIVE for v in xs], [v == POSITIVE for v in ys]),
            "raw_agreement": sum(p == q for p, q in zip(xs, ys, strict=True)) / len(keep),
        }

    confusion = Counter((a[i], b[i]) for i in ids)
    return {
        "a_vs_b": pair(a, b, ids),
        "a_vs_b_without_guideline_examples": pair(a, b, unquoted),
        "a_vs_final": pair(a, final, ids),
        "b_vs_final": pair(b, final, ids),
        "confusion": {f"{x} / {y}": confusion[(x, y)] for x in LABELS for y in LABELS},
        "disagreements": sum(1 for i in ids if a[i] != b[i]),
    }


def _table(counter: Counter, total: int, title: str) -> list[str]:
    lines = [f"| {title} | sentences | share |", "|---|---|---|"]
    for key, n in sorted(counter.items(), key=lambda kv: (-kv[1], kv[0])):
        lines.append(f"| {key} | {n} | {n / total:.1%} |")
    return lines


def counts_markdown(rows: list[dict[str, str]]) -> list[str]:
    """Count tables by label, origin, register and topic, and labels within each slice."""
    n = len(rows)
    docs = {r["doc_id"]: r for r in rows}
    out = [f"{n} sentences from {len(docs)} documents.", ""]
    out += [*_table(Counter(r["label"] for r in rows), n, "label"), ""]
    out += [
        "| origin / register | documents | sentences | unsupported | hedged | none |",
        "|---|---|---|---|---|---|",
    ]
    for key in sorted({(r["origin"], r["register"]) for r in rows}):
        sel = [r for r in rows if (r["origin"], r["register"]) == key]
        c = Counter(r["label"] for r in sel)
        out.append(
            f"| {key[0]} / {key[1] or '-'} | {len({r['doc_id'] for r in sel})} | "
            f"{len(sel)} | {c['unsupported']} | {c['hedged']} | {c['none']} |"
        )
    out += ["", "| topic | documents | sentences | share | unsupported |", "|---|---|---|---|---|"]
    for topic in sorted({r["topic"] for r in rows}):
        sel = [r for r in rows if r["topic"] == topic]
        c = Counter(r["label"] for r in sel)
        out.append(
            f"| {topic} | {len({r['doc_id'] for r in sel})} | {len(sel)} | "
            f"{len(sel) / n:.1%} | {c['unsupported'] / len(sel):.0%} |"
        )
    return out


def render(rows: list[dict[str, str]]) -> str:
    """The generated block of the datasheet."""
    lines = ["### Counts", "", *counts_markdown(rows), "", "### Agreement", ""]
    names = {
        "a_vs_b": "A vs blind B",
        "a_vs_b_without_guideline_examples": "A vs B, guideline examples removed",
        "a_vs_final": "A vs adjudicated",
        "b_vs_final": "B vs adjudicated",
    }
    sets = sorted(p for p in AGREEMENT.iterdir() if (p / "annotator_b.csv").is_file())
    lines += [
        "| set | comparison | sentences | kappa (3-way) | kappa (binary) | raw agreement |",
        "|---|---|---|---|---|---|",
    ]
    results = {folder.name: agreement(rows, folder) for folder in sets}
    for name, ag in results.items():
        for key, label in names.items():
            m = ag[key]
            lines.append(
                f"| {name} | {label} | {m['n']} | {m['kappa_3way']:.3f} | "
                f"{m['kappa_binary']:.3f} | {m['raw_agreement']:.1%} |"
            )
    for name, ag in results.items():
        lines += [
            "",
            f"{name}: {ag['disagreements']} disagreements between A and B "
            "(rows: A's label, columns: B's label).",
            "",
            "| A \\ B | " + " | ".join(LABELS) + " |",
            "|---" * (len(LABELS) + 1) + "|",
        ]
        for x in LABELS:
            cells = " | ".join(str(ag["confusion"][f"{x} / {y}"]) for y in LABELS)
            lines.append(f"| {x} | {cells} |")
    return "\n".join(lines) + "\n"


def update_readme(block: str, readme: Path = README) -> str:
    """The datasheet text with its generated block replaced."""
    text = readme.read_text(encoding="utf-8")
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{START}\n{block}{END}{tail}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m claim_risk.training.data.datasheet",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--write", action="store_true", help="refresh labels/README.md")
    args = parser.parse_args(argv)
    block = render(read_rows(SENTENCES))
    if args.write:
        README.write_text(update_readme(block), encoding="utf-8")
        print(f"updated {README}", file=sys.stderr)
    else:
        sys.stdout.write(block)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
