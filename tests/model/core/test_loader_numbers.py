"""The loader's numbers: a hostile number anywhere is a ModelError, never another exception.

``metadata.json`` is not covered by the artifact hash (it holds the hash), and
``model.json`` can be rewritten and re-signed by anyone who can write the
folder, so every number either file feeds into scoring is checked: huge
integers, floats near the limits, NaN and Infinity tokens, deep nesting and
wrong types are refused with a one-line ``ModelError`` (exit 7 in ``predict``);
what loads scores every sentence finite and in [0, 1] (issue #22, item 2).

The fuzz test tries 200 hostile values over the numeric fields of a copy of
the shipped fast model (and of the semantic one for the embedding's fields and
the cascade cut, when its encoder is installed); ``CLAIM_RISK_FUZZ=1`` tries
2,000.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import os
import shutil
import string
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from claim_risk import score_documents, score_sentences
from claim_risk.core.artifacts import (
    DEFAULT_DIR,
    MAX_METADATA_BYTES,
    MAX_MODEL_BYTES,
    METADATA_FILE,
    MODEL_FILE,
    SEMANTIC_DIR,
    ModelError,
    _load,
    cascade,
    load_model,
)
from claim_risk.core.embedding import missing_packages
from claim_risk.exits import EXIT_MODEL
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

SEMANTIC = not missing_packages() and (SEMANTIC_DIR / MODEL_FILE).is_file()
BASE = SEMANTIC_DIR if SEMANTIC else DEFAULT_DIR
EXAMPLES = 2000 if os.environ.get("CLAIM_RISK_FUZZ") == "1" else 200
SENTINEL = "\x00hostile\x00"
HUGE = "9" * 400

# Where a number lives: (file, path of keys and indexes into its JSON).
META_FIELDS = [
    (METADATA_FILE, ("threshold",)),
    (METADATA_FILE, ("bands", 0, "to")),
    (METADATA_FILE, ("bands", 1, "from")),
    (METADATA_FILE, ("bands", 2, "to")),
    (METADATA_FILE, ("format_version",)),
    (METADATA_FILE, ("package_version",)),
    (METADATA_FILE, ("model_sha256",)),
]
MODEL_FIELDS = [
    (MODEL_FILE, ("sentence_model", "intercept")),
    (MODEL_FILE, ("sentence_model", "weights", 0)),
    (MODEL_FILE, ("sentence_model", "weights")),
    (MODEL_FILE, ("sentence_model", "idf", 3)),
    (MODEL_FILE, ("sentence_model", "tokenizer", "ngram_range", 1)),
    (MODEL_FILE, ("sentence_model", "tokenizer", "sublinear_tf")),
    (MODEL_FILE, ("context_model", "intercept")),
    (MODEL_FILE, ("context_model", "weights", 1)),
    (MODEL_FILE, ("context_model", "window")),
    (MODEL_FILE, ("context_model", "top_k")),
    (MODEL_FILE, ("context_model", "neighbours")),
    (MODEL_FILE, ("context_model", "min_page")),
    (MODEL_FILE, ("format_version",)),
]
EMBEDDING_FIELDS = [
    (MODEL_FILE, ("sentence_model", "embedding", "scale")),
    (MODEL_FILE, ("sentence_model", "embedding", "weights", 7)),
    (MODEL_FILE, ("sentence_model", "embedding", "dim")),
    (METADATA_FILE, ("cascade_cut",)),
]
FIELDS = META_FIELDS + MODEL_FIELDS + (EMBEDDING_FIELDS if SEMANTIC else [])

LIMITS = ["1.7976931348623157e308", "-1.7976931348623157e308", "1e308", "5e-324", "-5e-324",
          "2.2250738585072014e-308", "1e999", "-1e999", "NaN", "Infinity", "-Infinity",
          HUGE, "-" + HUGE, "1" + "0" * 5000, str(2**63), str(2**64), str(-(2**63)),
          str(2**31), "1e6", "1e7", "-1e7", "0", "-0.0", "1", "0.5"]  # fmt: skip
WRONG_TYPES = ['"0.5"', "true", "false", "null", "{}", "[]", "[0.5]", '{"a": 1}', '""']
token = st.one_of(
    st.sampled_from(LIMITS + WRONG_TYPES),
    st.integers().map(str),
    st.integers(min_value=60, max_value=1200).map(lambda n: str(2**n)),
    st.floats(allow_nan=False, allow_infinity=False).map(repr),
    st.integers(1, 5000).map(lambda d: "[" * d + "0.5" + "]" * d),
    st.integers(1, 200_000).map(lambda d: "[" * d),
)


@pytest.fixture(autouse=True)
def fresh_loads() -> Iterator[None]:
    """Loading is cached per folder: start and end each test with an empty cache."""
    _load.cache_clear()
    yield
    _load.cache_clear()


@pytest.fixture
def model_copy(tmp_path: Path) -> Path:
    target = tmp_path / "m"
    shutil.copytree(BASE, target)
    return target


def _with_token(data: bytes, path: tuple, raw: str) -> bytes:
    """The JSON ``data`` with the value at ``path`` replaced by the raw JSON text ``raw``."""
    spec = json.loads(data)
    node = spec
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = SENTINEL
    text = json.dumps(spec)
    return text.replace(json.dumps(SENTINEL), raw, 1).encode()


def _plant(folder: Path, name: str, path: tuple, raw: str) -> None:
    """Put ``raw`` at ``path`` of ``name`` in ``folder``; re-sign ``model.json`` if it changed."""
    target = folder / name
    target.write_bytes(_with_token(target.read_bytes(), path, raw))
    if name == MODEL_FILE:
        meta = json.loads((folder / METADATA_FILE).read_text())
        meta["model_sha256"] = hashlib.sha256(target.read_bytes()).hexdigest()
        (folder / METADATA_FILE).write_text(json.dumps(meta))


def _load_or_refuse(folder: Path, as_cascade: bool = False) -> None:
    """A one-line ModelError, or a model that scores every sentence finite in [0, 1]."""
    _load.cache_clear()
    try:
        model = load_model(folder)
        if as_cascade:
            model = cascade(model, load_model(DEFAULT_DIR))
    except ModelError as exc:
        assert "\n" not in str(exc)
        return
    texts = ["Vitamin C cures colds in two days.", "Ω", "Ask your doctor first."]
    for scores in (score_sentences(texts, model), score_documents([texts], model)[0]):
        assert all(math.isfinite(s) and 0.0 <= s <= 1.0 for s in scores), scores


@pytest.mark.parametrize(
    ("name", "path", "raw"),
    [
        (METADATA_FILE, ("threshold",), HUGE),
        (METADATA_FILE, ("bands", 2, "from"), HUGE),
        (MODEL_FILE, ("sentence_model", "weights", 0), HUGE),
        (MODEL_FILE, ("sentence_model", "intercept"), HUGE),
        (MODEL_FILE, ("context_model", "intercept"), "-" + HUGE),
        (MODEL_FILE, ("context_model", "window"), str(2**63)),
        (MODEL_FILE, ("context_model", "top_k"), str(2**63)),
        (MODEL_FILE, ("context_model", "neighbours"), str(2**64)),
        (MODEL_FILE, ("sentence_model", "weights", 0), "1e300"),
        (MODEL_FILE, ("sentence_model", "tokenizer", "sublinear_tf"), '"no"'),
        (METADATA_FILE, ("format_version",), "true"),
        (METADATA_FILE, ("model_sha256",), '"abc"'),
    ],
)
def test_a_hostile_number_is_a_model_error(
    model_copy: Path, name: str, path: tuple, raw: str
) -> None:
    """The reproductions of item 4 of issue #22, each refused in one line."""
    _plant(model_copy, name, path, raw)
    with pytest.raises(ModelError) as info:
        load_model(model_copy)
    assert "\n" not in str(info.value)


