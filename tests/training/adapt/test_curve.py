"""`make adapt-curve`: a topic's labels added as retrain weights them, scored on its other pages.

Run on a small made-up team set (``lift.team_set`` monkeypatched), so it takes seconds.
"""

from __future__ import annotations

import numpy as np
import pytest
from claim_risk.training.adapt import curve, lift
from claim_risk.training.data.labelled import LabelledSet
from claim_risk.training.evaluation.render import _user_note
from claim_risk.training.evaluation.sections import adapt_section

CLAIM = "{x} cures {y} fast, guaranteed, no side effects {i}."
PLAIN = "Ask a doctor about {x} and {y}, says note {i}."


@pytest.fixture
def team(monkeypatch: pytest.MonkeyPatch) -> LabelledSet:
    """Four topics of three pages, twelve sentences a page (half of them unsupported)."""
    rows = []
    for x, y in (("zinc", "colds"), ("sage", "acne"), ("kelp", "fatigue"), ("rue", "gout")):
        for p in range(3):
            for i in range(12):
                template = CLAIM if i % 2 else PLAIN
                label = (i % 2) ^ (i in (5, 6))  # two against their wording: not separable
                rows.append((f"{x}_{p}", x, i, template.format(x=x, y=y, i=i + 12 * p), label))
    data = LabelledSet(
        ids=[f"r{i}" for i in range(len(rows))],
        texts=[r[3] for r in rows],
        y=np.array([r[4] for r in rows]),
        doc=np.array([r[0] for r in rows]),
        topic=np.array([r[1] for r in rows]),
        origin=np.array(["authored"] * len(rows)),
        register=np.array(["promotional"] * len(rows)),
        position=np.array([r[2] for r in rows]),
        label_names=["unsupported", "hedged", "none"],
    )
    monkeypatch.setattr(lift, "team_set", lambda: data)
    return data


def test_as_user_keeps_pages_whole_and_in_order(team: LabelledSet) -> None:
    mine = curve.subset(team, team.topic == "sage")
    user = curve.as_user(mine)
    assert user.page_ids == ["sage_0", "sage_1", "sage_2"]
    for i in range(len(user.y)):
        assert user.pages[user.doc[i]][user.position[i]] == user.texts[i]


def test_a_topics_test_page_never_trains_or_chooses_the_weight(
    team: LabelledSet, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[tuple[str, set[str]]] = []
    fit, choose = lift.fit_rows, lift.choose_weight

    def spy_fit(setup, user, rows, weight, seed):
        assert "kelp" not in set(setup.team.topic)  # the model never saw the topic
        seen.append(("fit", {str(d) for d in user.doc[rows]}))
        return fit(setup, user, rows, weight, seed)

    def spy_choose(setup, user, docs, seed, tick=lambda s: None):
        seen.append(("choose", set(docs)))
        return choose(setup, user, docs, seed, tick)

    monkeypatch.setattr(lift, "fit_rows", spy_fit)
    monkeypatch.setattr(lift, "choose_weight", spy_choose)
    cases = curve.run_topic("fast", "kelp", 0, [0, 6, 30], {})
    assert [c["test_doc"] for c in cases] == ["kelp_0", "kelp_1", "kelp_2"]
    starts = [i for i, (kind, _) in enumerate(seen) if kind == "choose"]
    for case, start, end in zip(cases, starts, [*starts[1:], len(seen)], strict=True):
        assert case["test_doc"] not in seen[start][1] and len(seen[start][1]) == 2
        assert all(case["test_doc"] not in docs for _, docs in seen[start:end])
        assert case["pool_size"] == 24 and case["weight"] in lift.WEIGHTS
        assert len(case["random"]) == len(case["suggested"]) == 3


def test_summary_and_section_render_from_cases() -> None:
    cases = [
        {
            "tier": tier,
            "topic": t,
            "test_doc": f"{t}_{p}",
            "pool_size": 40,
            "weight": 3.0,
            "random": [0.8, 0.82 + 0.01 * p, 0.85],
            **({"suggested": [0.8, 0.83, 0.84]} if tier == "fast" else {}),
        }
        for tier in ("fast", "semantic")
        for t in ("a", "b")
        for p in range(2)
    ]
    summary = curve.summarise(cases, [0, 20, 40])
    assert summary["topics"] == 2 and summary["test_pages"] == 4
    assert summary["tiers"]["fast"]["random_gain"]["mean"] == pytest.approx(0.05)
    text = adapt_section(summary)
    assert "| labels added | fast, random order | fast, suggested order | semantic, random" in text
    assert "0.800 to 0.850" in text and "x3 4 times" in text


def test_report_has_no_figure_on_user_labels_alone() -> None:
    note = "\n".join(_user_note({"user_labels": {"n": 13, "n_positive": 4, "n_pages": 2}}))
    assert "13 sentences" in note and "adapt lift" in note and "ROC-AUC" not in note
    assert _user_note({}) == []
