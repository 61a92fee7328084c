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

__all__ = ["CUES", "combined_pattern"]


def _words(*phrases: str) -> str:
    return r"\b(?:" + "|".join(phrases) + r")\b"


# Each cue is a regular expression over lower-cased text; the feature is log1p(count).
CUES: dict[str, str] = {
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
