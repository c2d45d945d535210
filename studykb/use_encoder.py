"""Sentence embeddings with the multilingual Universal Sentence Encoder (studykb/use_model.py's file)
on ONNX Runtime, through the `encode` surface studykb uses for every encoder.

The graph takes a batch of strings (its SentencePiece tokenizer is a custom op of
`onnxruntime-extensions`) and returns one 512-d vector each, not normalised. Texts are folded as
BM25 folds them before embedding (full-width → half-width, Traditional → Simplified): the model
puts the same sentence in Simplified and in Traditional only ~0.57 apart.

Long texts: the graph does not truncate; it reads the whole string and its cost grows with the
length (one thread here: ~3 ms for 100 characters, ~20 ms for 320, ~100 ms for 1,280), while the
vector of a text keeps moving as text is added (cosine of a passage's first 300 characters to the
whole ~0.5 at 1,000). Passages are at most the chunk size (320 characters by default, plus the
heading path), so they are embedded whole; longer input (a pasted page as a query) is cut to
MAX_CHARS so that one query cannot cost a second of CPU.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .errors import ConfigError
from .text import normalize, to_simplified

__all__ = ["DIM", "MAX_CHARS", "UseEncoder", "embedding_form"]

DIM = 512
#: Texts are cut to this many characters before embedding (see the module docstring).
MAX_CHARS = 512
#: Texts per ONNX Runtime call: on one thread, batches of 64 ran slower than 16 (memory traffic).
RUN_BATCH = 16
THREADS_ENV = "STUDYKB_TORCH_THREADS"


def embedding_form(text: str) -> str:
    """The text the model sees: width-folded, Traditional → Simplified, cut to MAX_CHARS."""
    return to_simplified(normalize(text)[:MAX_CHARS])


def custom_ops_library() -> Path:
    """The shared library of onnxruntime-extensions' custom ops (the graph's SentencePiece tokenizer),
    found without importing the package: its `__init__` imports `transformers` when that is installed,
    which cost every search command and app start 6–8 s here."""
    spec = importlib.util.find_spec("onnxruntime_extensions")
    folders = list(spec.submodule_search_locations or []) if spec else []
    for folder in folders:
        for candidate in sorted(Path(folder).glob("_extensions_pydll*")):
            if candidate.suffix in {".so", ".pyd", ".dylib"}:
                return candidate
    raise ConfigError(
        "the multilingual embedding model needs onnxruntime-extensions (its custom-ops library was not "
        "found): pip install onnxruntime-extensions"
    )


class UseEncoder:
    """The multilingual USE on ONNX Runtime with `SentenceTransformer.encode`'s surface. Thread-safe
    (ONNX Runtime sessions may be run from several threads)."""

    max_seq_length = MAX_CHARS

    def __init__(self, path: Path, *, threads: int | None = None) -> None:
        try:
            import onnxruntime
        except ImportError as exc:
            raise ConfigError(
                f"the multilingual embedding model needs onnxruntime ({exc}): pip install onnxruntime"
            ) from exc
        options = onnxruntime.SessionOptions()
        options.register_custom_ops_library(str(custom_ops_library()))
        # One thread by default, like the torch and ONNX backends (studykb/models.py explains why).
        options.intra_op_num_threads = threads or int(os.environ.get(THREADS_ENV, "1"))
        options.inter_op_num_threads = 1
        options.execution_mode = onnxruntime.ExecutionMode.ORT_SEQUENTIAL
        options.log_severity_level = 3
        try:
            self.session = onnxruntime.InferenceSession(
                str(path), options, providers=["CPUExecutionProvider"]
            )
        except Exception as exc:
            raise ConfigError(f"ONNX Runtime cannot load {path}: {exc}") from exc

    def get_embedding_dimension(self) -> int:
        """The length of the vectors `encode` returns."""
        return DIM

    get_sentence_embedding_dimension = get_embedding_dimension  # sentence-transformers < 6 name

    def encode(
        self,
        sentences: str | Sequence[str],
        batch_size: int = RUN_BATCH,
        show_progress_bar: bool | None = None,
        convert_to_numpy: bool = True,
        normalize_embeddings: bool = False,
        **_ignored: Any,
    ) -> np.ndarray:
        """Float32 embeddings, one row per text (one vector for a single string), rows in input order.

        Texts of similar length share a run (the graph pads a batch to its longest text); vectors
        are L2-normalised when `normalize_embeddings` (the model's own output is not).
        """
        single = isinstance(sentences, str)
        texts = [embedding_form(t) for t in ([sentences] if isinstance(sentences, str) else sentences)]
        out = np.zeros((len(texts), DIM), dtype=np.float32)
        order = np.argsort([-len(t) for t in texts], kind="stable")
        step = max(1, min(batch_size, RUN_BATCH))
        for start in range(0, len(texts), step):
            idx = order[start : start + step]
            batch = np.array([texts[i] for i in idx], dtype=object)
            out[idx] = self.session.run(None, {"inputs": batch})[0]
        if normalize_embeddings:
            out /= np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)
        return out[0] if single else out
