"""End to end from raw documents beside pre-split sentences, against fastText (`make bench`).

The peer is what a fastText user would run: the same segmenter
(``claim_risk.core.segment``) cutting the same raw documents, then fastText's
``predict`` on each sentence, lower-cased and split as fastText was trained.
Each round runs every contender once, in turn (so a busy spell of the machine
falls on all of them), each on its own new corpus: no timed run reads a
sentence any other run read, so no cache can serve it. Round 0 warms up and is
not timed. Ratios are taken within a round, then summarised over the rounds.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from .kit import corpora, documents, log, run_command

__all__ = ["CONTENDERS", "RATIOS", "bench_end_to_end", "fasttext_predict"]

CONTENDERS = ("score_sentences", "fasttext", "score_texts", "fasttext_segmented", "predict")
"""In the order each round runs them: pre-split sentences, then raw documents."""
RATIOS = {
    "score_sentences_to_fasttext": ("score_sentences", "fasttext"),
    "score_texts_to_fasttext_segmented": ("score_texts", "fasttext_segmented"),
    "predict_to_fasttext_segmented": ("predict", "fasttext_segmented"),
}
"""Each ratio of the report: (ours, the peer), sentences per second, within a round."""


def fasttext_predict(texts: Sequence[str], labels: Sequence[int]) -> Callable[[str], object]:
    """fastText (word bigrams, seeded, one thread) trained on the labels: its ``predict`` of
    one sentence, lower-cased and split as its training text was (ImportError if absent).

    Its low-level ``predict`` is called: the high-level one breaks under numpy 2.
    """
    import fasttext

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "train.txt"
        lines = [
            f"__label__{label} {' '.join(t.lower().split())}"
            for t, label in zip(texts, labels, strict=True)
        ]
        path.write_text("\n".join(lines), encoding="utf-8")
        model = fasttext.train_supervised(
            str(path), wordNgrams=2, epoch=25, seed=0, thread=1, verbose=0
        )
    low = model.f.predict

    def predict(sentence: str) -> object:
        return low(" ".join(sentence.lower().split()), 1, 0.0, "replace")

    return predict


def _summary(values: list[float]) -> dict[str, float]:
    return {"median": statistics.median(values), "low": min(values), "high": max(values)}


def bench_end_to_end(
    n: int,
    rounds: int,
    predict: Callable[[str], object] | None,
    command: Sequence[str] | None = None,
) -> dict:
    """Sentences per second of each contender over ``rounds`` timed rounds of ``n`` sentences.

    ``predict``: fastText's (``fasttext_predict``), or None when it is not
    installed (its contenders and the ratios are then left out). ``command``:
    the ``predict`` console script, run in a fresh process on a folder holding
    one file per document (start-up and JSON writing included).
    """
    from claim_risk import score_sentences, score_texts
    from claim_risk.core.segment import segment

    command = list(command or [str(Path(sys.executable).with_name("predict"))])

    def fasttext(sentences: list[str]) -> None:
        for s in sentences:
            predict(s)

    def fasttext_segmented(docs: list[str]) -> None:
        for doc in docs:
            for span in segment(doc):
                predict(span.text)

    def predict_command(folder: Path) -> None:
        run_command([*command, "--format", "jsonl", "--no-progress", "--file", str(folder)])

    names = [c for c in CONTENDERS if predict is not None or not c.startswith("fasttext")]
    sets = corpora(n, len(names) * (rounds + 1), seed=4)
    rates: dict[str, list[float]] = {name: [] for name in names}
    log(f"end to end: {', '.join(names)} on {n:,} sentences each, {rounds} rounds + warm-up")
    with tempfile.TemporaryDirectory() as tmp:
        for r in range(rounds + 1):
            for k, name in enumerate(names):
                sentences = sets[r * len(names) + k]
                if name in ("score_sentences", "fasttext"):
                    arg: object = sentences
                    count = len(sentences)
                else:
                    docs = documents(sentences)
                    count = sum(len(segment(d)) for d in docs)
                    arg = docs
                if name == "predict":
                    folder = Path(tmp) / f"round{r}"
                    folder.mkdir()
                    for i, doc in enumerate(docs):
                        (folder / f"{i:05d}.txt").write_text(doc, encoding="utf-8")
                    arg = folder
                run = {
                    "score_sentences": score_sentences,
                    "fasttext": fasttext,
                    "score_texts": score_texts,
                    "fasttext_segmented": fasttext_segmented,
                    "predict": predict_command,
                }[name]
                t0 = time.perf_counter()
                run(arg)
                elapsed = time.perf_counter() - t0
                if r:
                    rates[name].append(count / elapsed)
    out: dict = {
        "sentences": n,
        "rounds": rounds,
        "sentences_per_s": {name: _summary(v) for name, v in rates.items()},
        "fasttext": "installed" if predict is not None else "not installed",
    }
    if predict is not None:
        out["ratios"] = {
            key: _summary([a / b for a, b in zip(rates[ours], rates[peer], strict=True)])
            for key, (ours, peer) in RATIOS.items()
        }
    return out
