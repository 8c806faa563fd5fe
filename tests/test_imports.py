"""The Python package's import graph: no module imports another that (directly or not) imports it
back, wherever the import statement sits (a function-level import is an edge too); and the
packager (`webedge bundle` and what it reaches) never imports the test harness."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "webedge"


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _exists(name: str) -> bool:
    rel = Path(*name.split("."))
    return (PACKAGE.parent / rel).with_suffix(".py").is_file() or (PACKAGE.parent / rel / "__init__.py").is_file()


def import_graph() -> dict[str, set[str]]:
    """module -> the webedge modules its import statements name (anywhere in the file)."""
    graph = {}
    for path in PACKAGE.rglob("*.py"):
        name = _module_name(path)
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        edges = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                edges.update(a.name for a in node.names if a.name.startswith("webedge"))
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else []))
                if not base.startswith("webedge"):
                    continue
                for a in node.names:
                    edges.add(f"{base}.{a.name}" if _exists(f"{base}.{a.name}") else base)
        graph[name] = {e for e in edges if e != name}
    return graph


def reachable(graph: dict[str, set[str]], start: str) -> set[str]:
    seen, todo = set(), [start]
    while todo:
        for dep in graph.get(todo.pop(), ()):
            if dep not in seen:
                seen.add(dep)
                todo.append(dep)
    return seen


def test_no_import_cycles():
    graph = import_graph()
    cycles = sorted(f"{a} <-> {b}" for a in graph for b in graph[a] if a < b and a in reachable(graph, b))
    assert not cycles, f"modules that import each other (directly or through others): {cycles}"


def test_the_packager_does_not_import_the_test_harness():
    graph = import_graph()
    assert "webedge.cli" in graph and "webedge.testing.harness" in graph  # the graph is real
    for entry in ("webedge.bundle", "webedge.quantize.calibration", "webedge.inspection"):
        testing = sorted(m for m in reachable(graph, entry) if m.startswith("webedge.testing"))
        assert not testing, f"{entry} imports {testing}"
