"""The packages import each other in one direction: `studykb` (the base) imports no feature package,
and no module imports itself back through others (README, "Architecture").

Imports are read with `ast`, so imports inside functions and under `if TYPE_CHECKING:` count too.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
#: Every first-party package, bottom to top.
PACKAGES = ("studykb", "ingest", "search", "lists", "sites", "activity", "quotes", "api", "ui", "studykb_cli")
#: What the base package must never import.
ABOVE_BASE = {"ingest", "search", "lists", "sites", "activity", "quotes", "api", "ui", "cli", "studykb_cli",
              "bench", "scripts", "tests"}


def module_name(path: Path) -> str:
    """`search/engine.py` → `search.engine`; `search/__init__.py` → `search`."""
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(path: Path, here: str | None = None) -> list[tuple[int, str]]:
    """(line, absolute module name) of every import in the file at `path` (module `here`, by default
    the name its place in the repository gives), relative imports resolved.

    `from package import name` yields `package.name` when that is a module, else `package`.
    """
    here = here or module_name(path)
    package = here if path.name == "__init__.py" else here.rpartition(".")[0]
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                is_module = (ROOT / sub.replace(".", "/")).with_suffix(".py").is_file() or (
                    ROOT / sub.replace(".", "/") / "__init__.py").is_file()
                found.append((node.lineno, sub if is_module else base))
    return found


def modules(*packages: str) -> list[Path]:
    return sorted(p for package in packages for p in (ROOT / package).rglob("*.py"))


def test_base_package_imports_no_feature_package() -> None:
    upward = [
        f"{path.relative_to(ROOT)}:{line} imports {name}"
        for path in modules("studykb")
        for line, name in imported(path)
        if name.split(".")[0] in ABOVE_BASE
    ]
    assert upward == []


def test_the_check_sees_imports_inside_functions(tmp_path: Path) -> None:
    probe = tmp_path / "probe.py"
    probe.write_text("def f():\n    from search.engine import Engine\n    from . import db\n",
                     encoding="utf-8")
    assert imported(probe, "studykb.probe") == [(2, "search.engine"), (3, "studykb.db")]


def import_graph() -> dict[str, set[str]]:
    """First-party module → the first-party modules it names in an import.

    The `__init__` that Python runs before a submodule is not an edge: a package that re-exports its
    submodules' names would otherwise form a "cycle" with each of them.
    """
    graph: dict[str, set[str]] = {}
    for path in modules(*PACKAGES):
        name = module_name(path)
        graph[name] = {target for _, target in imported(path)
                       if target.split(".")[0] in PACKAGES and target != name}
    return {name: {t for t in targets if t in graph and t != name} for name, targets in graph.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one node (Tarjan's algorithm, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component: list[str] = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


@pytest.mark.parametrize(("graph", "expected"), [
    ({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}, [["a", "b", "c"]]),
    ({"a": {"b"}, "b": set(), "c": {"b"}}, []),
], ids=["three-cycle", "no-cycle"])
def test_cycle_finder(graph: dict[str, set[str]], expected: list[list[str]]) -> None:
    assert cycles(graph) == expected


def test_no_import_cycles_between_modules() -> None:
    assert cycles(import_graph()) == []


def test_no_import_cycles_between_packages() -> None:
    graph: dict[str, set[str]] = {package: set() for package in PACKAGES}
    for name, targets in import_graph().items():
        package = name.split(".")[0]
        graph[package].update(t.split(".")[0] for t in targets if t.split(".")[0] != package)
    assert cycles(graph) == []