@pytest.mark.skipif(not SEMANTIC, reason="the semantic extra is not installed: make semantic")
@pytest.mark.parametrize("raw", [HUGE, "1e300", str(2**63)])
def test_a_hostile_embedding_scale_is_a_model_error(model_copy: Path, raw: str) -> None:
    _plant(model_copy, MODEL_FILE, ("sentence_model", "embedding", "scale"), raw)
    with pytest.raises(ModelError):
        load_model(model_copy)


@pytest.mark.parametrize("name", [METADATA_FILE, MODEL_FILE])
def test_deep_nesting_is_a_model_error(model_copy: Path, name: str) -> None:
    """``"[" * 100000`` as a whole file, and nested deeply inside a re-signed model."""
    (model_copy / name).write_text("[" * 100_000)
    if name == MODEL_FILE:
        data = (model_copy / name).read_bytes()
        meta = json.loads((model_copy / METADATA_FILE).read_text())
        meta["model_sha256"] = hashlib.sha256(data).hexdigest()
        (model_copy / METADATA_FILE).write_text(json.dumps(meta))
    with pytest.raises(ModelError, match=r"not valid JSON \(nested too deeply\)|not valid JSON"):
        load_model(model_copy)


def test_predict_exits_7_on_a_huge_threshold(model_copy: Path) -> None:
    _plant(model_copy, METADATA_FILE, ("threshold",), HUGE)
    run = subprocess.run(
        [sys.executable, "-m", "claim_risk.frontends.cli", "--model", str(model_copy), "Hi."],
        capture_output=True,
        text=True,
    )
    assert run.returncode == EXIT_MODEL
    assert len(run.stderr.strip().splitlines()) == 1 and "Traceback" not in run.stderr


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(field=st.sampled_from(FIELDS), raw=token)
def test_any_number_in_any_field_loads_cleanly_or_is_refused(field: tuple, raw: str) -> None:
    name, path = field
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "m"
        folder.mkdir()
        base = SEMANTIC_DIR if field in EMBEDDING_FIELDS else DEFAULT_DIR
        for file in (MODEL_FILE, METADATA_FILE):
            shutil.copyfile(base / file, folder / file)
        _plant(folder, name, path, raw)
        _load_or_refuse(folder, as_cascade=path == ("cascade_cut",))


