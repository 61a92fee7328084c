"""The generated sections of reports/README.md after training's: speed, adaptation, Spark.

Pure rendering (a result dictionary in, Markdown out), kept in evaluation so that
the benchmarks and the adaptation curve hand their results down to it and the
one README writer (``report.write_readme``) reads nothing above itself.
"""

from __future__ import annotations

from claim_risk.core.artifacts import TIER_NAMES

__all__ = [
    "SECTIONS",
    "SPEED_MARKERS",
    "TARGETS",
    "adapt_section",
    "bench_section",
    "end_to_end_rows",
    "spark_section",
    "speed_summary",
    "tier_rows",
]

TARGETS = {
    "end_to_end_sentences_per_s": 50_000,
    "cold_start_ratio_to_import_sklearn": 0.25,
    "memory_ratio_50mb_to_1mb": 2.0,
    "ratio_to_sklearn_pipeline": 2.5,
}


def tier_rows(t: dict) -> list[tuple[str, str, str, str]]:
    """Rows of the speed table for the tiers."""
    if "skipped" in t:
        return [("semantic and cascade tiers", f"not measured ({t['skipped']})", "", "")]
    rows = []
    for name in TIER_NAMES:
        x = t[name]
        r = x["sentences_per_s"]
        extra = ""
        if name != "fast":
            extra = f", {x['slowdown_vs_fast']:.0f}x slower than fast"
        if name == "cascade":
            extra += f"; re-scored {x['rescored_share']:.0%} (cut {x['cut']:g})"
        rows.append(
            (
                f"`--model {name}`: `score_texts` on {t['sentences']:,} sentences "
                f"({t['documents']} documents); cold start",
                f"{r['median']:,.0f} ({r['low']:,.0f}–{r['high']:,.0f}) sentences/s{extra}; "
                f"`predict` {x['cold_start']['median_s']:.2f} s",
                "",
                "",
            )
        )
    return rows


def _rate(x: dict) -> str:
    return f"{x['median']:,.0f} ({x['low']:,.0f}–{x['high']:,.0f})"


def _ratio(x: dict) -> str:
    return f"{x['median']:.2f}x ({x['low']:.2f}–{x['high']:.2f})"


def end_to_end_rows(e: dict) -> list[tuple[str, str, str, str]]:
    """Rows of the speed table for ``end_to_end``: raw documents and pre-split, beside fastText."""
    rates = e["sentences_per_s"]
    where = f"{e['sentences']:,} new sentences a run, {e['rounds']} interleaved rounds"
    if "ratios" not in e:
        return [
            (
                f"`score_texts` end to end from raw documents ({where})",
                f"{_rate(rates['score_texts'])} sentences/s; fastText {e['fasttext']}",
                "",
                "",
            )
        ]
    ratios = e["ratios"]
    return [
        (
            f"end to end from raw documents ({where}): `score_texts`",
            f"{_rate(rates['score_texts'])} sentences/s, "
            f"{_ratio(ratios['score_texts_to_fasttext_segmented'])} the peer",
            "≥ 2x the peer",
            hit(ratios["score_texts_to_fasttext_segmented"]["median"] >= 2),
        ),
        (
            "… `predict --format jsonl`, a folder of one file per document (start-up included)",
            f"{_rate(rates['predict'])} sentences/s, "
            f"{_ratio(ratios['predict_to_fasttext_segmented'])} the peer",
            "≥ 2x the peer",
            hit(ratios["predict_to_fasttext_segmented"]["median"] >= 2),
        ),
        (
            "… the peer: the same segmenter, then fastText's `predict` on each sentence",
            f"{_rate(rates['fasttext_segmented'])} sentences/s",
            "",
            "",
        ),
        (
            "pre-split sentences in the same rounds: `score_sentences`",
            f"{_rate(rates['score_sentences'])} sentences/s, "
            f"{_ratio(ratios['score_sentences_to_fasttext'])} fastText",
            "",
            "",
        ),
        (
            "… fastText's `predict`, one sentence at a time",
            f"{_rate(rates['fasttext'])} sentences/s",
            "",
            "",
        ),
    ]


def hit(ok: bool) -> str:
    """A target's status cell."""
    return "met" if ok else "**missed**"


