"""The segmenter: seed coverage, boundaries, and awkward input."""

from __future__ import annotations

import hashlib
import json
import random
import re
import types
from pathlib import Path

import blingfire
import pytest
from claim_risk.core import segment as segment_module
from claim_risk.core.segment import MAX_SENTENCE_CHARS, segment, split_sentences

ROOT = Path(__file__).resolve().parents[3]
SOURCES = sorted((ROOT / "labels" / "sources").glob("*.txt"))
SEEDS = [p for p in SOURCES if p.name.startswith("0")]
LEFTOVER = re.compile(r"[\s\-\u2022\u2023\u25aa\u25cf\u25e6\u2043\u2219*·–—>#]*")


def assert_covers(text: str) -> None:
    """Spans are in order, disjoint, slice back to their text, and leave only blanks/bullets out."""
    spans = segment(text)
    last = 0
    for span in spans:
        assert span.start >= last
        assert text[span.start : span.end] == span.text
        assert span.text == span.text.strip() and span.text
        assert LEFTOVER.fullmatch(text[last : span.start]), text[last : span.start]
        last = span.end
    assert LEFTOVER.fullmatch(text[last:])


@pytest.mark.parametrize("path", SEEDS, ids=[p.stem for p in SEEDS])
def test_seed_documents_are_covered_exactly(path: Path) -> None:
    assert_covers(path.read_text(encoding="utf-8"))


def test_seed_sentence_count_matches_the_hand_checked_boundaries() -> None:
    total = sum(len(segment(p.read_text(encoding="utf-8"))) for p in SEEDS)
    assert len(SEEDS) == 5
    assert total == 280


def test_abbreviations_do_not_split() -> None:
    text = "Dr. Smith said e.g. this works. The U.S. FDA approved it in 2019. Really? Yes!"
    assert split_sentences(text) == [
        "Dr. Smith said e.g. this works.",
        "The U.S. FDA approved it in 2019.",
        "Really?",
        "Yes!",
    ]


def test_line_breaks_headings_and_bullets_are_boundaries() -> None:
    text = "The Benefits\n  • Fast action. Results in days.\n- Safe for the baby\n\nEnd"
    assert split_sentences(text) == [
        "The Benefits",
        "Fast action.",
        "Results in days.",
        "Safe for the baby",
        "End",
    ]


def test_markdown_headings_lose_their_hashes_but_numbers_keep_theirs() -> None:
    text = "# Why I add sea moss\n## Sub heading\n#1 pick for sleep"
    assert split_sentences(text) == ["Why I add sea moss", "Sub heading", "#1 pick for sleep"]
    assert_covers(text)


@pytest.mark.parametrize("text", ["", "   ", "\n\n\t", "\x00", "-", "• •", "😀", "\u202eabc"])
def test_degenerate_input_is_handled(text: str) -> None:
    assert_covers(text)


def test_long_line_is_cut_into_bounded_pieces() -> None:
    text = "x" * (MAX_SENTENCE_CHARS * 3 + 17)
    spans = segment(text)
    assert all(len(s.text) <= MAX_SENTENCE_CHARS for s in spans)
    assert "".join(s.text for s in spans) == text


def hostile_lines() -> list[str]:
    """Awkward lines and documents: controls, NUL, lone surrogates, RTL, emoji, CRLF, length."""
    rng = random.Random(0)
    alphabet = [*"ab. !?\x00é😀\t\r\n\x1b\x7f\u200f\u202e\u2028", "\ud800", "\r\n", "Dr. ", "e.g. "]
    fixed = ["", "a", "Dr. Smith said so. Then he left!", "x" * 70_000, "é" * 3000 + ". Ok."]
    fixed += [
        "Ok.\r\nNext one.\r\n",
        "\u202bמשפט. שני.\u202c",
        "😀. 👍🏽 yes. 🇫🇷!",
        "a\x00b. c\x00.",
    ]
    fixed += ["lone \udc80 surrogate. Then.", "Stop. " * 5000, "\x01\x02. \x1f\x7f."]
    return fixed + [
        "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 60))) for _ in range(2000)
    ]


def public_outcome(fn, line: str) -> str | type:
    """What a sentence splitter returns for a line, or the type of what it raises."""
    try:
        return fn(line)
    except Exception as error:
        return type(error)


def test_reused_buffer_gives_blingfire_own_answers() -> None:
    """The C function on a reused buffer equals blingfire.text_to_sentences, line by line."""
    for line in hostile_lines():
        got = public_outcome(segment_module._to_sentences, line)
        assert got == public_outcome(blingfire.text_to_sentences, line), repr(line[:40])


