"""Sentence embeddings with ONNX Runtime: the model's transformer exported to ONNX once, then run
without torch's per-call overhead (issue #8: ~2× faster query embedding on one CPU thread).

`OnnxEncoder(folder)` reads a sentence-transformers model folder (modules.json, the Transformer's
sentence_bert_config.json, 1_Pooling/config.json, Normalize) and gives the same vectors as
`SentenceTransformer(folder).encode` — the same tokenizer and truncation, the same pooling and
normalisation — through the `encode` surface studykb uses. The transformer is exported with
torch's TorchScript-based exporter (`torch.onnx.export(..., dynamo=False)`, which needs the `onnx`
package) with dynamic batch and sequence axes; `quantized=True` runs the int8 variant that
`onnxruntime.quantization.quantize_dynamic` makes of it (uint8 weights, per channel: cosine ~0.98
to the fp32 vectors).

Exports are cached under `$STUDYKB_CACHE/onnx/` (default `~/.cache/studykb/onnx/`) in a folder
keyed by a hash of the model folder's contents, so a changed model is exported afresh. Files are
written to a temporary name and renamed into place, with their SHA-256 beside them: an
interrupted export leaves no file that looks finished, and a cached file that no longer matches
its digest (or that ONNX Runtime cannot load) is exported again.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
import threading
import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .digest import file_sha256
from .errors import ConfigError

__all__ = ["CACHE_ENV", "EXPORT_VERSION", "OnnxEncoder", "cache_root", "model_fingerprint"]

CACHE_ENV = "STUDYKB_CACHE"
THREADS_ENV = "STUDYKB_TORCH_THREADS"
#: Part of the cache key: bump when the export or quantisation settings change.
EXPORT_VERSION = "1"
OPSET = 17
FP32_FILE = "model.onnx"
INT8_FILE = "model.uint8.onnx"
_INPUTS = ("input_ids", "attention_mask", "token_type_ids")
# Files of a model folder that do not change its vectors (and exports other tools leave there).
_SKIP_FILES = {"README.md", ".gitattributes"}
_SKIP_DIRS = {"onnx", "openvino", ".git", ".cache"}
_LEGACY_POOLING = {  # sentence-transformers' legacy 1_Pooling/config.json keys, in its order
    "pooling_mode_cls_token": "cls",
    "pooling_mode_max_tokens": "max",
    "pooling_mode_mean_tokens": "mean",
    "pooling_mode_mean_sqrt_len_tokens": "mean_sqrt_len_tokens",
    "pooling_mode_weightedmean_tokens": "weightedmean",
    "pooling_mode_lasttoken": "lasttoken",
}
_export_lock = threading.RLock()  # re-entered: the int8 file needs the fp32 one first


def cache_root() -> Path:
    """`$STUDYKB_CACHE/onnx`, else `$XDG_CACHE_HOME/studykb/onnx`, else `~/.cache/studykb/onnx`."""
    base = os.environ.get(CACHE_ENV)
    if base:
        return Path(base).expanduser() / "onnx"
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "studykb" / "onnx"


def model_fingerprint(folder: Path) -> str:
    """SHA-256 over the relative paths and contents of the files in a model folder."""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        rel = path.relative_to(folder)
        if rel.name in _SKIP_FILES or any(part in _SKIP_DIRS for part in rel.parts[:-1]):
            continue
        digest.update(f"{rel.as_posix()}\0{file_sha256(path)}\n".encode())
    return digest.hexdigest()


@dataclass(frozen=True)
class _Layout:
    """What the sentence-transformers model folder declares."""

    transformer: Path
    max_seq_length: int | None
    do_lower_case: bool
    pooling: tuple[str, ...]
    normalize: bool
    prompt: str


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigError(f"onnx backend: cannot read {path}: {exc}") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"onnx backend: {path} is not a JSON object")
    return data


def _pooling_modes(config: dict[str, Any]) -> tuple[str, ...]:
    mode = config.get("pooling_mode")
    if mode is None:
        modes = tuple(m for key, m in _LEGACY_POOLING.items() if config.get(key))
        return modes or ("mean",)
    return (mode,) if isinstance(mode, str) else tuple(mode)


def read_layout(folder: Path) -> _Layout:
    """The Transformer → Pooling → [Normalize] pipeline a model folder declares in modules.json.

    A folder without modules.json is a plain Hugging Face model, which sentence-transformers loads
    with mean pooling. Any other module (Dense, …) is refused with a ConfigError.
    """
    modules_file = folder / "modules.json"
    if modules_file.is_file():
        try:
            modules = json.loads(modules_file.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ConfigError(f"onnx backend: cannot read {modules_file}: {exc}") from exc
    else:
        modules = [{"path": "", "type": "sentence_transformers.models.Transformer"}]
    transformer: Path | None = None
    pooling: tuple[str, ...] | None = None
    include_prompt = True
    normalize = False
    for module in sorted(modules, key=lambda m: m.get("idx", 0)):
        kind = str(module.get("type", "")).rsplit(".", 1)[-1]
        path = folder / module.get("path", "")
        if kind == "Transformer" and transformer is None and pooling is None:
            transformer = path
        elif kind == "Pooling" and transformer is not None and pooling is None and not normalize:
            config = _read_json(path / "config.json")
            pooling = _pooling_modes(config)
            include_prompt = bool(config.get("include_prompt", True))
        elif kind == "Normalize" and pooling is not None:
            normalize = True
        else:
            raise ConfigError(
                f"onnx backend: {folder} has a {module.get('type')} module after "
                f"{'normalisation' if normalize else 'the modules before it'}, which the onnx backend "
                "does not implement; use backend torch"
            )
    if transformer is None:
        raise ConfigError(f"onnx backend: {folder} declares no Transformer module")
    pooling = pooling or ("mean",)
    unknown = set(pooling) - set(_LEGACY_POOLING.values())
    if unknown:
        raise ConfigError(f"onnx backend: pooling mode {sorted(unknown)} of {folder} is not implemented")
    st_config = transformer / "sentence_bert_config.json"
    bert = _read_json(st_config) if st_config.is_file() else {}
    prompt = ""
    st_model = folder / "config_sentence_transformers.json"
    if st_model.is_file():
        model_config = _read_json(st_model)
        default = model_config.get("default_prompt_name")
        if default:
            prompt = (model_config.get("prompts") or {}).get(default, "")
    if prompt and not include_prompt:
        raise ConfigError(
            f"onnx backend: {folder} excludes its default prompt from pooling, which the onnx backend "
            "does not implement; use backend torch"
        )
    return _Layout(transformer, bert.get("max_seq_length"), bool(bert.get("do_lower_case", False)),
                   pooling, normalize, prompt)


class _FastTokenizer:
    """The model folder's tokenizer.json run by `tokenizers` alone (no transformers, hence no torch),
    truncating and padding as sentence-transformers' Transformer does; called like a HF tokenizer."""

    def __init__(self, tokenizer: Any, max_length: int) -> None:
        self._tok = tokenizer
        self.model_max_length = max_length
        tokenizer.no_padding()
        tokenizer.enable_truncation(max_length, strategy="longest_first")

    def __call__(self, texts: str | list[str], **_options: Any) -> dict[str, Any]:
        if isinstance(texts, str):  # one text: unpadded id lists, as a HF tokenizer gives them
            one = self._tok.encode(texts)
            return {"input_ids": one.ids, "attention_mask": one.attention_mask,
                    "token_type_ids": one.type_ids}
        encodings = self._tok.encode_batch(texts)
        width = max((len(e.ids) for e in encodings), default=0)
        out = {k: np.zeros((len(encodings), width), dtype=np.int64)
               for k in ("input_ids", "attention_mask", "token_type_ids")}
        for row, e in enumerate(encodings):  # right padding; padded positions are masked out
            n = len(e.ids)
            out["input_ids"][row, :n] = e.ids
            out["attention_mask"][row, :n] = e.attention_mask
            out["token_type_ids"][row, :n] = e.type_ids
        return out