def bench_section(b: dict) -> str:
    """The benchmark section of reports/README.md."""
    s, c, f, d = b["scoring"], b["cold_start"], b["big_file"], b["datasets_map"]
    m = b["machine"]
    e2e = s["end_to_end_sentences_per_s"]["median"]
    big = max((k for k in f if k.endswith("mb")), key=lambda k: int(k[:-2]))
    small = min((k for k in f if k.endswith("mb")), key=lambda k: int(k[:-2]))

    def r(x: dict) -> str:
        return f"{x['median']:,.0f} ({x['low']:,.0f}–{x['high']:,.0f})"

    many = d[f"num_proc_{d['cores']}"]["sentences_per_s"]
    seg = s.get("segmentation_sentences_per_s", {"median": float("inf")})
    seg_public = s.get("segmentation_public_sentences_per_s")
    score = s["score_sentences_per_s"]
    ceiling = 1 / (1 / seg["median"] + 1 / score["median"])
    ratio = c["ratio_to_import_sklearn"]
    big_name, small_name = big.replace("mb", " MB"), small.replace("mb", " MB")
    rows = [
        (
            f"`score_sentences`, {s['sentences']:,} perturbed sentences, one process",
            f"{r(s['score_sentences_per_s'])} sentences/s",
            "",
            "",
        ),
        (
            "`score_texts` end to end (segmentation + scoring, batched), one process",
            f"{r(s['end_to_end_sentences_per_s'])} sentences/s, "
            f"{s['end_to_end_mb_per_s']['median']:.2f} MB/s",
            "≥ 50,000 sentences/s",
            hit(e2e >= TARGETS["end_to_end_sentences_per_s"]),
        ),
        (
            "`score_text` called once per document (25-sentence documents)",
            f"{r(s['per_document_sentences_per_s'])} sentences/s",
            "",
            "",
        ),
        (
            "`Dataset.map(batched=True)`, 1 process",
            f"{r(d['num_proc_1']['sentences_per_s'])} sentences/s",
            "",
            "",
        ),
        (
            f"`Dataset.map(batched=True)`, {d['cores']} processes",
            f"{r(many)} sentences/s, speed-up {d['speedup']:.2f}x",
            f"near-linear ({d['cores']}x)",
            hit(d["speedup"] >= 0.8 * d["cores"]),
        ),
        (
            '`predict "one sentence"` cold start',
            f"{c['predict_one_sentence']['median_s']:.2f} s (`import sklearn` "
            f"{c['import_sklearn']['median_s']:.2f} s, `python -c pass` "
            f"{c['python_pass']['median_s']:.2f} s): {ratio:.2f}x the floor",
            "≤ 0.25x",
            hit(ratio <= TARGETS["cold_start_ratio_to_import_sklearn"]),
        ),
        (
            f"`predict --format jsonl`, {big_name} file",
            f"{f[big]['median_s']:.1f} s, {f[big]['mb_per_s']:.2f} MB/s, peak "
            f"{f[big]['peak_rss_mib']:.0f} MiB ({small_name}: {f[small]['peak_rss_mib']:.0f} MiB; "
            f"ratio {f['memory_ratio']:.2f})",
            f"≤ 2x the memory of {small_name}",
            hit(f["memory_ratio"] <= TARGETS["memory_ratio_50mb_to_1mb"]),
        ),
        (
            "training (`python -m claim_risk.training.train`)",
            f"{b['training']['wall_s']:.0f} s, model file "
            f"{b['training']['model_file_bytes'] / 1024:.0f} KiB",
            "",
            "",
        ),
    ]
    if "end_to_end" in b:
        rows = end_to_end_rows(b["end_to_end"]) + rows
    if "stages" in b:
        us = b["stages"]["us_per_sentence"]
        parts = [f"{k} {us[k]:.1f}" for k in ("names", "shape", "features") if k in us]
        rows.append(
            (
                f"where `score_sentences` spends its time, {b['stages']['sentences']:,} "
                "new sentences a stage",
                f"µs a sentence: {', '.join(parts)}; the whole sentence model "
                f"{us['sentence_model']:.1f}",
                "",
                "",
            )
        )
    if "tiers" in b:
        rows += tier_rows(b["tiers"])
    ref = b.get("references")
    if ref:
        rows += [
            (
                f"same {ref['sentences']:,} sentences: plain-data scorer (`score_sentences`)",
                f"{r(ref['plain_data_scorer']['sentences_per_s'])} sentences/s, "
                f"{ref['ratio_to_sklearn_pipeline']:.2f}x the pipeline it was exported from",
                "≥ 2.5x",
                hit(ref["ratio_to_sklearn_pipeline"] >= TARGETS["ratio_to_sklearn_pipeline"]),
            ),
            (
                "… the scikit-learn pipeline (`predict_proba`)",
                f"{r(ref['sklearn_pipeline']['sentences_per_s'])} sentences/s",
                "",
                "",
            ),
            (
                "… a plain scikit-learn TF-IDF + LR (no cues)",
                f"{r(ref['plain_sklearn_tfidf_lr']['sentences_per_s'])} sentences/s",
                "",
                "",
            ),
            (
                "… fastText (word bigrams, one thread, called per sentence from Python)",
                f"{r(ref['fasttext']['sentences_per_s'])} sentences/s"
                if isinstance(ref["fasttext"], dict)
                else f"{ref['fasttext']} (`pip install fasttext-wheel`)",
                "",
                "",
            ),
        ]
    lines = [
        "## Speed and memory",
        "",
        f"`make bench` on {m['cores']} cores ({m['cpu']}), Python {m['python']}, "
        f"scikit-learn {m['scikit_learn']}{_load(b)}. Medians of repeated runs, range in "
        "brackets; "
        + (
            "every timed run reads sentences no earlier run read, so no cache serves it; "
            if b.get("fresh_inputs")
            else "this run predates new sentences for every timed run (a cache could serve "
            "its repeats); "
        )
        + "raw figures in `reports/benchmark.json`.",
        "",
        "| what | figure | target | status |",
        "|---|---|---|---|",
        *(f"| {w} | {fig} | {t} | {st} |" for w, fig, t, st in rows),
        "",
        f"Where the end-to-end time goes: segmentation alone runs at "
        f"{seg['median']:,.0f} sentences/s and scoring at "
        f"{score['median']:,.0f}, so together they cannot pass about "
        f"{ceiling:,.0f}"
        " sentences/s in one process. Segmentation is a Python loop over lines around "
        "blingfire"
        + (
            f" (its C function called on a reused buffer; blingfire's public "
            f"`text_to_sentences`, a new buffer a line, gives the same sentences at "
            f"{seg_public['median']:,.0f} sentences/s)"
            if seg_public
            else ""
        )
        + "; scoring is two featurisers (word n-grams, cue regexes) and a dot product. "
        "Calling `score_text` once per short document adds a model call per document, hence "
        "the batched `score_texts`; for crawls, `Dataset.map(..., num_proc=N)` scales with "
        "cores.",
        "",
        "The semantic tier runs all-MiniLM-L6-v2 in numpy on every sentence (the cascade only "
        "on what the fast tier scores high): its rows above are its measured cost here.",
        "",
    ]
    return "\n".join(lines)


