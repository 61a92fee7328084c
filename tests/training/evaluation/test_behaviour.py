"""The behavioural-suite runner, checked with fake scorers (no model is loaded or trained)."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from claim_risk.training.evaluation.behaviour import (
    DEFAULT_CASES,
    PERTURBATIONS,
    load_cases,
    render_markdown,
    run_suite,
)

THRESHOLD = 0.6
TEXT_FIELDS = {"text", "original", "variant", "target"}
LIST_FIELDS = {"texts", "claim_doc", "evidence_doc"}


@pytest.fixture(scope="module")
def cases() -> list[dict]:
    return load_cases()


@pytest.fixture(scope="module")
def raw_cases() -> list[dict]:
    return json.loads(DEFAULT_CASES.read_text(encoding="utf-8"))["cases"]


def constant(value: float):
    return lambda sentences: [value] * len(sentences)


def keyword_scorer(sentences: list[str]) -> list[float]:
    """High for 'cure', lowered by negation words: enough to exercise every rule."""
    out = []
    for s in sentences:
        low = s.lower()
        score = 0.9 if "cure" in low else 0.2
        if " not " in low or " no " in low:
            score -= 0.5
        out.append(max(score, 0.0) + 0.001 * len(s) / 100)
    return out


def of_type(cases: list[dict], kind: str) -> list[dict]:
    return [c for c in cases if c["type"] == kind]


SMALL = [
    {"id": "m1", "type": "mft", "capability": "efficacy", "text": "Garlic cures colds.",
     "expect": "high"},
    {"id": "m2", "type": "mft", "capability": "background", "text": "Garlic is a bulb.",
     "expect": "low"},
    {"id": "m3", "type": "mft", "capability": "efficacy", "text": "Garlic clears acne.",
     "expect": "high"},
    {"id": "d1", "type": "dir", "capability": "negation", "perturbation": "negation",
     "original": "Zinc cures acne.", "variant": "Zinc does not cure acne.", "expect": "lower"},
    {"id": "d2", "type": "dir", "capability": "negation", "perturbation": "negation",
     "original": "Zinc cures warts.", "variant": "Zinc does not cure warts.", "expect": "lower",
     "margin": 0.6},
    {"id": "i1", "type": "inv", "capability": "swap-claim", "expect": "same_side",
     "texts": ["Sage cures gout.", "Mint cures gout."], "tolerance": 0.25},
    {"id": "i2", "type": "inv", "capability": "swap-claim", "expect": "same_side",
     "texts": ["Sage cures gout fast.", "Mint eases gout fast."]},
]  # fmt: skip


def test_shipped_suite_loads_with_every_type_and_perturbation(cases: list[dict]) -> None:
    kinds = {c["type"] for c in cases}
    assert kinds == {"mft", "dir", "inv", "doc", "page"}
    expects = [c["expect"] for c in of_type(cases, "mft")]
    assert expects.count("high") >= 60 and expects.count("low") >= 40
    perturbations = [c["perturbation"] for c in of_type(cases, "dir")]
    assert all(perturbations.count(p) >= 20 for p in PERTURBATIONS)
    assert all(3 <= len(c["texts"]) <= 4 for c in of_type(cases, "inv"))


def test_case_ids_are_unique(raw_cases: list[dict]) -> None:
    ids = [c["id"] for c in raw_cases]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    assert not duplicates


def test_every_case_text_is_a_non_empty_string(raw_cases: list[dict]) -> None:
    seen = 0
    for case in raw_cases:
        texts = [case[f] for f in TEXT_FIELDS & case.keys()]
        texts += [t for f in LIST_FIELDS & case.keys() for t in case[f]]
        assert texts, case["id"]
        for text in texts:
            assert isinstance(text, str) and text.strip(), case["id"]
            seen += 1
    assert seen > len(raw_cases)


def _broken(kind: str) -> dict:
    base = {
        "mft": copy.deepcopy(SMALL[0]),
        "dir": copy.deepcopy(SMALL[3]),
        "inv": copy.deepcopy(SMALL[5]),
        "doc": {"id": "x", "type": "doc", "capability": "context", "target": "It helps.",
                "claim_doc": ["Buy it.", "It helps."], "evidence_doc": ["It helps.", "Weak."],
                "expect": "higher_in_claim_doc"},
        "page": {"id": "x", "type": "page", "capability": "context", "target": "It helps.",
                 "page": ["Buy it.", "It helps."], "expect": "high"},
    }[kind]  # fmt: skip
    base["id"] = "broken-case-7"
    return base


BREAKAGES = [
    ("mft", lambda c: c.pop("text")),
    ("mft", lambda c: c.update(text="   ")),
    ("mft", lambda c: c.update(expect="medium")),
    ("mft", lambda c: c.update(type="xyz")),
    ("mft", lambda c: c.update(colour="red")),
    ("mft", lambda c: c.pop("capability")),
    ("dir", lambda c: c.update(perturbation="sarcasm")),
    ("dir", lambda c: c.update(variant=c["original"])),
    ("dir", lambda c: c.update(margin=-0.1)),
    ("dir", lambda c: c.update(margin="0.1")),
    ("inv", lambda c: c.update(texts=["Only one."])),
    ("inv", lambda c: c.update(texts=["Same.", "Same."])),
    ("inv", lambda c: c.update(texts=["Fine.", 3])),
    ("doc", lambda c: c.update(evidence_doc=["Nothing here.", "Or here."])),
    ("doc", lambda c: c.update(claim_doc=["It helps.", "It helps."])),
    ("page", lambda c: c.update(page=["Nothing here.", "Or here."])),
    ("page", lambda c: c.update(expect="higher_in_claim_doc")),
]


@pytest.mark.parametrize(("kind", "breakage"), BREAKAGES)
def test_load_cases_rejects_a_malformed_case_by_id(tmp_path: Path, kind: str, breakage) -> None:
    case = _broken(kind)
    assert len(load_cases(_write(tmp_path, [*SMALL, case]))) == len(SMALL) + 1
    breakage(case)
    with pytest.raises(ValueError, match="broken-case-7"):
        load_cases(_write(tmp_path, [*SMALL, case]))


def _write(tmp_path: Path, cases: list[dict]) -> Path:
    path = tmp_path / "ok.json"
    path.write_text(json.dumps({"format": {}, "cases": cases}), encoding="utf-8")
    return path


def test_duplicate_ids_are_rejected(tmp_path: Path) -> None:
    twin = {**SMALL[1], "id": "m1"}
    with pytest.raises(ValueError, match="m1"):
        load_cases(_write(tmp_path, [*SMALL, twin]))
    with pytest.raises(ValueError, match="duplicate"):
        run_suite(keyword_scorer, THRESHOLD, cases=[*SMALL, twin])


def test_constant_scorer_fails_every_dir_case_and_passes_every_inv_case(
    cases: list[dict],
) -> None:
    result = run_suite(constant(0.5), THRESHOLD, cases=cases)
    n_dir, n_inv = len(of_type(cases, "dir")), len(of_type(cases, "inv"))
    assert result["by_type"]["dir"] == {"n": n_dir, "passed": 0, "pass_rate": 0.0, "skipped": 0}
    assert result["by_type"]["inv"] == {"n": n_inv, "passed": n_inv, "pass_rate": 1.0, "skipped": 0}
    n_low = sum(c["expect"] == "low" for c in of_type(cases, "mft"))
    assert result["by_type"]["mft"]["passed"] == n_low
    assert result["by_subtype"]["mft:high"]["passed"] == 0


def test_oracle_scorer_passes_every_mft_case_and_its_inverse_fails_them(cases: list[dict]) -> None:
    truth = {c["text"]: c["expect"] == "high" for c in of_type(cases, "mft")}

    def oracle(sentences: list[str]) -> list[float]:
        return [0.9 if truth.get(s) else 0.1 for s in sentences]

    def inverse(sentences: list[str]) -> list[float]:
        return [1.0 - p for p in oracle(sentences)]

    n_mft = len(truth)
    assert run_suite(oracle, THRESHOLD, cases=cases)["by_type"]["mft"]["passed"] == n_mft
    assert run_suite(inverse, THRESHOLD, cases=cases)["by_type"]["mft"]["passed"] == 0


def test_doc_cases_are_skipped_without_a_document_scorer(cases: list[dict]) -> None:
    doc_ids = [c["id"] for c in cases if c["type"] in ("doc", "page")]
    result = run_suite(constant(0.5), THRESHOLD, cases=cases)
    assert result["skipped"] == doc_ids
    assert result["by_type"]["doc"] == {
        "n": 0, "passed": 0, "pass_rate": None, "skipped": len(of_type(cases, "doc"))
    }  # fmt: skip
    assert result["by_type"]["page"]["skipped"] == len(of_type(cases, "page"))
    assert result["n"] == len(cases) - len(doc_ids)
    assert not {f["id"] for f in result["failures"]} & set(doc_ids)


def test_doc_cases_need_context_to_pass(cases: list[dict]) -> None:
    docs = of_type(cases, "doc")
    claim_docs = {tuple(c["claim_doc"]) for c in docs}

    def page_aware(documents: list[list[str]]) -> list[list[float]]:
        return [[0.9 if tuple(d) in claim_docs else 0.1 for _ in d] for d in documents]

    def context_free(documents: list[list[str]]) -> list[list[float]]:
        return [[len(s) / 200 for s in d] for d in documents]

    aware = run_suite(constant(0.5), THRESHOLD, score_documents=page_aware, cases=cases)
    blind = run_suite(constant(0.5), THRESHOLD, score_documents=context_free, cases=cases)
    assert aware["by_type"]["doc"]["passed"] == len(docs) and not aware["skipped"]
    assert blind["by_type"]["doc"]["passed"] == 0


def test_each_scorer_is_called_once_with_unique_sentences(cases: list[dict]) -> None:
    calls: list[list[str]] = []
    doc_calls: list[list[list[str]]] = []

    def spy(sentences: list[str]) -> list[float]:
        calls.append(list(sentences))
        return [0.5] * len(sentences)

    def doc_spy(documents: list[list[str]]) -> list[list[float]]:
        doc_calls.append(documents)
        return [[0.5] * len(d) for d in documents]

    run_suite(spy, THRESHOLD, score_documents=doc_spy, cases=cases)
    assert len(calls) == 1 and len(doc_calls) == 1
    assert len(calls[0]) == len(set(calls[0]))
    assert "Colloidal silver cures strep throat." in calls[0]
    assert len(doc_calls[0]) == 2 * len(of_type(cases, "doc")) + len(of_type(cases, "page"))


def test_page_cases_read_the_target_on_its_page(cases: list[dict]) -> None:
    """A page case passes on the target's score within its page, on the expected side."""
    pages = of_type(cases, "page")
    assert {c["expect"] for c in pages} == {"high", "low"}
    expect = {c["target"]: c["expect"] for c in pages}

    def right(documents: list[list[str]]) -> list[list[float]]:
        return [[0.9 if expect.get(s) == "high" else 0.1 for s in d] for d in documents]

    def wrong(documents: list[list[str]]) -> list[list[float]]:
        return [[0.1 if expect.get(s) == "high" else 0.9 for s in d] for d in documents]

    good = run_suite(constant(0.5), THRESHOLD, score_documents=right, cases=cases)
    bad = run_suite(constant(0.5), THRESHOLD, score_documents=wrong, cases=cases)
    assert good["by_type"]["page"]["passed"] == len(pages)
    assert bad["by_type"]["page"]["passed"] == 0


