"""``iter_score_texts``: ``score_texts`` one document at a time, reading its input lazily.

``score_texts`` returns every record of every document at once (6.6 GB for
200 MB of text, issue #22); the streaming form yields each document's records
as soon as they are scored and holds only the documents read ahead for one
model call.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import claim_risk
import pytest
from claim_risk import ModelError, iter_score_texts, score_texts
from claim_risk.core.pipeline import BATCH_SENTENCES

TEXTS = [
    "Vitamin C cures colds in two days. Ask your doctor first.",
    "",
    "Turmeric reverses arthritis, guaranteed!\n\nA small trial found modest effects.",
    "Ω \ud800 lone.",
    "<p>Detox tea melts fat.</p>",
    " ".join(f"Sentence {i} says garlic cures cancer." for i in range(700)),
]


def _counted(texts: list[str], pulled: list[int]) -> Iterator[str]:
    """The texts, counting in ``pulled[0]`` how many have been taken."""
    for text in texts:
        pulled[0] += 1
        yield text


@pytest.mark.parametrize("input_format", ["text", "auto"])
def test_yields_the_records_of_score_texts(input_format: str) -> None:
    want = score_texts(TEXTS, threshold=0.4, input_format=input_format)
    got = list(iter_score_texts(iter(TEXTS), threshold=0.4, input_format=input_format))
    assert got == want
    assert [len(doc) for doc in got] == [len(doc) for doc in want]


def test_reads_its_input_lazily() -> None:
    """The first document's records come before the input is read to its end."""
    long_doc = " ".join("Garlic cures colds." for _ in range(BATCH_SENTENCES))
    pulled = [0]
    stream = iter_score_texts(_counted([long_doc] * 20, pulled))
    assert pulled[0] == 0
    first = next(stream)
    assert len(first) == BATCH_SENTENCES
    assert pulled[0] == 1


def test_an_endless_input_is_never_materialised() -> None:
    endless = (f"Pill {i} cures everything. It is safe." for i in itertools.count())
    docs = list(itertools.islice(iter_score_texts(endless), 5))
    assert [len(d) for d in docs] == [2] * 5
    assert docs[3][0].text == "Pill 3 cures everything."


def test_arguments_are_checked_when_called_not_when_read(tmp_path) -> None:
    with pytest.raises(TypeError, match="texts is a str"):
        iter_score_texts("one document")
    with pytest.raises(ValueError, match="input_format"):
        iter_score_texts([], input_format="pdf")
    with pytest.raises(ModelError):
        iter_score_texts([], model_dir=tmp_path / "nowhere")


def test_a_non_string_is_a_type_error_at_its_turn() -> None:
    stream = iter_score_texts(iter(["Garlic cures colds.", 42]))
    with pytest.raises(TypeError, match="text 1 is int, expected str"):
        list(stream)


def test_exported_from_the_package() -> None:
    assert "iter_score_texts" in claim_risk.__all__
    assert claim_risk.iter_score_texts is iter_score_texts