def _gain_words(name: str, entry: dict, order: str, last: int) -> str:
    """One sentence: a tier's mean change from no labels to the last step, with its interval."""
    g = entry[f"{order}_gain"]
    start, end = entry[order][0], entry[order][-1]
    return (
        f"The {name} tier went from {start:.3f} to {end:.3f} with {last} labels ({order} order): "
        f"{g['mean']:+.3f} (95% interval over topics {g['mean'] - g['half95']:+.3f} to "
        f"{g['mean'] + g['half95']:+.3f}; up on {g['topics_up']} topics, down on "
        f"{g['topics_down']})."
    )


def _load(b: dict) -> str:
    """The load averages the run recorded, if it did."""
    if "load_average_before" not in b:
        return ""
    before, after = b["load_average_before"][0], b["load_average_after"][0]
    return f", load average {before:.1f} before and {after:.1f} after"


SPEED_MARKERS = ("<!-- speed:start -->", "<!-- speed:end -->")
"""Around the figures of the project README's *Speed* section, which ``speed_summary`` renders."""


def speed_summary(b: dict) -> str:
    """The figures of the project README's *Speed* section, from ``benchmark.json``."""
    m, s, c, f, d = b["machine"], b["scoring"], b["cold_start"], b["big_file"], b["datasets_map"]
    big = max((k for k in f if k.endswith("mb")), key=lambda k: int(k[:-2]))
    small = min((k for k in f if k.endswith("mb")), key=lambda k: int(k[:-2]))
    many = d[f"num_proc_{d['cores']}"]["sentences_per_s"]
    fresh = b.get("fresh_inputs", False)
    lines = [
        f"The last `make bench`: {m['cores']} cores ({m['cpu']}){_load(b)}; medians of "
        "repeated runs, range in brackets"
        + (
            ", every timed run on sentences no earlier run read."
            if fresh
            else "; that run predates new sentences for every timed run, so a cache could "
            "serve its repeats (the semantic and cascade figures are too high), and it had "
            "no end-to-end comparison with fastText: the next `make bench` gives both."
        ),
        "",
    ]
    e = b.get("end_to_end")
    if e is not None and "ratios" in e:
        r, q = e["sentences_per_s"], e["ratios"]
        lines += [
            f"- end to end from raw documents, against fastText with the same segmenter, "
            f"in {e['rounds']} interleaved rounds of {e['sentences']:,} sentences: "
            f"`score_texts` {_rate(r['score_texts'])} sentences/s, "
            f"{_ratio(q['score_texts_to_fasttext_segmented'])} the peer's "
            f"{_rate(r['fasttext_segmented'])}; `predict --format jsonl` on a folder of one "
            f"file per document, start-up included, {_rate(r['predict'])}, "
            f"{_ratio(q['predict_to_fasttext_segmented'])} the peer (target: 2x for both);",
            f"- pre-split sentences in the same rounds: `score_sentences` "
            f"{_rate(r['score_sentences'])} sentences/s, "
            f"{_ratio(q['score_sentences_to_fasttext'])} fastText's `predict` "
            f"({_rate(r['fasttext'])});",
        ]
    lines += [
        f"- on {s['sentences']:,} sentences: `score_sentences` "
        f"{_rate(s['score_sentences_per_s'])} sentences/s; `score_texts` end to end "
        f"{_rate(s['end_to_end_sentences_per_s'])} (target "
        f"{TARGETS['end_to_end_sentences_per_s']:,}); segmentation alone "
        f"{_rate(s['segmentation_sentences_per_s'])};",
    ]
    ref = b.get("references")
    if ref:
        lines.append(
            f"- the plain-data scorer at {ref['ratio_to_sklearn_pipeline']:.2f}x the "
            f"scikit-learn pipeline it was exported from (target "
            f"{TARGETS['ratio_to_sklearn_pipeline']}x), on the same sentences in one run;"
        )
    lines += [
        f"- `Dataset.map(score_batch, batched=True, num_proc={d['cores']})`: {_rate(many)} "
        f"sentences/s, a {d['speedup']:.2f}x speed-up over one process;",
        f'- `predict "one sentence"`: {c["predict_one_sentence"]["median_s"]:.2f} s cold, '
        f'against {c["import_sklearn"]["median_s"]:.2f} s for `python -c "import sklearn"`;',
        f"- a {big[:-2]} MB file through `predict --format jsonl`: {f[big]['median_s']:.1f} s, "
        f"peak memory {f[big]['peak_rss_mib']:.0f} MiB ({f[small]['peak_rss_mib']:.0f} MiB "
        f"for {small[:-2]} MB);",
    ]
    t = b.get("tiers")
    if t and "skipped" not in t:
        lines.append(
            f"- the tiers on the same {t['sentences']:,} sentences"
            + (" (new ones for every run): " if fresh else ": ")
            + f"`fast` {t['fast']['sentences_per_s']['median']:,.0f} sentences/s, `semantic` "
            f"{t['semantic']['sentences_per_s']['median']:,.0f} "
            f"({t['semantic']['cold_start']['median_s']:.2f} s cold start), `cascade` "
            f"{t['cascade']['sentences_per_s']['median']:,.0f} (it re-scored "
            f"{t['cascade']['rescored_share']:.0%} of these sentences)."
        )
    else:
        lines[-1] = lines[-1][:-1] + "."
    return "\n".join(lines) + "\n"


