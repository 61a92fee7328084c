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
from dataclasses import dataclass

__all__ = ["CUES", "WordFilter", "combined_pattern", "nul_safe", "word_filter"]


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


# What follows reads the parsed form of the combined pattern (the standard
# library's own parser) to find which words can begin a match, and for many
# words what that match is. Whatever the analysis cannot reason about makes
# the answer wider (or "try the regex"), never wrong.
_WORD_CHAR = re.compile(r"\w")
_OPEN = ("open", None)  # from here on, the word may continue with anything
_MAX_PATHS = 4096
_MAX_EXPAND = 8

Step = tuple[bool, str]  # (is a literal character, the character or a character class)


@dataclass(frozen=True)
class Path:
    """One way, in the regex's order of preference, for a match to begin at a word.

    ``steps``: what the word's first characters must be; ``closed``: the
    word must end right after them. ``exact``: nothing was left out, so a
    word that fits the steps does take this way as far as the steps go;
    ``complete``: then the match ends with the word. ``group``: the one
    capturing group on the way (None for none, -1 for several).
    """

    steps: tuple[Step, ...]
    closed: bool
    exact: bool = True
    complete: bool = False
    group: int | None = None


class _GiveUp(Exception):
    """The pattern is outside what the analysis handles: use no filter."""


class WordFilter:
    """Which words can begin a match of a pattern, and for which the match is the word.

    A match of the combined cue pattern begins at the start of a word (a
    maximal run of ``\\w`` characters). ``paths`` are the ways a match can
    begin, in the regex's order of preference. A word that fits no path
    cannot begin a match. When the first path a word fits is exact and
    complete, the regex would take it and match exactly that word, in that
    path's group, whatever follows.
    """

    def __init__(self, paths: list[Path]) -> None:
        exact: set[str] = set()
        prefixes: set[str] = set()
        other: list[str] = []
        ordered: list[str] = []
        for path in paths:
            body = "".join(re.escape(c) if lit else c for lit, c in path.steps)
            body = body if path.closed else body + r"\w*"
            ordered.append(f"({body})")
            if all(lit for lit, _ in path.steps):
                (exact if path.closed else prefixes).add("".join(c for _, c in path.steps))
            else:
                other.append(body)
        self.paths = list(paths)
        self.exact = frozenset(exact)
        self.prefixes = tuple(sorted(prefixes))
        self.regex = re.compile("|".join(other)) if other else None
        self.ordered = re.compile("|".join(ordered)) if ordered else None

    def __call__(self, word: str) -> bool:
        """Whether a match can begin at a word that is exactly ``word``."""
        if word in self.exact or word.startswith(self.prefixes):
            return True
        return self.regex is not None and self.regex.fullmatch(word) is not None

    def outcome(self, word: str) -> int | None:
        """None: no match begins at ``word``; a group number: the match is exactly
        ``word`` and that group is its ``lastindex``; -1: only the regex can tell."""
        if not self(word) or self.ordered is None:
            return None
        m = self.ordered.fullmatch(word)
        if m is None:
            return None
        path = self.paths[m.lastindex - 1]
        if path.closed and path.exact and path.complete and path.group and path.group > 0:
            return path.group
        return -1


def _is_word(c: str) -> bool:
    return _WORD_CHAR.match(c) is not None


def _char_class(items: list) -> tuple[str, str, list[str]]:
    """A parsed ``[...]``: ("word" | "nonword" | "mixed", its regex, its characters if few)."""
    from re import _constants as sre

    parts: list[str] = []
    literals: list[str] = []
    kinds: set[bool] = set()
    enumerable = True
    for op, av in items:
        if op is sre.LITERAL:
            literals.append(chr(av))
            parts.append(re.escape(chr(av)))
        elif op is sre.RANGE and av[1] - av[0] <= 0x3000:
            literals += [chr(c) for c in range(av[0], av[1] + 1)]
            parts.append(f"{re.escape(chr(av[0]))}-{re.escape(chr(av[1]))}")
        elif op is sre.CATEGORY and av in (sre.CATEGORY_DIGIT, sre.CATEGORY_UNI_DIGIT):
            kinds.add(True)  # every decimal digit is a word character
            parts.append(r"\d")
            enumerable = False
        elif op is sre.CATEGORY and av in (sre.CATEGORY_WORD, sre.CATEGORY_UNI_WORD):
            kinds.add(True)
            parts.append(r"\w")
            enumerable = False
        else:
            return "mixed", "", []
    kinds.update(map(_is_word, literals))
    if kinds == {False}:
        return "nonword", "", []
    if kinds != {True}:
        return "mixed", "", []
    return "word", "[" + "".join(parts) + "]", literals if enumerable else []


def _is_word_lookahead(av: tuple) -> bool:
    """Whether a parsed assertion is ``(?=\\w)``, which holds at the start of a word."""
    from re import _constants as sre

    direction, sub = av
    items = list(sub)
    return (
        direction == 1
        and len(items) == 1
        and items[0][0] is sre.IN
        and _char_class(items[0][1])[:2] == ("word", r"[\w]")
    )