def test_rules_on_small_handmade_cases() -> None:
    result = run_suite(keyword_scorer, THRESHOLD, cases=SMALL)
    failed = [f["id"] for f in result["failures"]]
    # m3 has no keyword (scores low, expected high); d2 drops 0.5 < margin 0.6;
    # i2 straddles the threshold.
    assert failed == ["m3", "d2", "i2"]
    assert (result["n"], result["passed"]) == (7, 4)
    assert result["by_subtype"]["dir:negation"] == {"n": 2, "passed": 1, "pass_rate": 0.5}
    assert list(result["by_capability"]) == sorted(result["by_capability"])


def test_inv_tolerance_fails_a_wide_spread_on_one_side() -> None:
    group = [{"id": "i", "type": "inv", "capability": "swap", "expect": "same_side",
              "texts": ["a cure", "b cure"], "tolerance": 0.25}]  # fmt: skip
    wide = {"a cure": 0.95, "b cure": 0.65}
    assert run_suite(lambda s: [wide[t] for t in s], THRESHOLD, cases=group)["passed"] == 0
    group[0]["tolerance"] = 0.5
    assert run_suite(lambda s: [wide[t] for t in s], THRESHOLD, cases=group)["passed"] == 1


def test_a_scorer_returning_the_wrong_number_of_scores_is_an_error() -> None:
    with pytest.raises(ValueError, match="score_sentences"):
        run_suite(lambda s: [0.5] * (len(s) - 1), THRESHOLD, cases=SMALL)
    with pytest.raises(ValueError, match="non-finite"):
        run_suite(lambda s: [float("nan")] * len(s), THRESHOLD, cases=SMALL)


