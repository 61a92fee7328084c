"""``predict`` and the API give the same records, page score included (Spark: test_spark.py).

The document spans several context windows (about 700 sentences), where the
command line once scored "the page read so far" and the API the whole page.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from claim_risk import score_text
from claim_risk.core.embedding import missing_packages
from claim_risk.core.pipeline import RECORD_FIELDS

from tests.conftest import PREDICT
from tests.model.core.test_pipeline import PAGE, long_document


def predict_jsonl(path: Path, *args: str) -> list[dict]:
    res = subprocess.run(
        [*PREDICT, "--file", str(path), "--format", "jsonl", *args],
        capture_output=True,
        timeout=600,
    )
    assert res.returncode == 0, res.stderr.decode()
    return [json.loads(line) for line in res.stdout.decode().splitlines()]


def api_rows(records: list) -> list[dict]:
    """API records as ``predict`` writes them: scores to six places."""
    rows = []
    for r in records:
        row = {name: r[name] for name in RECORD_FIELDS}
        row["score"], row["page_score"] = round(r.score, 6), round(r.page_score, 6)
        rows.append(row)
    return rows


def cli_rows(records: list[dict]) -> list[dict]:
    return [{name: r[name] for name in RECORD_FIELDS} for r in records]


@pytest.mark.parametrize("model", ["fast", "cascade"])
def test_predict_equals_the_api_on_a_document_of_several_windows(
    tmp_path: Path, model: str
) -> None:
    if model == "cascade" and missing_packages():
        pytest.skip("the semantic extra is not installed: make semantic")
    text = long_document(700)
    path = tmp_path / "long.txt"
    path.write_text(text, encoding="utf-8")
    got = predict_jsonl(path, "--model", model)
    want = api_rows(score_text(text, model_dir=model))
    assert len(got) == len(want) >= 700
    assert cli_rows(got) == want
    assert len({r["page_score"] for r in got}) == 1


def test_html_input_gives_the_same_records_through_predict_and_the_api(tmp_path: Path) -> None:
    path = tmp_path / "shop.html"
    path.write_text(PAGE, encoding="utf-8")
    got = predict_jsonl(path, "--input-format", "html")
    want = api_rows(score_text(PAGE, input_format="html"))
    assert want and cli_rows(got) == want
    assert cli_rows(predict_jsonl(path)) == want  # .html files are HTML by default