def _walk(seq: list, state: Path, out: list[Path]) -> None:
    """Append to ``out``, in order of preference, every way ``seq`` can begin a word."""
    from re import _constants as sre

    if len(out) > _MAX_PATHS:
        raise _GiveUp
    steps, exact, group = state.steps, state.exact, state.group

    def stop(closed: bool, complete: bool = False) -> None:
        out.append(Path(steps, closed, exact, complete, group))

    for k, (op, av) in enumerate(seq):
        rest = seq[k + 1 :]
        if op is sre.LITERAL:
            c = chr(av)
            if not _is_word(c):
                return stop(True)
            steps += ((True, c),)
        elif op is sre.IN:
            kind, cls, literals = _char_class(av)
            if kind == "nonword":
                return stop(True)
            if kind == "mixed":
                return stop(False)
            if 0 < len(literals) <= _MAX_EXPAND:
                for c in literals:
                    _walk(rest, Path((*steps, (True, c)), False, exact, False, group), out)
                return None
            steps += ((False, cls),)
        elif op is sre.AT and av in (sre.AT_BOUNDARY, sre.AT_UNI_BOUNDARY):
            # At the start of a word it holds; after word characters the word ends here.
            if steps:
                done = all(
                    o is sre.AT and a in (sre.AT_BOUNDARY, sre.AT_UNI_BOUNDARY) for o, a in rest
                )
                return stop(True, done)
        elif op is sre.ASSERT and not steps and _is_word_lookahead(av):
            continue
        elif op in (sre.AT, sre.ASSERT, sre.ASSERT_NOT):
            exact = False  # a zero-width condition left out: the paths only widen
        elif op is sre.SUBPATTERN:
            number, add_flags, del_flags, sub = av
            if add_flags or del_flags:
                return stop(False)
            if number is not None:
                group = number if group is None else -1
            return _walk(list(sub) + rest, Path(steps, False, exact, False, group), out)
        elif op is sre.BRANCH:
            for alt in av[1]:
                _walk(list(alt) + rest, Path(steps, False, exact, False, group), out)
            return None
        elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT):
            lo, hi, sub = av
            here = Path(steps, False, exact, False, group)
            if lo == 0 and hi == 1:
                take, skip = list(sub) + rest, rest
                for branch in (take, skip) if op is sre.MAX_REPEAT else (skip, take):
                    _walk(branch, here, out)
            elif lo == hi and lo <= _MAX_EXPAND:
                _walk(list(sub) * lo + rest, here, out)
            else:
                _walk(list(sub) * min(lo, _MAX_EXPAND) + [_OPEN], here, out)
            return None
        else:  # _OPEN, ANY, NOT_LITERAL, possessive and atomic parts, back-references...
            return stop(False)
    return stop(False)


def word_filter(pattern: re.Pattern[str]) -> WordFilter | None:
    """The first-word analysis of a pattern whose matches start at word starts, or None.

    None when the analysis does not apply (case-insensitive, ASCII or locale
    flags, which change what a word is, or too many alternatives): then every
    word start has to be tried.
    """
    try:
        from re import _parser
    except ImportError:  # pragma: no cover - another Python's private parser
        return None
    if pattern.flags & (re.IGNORECASE | re.ASCII | re.LOCALE):
        return None
    try:
        parsed = _parser.parse(pattern.pattern, pattern.flags)
        if parsed.state.flags & (re.IGNORECASE | re.ASCII | re.LOCALE):
            return None
        out: list[Path] = []
        _walk(list(parsed), Path((), False), out)
    except (_GiveUp, RecursionError, AttributeError, TypeError, ValueError):
        return None
    return WordFilter(out)


def nul_safe(pattern: re.Pattern[str]) -> bool:
    """Whether no match can contain a NUL or depend on where the string starts or ends.

    Then texts joined with NUL separators (NUL is not a word character, so
    ``\\b`` treats it as a string's edge) give each text the matches it has
    alone. Answers False for whatever it does not understand.
    """
    try:
        from re import _constants as sre
        from re import _parser

        return _nul_safe(list(_parser.parse(pattern.pattern, pattern.flags)), sre)
    except Exception:
        return False


def _nul_safe(items: list, sre: object) -> bool:
    for op, av in items:
        if op is sre.LITERAL:
            ok = av != 0
        elif op is sre.NOT_LITERAL:
            ok = av == 0
        elif op is sre.IN:
            ok = all(_class_item_safe(o, a, sre) for o, a in av)
        elif op is sre.AT:
            ok = av in (
                sre.AT_BOUNDARY,
                sre.AT_UNI_BOUNDARY,
                sre.AT_NON_BOUNDARY,
                sre.AT_UNI_NON_BOUNDARY,
            )
        elif op is sre.SUBPATTERN:
            ok = _nul_safe(list(av[3]), sre)
        elif op is sre.BRANCH:
            ok = all(_nul_safe(list(alt), sre) for alt in av[1])
        elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT):
            ok = _nul_safe(list(av[2]), sre)
        elif op in (sre.ASSERT, sre.ASSERT_NOT):
            ok = _nul_safe(list(av[1]), sre)
        elif op is sre.ATOMIC_GROUP:
            ok = _nul_safe(list(av), sre)
        else:  # any character, back-references, conditionals: not reasoned about
            ok = False
        if not ok:
            return False
    return True


def _class_item_safe(op: object, av: object, sre: object) -> bool:
    if op is sre.LITERAL:
        return av != 0
    if op is sre.RANGE:
        return av[0] > 0
    if op is sre.CATEGORY:
        return av in (
            sre.CATEGORY_DIGIT,
            sre.CATEGORY_UNI_DIGIT,
            sre.CATEGORY_WORD,
            sre.CATEGORY_UNI_WORD,
            sre.CATEGORY_SPACE,
            sre.CATEGORY_UNI_SPACE,
        )
    return False  # negated classes and the rest
