"""The shape of the package (issue #15): small modules, no import cycle, the engine in one folder, no pickle.

Read from the source with ``ast``: the imports that run when a module is imported (module level,
``if TYPE_CHECKING`` blocks left out) form a graph of the package's modules that must have no cycle.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "lawreports"
OURS = "lawreports."
MAX_LINES = 450
ENGINE_FOLDER = "engine"  #: the only folder that may import the engine or Python-Markdown
ENGINE_MODULES = ("mkdocs", "markdown", "properdocs", "pymdownx", "material")


def module_name(path: Path) -> str:
    parts = ["lawreports", *path.relative_to(PACKAGE).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def top_level_imports(path: Path) -> list[tuple[str, int]]:
    """(absolute module name, line) of every import run at import time, relative ones resolved."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: list[tuple[str, int]] = []

    def visit(statements: list[ast.stmt]) -> None:
        for node in statements:
            if isinstance(node, ast.Import):
                found.extend((alias.name, node.lineno) for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")
                    anchor = anchor[: len(anchor) - (node.level - 1)]
                    base = ".".join([*anchor, base] if base else anchor)
                found.append((base, node.lineno))
                found.extend((f"{base}.{alias.name}", node.lineno) for alias in node.names)
            elif isinstance(node, ast.If) and "TYPE_CHECKING" not in ast.unparse(node.test):
                visit(node.body)
                visit(node.orelse)
            elif isinstance(node, ast.Try):
                visit(node.body)

    visit(tree.body)
    return found


def graph() -> dict[str, set[str]]:
    edges: dict[str, set[str]] = {}
    for name, path in MODULES.items():
        edges[name] = {target for target, _ in top_level_imports(path) if target in MODULES and target != name}
    return edges


def test_no_module_is_longer_than_450_lines():
    long = {str(p.relative_to(PACKAGE)): n for p in PACKAGE.rglob("*.py")
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert not long


def test_the_package_has_no_import_cycle():
    edges = graph()
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    cycles: list[list[str]] = []

    def walk(node: str, path: list[str]) -> None:
        state[node] = 1
        for target in sorted(edges[node]):
            if state.get(target) == 1:
                cycles.append([*path[path.index(target):], target])
            elif target not in state:
                walk(target, [*path, target])
        state[node] = 2

    for name in sorted(edges):
        if name not in state:
            walk(name, [name])
    assert not cycles


def test_the_graph_sees_imports_at_all():
    """The cycle test would pass on an empty graph: check it knows a few real edges."""
    edges = graph()
    assert "lawreports.build.collect" in edges["lawreports.build.pipeline"]
    assert "lawreports.model" in edges["lawreports.record"]
    assert "lawreports.read.base" in edges["lawreports.read.text"]


def test_only_the_engine_folder_imports_the_engine_or_markdown():
    outside = []
    for name, path in MODULES.items():
        if name.startswith(f"lawreports.{ENGINE_FOLDER}"):
            continue
        for target, line in top_level_imports(path):
            if target.split(".")[0] in ENGINE_MODULES:
                outside.append(f"{path.relative_to(PACKAGE)}:{line}: {target}")
    assert not outside


def test_no_function_imports_a_module_of_the_package():
    """An import moved into a function to dodge a cycle is a sign the stages are cut wrong."""
    hidden = []
    for path in MODULES.values():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                for inner in ast.walk(node):
                    if isinstance(inner, ast.ImportFrom) and (inner.level or f"{inner.module}.".startswith(OURS)):
                        hidden.append(f"{path.relative_to(PACKAGE)}:{inner.lineno}")
    assert not hidden


def test_nothing_is_pickled():
    users = [str(p.relative_to(PACKAGE)) for p in PACKAGE.rglob("*.py")
             if any(t.split(".")[0] in ("pickle", "shelve", "dill") for t, _ in top_level_imports(p))]
    assert not users