def _folder_json(layout: _Layout, name: str) -> dict[str, Any]:
    path = layout.transformer / name
    return _read_json(path) if path.is_file() else {}


def _position_limit(layout: _Layout) -> int | None:
    """The model's max_position_embeddings (config.json), which caps the truncation length."""
    positions = int(_folder_json(layout, "config.json").get("max_position_embeddings") or -1)
    return positions if positions > 0 else None


def _max_length(layout: _Layout) -> int:
    """The truncation length sentence-transformers uses: max_seq_length, else the tokenizer's
    model_max_length capped at the model's position embeddings."""
    if layout.max_seq_length is not None:
        return int(layout.max_seq_length)
    limit = int(_folder_json(layout, "tokenizer_config.json").get("model_max_length") or 10**9)
    cap = _position_limit(layout)
    return min(limit, cap) if cap else limit


def _with_lowercase(backend: Any) -> None:
    """Lower-case first, as a sentence-transformers model with do_lower_case does."""
    from tokenizers.normalizers import Lowercase
    from tokenizers.normalizers import Sequence as NormalizerSequence

    normalizer = backend.normalizer
    iterable: Any = normalizer  # a tokenizers Sequence iterates over its normalizers (no stubs say so)
    parts = list(iterable) if isinstance(normalizer, NormalizerSequence) else [normalizer]
    if not any(isinstance(n, Lowercase) for n in parts):
        backend.normalizer = NormalizerSequence([Lowercase(), *(n for n in parts if n is not None)])


