"""The ONNX Runtime embedding backend (studykb/onnx_encoder.py) against sentence-transformers on torch,
with the real offline model and a real export (one per session, into a temporary cache)."""

from __future__ import annotations

import hashlib
import json
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from studykb.errors import ConfigError
from studykb.models import load_encoder, resolve_backend, resolve_model
from studykb.onnx_encoder import FP32_FILE, INT8_FILE, OnnxEncoder, read_layout
from tests.conftest import write_corpus

TEXTS = [
    "浦江经验是领导干部主动下访、把矛盾化解在基层的工作方法。",
    "千万工程从2003年开始实施，持续改善农村人居环境。",
    "The red boat on South Lake in Jiaxing is where the first National Congress finished its session.",
    "How do residents and officials settle disputes locally?",
    "短",
    # far longer than max_seq_length (256 tokens): truncated exactly as sentence-transformers does
    "中国式现代化是人口规模巨大的现代化。" * 40 + " and then some English words at the end " * 20,
]


def _cos(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.sum(a * b, axis=1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))


@pytest.fixture(scope="session")
def model_dir() -> Path:
    return Path(resolve_model("minilm").load_from)


@pytest.fixture(scope="session")
def onnx_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A temporary $STUDYKB_CACHE for the whole session (also what load_encoder uses)."""
    path = tmp_path_factory.mktemp("studykb-cache")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("STUDYKB_CACHE", str(path))
        yield path / "onnx"


@pytest.fixture(scope="session")
def torch_model(model_dir: Path) -> Any:
    return load_encoder(resolve_model("minilm", backend="torch"))


@pytest.fixture(scope="session")
def fp32(model_dir: Path, onnx_cache: Path) -> OnnxEncoder:
    t0 = time.perf_counter()
    encoder = OnnxEncoder(model_dir, cache_dir=onnx_cache)
    print(f"ONNX export + load: {time.perf_counter() - t0:.1f} s ({encoder.built})")
    return encoder


@pytest.fixture(scope="session")
def int8(fp32: OnnxEncoder, model_dir: Path, onnx_cache: Path) -> OnnxEncoder:
    return OnnxEncoder(model_dir, cache_dir=onnx_cache, quantized=True)


def _st(model: Any, texts: list[str], normalize: bool = True, batch_size: int = 64) -> np.ndarray:
    return np.asarray(model.encode(texts, batch_size=batch_size, normalize_embeddings=normalize,
                                   convert_to_numpy=True, show_progress_bar=False))


def test_fp32_gives_torchs_vectors(torch_model: Any, fp32: OnnxEncoder) -> None:
    assert fp32.built == [FP32_FILE]
    assert fp32.max_seq_length == torch_model.max_seq_length == 256
    assert fp32.get_sentence_embedding_dimension() == 384
    ref, got = _st(torch_model, TEXTS, batch_size=4), _st(fp32, TEXTS, batch_size=4)
    assert got.dtype == np.float32 and got.shape == ref.shape == (len(TEXTS), 384)
    assert _cos(ref, got).min() > 0.9999
    np.testing.assert_allclose(got, ref, atol=2e-4)
    # the model folder declares Normalize: unit vectors even without normalize_embeddings
    np.testing.assert_allclose(np.linalg.norm(_st(fp32, TEXTS, normalize=False), axis=1), 1.0, atol=1e-5)
    one = fp32.encode("千万工程")
    assert one.shape == (384,) and one.dtype == np.float32
    assert len(fp32.tokenizer(TEXTS[-1], truncation="longest_first")["input_ids"]) == 256


def test_int8_is_close_and_retrieves_the_same(torch_model: Any, int8: OnnxEncoder) -> None:
    assert int8.built == [INT8_FILE]
    assert int8.path.stat().st_size < 0.4 * (int8.cache_dir / FP32_FILE).stat().st_size
    assert _cos(_st(torch_model, TEXTS), _st(int8, TEXTS)).min() > 0.95
    passages = TEXTS[:4] + ["Photosynthesis converts light into chemical energy in plants."]
    queries = ["where did the first congress finish", "how do plants make energy from sunlight",
               "settle disputes locally", "改善农村人居环境"]
    top = {}
    for name, model in (("torch", torch_model), ("int8", int8)):
        p, q = _st(model, passages), _st(model, queries)
        top[name] = list(np.argmax(q @ p.T, axis=1))
    assert top["int8"] == top["torch"]
    assert top["torch"][:2] == [2, 4]


def test_the_cache_is_reused(fp32: OnnxEncoder, int8: OnnxEncoder, model_dir: Path, onnx_cache: Path) -> None:
    mtimes = {p: p.stat().st_mtime_ns for p in fp32.cache_dir.iterdir()}
    again = OnnxEncoder(model_dir, cache_dir=onnx_cache, quantized=True)
    assert again.built == [] and again.path == int8.path
    assert {p: p.stat().st_mtime_ns for p in fp32.cache_dir.iterdir()} == mtimes
    assert not [p for p in onnx_cache.rglob("*.tmp")]  # nothing left half-written


def test_a_damaged_cached_file_is_exported_again(fp32: OnnxEncoder, torch_model: Any, model_dir: Path,
                                                 tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    shutil.copytree(fp32.cache_dir, cache / fp32.cache_dir.name)
    fp32_file, int8_file = cache / fp32.cache_dir.name / FP32_FILE, cache / fp32.cache_dir.name / INT8_FILE
    # an interrupted copy: the digest recorded at export no longer matches
    with open(fp32_file, "r+b") as fh:
        fh.truncate(fp32_file.stat().st_size // 2)
    encoder = OnnxEncoder(model_dir, cache_dir=cache)
    assert encoder.built == [FP32_FILE]
    assert _cos(_st(torch_model, TEXTS[:2]), _st(encoder, TEXTS[:2])).min() > 0.9999
    # garbage whose recorded digest matches (say, replaced with both files): ONNX Runtime refuses it
    int8_file.write_bytes(b"not an onnx model")
    Path(f"{int8_file}.sha256").write_text(hashlib.sha256(b"not an onnx model").hexdigest())
    encoder = OnnxEncoder(model_dir, cache_dir=cache, quantized=True)
    assert encoder.built == [INT8_FILE]
    assert _cos(_st(torch_model, TEXTS[:2]), _st(encoder, TEXTS[:2])).min() > 0.95


def test_a_failed_export_says_why(model_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import torch

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("Unsupported: aten::fancy_op")

    monkeypatch.setattr(torch.onnx, "export", broken)
    with pytest.raises(ConfigError, match=r"exporting .* to ONNX failed: RuntimeError: Unsupported: aten"):
        OnnxEncoder(model_dir, cache_dir=tmp_path)
    assert not [p for p in tmp_path.rglob("*.onnx*")]


def _variant(model_dir: Path, dest: Path, modules: list[dict[str, Any]], pooling: dict[str, Any],
             bert: dict[str, Any] | None = None) -> Path:
    """The shipped model with other modules.json / pooling / sentence_bert_config (large files symlinked)."""
    dest.mkdir()
    for item in model_dir.iterdir():
        if item.is_file() and item.name not in {"modules.json", "sentence_bert_config.json"}:
            (dest / item.name).symlink_to(item)
    (dest / "modules.json").write_text(json.dumps(modules))
    bert_config = bert or json.loads((model_dir / "sentence_bert_config.json").read_text())
    (dest / "sentence_bert_config.json").write_text(json.dumps(bert_config))
    (dest / "1_Pooling").mkdir()
    (dest / "1_Pooling" / "config.json").write_text(json.dumps(pooling))
    return dest


def test_declared_cls_pooling_without_normalize(model_dir: Path, onnx_cache: Path, tmp_path: Path) -> None:
    """As bge-small-zh declares CLS pooling (and max_seq_length, do_lower_case): the vectors follow the
    folder, unnormalised here."""
    from sentence_transformers import SentenceTransformer

    folder = _variant(model_dir, tmp_path / "cls", [
        {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
        {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
    ], {"word_embedding_dimension": 384, "pooling_mode_cls_token": True, "pooling_mode_mean_tokens": False},
        {"max_seq_length": 48, "do_lower_case": True})
    layout = read_layout(folder)
    assert layout.pooling == ("cls",) and not layout.normalize and layout.do_lower_case
    torch_model = SentenceTransformer(str(folder), device="cpu")
    encoder = OnnxEncoder(folder, cache_dir=onnx_cache)
    assert encoder.max_seq_length == torch_model.max_seq_length == 48
    ref, got = _st(torch_model, TEXTS, normalize=False), _st(encoder, TEXTS, normalize=False)
    assert np.linalg.norm(ref, axis=1).min() > 1.5  # really unnormalised
    np.testing.assert_allclose(got, ref, rtol=1e-3, atol=1e-3)


@pytest.mark.parametrize("mode", ["cls", "max", "mean", "mean_sqrt_len_tokens", "weightedmean", "lasttoken"])
def test_pooling_modes_match_sentence_transformers(mode: str) -> None:
    import torch
    from sentence_transformers.sentence_transformer.modules import Pooling

    rng = np.random.default_rng(0)
    tokens = rng.normal(size=(3, 7, 8)).astype(np.float32)
    mask = np.array([[1] * 7, [1] * 4 + [0] * 3, [1] * 2 + [0] * 5], dtype=np.int64)
    features = {"token_embeddings": torch.tensor(tokens), "attention_mask": torch.tensor(mask)}
    ref = Pooling(8, pooling_mode=mode)(features)["sentence_embedding"].numpy()
    got = OnnxEncoder._pool(mode, tokens, mask.astype(np.float32)[:, :, None])
    np.testing.assert_allclose(got, ref, rtol=1e-5, atol=1e-6)


def test_modules_it_cannot_run_are_refused(model_dir: Path, tmp_path: Path) -> None:
    folder = _variant(model_dir, tmp_path / "dense", [
        {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
        {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
        {"idx": 2, "name": "2", "path": "2_Dense", "type": "sentence_transformers.models.Dense"},
    ], {"pooling_mode": "mean"})
    with pytest.raises(ConfigError, match=r"Dense module .* use backend torch"):
        read_layout(folder)


def test_bad_backend_values_name_the_setting(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from ingest.pipeline import IngestOptions, ingest
    from studykb.config import load_settings
    from studykb_cli.main import cli

    monkeypatch.delenv("STUDYKB_BACKEND", raising=False)
    assert resolve_backend() == "auto"
    (tmp_path / "studykb.toml").write_text('[embedding]\nbackend = "onnx-int8"\n')
    assert resolve_backend(data_dir=tmp_path) == "onnx-int8"
    monkeypatch.setenv("STUDYKB_BACKEND", "onnx")
    assert resolve_backend(data_dir=tmp_path) == "onnx"  # the environment overrides the file
    assert resolve_backend("torch", data_dir=tmp_path) == "torch"  # and --backend both
    monkeypatch.setenv("STUDYKB_BACKEND", "tensorrt")
    with pytest.raises(ConfigError, match=r"\$STUDYKB_BACKEND is 'tensorrt'.*auto, torch, onnx, onnx-int8"):
        resolve_backend()
    with pytest.raises(ConfigError, match=r"STUDYKB_BACKEND is 'tensorrt'"):
        load_encoder(resolve_model("minilm"))
    monkeypatch.delenv("STUDYKB_BACKEND")
    (tmp_path / "studykb.toml").write_text('[embedding]\nbackend = "gpu"\n')
    with pytest.raises(ConfigError, match=r"studykb.toml: embedding.backend is 'gpu'"):
        load_settings(tmp_path)
    (tmp_path / "data").mkdir()
    shutil.copy(tmp_path / "studykb.toml", tmp_path / "data")
    with pytest.raises(ConfigError, match=r"embedding.backend is 'gpu'"):
        ingest([tmp_path], tmp_path / "data", IngestOptions(model="minilm"))
    with pytest.raises(ConfigError, match=r"--backend is 'fast'"):
        ingest([tmp_path], tmp_path / "data2", IngestOptions(model="minilm", backend="fast"))
    result = CliRunner().invoke(cli, ["ingest", str(tmp_path), "--backend", "fast"])
    assert result.exit_code == 2 and "--backend" in result.output


def test_ingest_and_search_with_the_onnx_backend(tmp_path: Path, onnx_cache: Path, fp32: OnnxEncoder,
                                                  built: tuple[Path, Path, Any],
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """End to end: index with backend onnx; search (backend from studykb.toml) finds the passage."""
    import sqlite3

    from ingest.pipeline import IngestOptions, ingest
    from search.engine import Engine
    from studykb.layout import DataDir

    monkeypatch.delenv("STUDYKB_BACKEND", raising=False)
    corpus, data = write_corpus(tmp_path / "corpus"), tmp_path / "data"
    report = ingest([corpus], data, IngestOptions(model="minilm", max_chars=120, overlap=20, backend="onnx"))
    assert report.exit_code == 0 and report.n_chunks > 0
    (data / "studykb.toml").write_text('[embedding]\nbackend = "onnx"\n')
    engine = Engine.open(data)
    assert engine.model.backend == "onnx"
    assert isinstance(load_encoder(engine.model), OnnxEncoder)
    result = engine.search("Where did the first National Congress finish its session?", k=3, legs=("dense",))
    assert result.hits and "red boat" in result.hits[0].text
    # the vectors stored are torch's (the session's index was built with torch)
    def vectors(path: Path) -> dict[str, np.ndarray]:
        with sqlite3.connect(DataDir(path).db_path) as conn:
            return {h: np.frombuffer(v, dtype=np.float32) for h, v in conn.execute(
                "SELECT embed_hash, vector FROM embeddings")}
    ours, theirs = vectors(data), vectors(built[1])
    common = sorted(set(ours) & set(theirs))
    assert len(common) >= report.n_chunks - 2
    assert min(float(ours[h] @ theirs[h]) for h in common) > 0.9999



def test_auto_embeds_queries_with_onnx_and_passages_with_torch(onnx_cache: Path, fp32: OnnxEncoder,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    from sentence_transformers import SentenceTransformer

    monkeypatch.delenv("STUDYKB_BACKEND", raising=False)
    spec = resolve_model("minilm")
    query, passages = load_encoder(spec, purpose="query"), load_encoder(spec)
    assert isinstance(query, OnnxEncoder) and isinstance(passages, SentenceTransformer)
    text = ["党的创建与红船精神"]
    a = query.encode(text, normalize_embeddings=True, convert_to_numpy=True)
    b = passages.encode(text, normalize_embeddings=True, convert_to_numpy=True)
    assert float(a[0] @ b[0]) > 0.9999  # one index, two backends: the same vectors


def test_auto_uses_torch_when_the_model_cannot_be_exported(tmp_path: Path, onnx_cache: Path,
                                                            monkeypatch: pytest.MonkeyPatch,
                                                            caplog: pytest.LogCaptureFixture) -> None:
    """A model with a Dense head (which the ONNX path does not implement): auto falls back to torch."""
    from sentence_transformers import SentenceTransformer, models

    from studykb.models import ModelSpec

    base = SentenceTransformer(resolve_model("minilm").load_from, device="cpu")
    dense = models.Dense(base.get_embedding_dimension(), 64)
    folder = tmp_path / "with-dense"
    SentenceTransformer(modules=[*base, dense], device="cpu").save(str(folder))
    monkeypatch.delenv("STUDYKB_BACKEND", raising=False)
    with pytest.raises(ConfigError, match="onnx backend"):
        load_encoder(ModelSpec(str(folder), str(folder), backend="onnx"), purpose="query")
    with caplog.at_level("WARNING"):
        encoder = load_encoder(ModelSpec(str(folder), str(folder)), purpose="query")
    assert isinstance(encoder, SentenceTransformer) and "using torch" in caplog.text
    assert encoder.encode(["测试"]).shape == (1, 64)


def test_a_search_process_embeds_queries_without_importing_torch(
    onnx_cache: Path, fp32: OnnxEncoder
) -> None:
    """With the export cached, the query encoder needs ONNX Runtime and tokenizers only: a search
    process does not carry torch (~180 MB) or a second copy of the model."""
    import os
    import subprocess
    import sys

    code = (
        "import sys, json; from studykb.models import load_encoder, resolve_model;"
        "enc = load_encoder(resolve_model('minilm'), purpose='query');"
        "v = enc.encode(['党的创建'], normalize_embeddings=True);"
        "print(json.dumps([round(float(v[0] @ v[0]), 4), 'torch' in sys.modules,"
        " 'transformers' in sys.modules]))"
    )
    env = {**os.environ, "STUDYKB_CACHE": str(onnx_cache.parent)}
    env.pop("STUDYKB_BACKEND", None)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    norm, torch_loaded, transformers_loaded = json.loads(out.stdout.strip().splitlines()[-1])
    assert norm == 1.0 and not torch_loaded and not transformers_loaded