def adapt_section(summary: dict) -> str:
    """The adaptation section of reports/README.md."""
    tiers = summary["tiers"]
    columns = [(t, o) for t in tiers for o in ("random", "suggested") if o in tiers[t]]
    weights = ", ".join(f"{w:g}" for w in summary["weights"])
    last = summary["steps"][-1]
    lines = [
        "## Adapting to a new topic",
        "",
        "`make adapt-curve`: each of our topics in turn plays a user's. The model starts from "
        "the other topics (it never saw this one); the topic's labels are added "
        f"({', '.join(map(str, summary['steps'][1:]))}, or all its pool has: "
        f"{summary['pool_size']['min']} to "
        f"{summary['pool_size']['max']}), each counting the weight `retrain` would give it "
        f"(x{weights}, chosen by page-grouped cross-validation on the labelled pages only), "
        "and a page of the topic whose labels were never added is scored, read with its page. "
        f"ROC-AUC, mean over {summary['topics']} topics ({summary['test_pages']} test pages); "
        "random orders are seeded ("
        + ", ".join(f"{t}: the mean of {len(tiers[t]['seeds'])}" for t in tiers)
        + "). "
        "`python -m claim_risk.training.adapt lift` measures the same on your own pages.",
        "",
        "| labels added | " + " | ".join(f"{t}, {o} order" for t, o in columns) + " |",
        "|---" * (len(columns) + 1) + "|",
    ]
    for i, k in enumerate(summary["steps"]):
        cells = " | ".join(
            f"{tiers[t][o][i]:.3f} ± {tiers[t][o + '_half95'][i]:.3f}" for t, o in columns
        )
        lines.append(f"| {k} | {cells} |")
    lines += ["", "(± the 95% interval of the mean over topics.)", ""]
    lines += [_gain_words(t, tiers[t], "random", last) for t in tiers]
    if "suggested" in tiers.get("fast", {}):
        lines.append(_gain_words("fast", tiers["fast"], "suggested", last))
    chosen = "; ".join(
        f"{t}: "
        + ", ".join(
            f"x{w} {n} times"
            for w, n in sorted(tiers[t]["weights_chosen"].items(), key=lambda kv: float(kv[0]))
            if n
        )
        for t in tiers
    )
    lines += [
        "",
        f"Weights chosen per test page: {chosen}. Our authored pages are easier than real "
        "ones and a topic's pool is two pages, so this measures carry-over between our own "
        "topics, not what a user's real pages gain; `lift` gives that figure on theirs.",
        "",
        "![adaptation curve](figures/adaptation_curve.png)",
        "",
    ]
    return "\n".join(lines)


