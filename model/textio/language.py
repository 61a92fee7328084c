"""Which language a sentence is in: the model reads English only.

A sentence in another language gets a low score that means nothing ("Kurkuma
heilt Krebs garantiert" scores like a neutral sentence), so ``predict`` marks
such sentences instead of passing their scores off as confident.

Two steps, so that English text costs almost nothing:

1. A sentence whose words are at least ``ENGLISH_SHARE`` common English
   function words ("the", "with", "can", ...; words that are also common in
   other languages, such as "in", "is" or "die", are left out) is English.
2. A sentence that shows signs of another language goes to py3langid (a
   naive Bayes identifier over byte n-grams for 97 languages, shipped as
   numpy data, offline): at least ``MIN_WORDS`` words of which ``OTHER_SHARE``
   (and at least two) are frequent function words of a European language ("und", "les", "het",
   "não", "się", ...), or letters mostly outside the Latin script. Its answer
   counts when it is English, or another language with probability
   ``CONFIDENCE`` or more. Latin-script sentences without such words (names,
   prices, headings) are not sent: rarer Latin-script languages written
   without them are missed.

Sentences too short to tell ("Buy now.") and uncertain answers take the
language of the nearest sentence before them that was told apart (or after,
at the start); when nothing in their window of the document was told apart,
Latin-script text with no sign of another language counts as English,
anything else is ``"und"`` (undetermined). Loading py3langid's tables takes
about 1.5 s, paid only the first time a sentence reaches step 2.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

__all__ = [
    "CONFIDENCE",
    "ENGLISH",
    "ENGLISH_SHARE",
    "MIN_WORDS",
    "UNDETERMINED",
    "guess",
    "is_english",
    "languages",
]

ENGLISH = "en"
UNDETERMINED = "und"
ENGLISH_SHARE = 0.2
MIN_WORDS = 4
MIN_LETTERS = 6
OTHER_SHARE = 0.1
CONFIDENCE = 0.6
MAX_CHARS = 2000

# Frequent English function words that are not also frequent words of the
# languages py3langid confuses English with most (Dutch, German, French,
# Spanish, Italian, Portuguese, Scandinavian).
_ENGLISH_TEXT = """
    the and or but not with without from into onto upon about above below after before
    because while during until through between against among within across than then
    that this these those there their they them theirs what which who whom whose when
    where why how all any both each every few more most other some such only own same
    very can could should would may might must shall has had having have been being
    are were does did doing done it its itself you your yours yourself we our ours us
    she his him hers my mine i i'm it's don't can't won't isn't aren't just too
    for by at as if be do to up out off over under again once here much many
    one two first new now often ever never always people use used using help
    helps make makes made take takes get gets got see seen well like even still
"""

# Frequent function words of other languages written in Latin script. A
# sentence that is not plainly English goes to the identifier only when it has
# some of these or is mostly in another script; other sentences (names,
# headings, prices) take their neighbours' language.
_OTHER_TEXT = """
    und der die das ist nicht mit für ein eine einer eines dem den des auch sich wird sind
    zu von bei oder aber wie nach noch nur kann werden ohne über
    le la les et est des une pour dans avec sur pas que qui sont au aux du ce cette ou sans
    el los las y es del por para con una su lo como más pero sus muy sin sobre también
    il di che è gli della delle dei con sono nel nella alla anche più questo questa senza
    het een van niet voor met zijn ook maar dat aan bij naar wordt zonder
    não com uma um os para em mais seu sua pelo pela são sem muito também
    och att är inte för med som på av ett den det jag har utan eller till
    og er ikke til af på som en et det uden
    nie się jest na że od za po dla jak ma oraz już tylko bez przez są w z
    ve bir bu için ile da de ama çok
    dan yang di untuk dengan ini itu tidak dari ke