def test_result_is_deterministic_json_and_renders(cases: list[dict]) -> None:
    first = run_suite(keyword_scorer, THRESHOLD, cases=cases)
    second = run_suite(keyword_scorer, THRESHOLD, cases=cases)
    assert json.dumps(first) == json.dumps(second)
    order = {c["id"]: i for i, c in enumerate(cases)}
    positions = [order[f["id"]] for f in first["failures"]]
    assert positions == sorted(positions)
    text = render_markdown(first, "Fake scorer")
    assert text.startswith("## Fake scorer")
    assert "| type | n | passed | pass rate |" in text
    assert "| doc | 0 | 0 | skipped (" in text
    assert f"`{first['failures'][0]['id']}`" in text
    assert f"`{first['failures'][10]['id']}`" not in text


def test_the_runner_takes_a_model_by_name(capsys) -> None:
    """The behaviour runner's ``--model NAME`` runs the suite on that tier."""
    import json

    import pytest
    from claim_risk.core.embedding import missing_packages
    from claim_risk.training.evaluation.behaviour import main

    if missing_packages():
        pytest.skip("the semantic extra is not installed: make semantic")
    assert main(["--model", "semantic", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["n"] > 0 and 0.0 < result["pass_rate"] <= 1.0
    assert main(["--model", "/no/such/model"]) == 7