def spark_section(b: dict) -> str:
    """The Markdown section: the table and what it means per core."""

    def r(x: dict) -> str:
        return f"{x['median']:,.0f} ({x['low']:,.0f}–{x['high']:,.0f})"

    rates, s, j = b["sentences_per_s"], b["spark"], b["job"]
    one = rates["one_process"]["median"]
    rows = [
        ("`score_texts`, one process", "one_process", 1),
        (f"`Dataset.map` cut + `score_batch`, num_proc={b['num_proc']}", "datasets_map", 2),
        (f"Spark {s['master']}, `score_spark` → noop sink", "spark_noop", 2),
        (f"Spark {s['master']}, `score_spark` → Parquet", "spark_parquet", 2),
    ]
    lines = [
        "## Spark (local mode)",
        "",
        f"`make bench-spark` on {b['machine']['cores']} cores ({b['machine']['cpu']}), "
        f"pyspark {b['machine']['pyspark']}: {b['documents']:,} generated documents, "
        f"{b['sentences']:,} sentences, end to end (segmentation + scoring with the page). "
        f"The contenders run in turns, {b['timings']['one_process']['runs']} rounds; medians, "
        f"range in brackets. The cores are shared (load average "
        f"{b['load_average_before'][0]:.1f} before, {b['load_average_after'][0]:.1f} after). "
        "Raw figures in `reports/bench_spark.json`.",
        "",
        "| path | sentences/s | per core | vs one process |",
        "|---|---|---|---|",
        *(
            f"| {name} | {r(rates[key])} | {rates[key]['median'] / cores:,.0f} | "
            f"{rates[key]['median'] / one:.2f}x |"
            for name, key, cores in rows
        ),
        "",
        f"Fixed costs: a local Spark session starts in {s['session_start_s']:.1f} s and its "
        f"first scoring run (to Parquet; Python workers starting, the model loaded once in "
        f"each) takes {s['first_run_s']:.1f} s; `python -m claim_risk.frontends.spark_job` "
        "on the same "
        f"documents as {j['files']:,} text files took {j['wall_s']:.0f} s in all, JVM start "
        "included.",
        "",
    ]
    return "\n".join(lines)


# The sections after the training ones, in order: the JSON file in reports/ that
# `make bench`, `make adapt-curve` and `make bench-spark` write, the markers
# around its block, and its renderer.
SECTIONS = (
    ("benchmark.json", "<!-- bench:start -->", "<!-- bench:end -->", bench_section),
    ("adaptation.json", "<!-- adapt:start -->", "<!-- adapt:end -->", adapt_section),
    ("bench_spark.json", "<!-- bench-spark:start -->", "<!-- bench-spark:end -->", spark_section),
)