def test_spans_equal_those_of_blingfire_public_function(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every source document and hostile string gets the same sentences and offsets
    from the undocumented C handle (kept for speed; ``make bench`` times both) as
    from blingfire's public ``text_to_sentences``."""
    docs = [p.read_text(encoding="utf-8") for p in SOURCES] + hostile_lines()
    fast = [segment(d) for d in docs]
    monkeypatch.setattr(segment_module, "_to_sentences", blingfire.text_to_sentences)
    assert [segment(d) for d in docs] == fast


def test_spans_of_the_sources_are_those_of_the_labelled_set() -> None:
    """The sentences and offsets of every source document, as the labels were cut."""
    digest = hashlib.sha256()
    for path in SOURCES:
        spans = [list(s) for s in segment(path.read_text(encoding="utf-8"))]
        digest.update(json.dumps(spans, ensure_ascii=False).encode())
    assert len(SOURCES) == 59
    assert digest.hexdigest() == "18edb87b5750900146713b7837a91778cca4c0dda8ef9eabdfd0ae1317b60040"


def test_without_the_c_handle_the_public_function_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(segment_module, "blingfire", types.SimpleNamespace())
    assert segment_module._c_function() is None
    monkeypatch.setattr(segment_module, "blingfire", blingfire)
    monkeypatch.setattr(segment_module, "_TEXT_TO_SENTENCES", None)
    for line in hostile_lines()[:300]:
        got = public_outcome(segment_module._to_sentences, line)
        assert got == public_outcome(blingfire.text_to_sentences, line), repr(line[:40])
    assert split_sentences("One. Two.") == ["One.", "Two."]


def test_a_lone_surrogate_does_not_merge_its_line_into_one_sentence() -> None:
    """blingfire cannot encode a lone surrogate: the line is cut as its U+FFFD copy."""
    text = "Garlic cures flu \ud800 overnight. Ask a doctor before you try it."
    spans = segment(text)
    assert [s.text for s in spans] == [
        "Garlic cures flu \ud800 overnight.",
        "Ask a doctor before you try it.",
    ]
    assert all(text[s.start : s.end] == s.text for s in spans)
    clean = segment(text.replace("\ud800", "\ufffd"))
    assert [(s.start, s.end) for s in spans] == [(s.start, s.end) for s in clean]


def reference_segment(text: str) -> list[tuple[int, int, str]]:
    """The segmenter's loop as it was before it was made faster (issue 21): the reference."""
    spans = []
    for line_match in segment_module._LINE.finditer(text):
        line = line_match.group()
        if line.isspace():
            continue
        base = line_match.start()
        starts = segment_module._starts(line)
        for s, e in zip(starts, [*starts[1:], len(line)], strict=True):
            chunk = line[s:e]
            if s == 0 and not chunk[0].isalnum():
                m = segment_module._BULLET.match(chunk)
                if 0 < m.end() < len(chunk):
                    s += m.end()
                    chunk = chunk[m.end() :]
            body = chunk.lstrip()
            start = base + s + len(chunk) - len(body)
            body = body.rstrip()
            if len(body) <= MAX_SENTENCE_CHARS:
                if body:
                    spans.append((start, start + len(body), body))
                continue
            end = start + len(body)
            for piece in range(start, end, MAX_SENTENCE_CHARS):
                p_start, p_end = segment_module._trim(
                    text, piece, min(piece + MAX_SENTENCE_CHARS, end)
                )
                if p_end > p_start:
                    spans.append((p_start, p_end, text[p_start:p_end]))
    return spans


def hostile_documents() -> list[str]:
    """Whole documents of hostile lines, joined by every kind of line break."""
    rng = random.Random(1)
    lines = hostile_lines()
    breaks = ["\n", "\r\n", "\r", "\n\n", "\u2028", "\u2029", "\x0b", "\x0c", "\x85", " \n\t"]
    docs = ["", " ", "\n", "\r\n\r\n", "\t \u3000", "- \n• \n# \n", "x" * (3 * MAX_SENTENCE_CHARS)]
    for _ in range(300):
        picked = rng.sample(lines, rng.randint(1, 8))
        docs.append("".join(line + rng.choice(breaks) for line in picked))
    docs.append(" ".join(["Ab cd. Ef gh!"] * 400) + "\n" + "Ω" * 4500 + ". Done.\n" + "\x00" * 50)
    return docs


def test_spans_equal_the_reference_loop_on_sources_and_hostile_text() -> None:
    """The segmenter's loop, made faster, cuts every source document, hostile line and
    hostile document into exactly the sentences and offsets of the loop it replaced."""
    docs = [p.read_text(encoding="utf-8") for p in SOURCES] + hostile_lines() + hostile_documents()
    for doc in docs:
        assert [tuple(s) for s in segment(doc)] == reference_segment(doc), repr(doc[:60])


def test_the_output_buffer_grows_for_long_lines_and_keeps_working() -> None:
    line = "Short one. " + "y" * 200_000 + ". Then a last one."
    assert segment_module._to_sentences(line) == blingfire.text_to_sentences(line)
    assert segment_module._to_sentences("It works. Ok.") == "It works.\nOk."


def sentence_lines() -> list[str]:
    """Lines of several sentences joined by every kind of blank, some long, some odd."""
    rng = random.Random(2)
    sentences = [
        "Garlic cures flu.",
        "Ask your doctor first!",
        "Does it work?",
        "Dr. Smith said so.",
        "It costs $5.99 e.g. at U.S. shops.",
        " Leading blank.",
        "Trailing blank. ",
        "No end",
        "“Quoted.”",
        "x" * (MAX_SENTENCE_CHARS + 5) + ".",
        "3. Numbered.",
        "é accents. Ünïcode!",
    ]
    blanks = [" ", "  ", "\t", "\xa0", " \t ", "\u3000", ""]
    lines = []
    for _ in range(3000):
        picked = [rng.choice(sentences) for _ in range(rng.randint(2, 6))]
        line = "".join(s + rng.choice(blanks) for s in picked)
        lines.append(line.rstrip(rng.choice(["", " "])))
    return lines


def test_lines_of_several_sentences_equal_the_reference_loop() -> None:
    """Lines blingfire cuts at single spaces take a short way (``_append_parts``); every
    line of several sentences still gets exactly the spans of the reference loop."""
    lines = sentence_lines()
    taken = sum(
        line[:1].isalnum()
        and segment_module._append_parts([].append, 0, line, segment_module._to_sentences(line))
        for line in lines
    )
    assert 0 < taken < len(lines)  # both ways are exercised
    for line in lines:
        assert [tuple(s) for s in segment(line)] == reference_segment(line), repr(line[:60])
    doc = "\n".join(lines)
    assert [tuple(s) for s in segment(doc)] == reference_segment(doc)