"""
_ENGLISH_WORDS = frozenset(_ENGLISH_TEXT.split())
_OTHER_WORDS = frozenset(_OTHER_TEXT.split())

_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")


_CITATION = re.compile(r"\bet al\b")


# ASCII bytes that cannot be in a word become spaces: letters and the apostrophe stay.
_NOT_IN_WORD = bytes(
    c if (chr(c).isalpha() and c < 128) or c == ord("'") else 32 for c in range(256)
)


def _words(text: str) -> list[str]:
    """``_WORD.findall`` of the lower-cased text (citations left out).

    For ASCII text the same words come from ``bytes.translate`` and ``split``
    (a word is letters with at most one inner apostrophe, so only a piece
    holding an apostrophe needs the regex), several times faster.
    """
    text = text[:MAX_CHARS].lower()
    if "et al" in text:
        text = _CITATION.sub(" ", text)
    if not text.isascii():
        return _WORD.findall(text)
    pieces = text.encode("ascii").translate(_NOT_IN_WORD).decode("ascii").split()
    if "'" not in text:
        return pieces
    words: list[str] = []
    for piece in pieces:
        if "'" in piece:
            words += _WORD.findall(piece)
        else:
            words.append(piece)
    return words


def _share(words: Sequence[str], lexicon: frozenset[str]) -> float:
    return sum(map(lexicon.__contains__, words)) / len(words) if words else 0.0


def _latin_share(words: Sequence[str]) -> float:
    """The share of letters in Latin script (Basic Latin to Latin Extended)."""
    letters = "".join(words)
    if not letters:
        return 1.0
    if letters.isascii():
        return 1.0
    return sum(c < "\u0250" or "\u1e00" <= c <= "\u1eff" for c in letters) / len(letters)


def _foreign_words(words: Sequence[str]) -> bool:
    """At least ``MIN_WORDS`` words, two or more of them (and ``OTHER_SHARE``) foreign ones."""
    if len(words) < MIN_WORDS:
        return False
    hits = sum(map(_OTHER_WORDS.__contains__, words))
    return hits >= 2 and hits >= OTHER_SHARE * len(words)


def is_english(text: str) -> bool:
    """True when ``text`` reads as English by its function words alone (no identifier)."""
    return _share(_words(text), _ENGLISH_WORDS) >= ENGLISH_SHARE


@lru_cache(maxsize=1)
def _identifier() -> Any | None:
    """py3langid's identifier with normalised probabilities, or None if it is not installed."""
    try:
        from py3langid.langid import MODEL_FILE, LanguageIdentifier
    except ImportError:
        return None
    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def guess(text: str) -> str | None:
    """The language of one sentence (ISO 639-1 code), or None when it cannot be told alone."""
    words = _words(text)
    if not words:
        return None
    if _share(words, _ENGLISH_WORDS) >= ENGLISH_SHARE:
        return ENGLISH
    latin = _latin_share(words)
    if latin >= 0.5 and not _foreign_words(words):
        return None
    if latin < 0.5 and len("".join(words)) < MIN_LETTERS:
        return None
    identifier = _identifier()
    if identifier is None:
        return None
    code, probability = identifier.classify(text[:MAX_CHARS])
    if code == ENGLISH or probability >= CONFIDENCE:
        return str(code)
    return None


def languages(texts: Sequence[str]) -> list[str]:
    """A language code for each sentence of one stretch of a document (in reading order).

    A sentence that cannot be told apart alone takes the language of the
    nearest sentence before it that could (or else after it); when none could,
    Latin-script text with no sign of another language counts as English,
    anything else as ``"und"``.
    """
    guesses = [guess(t) for t in texts]
    known = [g for g in guesses if g is not None]
    if not known:
        latin = all(_latin_share(_words(t)) >= 0.5 for t in texts)
        return [ENGLISH if latin else UNDETERMINED] * len(texts)
    out, last = [], known[0]
    for code in guesses:
        last = code or last
        out.append(last)
    return out
