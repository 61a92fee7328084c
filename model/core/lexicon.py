"""Treatment and condition names, abstracted to their kind before the lexical features.

A bag of words trained on twenty topics learns which remedies were sold and
which were explained: "vaccines" pulls a score down because our vaccine pages
are fact sheets, whatever the sentence says about them. The lexical features
(TF-IDF n-grams, cues, segment shape) therefore read each sentence with every
name of a treatment replaced by ``_treatment_`` and every name of a condition
by ``_condition_``: "Garlic cures flu." and "Kratom cures anxiety." become the
same sentence, "_treatment_ cures _condition_.", and a claim is learned from
its structure. The semantic tier's sentence embedding still reads the sentence
as written, so the part of the model that knows what a substance is remains.

The lists below are the team's own, written from general knowledge; training
copies them into the model artifact, so a shipped model keeps the lexicon it
was fitted with when this file changes. A phrase matches as whole words,
case-insensitively, with an optional plural ``s``; longer phrases win.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import numpy as np

from .features import word_starts

__all__ = ["KINDS", "TERMS", "Abstractor"]

KINDS: dict[str, str] = {"treatment": "_treatment_", "condition": "_condition_"}
"""Each kind and the word that replaces its names."""

_TREATMENTS = (
    # our topics' substances and products
    "kratom",
    "mitragynine",
    "7-hydroxymitragynine",
    "mitragyna speciosa",
    "ketamine",
    "esketamine",
    "spravato",
    "cbd",
    "cbd oil",
    "cannabidiol",
    "thc",
    "cannabis",
    "marijuana",
    "hemp oil",
    "hemp extract",
    "psilocybin",
    "magic mushroom",
    "microdose",
    "microdosing",
    "mdma",
    "lsd",
    "ayahuasca",
    "ibogaine",
    "statin",
    "atorvastatin",
    "simvastatin",
    "rosuvastatin",
    "lipitor",
    "crestor",
    "fluoride",
    "water fluoridation",
    "fluoridation",
    "fluoride toothpaste",
    "homeopathy",
    "homeopathic remedy",
    "homeopathic remedies",
    "arnica",
    "oscillococcinum",
    "detox",
    "detox tea",
    "detox foot pads",
    "cleanse",
    "juice cleanse",
    "colon cleanse",
    "liver flush",
    "essential oil",
    "lavender oil",
    "tea tree oil",
    "peppermint oil",
    "frankincense",
    "oregano oil",
    "eucalyptus oil",
    "colloidal silver",
    "vaccine",
    "vaccination",
    "mmr",
    "mmr vaccine",
    "flu shot",
    "flu vaccine",
    "hpv vaccine",
    "covid vaccine",
    "mrna vaccine",
    "booster shot",
    "immunisation",
    "immunization",
    # vitamins, minerals and supplements
    "vitamin a",
    "vitamin b12",
    "vitamin b17",
    "vitamin c",
    "vitamin d",
    "vitamin d3",
    "vitamin e",
    "vitamin k2",
    "megadose",
    "high-dose vitamin c",
    "iv vitamin c",
    "multivitamin",
    "zinc",
    "magnesium",
    "iron supplement",
    "folic acid",
    "folate",
    "melatonin",
    "valerian",
    "valerian root",
    "chamomile",
    "passionflower",
    "kava",
    "st john's wort",
    "st. john's wort",
    "saint john's wort",
    "saffron",
    "ashwagandha",
    "rhodiola",
    "ginseng",
    "ginkgo",
    "ginkgo biloba",
    "turmeric",
    "curcumin",
    "garlic",
    "ginger",
    "echinacea",
    "elderberry",
    "elderberry syrup",
    "manuka honey",
    "honey",
    "apple cider vinegar",
    "coconut oil",
    "fish oil",
    "omega-3",
    "krill oil",
    "glucosamine",
    "chondroitin",
    "collagen",
    "msm",
    "probiotic",
    "kombucha",
    "green tea",
    "sea moss",
    "black seed oil",
    "moringa",
    "maca",
    "maca root",
    "chaga",
    "lion's mane",
    "reishi",
    "cordyceps",
    "spirulina",
    "chlorella",
    "coq10",
    "coenzyme q10",
    "dhea",
    "myo-inositol",
    "inositol",
    "prenatal vitamin",
    "placenta pill",
    "placenta capsule",
    "placenta encapsulation",
    "nootropic",
    "modafinil",
    "piracetam",
    "noopept",
    "racetam",
    "alpha-gpc",
    "l-theanine",
    "5-htp",
    "sam-e",
    "garcinia cambogia",
    "raspberry ketone",
    "green coffee bean",
    "diet pill",
    "fat burner",
    "apple pectin",
    # drugs and procedures named beside them
    "semaglutide",
    "ozempic",
    "wegovy",
    "tirzepatide",
    "metformin",
    "phentermine",
    "insulin",
    "antidepressant",
    "ssri",
    "sertraline",
    "fluoxetine",
    "zoloft",
    "prozac",
    "brexanolone",
    "zuranolone",
    "benzodiazepine",
    "xanax",
    "ambien",
    "zolpidem",
    "sleeping pill",
    "opioid",
    "methadone",
    "buprenorphine",
    "suboxone",
    "naloxone",
    "ibuprofen",
    "paracetamol",
    "acetaminophen",
    "aspirin",
    "antibiotic",
    "amoxicillin",
    "ivermectin",
    "hydroxychloroquine",
    "laetrile",
    "amygdalin",
    "apricot kernel",
    "chemotherapy",
    "chemo",
    "radiotherapy",
    "immunotherapy",
    "letrozole",
    "clomid",
    "clomiphene",
    "ivf",
    "progesterone",
    "hormone therapy",
    "bioidentical hormone",
    "chlorine dioxide",
    "mms",
    "dmso",
    "bleach",
    "coffee enema",
    "ozone therapy",
    "chelation",
    "chelation therapy",
    "hyperbaric oxygen",
    "hyperbaric oxygen therapy",
    "acupuncture",
    "chiropractic",
    "reiki",
    "cupping",
    "reflexology",
    "iridology",
    "naturopathy",
    "ayurveda",
    "red light therapy",
    "infrared sauna",
    "cold plunge",
    "ice bath",
    "hydrogen water",
    "alkaline water",
    "structured water",
    "raw milk",
    "intermittent fasting",
    "water fasting",
    "keto diet",
    "ketogenic diet",
    "carnivore diet",
    "gerson therapy",
    "cannabis oil",
    "rick simpson oil",
)

_CONDITIONS = (
    # mental health and the brain
    "depression",
    "postpartum depression",
    "postnatal depression",
    "ppd",
    "postpartum depression and anxiety",
    "baby blues",
    "anxiety",
    "anxiety disorder",
    "panic attack",
    "ptsd",
    "insomnia",
    "sleep disorder",
    "adhd",
    "autism",
    "ocd",
    "bipolar disorder",
    "schizophrenia",
    "psychosis",
    "burnout",
    "parental burnout",
    "brain fog",
    "memory loss",
    "cognitive decline",
    "dementia",
    "alzheimer's",
    "alzheimer's disease",
    "parkinson's",
    "parkinson's disease",
    "epilepsy",
    "seizure",
    "migraine",
    "headache",
    "addiction",
    "substance use disorder",
    "suds",
    "opioid use disorder",
    "alcoholism",
    "alcohol use disorder",
    "opioid withdrawal",
    "withdrawal",
    # the rest of the body
    "cancer",
    "tumour",
    "tumor",
    "leukaemia",
    "leukemia",
    "breast cancer",
    "prostate cancer",
    "lung cancer",
    "diabetes",
    "type 2 diabetes",
    "type 1 diabetes",
    "prediabetes",
    "obesity",
    "weight gain",
    "high blood pressure",
    "hypertension",
    "high cholesterol",
    "heart disease",
    "heart attack",
    "cardiovascular disease",
    "stroke",
    "arthritis",
    "osteoarthritis",
    "rheumatoid arthritis",
    "joint pain",
    "back pain",
    "chronic pain",
    "fibromyalgia",
    "chronic fatigue",
    "chronic fatigue syndrome",
    "lyme disease",
    "long covid",
    "covid",
    "covid-19",
    "flu",
    "influenza",
    "the flu",
    "cold",
    "common cold",
    "measles",
    "mumps",
    "rubella",
    "polio",
    "whooping cough",
    "hpv",
    "hepatitis",
    "hiv",
    "aids",
    "infection",
    "sinusitis",
    "chronic sinusitis",
    "asthma",
    "allergy",
    "allergies",
    "eczema",
    "psoriasis",
    "acne",
    "ibs",
    "irritable bowel syndrome",
    "crohn's",
    "crohn's disease",
    "ulcerative colitis",
    "leaky gut",
    "candida",
    "cavity",
    "cavities",
    "tooth decay",
    "gum disease",
    "infertility",
    "pcos",
    "endometriosis",
    "menopause",
    "menopause symptoms",
    "hot flash",
    "hot flashes",
    "erectile dysfunction",
    "osteoporosis",
    "gout",
    "kidney stone",
    "fatty liver",
    "liver disease",
    "sepsis",
    "pneumonia",
    "tuberculosis",
    "malaria",
    "herpes",
    "shingles",
    "tinnitus",
    "multiple sclerosis",
    "lupus",
    "thyroid disease",
    "hypothyroidism",
    "toxins",
)

TERMS: dict[str, tuple[str, ...]] = {"treatment": _TREATMENTS, "condition": _CONDITIONS}
"""The names of each kind (lower case, as written; plurals are matched by the pattern)."""


def _trie(names: Sequence[str]) -> str:
    """``names`` as one regular expression shaped like a trie (longest match first).

    Python's ``re`` tries the branches of a plain alternation one by one at
    every position; a trie rejects most positions on their first character,
    about ten times faster over our sentences. Optional tails are greedy, so
    among the names starting at a place the longest that can end there wins,
    as in an alternation sorted longest first.
    """
    root: dict = {}
    for name in names:
        node = root
        for ch in name:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict) -> str:
        branches = [re.escape(ch) + emit(sub) for ch, sub in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return emit(root)


def _names_pattern(names: Mapping[str, str], flags: int = re.IGNORECASE) -> re.Pattern[str] | None:
    """Whole-word match of any of ``names``, longest first (case-insensitive by default)."""
    if not names:
        return None
    return re.compile(rf"\b(?:{_trie(list(names))})(?:s|es)?\b", flags)


def _first_runs(names: Sequence[str]) -> frozenset[str] | None:
    r"""Every word (maximal run of ``\w``) a match of one of ``names`` can start with.

    A name's first word; for a one-word name, with the plural endings the
    pattern allows too. None when the names are not all ASCII and start and
    end on a word character: the batch path below then does not apply.
    """
    first: set[str] = set()
    for name in names:
        if not name.isascii() or not re.fullmatch(r"\w(?:.*\w)?", name):
            return None
        word = re.match(r"\w+", name).group()
        first.add(word)
        if word == name:
            first.update((word + "s", word + "es"))
    return frozenset(first)


class Abstractor:
    """Replaces every listed name in a text by the word of its kind.

    One regular expression, case-insensitive, whole words with an optional
    plural ``s``; among names starting at the same place the longest wins.
    The same object runs in training and in the scorer, so both read the same
    abstracted text.
    """

    def __init__(
        self, terms: Mapping[str, Sequence[str]], kinds: Mapping[str, str] | None = None
    ) -> None:
        kinds = dict(KINDS if kinds is None else kinds)
        unknown = set(terms) - set(kinds)
        if unknown:
            raise ValueError(f"lexicon kind(s) without a word: {', '.join(sorted(unknown))}")
        self.terms = {kind: tuple(names) for kind, names in terms.items()}
        self.kinds = {kind: kinds[kind] for kind in self.terms}
        self._kind_of: dict[str, str] = {}
        for kind, names in self.terms.items():
            for name in names:
                if not name or name != name.lower() or name.strip() != name:
                    raise ValueError(f"lexicon names must be lower-case and trimmed: {name!r}")
                self._kind_of.setdefault(name, kind)
        self._pattern = _names_pattern(self._kind_of)
        self._exact = _names_pattern(self._kind_of, flags=0)
        self._first = _first_runs(list(self._kind_of))
        # each lower-case name, plural endings too, and the word that replaces it; in the
        # order ``_word`` looks them up (the name itself, then less "s", then less "es")
        self._spelled: dict[str, str] = {}
        for ending in ("es", "s", ""):
            for name, kind in self._kind_of.items():
                self._spelled[name + ending] = self.kinds[kind]
        # for a match that case folding does not map back to a name (rare Unicode)
        self._whole = {
            kind: _names_pattern(dict.fromkeys(names, kind)) for kind, names in self.terms.items()
        }

    def _word(self, match: re.Match[str]) -> str:
        name = match.group().casefold()
        for key in (name, name[:-1], name[:-2]):
            kind = self._kind_of.get(key)
            if kind is not None:
                return self.kinds[kind]
        text = match.group()
        return next(
            self.kinds[k] for k, p in self._whole.items() if p is not None and p.fullmatch(text)
        )

    def __call__(self, text: str) -> str:
        """``text`` with each listed name replaced by its kind's word."""
        if self._pattern is None:
            return text
        return self._pattern.sub(self._word, text)

    def many(self, texts: Sequence[str]) -> list[str]:
        """Each text abstracted."""
        if self._pattern is None:
            return list(texts)
        return [self(t) for t in texts]

    def lexical(self, texts: Sequence[str]) -> list[str]:
        """Each text abstracted as the lexical features read it: fast, for a batch.

        The features lower-case what they read, so an ASCII text comes back
        abstracted *and* lower-cased (``self(t).lower()``), the rest as
        ``self(t)``. On lower-cased ASCII, case-insensitive matching is plain
        matching, and a name can only start where a word starts whose text is
        the first word of some name (``_first_runs``): the batch is joined
        and lower-cased once, its words are looked up in a set, and the
        pattern is tried only at those words, left to right as ``re.sub``
        tries it. ``tests/model/core/test_lexicon.py`` proves it equal to
        ``self(t)``, lower-cased, on the labelled sentences and on strings
        built to break it.
        """
        if self._pattern is None:
            return list(texts)
        if self._first is None:
            return [self(t) for t in texts]
        out = list(texts)
        ascii_at = [i for i, t in enumerate(out) if t.isascii()]
        if len(ascii_at) < len(out):
            for i, t in enumerate(out):
                if not t.isascii():
                    out[i] = self(t)
        if not ascii_at:
            return out
        batch = [out[i] for i in ascii_at] if len(ascii_at) < len(out) else out
        joined = "\x00".join(batch)
        if joined.count("\x00") != len(batch) - 1:  # a text holds a NUL: one at a time
            done = [self(t).lower() for t in batch]
        else:
            done = self._abstract_joined(joined.lower()).split("\x00")
        for i, t in zip(ascii_at, done, strict=True):
            out[i] = t
        return out

    def _abstract_joined(self, lowered: str) -> str:
        """``self._exact.sub`` of a lower-cased ASCII string, tried only at first words."""
        words, starts = word_starts(lowered)
        hits = self._first.intersection(words)
        if not hits:
            return lowered
        candidate = np.fromiter(map(hits.__contains__, words), dtype=bool, count=len(words))
        match = self._exact.match
        spelled = self._spelled.get
        pieces: list[str] = []
        end = 0
        for pos in starts[candidate].tolist():
            if pos < end:
                continue
            m = match(lowered, pos)
            if m is not None:
                pieces.append(lowered[end:pos])
                pieces.append(spelled(m.group()) or self._word(m))
                end = m.end()
        if not pieces:
            return lowered
        pieces.append(lowered[end:])
        return "".join(pieces)

    def to_data(self) -> dict:
        """The lexicon as plain data (what the model artifact stores)."""
        return {"kinds": dict(self.kinds), "terms": {k: list(v) for k, v in self.terms.items()}}
