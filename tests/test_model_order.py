"""Which embedding model studykb picks, and why: --model, bge-small-zh when loadable, the
multilingual USE offline, MiniLM only when asked for; an index keeps its model until --rebuild."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.pipeline import IngestOptions, ingest
from search.status import index_status
from studykb.errors import ConfigError, IndexMismatchError
from studykb.models import DEFAULT_MODEL, FALLBACK_MODEL, resolve_model, spec_for_index
from studykb.use_model import INSTALL_COMMAND, USE_MODEL, USE_MODEL_ENV


@pytest.fixture
def offline(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No hub and an empty Hugging Face cache: bge-small-zh cannot be loaded."""
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    monkeypatch.delenv("STUDYKB_MODEL", raising=False)


@pytest.mark.usefixtures("offline")
def test_offline_default_is_the_multilingual_use() -> None:
    spec = resolve_model()
    assert spec.name == USE_MODEL and not spec.fallback and spec.chinese_capable
    assert DEFAULT_MODEL in spec.reason and "unreachable" in spec.reason


@pytest.mark.usefixtures("offline")
def test_minilm_only_when_asked_for() -> None:
    spec = resolve_model("minilm")
    assert spec.name == FALLBACK_MODEL and spec.fallback and not spec.chinese_capable
    assert spec.reason.startswith("requested")


@pytest.mark.usefixtures("offline")
def test_model_option_takes_a_local_folder() -> None:
    folder = resolve_model("minilm").load_from
    spec = resolve_model(folder)
    assert spec.name == str(Path(folder).resolve()) and "local folder" in spec.reason


@pytest.mark.usefixtures("offline")
def test_missing_model_file_names_the_install_command(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv(USE_MODEL_ENV, str(tmp_path / "gone.onnx"))
    with pytest.raises(ConfigError) as info:
        resolve_model()
    assert INSTALL_COMMAND in str(info.value)
    with pytest.raises(ConfigError):
        spec_for_index(USE_MODEL)


def test_index_keeps_its_model_until_rebuild(workspace: tuple[Path, Path]) -> None:
    corpus, data = workspace  # built with MiniLM
    with pytest.raises(IndexMismatchError, match="--rebuild"):
        ingest([corpus], data, IngestOptions(model=USE_MODEL, max_chars=120, overlap=20))
    (corpus / "extra.txt").write_text("新增的学习材料：坚持以人民为中心的发展思想。", encoding="utf-8")
    report = ingest([corpus], data, IngestOptions(max_chars=120, overlap=20))
    assert report.model == FALLBACK_MODEL
    report = ingest([corpus], data, IngestOptions(model=USE_MODEL, max_chars=120, overlap=20, rebuild=True))
    info = index_status(data)
    assert report.model == info["model"] == USE_MODEL and info["model_reason"] == "requested"
