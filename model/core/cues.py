"""The claim-rhetoric cues: regular expressions that carry across topics.

TF-IDF on a small corpus learns the names of the substances it was trained on.
The cue features count the rhetoric that marks an unsupported claim whatever
the substance: boosters ("proven", "guaranteed"), safety promises ("without
risk"), vague evidence ("studies show"), testimonial first person, hedges and
cautions. Training copies these patterns into the model artifact as data; the
scorer reads them from there, so a shipped model keeps the cues it was fitted
with even when this file changes.
"""

from __future__ import annotations

import re

__all__ = ["CUES", "LEADS", "CueStarts", "combined_pattern", "cue_starts", "nul_safe"]


def _words(*phrases: str) -> str:
    return r"\b(?:" + "|".join(phrases) + r")\b"


_NEGATION = (
    r"(?:not|never|cannot|can't|won't|doesn't|don't|didn't|isn't|aren't|wasn't|nor"
    r"|fail(?:s|ed)? to|(?:no|little|insufficient|weak|limited) (?:good |strong |reliable "
    r"|convincing |scientific |clinical |high-quality )?(?:evidence|proof|sign)(?: that)?)"
)
# Up to five words of any kind (lower-case letters, placeholders, apostrophes, hyphens).
_WORDS = r"(?:[a-z_'-]{1,30} ){0,5}?"
_EFFECT = (
    r"(?:cure|cures|cured|treat|treats|prevent|prevents|heal|heals|work|works|reverse|reverses"
    r"|cause|causes|effective|safe|proven|help|helps|protect|protects|boost|boosts|fight"
    r"|fights|kill|kills|eliminate|eliminates|replace|replaces|a cure|a substitute"
    r"|a replacement|a treatment)"
)
_SOURCES = (
    r"(?:proponents|advocates|sellers|vendors|marketers|promoters|critics|supporters|fans"
    r"|influencers|websites|manufacturers|companies|people|posts|videos|ads|some|others)"
)
_ATTRIBUTION = (
    r"(?:claim(?:s|ed|ing)? (?:that|to)"
    r"|(?:is|are|was|were|been|being) (?:often |widely |commonly |falsely |wrongly )?"
    r"(?:claimed|said|touted|marketed|promoted|advertised|alleged|rumou?red|believed|billed)"
    rf"|{_SOURCES} (?:claim|claimed|say|said|suggest|argue|believe|promote|insist|assert|tout)"
    r"|according to"
    r"|(?:fda|who|cdc|nhs|ema|nih) (?:says|said|warns|warned|states|notes|recommends|advises))"
)