def _load_tokenizer(layout: _Layout) -> Any:
    """The model's tokenizer, set up for truncation as sentence-transformers' Transformer sets it:
    tokenizer.json through `tokenizers` when the folder has one, else transformers' AutoTokenizer."""
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    fast = layout.transformer / "tokenizer.json"
    if fast.is_file():
        from tokenizers import Tokenizer

        backend = Tokenizer.from_file(str(fast))
        if layout.do_lower_case:
            _with_lowercase(backend)
        return _FastTokenizer(backend, _max_length(layout))
    from transformers import AutoTokenizer

    kwargs: dict[str, Any] = {}
    if layout.max_seq_length is not None:
        kwargs["model_max_length"] = layout.max_seq_length
    tokenizer = AutoTokenizer.from_pretrained(str(layout.transformer), **kwargs)
    cap = _position_limit(layout)
    if layout.max_seq_length is None and cap:  # capped at the positions, as sentence-transformers does
        tokenizer.model_max_length = min(tokenizer.model_max_length, cap)
    if layout.do_lower_case:
        _with_lowercase(tokenizer.backend_tokenizer)
    return tokenizer


def _atomic_write(dest: Path, produce: Callable[[Path], None]) -> None:
    """Run `produce(tmp)` to write a file beside `dest`, then record its digest and rename it in."""
    fd, tmp_name = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".tmp", dir=dest.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        produce(tmp)
        os.chmod(tmp, 0o644)  # mkstemp makes it private; the web app may run as another user
        digest = file_sha256(tmp)
        os.replace(tmp, dest)
    finally:
        tmp.unlink(missing_ok=True)
    sidecar = dest.with_name(dest.name + ".sha256")
    fd, tmp_name = tempfile.mkstemp(prefix=f".{sidecar.name}.", suffix=".tmp", dir=dest.parent)
    with os.fdopen(fd, "w") as fh:
        fh.write(digest + "\n")
    os.chmod(tmp_name, 0o644)
    os.replace(tmp_name, sidecar)


def _intact(path: Path) -> bool:
    """True when `path` exists and matches the digest recorded when it was written."""
    sidecar = path.with_name(path.name + ".sha256")
    if not path.is_file() or not sidecar.is_file():
        return False
    return sidecar.read_text().strip() == file_sha256(path)


