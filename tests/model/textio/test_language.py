"""Language marking: English text is never marked foreign; common languages are named."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import pytest
from claim_risk.textio.language import ENGLISH, UNDETERMINED, guess, is_english, languages

ROOT = Path(__file__).resolve().parents[3]

OTHER = {
    "de": "Kurkuma heilt Krebs garantiert und ohne Nebenwirkungen.",
    "fr": "Le curcuma guérit le cancer en quelques semaines.",
    "es": "El aceite de orégano cura el cáncer sin efectos secundarios.",
    "nl": "Deze thee geneest kanker zonder bijwerkingen en is veilig voor kinderen.",
    "it": "Questo olio cura il cancro in pochi giorni, senza effetti collaterali.",
    "pl": "Ten olej leczy raka w kilka dni i nie ma skutków ubocznych.",
    "pt": "Este óleo cura o câncer em poucas semanas, sem efeitos colaterais.",
    "sv": "Denna olja botar cancer på några veckor utan biverkningar.",
    "ru": "Это масло излечивает рак за несколько недель без побочных эффектов.",
    "zh": "这种油能在几周内治愈癌症，没有任何副作用。",
}


@pytest.mark.parametrize(("code", "text"), sorted(OTHER.items()))
def test_common_languages_are_named(code: str, text: str) -> None:
    assert guess(text) == code


def test_no_english_sentence_of_the_labels_is_marked_foreign() -> None:
    """The labelled sentences are English but for a Ukrainian menu on one real page."""
    rows = list(csv.DictReader((ROOT / "labels" / "sentences.csv").open(encoding="utf-8")))
    docs: dict[str, list[str]] = {}
    for r in rows:
        docs.setdefault(r["doc_id"], []).append(r["text"])
    marked = [
        (t, code)
        for texts in docs.values()
        for t, code in zip(texts, languages(texts), strict=True)
        if code != ENGLISH
    ]
    assert all(code == "uk" for _, code in marked), marked
    assert len(marked) <= 3


def test_short_sentences_take_their_neighbours_language() -> None:
    german = [OTHER["de"], "Jetzt kaufen.", "Gratis Versand."]
    assert languages(german) == ["de", "de", "de"]
    assert languages(["Buy now.", "Ships today."]) == [ENGLISH, ENGLISH]
    assert languages(["价格"]) == [UNDETERMINED]
    assert languages([]) == []


def test_english_by_function_words_needs_no_identifier() -> None:
    assert is_english("Ketamine is not passed through breast milk, so it can be continued.")
    assert not is_english(OTHER["de"])


ENGLISH_PAGE = """Vitamin D and Your Bones
Vitamin D helps the body take up calcium, and most people get enough of it from the sun.
- Price: $12.99
Dr. Jane Smith, MD
Ask your doctor before you start any supplement. Buy now.
Shipping Information
Our capsules are made in the USA with no fillers."""


def test_an_english_page_never_reaches_the_identifier(monkeypatch: pytest.MonkeyPatch) -> None:
    """Sentences English by function words, and headings, names and prices beside
    them, are told without py3langid (loading it takes about a second)."""
    from claim_risk.textio import language

    def refuse() -> None:
        raise AssertionError("py3langid loaded for an English page")

    monkeypatch.setattr(language, "_identifier", refuse)
    lines = ENGLISH_PAGE.splitlines()
    assert languages(lines) == [ENGLISH] * len(lines)


def _imports_py3langid(text: str) -> bool:
    """Whether ``predict`` on ``text``, in a fresh interpreter, imports py3langid."""
    code = (
        "import sys; from claim_risk.frontends.cli import main; "
        "main(['--format', 'jsonl', sys.argv[1]]); "
        "sys.stderr.write(repr('py3langid' in sys.modules))"
    )
    res = subprocess.run([sys.executable, "-c", code, text], capture_output=True, timeout=60)
    assert res.returncode == 0, res.stderr
    assert b'"lang": "en"' in res.stdout
    return res.stderr.decode().strip().endswith("True")


def test_predict_on_english_text_does_not_import_py3langid() -> None:
    assert not _imports_py3langid(ENGLISH_PAGE)
    # and a page that needs it loads it: three Ukrainian menu lines
    assert _imports_py3langid(ENGLISH_PAGE + "\nУкраїнська мова\nГоловна сторінка\nКонтакти")


def test_words_of_ascii_text_are_those_of_the_word_regex() -> None:
    """The translate-and-split path for ASCII text finds the words the regex finds."""
    import random

    from claim_risk.textio import language

    def by_regex(text: str) -> list[str]:
        text = text[: language.MAX_CHARS].lower()
        if "et al" in text:
            text = language._CITATION.sub(" ", text)
        return language._WORD.findall(text)

    rng = random.Random(3)
    alphabet = [*"aZ' _9-\t\n.,;é\x00\x7f", "don't", "''", "et al", "ß"]
    texts = ["", "'", "don't stop", "'tis rock'n'roll", "a''b c'", "x" * 5000 + " y'z"]
    texts += ["".join(map(chr, range(128))), "Smith et al. said so"]
    texts += ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40))) for _ in range(5000)]
    with (ROOT / "labels" / "sentences.csv").open(encoding="utf-8", newline="") as fh:
        texts += [row["text"] for row in csv.DictReader(fh)]
    for text in texts:
        assert language._words(text) == by_regex(text), repr(text)
