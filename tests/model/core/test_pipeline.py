"""The scoring core: one record type, whole-document page scores, the API's traps.

The front ends (``predict``, Spark) are compared with these records in
``tests/model/frontends/test_one_record.py`` and ``test_spark.py``.
"""

from __future__ import annotations

import json
import random
from dataclasses import fields
from pathlib import Path

import numpy as np
import pytest
from claim_risk import (
    Scorer,
    explain_sentences,
    score_documents,
    score_sentences,
    score_text,
    score_texts,
    summarize,
)
from claim_risk.core.artifacts import ModelError, load_model, resolve_dir
from claim_risk.core.context import page_score
from claim_risk.core.embedding import missing_packages
from claim_risk.core.pipeline import (
    OPTIONAL_FIELDS,
    RECORD_FIELDS,
    SentenceScore,
    score_stream,
)
from claim_risk.core.segment import segment
from claim_risk.core.tiers import CascadeTier, LinearTier
from claim_risk.textio.readers import html_to_text

ROOT = Path(__file__).resolve().parents[3]
SCHEMA = ROOT / "model" / "schema" / "prediction.schema.json"

# Sentences written for these tests: plain, careful text and, at the end, sales claims.
CALM = [
    "The leaflet lists the usual dose for adults.",
    "Store the bottle at room temperature, away from light.",
    "A small trial in {n} adults looked at sleep quality.",
    "Speak to a pharmacist if you take other medicines.",
    "The study ran for {n} weeks and reported mild headaches in some people.",
    "Results were mixed, and the authors call for larger trials.",
]
CLAIMS = [
    "Our capsules cure arthritis in {n} days, guaranteed.",
    "This tea flushes every toxin out of your body overnight.",
    "Completely natural, so it has no side effects at all.",
    "Doctors don't want you to know this reverses diabetes for good.",
]


def long_document(n: int = 700, seed: int = 0) -> str:
    """About ``n`` sentences in paragraphs and headings; the claims come in the last page."""
    rng = random.Random(seed)
    lines, para, size = [], [], 3
    for i in range(n):
        pool = CLAIMS if i >= n - 40 and i % 3 == 0 else CALM
        if i % 50 == 0:
            lines += [" ".join(para), f"Section {i // 50 + 1}"]
            para = []
        para.append(rng.choice(pool).format(n=rng.randint(2, 90)))
        if len(para) == size:
            lines.append(" ".join(para))
            para, size = [], rng.randint(2, 5)
    lines.append(" ".join(para))
    return "\n".join(line for line in lines if line) + "\n"


PAGE = (
    "<!doctype html><html><head><title>Shop</title><style>p {color: red}</style></head>"
    "<body><nav>Home | Shop | Cart</nav><article><h1>Turmeric gold</h1>"
    "<p>Our turmeric capsules cure arthritis in two weeks, guaranteed.</p>"
    "<p>A small trial looked at joint pain; larger studies are needed.</p>"
    "<p>Completely natural, so there are no side effects at all.</p>"
    "<p>Ask your doctor before you stop any medicine.</p></article>"
    "<footer>All rights reserved.</footer></body></html>"
)


def test_the_long_document_spans_several_context_windows() -> None:
    n = len(segment(long_document()))
    assert n > 2 * load_model().window


def test_every_record_carries_the_page_score_of_the_whole_document() -> None:
    records = score_text(long_document())
    scores = [r.score for r in records]
    assert {r.page_score for r in records} == {page_score(scores)}
    assert records[0].page_score == summarize(records).page_score
    # the riskiest sentences are in the last window: the first window alone scores lower
    window = load_model().window
    assert page_score(scores[:window]) < records[0].page_score


def test_records_equal_score_documents_on_the_same_sentences() -> None:
    """Context windows are per document, as ``score_documents`` reads them."""
    text = long_document()
    records = score_text(text)
    [probs] = score_documents([[r.text for r in records]])
    assert [r.score for r in records] == probs
    assert all(text[r.start : r.end] == r.text for r in records)


def test_batching_documents_together_does_not_change_a_record() -> None:
    docs = [long_document(300, seed=1), "Buy now. It cures everything.", long_document(30, seed=2)]
    together = [list(d) for d in score_stream(docs)]
    apart = [list(d) for d in score_stream(docs, batch=1)]
    assert together == apart == score_texts(docs)
    assert together[1] == score_text(docs[1])


def test_record_fields_are_defined_once_and_the_schema_agrees() -> None:
    from claim_risk.frontends.cli import FIELDS

    assert RECORD_FIELDS == (
        "index",
        "text",
        "start",
        "end",
        "score",
        "flagged",
        "band",
        "page_score",
    )
    assert OPTIONAL_FIELDS == ("lang", "explain")
    defs = json.loads(SCHEMA.read_text(encoding="utf-8"))["$defs"]
    schema = defs["sentence"]
    assert schema["required"] == list(FIELDS)
    assert ("source", *RECORD_FIELDS, "lang") == FIELDS
    props = schema["properties"]
    assert set(RECORD_FIELDS) | set(OPTIONAL_FIELDS) <= set(props)
    for f in fields(SentenceScore):
        if f.name in RECORD_FIELDS:
            assert _json_kind(props[f.name], defs) == JSON_KIND[f.type], f.name


JSON_KIND = {"int": "integer", "str": "string", "float": "number", "bool": "boolean"}


def _json_kind(prop: dict, defs: dict) -> str:
    """The JSON type a schema property allows, following ``$ref`` (an enum of strings: string)."""
    if "$ref" in prop:
        prop = defs[prop["$ref"].rsplit("/", 1)[-1]]
    if "enum" in prop:
        assert all(isinstance(v, str) for v in prop["enum"])
        return "string"
    return prop["type"]