# Each cue is a regular expression over lower-cased text (treatment and condition
# names already abstracted, ``claim_risk.core.lexicon``); the feature is
# log1p(count). The first three read a claim's scope: a claim under a negation ("no
# good evidence that <treatment> cures"), an effect stated as possible ("can cause"),
# and a claim reported as someone else's ("critics claim it cures"). They take the
# claim's verb into their match, and matches do not overlap, so a negated or reported
# "cures" is not also counted as a booster. (The flat, unhedged assertion
# "<treatment> cures ..." is a shape of the segment: ``claim_risk.core.shape``.)
CUES: dict[str, str] = {
    "negated_claim": _words(
        rf"{_NEGATION} {_WORDS}{_EFFECT}",
        r"no (?:known |proven |reliable |simple |single )?(?:cure|remedy|treatment)",
    ),
    "possible_effect": _words(
        r"(?:can|may|might|could|sometimes|rarely|occasionally|often) (?:also |rarely |sometimes )?"
        r"(?:cause|causes|lead to|trigger|increase|raise|worsen|interact|affect|reduce|lower)"
    ),
    "attribution": _words(
        rf"{_ATTRIBUTION}(?: {_WORDS}{_EFFECT})?",
        r"so-called",
        r"purported(?:ly)?",
        r"alleged(?:ly)?",
        r"supposed(?:ly)?",
        r"myths?",
        r"hoax(?:es)?",
        r"(?:mis|dis)information",
        r"debunk(?:s|ed|ing)?",
        r"false(?:ly)?",
        r"misleading",
        r"conspiracy",
        r"fact-check(?:s|ed|ers?)?",
    ),
    "booster": _words(
        r"prove[dn]",
        r"guarantee[ds]?",
        r"clinically (?:proven|tested|shown)",
        r"miracle",
        r"breakthrough",
        r"revolutionary",
        r"powerful",
        r"astonishing",
        r"transform(?:s|ed|ative)?",
        r"life[- ]changing",
        r"truly",
        r"instant(?:ly)?",
        r"rapid(?:ly)?",
        r"fast(?:er)?",
        r"dramatic(?:ally)?",
        r"100 ?%",
        r"cure[sd]?",
        r"heal(?:s|ed|ing)?",
        r"eliminat(?:e|es|ed)",
        r"reverse[sd]?",
        r"boost(?:s|ed)?",
        r"no more",
    ),
    "safety_promise": _words(
        r"without (?:any )?(?:risk|side effects?)",
        r"no (?:known )?(?:side effects?|risks?)",
        r"(?:completely|totally|perfectly|100 ?%) safe",
        r"safe and (?:natural|effective|gentle)",
        r"non[- ]addictive",
        r"minimal side effects",
        r"low risk",
        r"all[- ]natural",
        r"natural(?:ly)?",
        r"gentle",
        r"safer",
    ),
    "vague_evidence": _words(
        r"studies (?:show|have shown|suggest|prove|confirm)",
        r"research (?:shows|has shown|suggests|has suggested|proves|confirms)",
        r"science (?:shows|says|backs)",
        r"backed by (?:science|research)",
        r"scientifically",
        r"has shown promis(?:e|ing)",
        r"shown (?:to|promising)",
        r"evidence(?:-based)? (?:shows|suggests)",
        r"experts agree",
        r"doctors (?:recommend|agree)",
    ),
    "benefit": _words(
        r"relie(?:f|ve|ves|ved)",
        r"alleviat(?:e|es|ed|ing)",
        r"improv(?:e|es|ed|ement|ements)",
        r"support(?:s|ed)? (?:your|healthy|the body)",
        r"restor(?:e|es|ed|ing)",
        r"enhanc(?:e|es|ed)",
        r"benefits?",
        r"promising",
        r"effective(?:ly)?",
        r"help(?:s|ed)?",
    ),
    "first_person": _words(r"i", r"i'm", r"i've", r"my", r"me", r"myself"),
    "hedge": _words(
        r"may",
        r"might",
        r"could",
        r"possibl[ey]",
        r"limited",
        r"preliminary",
        r"uncertain",
        r"unclear",
        r"not (?:yet )?(?:known|established|proven|understood|clear)",
        r"more (?:research|studies|robust)",
        r"further (?:research|clinical research|studies|investigation)",
        r"small (?:study|studies|trial|trials)",
        r"no (?:good|strong|reliable|controlled|convincing)? ?(?:evidence|trials?|studies)",
        r"insufficient",
        r"mixed",
    ),
    "caution": _words(
        r"consult",
        r"talk to your",
        r"ask your",
        r"caution",
        r"risks?",
        r"side effects?",
        r"interactions?",
        r"warn(?:s|ing|ings)?",
        r"do not",
        r"don't",
        r"avoid",
        r"dependence",
        r"overdose",
        r"not (?:a )?(?:cure|substitute|replacement)",
        r"does not|do not|did not|cannot",
    ),
    "named_source": _words(
        r"randomi[sz]ed",
        r"placebo",
        r"controlled trial",
        r"meta-analysis",
        r"systematic review",
        r"cochrane",
        r"et al",
        r"journal",
        r"\d{4}",
    ),
}


def combined_pattern(cues: dict[str, str]) -> re.Pattern[str]:
    """All cues as one alternation: at each position the first cue (in order) wins.

    Group ``i + 1`` is cue ``i`` (the cue patterns use only non-capturing
    groups). Every cue starts with a word boundary before a word character, so
    the shared ``\\b(?=\\w)`` prefix finds the same matches as the plain
    alternation while rejecting most positions in one step.
    """
    body = "|".join(f"({pattern})" for pattern in cues.values())
    return re.compile(rf"\b(?=\w)(?:{body})")


