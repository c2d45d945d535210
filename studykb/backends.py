"""The embedding backends a data dir, `--backend` or `$STUDYKB_BACKEND` may name, and their check.

Kept apart from studykb/models.py (which loads them) so that studykb/config.py can validate
`[embedding] backend` without importing the model loader (and the loader can read the config).
"""

from __future__ import annotations

from .errors import ConfigError

__all__ = ["BACKENDS", "BACKEND_ENV", "DEFAULT_BACKEND", "check_backend"]

BACKEND_ENV = "STUDYKB_BACKEND"
#: Embedding backends: sentence-transformers on torch; ONNX Runtime fp32 (same vectors, ~2× faster
#: queries) and dynamically quantised int8 (faster still, cosine ~0.98 to torch). See bench/backends.py.
#: `auto` (the default) embeds queries with ONNX fp32 (the same vectors as torch, a search pays
#: ~7 ms instead of ~17 ms of CPU) and passages with torch (as fast for batches), and uses torch
#: for both when the model cannot be exported.
BACKENDS = ("auto", "torch", "onnx", "onnx-int8")
DEFAULT_BACKEND = "auto"


def check_backend(value: str, setting: str) -> str:
    """`value` if it names a backend, else a ConfigError naming `setting` and the valid values."""
    if value not in BACKENDS:
        raise ConfigError(
            f"{setting} is {value!r}: the embedding backend must be one of {', '.join(BACKENDS)}"
        )
    return value