def _export(layout: _Layout, tokenizer: Any, dest: Path) -> None:
    """Export the transformer's token embeddings (last hidden state) to `dest` with dynamic axes."""
    import torch
    from transformers import AutoModel
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    torch.set_num_threads(int(os.environ.get(THREADS_ENV, "1")))
    model = AutoModel.from_pretrained(str(layout.transformer), attn_implementation="eager").eval()
    encoded = tokenizer(["studykb exports this sample sentence", "short"], padding=True, return_tensors="np")
    sample = {k: torch.from_numpy(np.asarray(v, dtype=np.int64)) for k, v in encoded.items()}
    names = [n for n in _INPUTS if n in sample]

    class TokenEmbeddings(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def forward(self, *tensors: torch.Tensor) -> torch.Tensor:
            return self.model(**dict(zip(names, tensors, strict=True)), return_dict=True)[0]

    axes = {n: {0: "batch", 1: "sequence"} for n in [*names, "token_embeddings"]}

    def produce(tmp: Path) -> None:
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.onnx.export(TokenEmbeddings(), tuple(sample[n] for n in names), str(tmp),
                              input_names=names, output_names=["token_embeddings"], dynamic_axes=axes,
                              opset_version=OPSET, dynamo=False)

    _atomic_write(dest, produce)


def _quantize(source: Path, dest: Path) -> None:
    """Dynamic int8 quantisation (uint8 weights per channel: measured closest to fp32 here)."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    def produce(tmp: Path) -> None:
        root = logging.getLogger()
        level = root.level
        root.setLevel(logging.ERROR)  # quantize_dynamic logs a pre-processing hint at WARNING
        try:
            quantize_dynamic(source, tmp, weight_type=QuantType.QUInt8, per_channel=True)
        finally:
            root.setLevel(level)

    _atomic_write(dest, produce)


class OnnxEncoder:
    """A sentence-transformers model folder run with ONNX Runtime; `encode` as SentenceTransformer's.

    `built` lists the files this instance had to export (empty when the cache had them).
    """

    def __init__(self, folder: str | Path, *, quantized: bool = False, cache_dir: Path | None = None,
                 threads: int | None = None) -> None:
        self.folder = Path(folder).resolve()
        if not self.folder.is_dir():
            raise ConfigError(f"onnx backend: model folder {self.folder} does not exist")
        self.quantized = quantized
        self.layout = read_layout(self.folder)
        self.tokenizer = _load_tokenizer(self.layout)
        key = hashlib.sha256(f"{EXPORT_VERSION}\n{model_fingerprint(self.folder)}".encode()).hexdigest()
        self.cache_dir = (cache_dir or cache_root()) / key[:24]
        self.built: list[str] = []
        threads = threads or int(os.environ.get(THREADS_ENV, "1"))
        self.path = self._ensure(INT8_FILE if quantized else FP32_FILE)
        self.session = self._session(self.path, threads)
        self._input_names = [i.name for i in self.session.get_inputs()]
        self._dim = int(self.session.get_outputs()[0].shape[-1])

    # -- files -----------------------------------------------------------------------------------

    def _ensure(self, name: str) -> Path:
        """The cached file `name`, exported (again, if damaged) when needed."""
        path = self.cache_dir / name
        if _intact(path):
            return path
        with _export_lock:
            if _intact(path):
                return path
            try:
                self.cache_dir.mkdir(parents=True, exist_ok=True)
                (self.cache_dir / "source.txt").write_text(f"{self.folder}\n", encoding="utf-8")
                if name == FP32_FILE:
                    _export(self.layout, self.tokenizer, path)
                else:
                    _quantize(self._ensure(FP32_FILE), path)
            except ConfigError:
                raise
            except Exception as exc:
                what = "quantising" if name == INT8_FILE else "exporting"
                reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
                if isinstance(exc, ImportError) or "onnx is not installed" in reason.lower():
                    reason += " (the onnx package is needed: pip install onnx)"
                raise ConfigError(
                    f"onnx backend: {what} {self.folder} to ONNX failed: {type(exc).__name__}: {reason}. "
                    "Use backend torch (STUDYKB_BACKEND=torch) meanwhile."
                ) from exc
            self.built.append(name)
            return path

    def _session(self, path: Path, threads: int) -> Any:
        import onnxruntime

        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.execution_mode = onnxruntime.ExecutionMode.ORT_SEQUENTIAL
        options.log_severity_level = 3
        try:
            return onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        except Exception as exc:  # intact by digest, yet unloadable: export once more
            if path.name in self.built:
                raise ConfigError(f"onnx backend: ONNX Runtime cannot load the new {path}: {exc}") from exc
            path.with_name(path.name + ".sha256").unlink(missing_ok=True)
            self._ensure(path.name)
            return onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])

    # -- the SentenceTransformer surface studykb uses ----------------------------------------------

    @property
    def max_seq_length(self) -> int:
        """Inputs are truncated to this many tokens."""
        return int(self.tokenizer.model_max_length)

    def get_embedding_dimension(self) -> int:
        """The length of the vectors `encode` returns."""
        return self._dim * len(self.layout.pooling)

    get_sentence_embedding_dimension = get_embedding_dimension  # sentence-transformers < 6 name

    def encode(
        self,
        sentences: str | Sequence[str],
        batch_size: int = 32,
        show_progress_bar: bool | None = None,
        convert_to_numpy: bool = True,
        normalize_embeddings: bool = False,
        prompt: str | None = None,
        **_ignored: Any,
    ) -> np.ndarray:
        """Float32 embeddings, one row per text (one vector for a single string), as
        SentenceTransformer.encode: longest texts batched first, rows in input order."""
        single = isinstance(sentences, str)
        texts: list[str] = [sentences] if isinstance(sentences, str) else list(sentences)
        prefix = self.layout.prompt if prompt is None else prompt
        if prefix:
            texts = [prefix + t for t in texts]
        out = np.zeros((len(texts), self.get_sentence_embedding_dimension()), dtype=np.float32)
        order = np.argsort([-len(t) for t in texts], kind="stable")
        for start in range(0, len(texts), max(1, batch_size)):
            idx = order[start : start + batch_size]
            out[idx] = self._embed([texts[i] for i in idx])
        if normalize_embeddings:
            out /= np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)
        return out[0] if single else out

    def _embed(self, texts: Iterable[str]) -> np.ndarray:
        batch = self.tokenizer(list(texts), padding=True, truncation="longest_first", return_tensors="np")
        feed = {n: np.asarray(batch[n], dtype=np.int64) for n in self._input_names}
        tokens = self.session.run(None, feed)[0].astype(np.float32)
        mask = np.asarray(batch["attention_mask"], dtype=np.float32)[:, :, None]
        vectors = [self._pool(mode, tokens, mask) for mode in self.layout.pooling]
        vec = np.concatenate(vectors, axis=1) if len(vectors) > 1 else vectors[0]
        if self.layout.normalize:
            vec = vec / np.maximum(np.linalg.norm(vec, axis=1, keepdims=True), 1e-12)
        return vec

    @staticmethod
    def _pool(mode: str, tokens: np.ndarray, mask: np.ndarray) -> np.ndarray:
        """sentence-transformers' Pooling modes over right-padded token embeddings."""
        rows = np.arange(tokens.shape[0])
        if mode == "cls":
            return tokens[rows, mask[:, :, 0].argmax(axis=1)]
        if mode == "max":
            return np.where(mask > 0, tokens, -np.inf).max(axis=1)
        if mode in ("mean", "mean_sqrt_len_tokens"):
            count = np.maximum(mask.sum(axis=1), 1e-9)
            total = (tokens * mask).sum(axis=1)
            return total / (count if mode == "mean" else np.sqrt(count))
        if mode == "weightedmean":
            weights = mask * np.arange(1, tokens.shape[1] + 1, dtype=np.float32)[None, :, None]
            return (tokens * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
        # lasttoken: the last position the mask keeps
        last = mask.shape[1] - 1 - mask[:, ::-1, 0].argmax(axis=1)
        return tokens[rows, last] * mask[rows, last]
