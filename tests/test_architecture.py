"""The package's shape: one direction of dependency, no import cycles, thin faces."""

from __future__ import annotations

import ast
from pathlib import Path

import sms_handbook

PACKAGE = Path(sms_handbook.__file__).parent


def _imports() -> dict[str, set[str]]:
    """Each module of the package and the package modules it imports (anywhere in it,
    lazily too; not under TYPE_CHECKING)."""
    graph: dict[str, set[str]] = {}
    for path in PACKAGE.rglob("*.py"):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        if is_package:
            parts = parts[:-1]
        name = ".".join(parts)
        here = parts if is_package else parts[:-1]
        found: set[str] = set()
        tree = ast.parse(path.read_text("utf-8"))
        skipped = {
            id(n)
            for node in ast.walk(tree)
            if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
            for n in ast.walk(node)
        }
        for node in ast.walk(tree):
            if id(node) in skipped:
                continue
            if isinstance(node, ast.ImportFrom):
                base = here[: len(here) - node.level + 1] if node.level else []
                module = ".".join([*base, *(node.module.split(".") if node.module else [])])
                for alias in node.names:
                    candidate = f"{module}.{alias.name}"
                    found.add(candidate if _exists(candidate) else module)
            elif isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names)
        graph[name] = {m for m in found if m.startswith("sms_handbook") and m != name}
    return graph


def _exists(module: str) -> bool:
    relative = Path(*module.split(".")[1:])
    return (PACKAGE / relative).with_suffix(".py").is_file() or (PACKAGE / relative).is_dir()


def _reachable(graph: dict[str, set[str]], start: str) -> set[str]:
    """Every module that `start` imports, directly or through others."""
    seen, todo = set(), [start]
    while todo:
        for module in graph.get(todo.pop(), ()):
            if module not in seen:
                seen.add(module)
                todo.append(module)
    return seen


def test_no_module_imports_in_a_circle() -> None:
    graph = _imports()
    modules = {m for m in graph if not (PACKAGE / Path(*m.split(".")[1:])).is_dir()}

    circles = sorted(m for m in modules if m in _reachable(graph, m))
    assert circles == []


def test_core_never_imports_mkdocs_nor_a_face() -> None:
    for name, imported in _imports().items():
        if name.startswith("sms_handbook.core"):
            inside = ("sms_handbook.core", "sms_handbook.assets")
            faces = {m for m in imported if not m.startswith(inside)}
            assert faces == set(), name
    for path in (PACKAGE / "core").rglob("*.py"):
        tree = ast.parse(path.read_text("utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and not node.level:
                names = [node.module or ""]
            else:
                continue
            assert all(n.split(".")[0] != "mkdocs" for n in names), path


def test_the_command_and_render_never_import_the_mkdocs_face() -> None:
    graph = _imports()
    commands = [m for m in graph if m == "sms_handbook.cli" or m.startswith("sms_handbook.cli.")]
    for face in (*commands, "sms_handbook.render", "sms_handbook.project"):
        reached = _reachable(graph, face)
        assert not any(m.startswith("sms_handbook.mkdocs") for m in reached), face


def test_the_plugin_is_events_only() -> None:
    source = (PACKAGE / "mkdocs" / "plugin.py").read_text("utf-8")
    assert len(source.splitlines()) <= 210
    tree = ast.parse(source)
    plugin = next(n for n in tree.body if isinstance(n, ast.ClassDef))
    methods = [n.name for n in plugin.body if isinstance(n, ast.FunctionDef)]
    assert all(m.startswith("on_") or m.startswith("_") for m in methods), methods
