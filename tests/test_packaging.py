"""Every package in the repository is listed in pyproject.toml, so an installed `studykb` can import it
(a package left out works from a checkout and fails only once installed)."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NOT_INSTALLED = {"tests", "bench", "scripts", "corpus", "corpus_src", "docs", "data"}


def test_every_package_is_installed() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    listed = set(pyproject["tool"]["setuptools"]["packages"])
    tops = [
        p for p in ROOT.iterdir() if p.is_dir() and not p.name.startswith(".") and p.name not in NOT_INSTALLED
    ]
    found = {
        ".".join(init.parent.relative_to(ROOT).parts) for top in tops for init in top.rglob("__init__.py")
    }
    assert found - listed == set(), f"add to [tool.setuptools] packages: {sorted(found - listed)}"
