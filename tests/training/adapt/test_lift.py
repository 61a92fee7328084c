"""The page-grouped lift of a user's labels, and the model retrained with them.

A small team set stands in for the team's labels (``lift.team_set`` is
monkeypatched), so every fit takes milliseconds; the shipped fast tier gives
the configuration, context stage and threshold.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest
from claim_risk.core.artifacts import load_model
from claim_risk.core.score import score_sentences
from claim_risk.training.adapt import lift
from claim_risk.training.adapt.loop import USER_COLUMNS, extract
from claim_risk.training.adapt.loop import main as adapt_main
from claim_risk.training.data.labelled import LabelledSet

REMEDIES = ["turmeric", "zinc", "garlic", "nettle", "ginseng", "kelp", "sage", "moringa"]
CONDITIONS = ["arthritis", "colds", "acne", "fatigue", "insomnia", "migraine"]
CLAIMS = [
    "{x} cures {y} in days, guaranteed.",
    "Our {x} drops reverse {y} with no side effects.",
    "Customers say {x} cleared their {y} for good.",
    "{x} is proven to beat {y} better than any drug.",
]
PLAIN = [
    "Ask your doctor before taking {x} for {y}.",
    "A small trial found no clear effect of {x} on {y}.",
    "{x} is sold as a powder and as capsules.",
    "More research on {x} and {y} is needed.",
]


def _sentences(x: str, y: str) -> list[tuple[str, str]]:
    return [(s.format(x=x, y=y).capitalize(), "unsupported") for s in CLAIMS] + [
        (s.format(x=x, y=y).capitalize(), "none") for s in PLAIN
    ]


@pytest.fixture
def small_team(monkeypatch: pytest.MonkeyPatch) -> LabelledSet:
    """Eighty team sentences on five topics, in place of the team's labelled set."""
    rows = [
        (f"team_{x}", x, text, label)
        for x in REMEDIES[:5]
        for y in CONDITIONS[:2]
        for text, label in _sentences(x, y)
    ]
    team = LabelledSet(
        ids=[f"t{i}" for i in range(len(rows))],
        texts=[r[2] for r in rows],
        y=np.array([int(r[3] == "unsupported") for r in rows]),
        doc=np.array([r[0] for r in rows]),
        topic=np.array([r[1] for r in rows]),
        origin=np.array(["seed" if r[1] == "turmeric" else "authored" for r in rows]),
        register=np.array(["promotional"] * len(rows)),
        position=np.arange(len(rows)),
        label_names=["unsupported", "hedged", "none"],
    )
    monkeypatch.setattr(lift, "team_set", lambda: team)
    return team


def user_csv(folder: Path, n_pages: int, labelled_per_page: int = 8) -> Path:
    """Pages written to ``folder``, extracted, and ``labelled_per_page`` rows of each labelled."""
    pages = folder / "pages"
    pages.mkdir(parents=True)
    truth: dict[str, str] = {}
    for i in range(n_pages):
        x, y = REMEDIES[(i + 3) % len(REMEDIES)], CONDITIONS[(i + 2) % len(CONDITIONS)]
        sentences = [*_sentences(x, y), (f"Page {i} was updated in May.", "none")]
        truth.update(dict(sentences))
        (pages / f"page{i}.txt").write_text("\n".join(t for t, _ in sentences) + "\n", "utf-8")
    out = folder / "user" / "mine.csv"
    assert extract([str(pages)], out, topic="mine") == 0
    with out.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    count: dict[str, int] = {}
    for row in rows:
        if count.get(row["doc_id"], 0) < labelled_per_page:
            row["label"] = truth[row["text"]]
            count[row["doc_id"]] = count.get(row["doc_id"], 0) + 1
    with out.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=USER_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return out


def test_page_folds_put_each_page_on_one_side_only() -> None:
    pages = sorted(f"p{i}" for i in range(11))
    folds = lift.page_folds(pages, 5, seed=3)
    assert sorted(p for f in folds for p in f) == pages
    assert all(not set(a) & set(b) for i, a in enumerate(folds) for b in folds[i + 1 :])
    assert folds == lift.page_folds(pages, 5, seed=3)


def test_unlabelled_rows_are_context_not_labels(tmp_path: Path, small_team: LabelledSet) -> None:
    user = lift.read_user_labels([user_csv(tmp_path, 3, labelled_per_page=5)])
    assert len(user.y) == 15 and len(user.pages) == 3
    assert all(len(page) == 9 for page in user.pages.values())
    for i in range(len(user.y)):
        assert user.pages[user.doc[i]][user.position[i]] == user.texts[i]


def test_folds_and_weight_never_see_the_scored_pages(
    tmp_path: Path, small_team: LabelledSet, monkeypatch: pytest.MonkeyPatch
) -> None:
    events: list[tuple[str, frozenset[str]]] = []
    real_fit, real_choose = lift.fit_adapted, lift.choose_weight

    def fit(setup, user, docs, weight, seed):
        events.append(("fit", frozenset(docs)))
        return real_fit(setup, user, docs, weight, seed)

    def choose(setup, user, docs, seed, tick=lambda s: None):
        events.append(("choose", frozenset(docs)))
        return real_choose(setup, user, docs, seed, tick)

    monkeypatch.setattr(lift, "fit_adapted", fit)
    monkeypatch.setattr(lift, "choose_weight", choose)
    report = lift.measure_lift([user_csv(tmp_path, 6)], tier="fast")
    pages = {f"{d}" for f in report.per_fold for d in f["held_out_pages"]}
    assert len(pages) == 6 and report.folds == 5
    held = [set(f["held_out_pages"]) for f in report.per_fold]
    assert sum(len(h) for h in held) == 6  # each page held out exactly once
    chooses = [i for i, (kind, _) in enumerate(events) if kind == "choose"]
    assert len(chooses) == len(held) + 1  # one per fold, one on all pages (retrain's weight)
    for k, start in enumerate(chooses[:-1]):
        end = chooses[k + 1]
        assert events[start][1] == frozenset(pages - held[k])
        for _kind, docs in events[start:end]:
            assert not docs & held[k], f"fold {k}: a fit read labels of a page it scores"
    assert events[chooses[-1]][1] == frozenset(pages)
    assert report.weight in lift.WEIGHTS