# The first words of the matches that run past their first word, cue by cue: plain
# data kept beside the patterns above. A cue's one-word matches need no list: a
# word is one when the cue's pattern matches the word alone (``re.fullmatch``).
# ``tests/model/core/test_cues.py`` proves, for every pattern, that no longer
# match starts at a word outside these lists. Change them together.
LEADS: dict[str, frozenset[str]] = {
    "negated_claim": frozenset(
        {"not", "never", "cannot", "can", "won", "doesn", "don", "didn", "isn", "aren"}
        | {"wasn", "nor", "fail", "fails", "failed", "no", "little", "insufficient", "weak"}
        | {"limited"}
    ),
    "possible_effect": frozenset(
        {"can", "may", "might", "could", "sometimes", "rarely", "occasionally", "often"}
    ),
    "attribution": frozenset(
        {"claim", "claims", "claimed", "claiming", "is", "are", "was", "were", "been", "being"}
        | {"so", "fact", "according", "fda", "who", "cdc", "nhs", "ema", "nih"}
        | {"proponents", "advocates", "sellers", "vendors", "marketers", "promoters", "critics"}
        | {"supporters", "fans", "influencers", "websites", "manufacturers", "companies"}
        | {"people", "posts", "videos", "ads", "some", "others"}
    ),
    "booster": frozenset({"clinically", "life", "100", "no"}),
    "safety_promise": frozenset(
        {"without", "no", "completely", "totally", "perfectly", "100"}
        | {"safe", "non", "minimal", "low", "all"}
    ),
    "vague_evidence": frozenset(
        {"studies", "research", "science", "backed", "has", "shown", "evidence"}
        | {"experts", "doctors"}
    ),
    "benefit": frozenset({"support", "supports", "supported"}),
    "first_person": frozenset(),  # "i" first: "i'm" matches as "i"
    "hedge": frozenset({"not", "more", "further", "small", "no"}),
    "caution": frozenset({"talk", "ask", "side", "do", "don", "not", "does", "did"}),
    "named_source": frozenset({"controlled", "meta", "systematic", "et"}),
}


class CueStarts:
    """Which words can begin a cue match, and for which words the match is the word.

    A match of the combined cue pattern begins where a word (a maximal run of
    ``\\w`` characters) begins. For a known cue set (the patterns of ``CUES``,
    whose longer matches start at the ``LEADS`` words), the cues are tried in
    order, as the regex tries them: a word that leads a longer match of a cue
    needs the regex; a word the cue matches alone is that cue's match whatever
    follows; a word no cue can begin has no match.
    """

    def __init__(self, cues: dict[str, str]) -> None:
        leads_of = {CUES[name]: LEADS[name] for name in CUES}
        self.cues = [(leads_of[p], re.compile(p).fullmatch) for p in cues.values()]

    def outcome(self, word: str) -> int | None:
        """None: no match begins at ``word``; a group number: the match is exactly
        ``word`` and that group is its ``lastindex``; -1: only the regex can tell."""
        for group, (leads, whole) in enumerate(self.cues, start=1):
            if word in leads:
                return -1
            if whole(word) is not None:
                return group
        return None


def cue_starts(cues: dict[str, str]) -> CueStarts | None:
    """The start-word facts of a cue set, or None when they are not known for it.

    Known for cue sets whose every pattern is one of ``CUES`` (a model may
    keep the cues it was fitted with when this file changes; for others every
    word start has to be tried).
    """
    known = set(CUES.values())
    if not cues or not all(p in known for p in cues.values()):
        return None
    return CueStarts(cues)


def nul_safe(cues: dict[str, str]) -> bool:
    """Whether no match of the cues can contain a NUL or depend on where a string ends.

    Then texts joined with NUL separators (NUL is not a word character, so
    ``\\b`` treats it as a string's edge) give each text the matches it has
    alone. True for the patterns of ``CUES`` (words, spaces, hyphens, digits,
    ``%`` and word boundaries only; the tests check it), False for any other.
    """
    known = set(CUES.values())
    return all(p in known for p in cues.values())