def test_size_caps_fit_the_shipped_models_with_room() -> None:
    """Each cap is at least 20 times the shipped file it bounds."""
    for folder in (DEFAULT_DIR, SEMANTIC_DIR):
        if (folder / MODEL_FILE).is_file():
            assert (folder / MODEL_FILE).stat().st_size * 20 <= MAX_MODEL_BYTES
            assert (folder / METADATA_FILE).stat().st_size * 20 <= MAX_METADATA_BYTES


@pytest.mark.parametrize(
    ("name", "cap"), [(MODEL_FILE, MAX_MODEL_BYTES), (METADATA_FILE, MAX_METADATA_BYTES)]
)
def test_a_file_over_its_cap_is_refused_before_it_is_read(
    model_copy: Path, name: str, cap: int
) -> None:
    """Padded with spaces to one byte over the cap (and re-signed): refused by its size."""
    path = model_copy / name
    data = path.read_bytes()
    path.write_bytes(data + b" " * (cap + 1 - len(data)))
    if name == MODEL_FILE:
        meta = json.loads((model_copy / METADATA_FILE).read_text())
        meta["model_sha256"] = hashlib.sha256(path.read_bytes()).hexdigest()
        (model_copy / METADATA_FILE).write_text(json.dumps(meta))
    with pytest.raises(ModelError, match=f"over the {cap:,} allowed"):
        load_model(model_copy)


# VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the parent across fork and exec
PEAK = """
import sys
from claim_risk import load_model, score_sentences
score_sentences(["Vitamin C cures colds."], load_model(sys.argv[1]))
with open("/proc/self/status") as fh:
    print(next(line.split()[1] for line in fh if line.startswith("VmHWM:")))
"""


def _peak_mib(folder: Path) -> float:
    """The peak resident memory of a fresh process that loads ``folder`` and scores with it."""
    run = subprocess.run(
        [sys.executable, "-c", PEAK, str(folder)], capture_output=True, text=True, check=True
    )
    return int(run.stdout.split()[-1]) / 1024


def _worst_model(folder: Path) -> int:
    """A re-signed ``model.json`` just under the cap, of as many features as fit; their count."""
    spec = json.loads((DEFAULT_DIR / MODEL_FILE).read_text())
    sm = spec["sentence_model"]
    sm.update(vocabulary=[], idf=[], weights=[0] * len(sm["cues"]))
    room = MAX_MODEL_BYTES - len(json.dumps(spec, separators=(",", ":"))) - 4096
    words: list[str] = []
    for n in range(1, 6):
        for letters in itertools.product(string.ascii_lowercase, repeat=n):
            room -= n + 7  # '"w",' plus '1,' for its idf and '0,' for its weight
            if room < 0:
                break
            words.append("".join(letters))
        if room < 0:
            break
    sm.update(vocabulary=words, idf=[1] * len(words), weights=[0] * (len(words) + len(sm["cues"])))
    data = json.dumps(spec, separators=(",", ":")).encode()
    assert MAX_MODEL_BYTES - 8192 < len(data) <= MAX_MODEL_BYTES
    shutil.copytree(DEFAULT_DIR, folder)
    (folder / MODEL_FILE).write_bytes(data)
    meta = json.loads((folder / METADATA_FILE).read_text())
    meta["model_sha256"] = hashlib.sha256(data).hexdigest()
    (folder / METADATA_FILE).write_text(json.dumps(meta))
    return len(words)


@pytest.mark.skipif(not Path("/proc/self/status").is_file(), reason="needs Linux's /proc")
def test_the_worst_model_under_the_cap_loads_in_bounded_memory(tmp_path: Path) -> None:
    """At ``MAX_MODEL_BYTES`` of the shortest distinct words: loads, peaks under 400 MiB.

    The shipped model peaks under 50 MiB. These are the figures the README states.
    """
    words = _worst_model(tmp_path / "worst")
    assert words > 700_000
    assert _peak_mib(tmp_path / "worst") < 400
    assert _peak_mib(DEFAULT_DIR) < 50