def test_report_has_the_promised_shape(tmp_path: Path, small_team: LabelledSet) -> None:
    seen: list[tuple[str, int, int]] = []
    report = lift.measure_lift(
        [user_csv(tmp_path, 6)], tier="fast", progress=lambda *a: seen.append(a)
    )
    d = report.to_dict()
    assert json.loads(json.dumps(d, allow_nan=False)) == d
    assert d["tier"] == "fast" and d["n_labels"] == 48 and d["n_pages"] == 6
    assert d["n_positive"] == 24 and d["folds"] == 5
    for key in ("before", "after"):
        lo, hi = d[key]["ci"]
        assert lo <= d[key]["roc_auc"] <= hi
    assert d["lift"]["delta"] == pytest.approx(d["after"]["roc_auc"] - d["before"]["roc_auc"], 2e-4)
    assert d["enough"] is True and d["warning"] is None
    assert [s[1] for s in seen] == sorted(s[1] for s in seen)
    assert seen[-1][1] == seen[-1][2] and all(s[2] == seen[-1][2] for s in seen)
    assert lift.measure_lift([tmp_path / "user" / "mine.csv"], tier="fast").to_dict() == d


def test_too_few_labels_say_so(tmp_path: Path, small_team: LabelledSet) -> None:
    path = user_csv(tmp_path, 3, labelled_per_page=6)
    d = lift.measure_lift([path], tier="fast").to_dict()
    assert d["enough"] is False and "too few labels" in d["warning"]
    assert "3 labelled page(s)" in d["warning"] and "6 other label(s)" in d["warning"]
    assert d["before"] == d["after"] == {"roc_auc": None, "ci": None}
    assert d["lift"] == {"delta": None, "ci": None} and d["n_labels"] == 18
    single = tmp_path / "one.csv"
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    first = rows[0]["doc_id"]
    with single.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=USER_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(r for r in rows if r["doc_id"] == first)
    one = lift.measure_lift([single], tier="fast").to_dict()
    assert one["enough"] is False and one["warning"]
    assert one["before"]["roc_auc"] is None and one["lift"]["delta"] is None


def test_cli_progress_json_lines_parse(
    tmp_path: Path, small_team: LabelledSet, capsys: pytest.CaptureFixture[str]
) -> None:
    path = user_csv(tmp_path, 4, labelled_per_page=8)
    capsys.readouterr()
    out = tmp_path / "adapted"
    assert adapt_main(["retrain", str(path), "--out", str(out), "--tier", "fast",
                       "--progress-json"]) == 0  # fmt: skip
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert lines and all(set(x) == {"stage", "done", "total"} for x in lines[:-1])
    assert lines[-2]["done"] == lines[-2]["total"]
    assert set(lines[-1]) == {"result"} and lines[-1]["result"]["n_pages"] == 4
    assert lines[-1]["result"]["enough"] and lines[-1]["result"]["weight"] in lift.WEIGHTS
    assert json.loads((out / "lift.json").read_text("utf-8")) == lines[-1]["result"]
    assert adapt_main(["lift", str(path), "--tier", "fast", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == lines[-1]["result"]


def test_cli_exit_statuses(tmp_path: Path, small_team: LabelledSet) -> None:
    path = user_csv(tmp_path, 2, labelled_per_page=3)
    assert adapt_main(["lift", str(tmp_path / "nope.csv")]) == 3
    assert adapt_main(["lift", str(path), "--tier", "fast"]) == 0
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "thesis.txt").write_text("mine", encoding="utf-8")
    assert adapt_main(["retrain", str(path), "--out", str(tmp_path / "docs")]) == 2
    assert (tmp_path / "docs" / "thesis.txt").is_file()
    bad = tmp_path / "bad.csv"
    bad.write_text("id,doc_id,position,text,label,origin\na,d,0,Hi.,maybe,user\n", "utf-8")
    assert adapt_main(["lift", str(bad)]) == 2


def test_retrain_writes_a_model_that_scores_as_its_pipeline(
    tmp_path: Path, small_team: LabelledSet, monkeypatch: pytest.MonkeyPatch
) -> None:
    fitted = []
    real_fit = lift.fit_adapted

    def fit(setup, user, docs, weight, seed):
        fitted.append(real_fit(setup, user, docs, weight, seed))
        return fitted[-1]

    monkeypatch.setattr(lift, "fit_adapted", fit)
    out = tmp_path / "adapted"
    result = lift.retrain([user_csv(tmp_path, 5)], out, tier="fast")
    assert result["n_pages"] == 5 and (out / "lift.json").is_file()
    model = load_model(out)
    assert model.threshold == load_model("fast").threshold
    assert model.metadata["adapted"]["weight"] == result["weight"]
    texts = ["Zinc cures migraine in days, guaranteed.", "Ask your doctor about kelp."]
    want = fitted[-1].predict_proba(texts)[:, 1]
    assert np.allclose(score_sentences(texts, model_dir=out), want, atol=1e-9)
    again = lift.retrain([user_csv(tmp_path / "b", 5)], out, tier="fast")
    assert again["n_pages"] == 5 and load_model(out) is not None