def test_a_record_reads_as_attributes_or_keys_with_optional_fields_only_when_set() -> None:
    [r] = score_text("Vaccines cause autism.")
    assert dict(r) == r.to_dict() and list(r.to_dict()) == list(RECORD_FIELDS)
    assert r["score"] == r.score and r["page_score"] == r.score
    with pytest.raises(KeyError):
        r["lang"]
    [scored] = score_stream(["Vaccines cause autism."], explain=2, detect_language=True)
    [full] = list(scored)
    assert full.lang == "en" and set(full.explain) == {"up", "down", "page"}
    assert list(full.to_dict()) == [*RECORD_FIELDS, "lang", "explain"]


def test_a_bare_string_is_refused_where_a_list_is_wanted() -> None:
    with pytest.raises(TypeError, match="list of sentences"):
        score_sentences("Vaccines cause autism.")
    with pytest.raises(TypeError, match="score_text"):
        score_documents(["Vaccines cause autism."])
    with pytest.raises(TypeError, match="score_text"):
        score_texts("Vaccines cause autism.")
    with pytest.raises(TypeError, match="list of sentences"):
        explain_sentences("Vaccines cause autism.")


def test_html_input_is_reduced_to_its_main_text_as_predict_does() -> None:
    records = score_text(PAGE, input_format="html")
    text = html_to_text(PAGE)
    assert records == score_text(text)
    assert all(text[r.start : r.end] == r.text for r in records)
    assert not any("<" in r.text for r in records)
    assert score_texts([PAGE], input_format="auto") == [records]
    assert Scorer().texts([PAGE], input_format="html") == [records]
    assert score_text(PAGE) != records  # as text, the markup is scored


def test_an_unknown_input_format_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="input_format"):
        score_text("Hello.", input_format="pdf")


def test_a_tier_is_a_type_and_cascade_is_built_from_its_name(monkeypatch) -> None:
    fast = load_model("fast")
    assert isinstance(fast, LinearTier) and fast.name == "fast"
    assert load_model(fast) is fast
    with pytest.raises(ModelError, match="two model folders"):
        resolve_dir("cascade")
    if missing_packages():
        pytest.skip("the semantic extra is not installed: make semantic")
    monkeypatch.setenv("CLAIM_RISK_MODEL", "cascade")
    tier = load_model()
    assert isinstance(tier, CascadeTier) and tier.first is fast
    assert tier.describe()["name"] == "cascade" and tier.describe()["cascade_cut"] == tier.cut


def test_a_cascade_records_its_rescored_sentences_with_the_same_interface() -> None:
    if missing_packages():
        pytest.skip("the semantic extra is not installed: make semantic")
    tier = load_model("cascade")
    pages = [[*CLAIMS, *CALM]]
    logits = tier.document_logits(pages)
    assert logits.rescored is not None and 0 < logits.rescored.sum() < len(pages[0])
    fast = load_model("fast").document_logits(pages)
    keep = ~logits.rescored
    np.testing.assert_array_equal(logits.in_context[keep], fast.in_context[keep])


def test_offsets_texts_and_gaps_hold_across_blocks_and_any_characters() -> None:
    """Sentences are kept as UTF-8 offsets into their blocks; reading them back is exact."""
    text = "Héllo wörld, 😀 here.\nA lone \ud800 surrogate stays.\n\n- Next item, über gut.\nLast."
    cut = text.index("\n\n") + 1
    blocks = [(0, text[:cut]), (cut, text[cut:])]
    [scored] = score_stream([blocks])
    records = list(scored)
    assert [r.text for r in records] == [s.text for s in segment(text)]
    assert all(text[r.start : r.end] == r.text for r in records)
    ends = [0] + [r.end for r in records]
    assert [scored.gap(r.index) for r in records] == [
        text[ends[i] : r.start] for i, r in enumerate(records)
    ]
    assert records == score_text(text)


def test_kept_texts_and_texts_decoded_from_the_blocks_give_the_same_records() -> None:
    """Records built from the texts kept while cutting (short documents) equal those decoded
    from the UTF-8 blocks (documents past ``batch``), for any characters and blocks."""
    docs = [
        "Héllo wörld, 😀 here. Second one.\r\nA lone \ud800 surrogate stays.\n\n- Ünïcödé item",
        "Plain ASCII only. Two sentences.",
        "Kurkuma heilt Krebs garantiert und sofort. Our tea cures colds in a day.",
        "",
        long_document(40),
    ]
    blocks = []
    for doc in docs:
        cut = doc.find("\n") + 1
        blocks.append([(0, doc[:cut]), (cut, doc[cut:])] if cut else [(0, doc)])
    for skip in (False, True):
        kept = [list(d) for d in score_stream(blocks, skip_non_english=skip, explain=2)]
        decoded = [list(d) for d in score_stream(blocks, skip_non_english=skip, explain=2, batch=1)]
        assert kept == decoded
        for doc, records in zip(docs, kept, strict=True):
            assert all(doc[r.start : r.end] == r.text for r in records)


def test_flags_and_bands_in_bulk_are_those_of_the_decision_even_at_the_cut() -> None:
    text = long_document(60)
    scores = [r.score for r in score_text(text)]
    decision = load_model().decision
    for threshold in (None, scores[3], sorted(scores)[-2], 0.0, 1.0):
        d = decision.with_threshold(threshold)
        [scored] = score_stream([text], threshold=threshold)
        for r in scored:
            assert (r.flagged, r.band) == (d.flagged(r.score), d.band(r.score))
