"""flashnews' modules import each other in one direction: the layers only import downwards
(app -> build -> compose -> ingest -> the core modules at the package's root), and no import
runs in a circle, function-level imports included."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "flashnews"
# Lowest first: a module may import its own layer and those before it.
LAYERS = ("core", "ingest", "compose", "build", "app")

# Cycles left on purpose, each as the set of modules it runs through.
KNOWN_CYCLES: set[frozenset[str]] = set()


def _is_type_checking_block(node: ast.AST) -> bool:
    return isinstance(node, ast.If) and (
        (isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING")
        or (isinstance(node.test, ast.Attribute) and node.test.attr == "TYPE_CHECKING")
    )


def _imported_names(tree: ast.AST, *, type_checking: bool = False) -> list[str]:
    """Every module an import statement names, at any depth (`from a import b` names a and
    a.b), except under `if TYPE_CHECKING:` unless type_checking."""
    names: list[str] = []
    pending = [tree]
    while pending:
        node = pending.pop()
        if _is_type_checking_block(node) and not type_checking:
            assert isinstance(node, ast.If)
            pending.extend(node.orelse)
            continue
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
            names += [f"{node.module}.{alias.name}" for alias in node.names]
        pending.extend(ast.iter_child_nodes(node))
    return names


def module_name(path: Path, package: Path) -> str:
    """'build.stages' for flashnews/build/stages.py, 'build' for flashnews/build/__init__.py."""
    parts = path.relative_to(package).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def read_import_graph(package: Path, *, type_checking: bool = False) -> dict[str, set[str]]:
    """Module -> the modules of the package it imports (the package's own __init__ left out:
    it is the public surface over every layer)."""
    paths = {module_name(path, package): path for path in package.rglob("*.py") if path != package / "__init__.py"}
    graph: dict[str, set[str]] = {}
    for name, path in sorted(paths.items()):
        imported = _imported_names(ast.parse(path.read_text(encoding="utf-8")), type_checking=type_checking)
        inside = (found.removeprefix("flashnews.") for found in imported if found.startswith("flashnews."))
        graph[name] = {other for other in inside if other in paths and other != name and not name.startswith(other + ".")}
    return graph


def layer_of(module: str) -> str:
    head = module.split(".")[0]
    return head if head in LAYERS else "core"


def imports_pointing_up(graph: dict[str, set[str]]) -> list[str]:
    return sorted(
        f"{module} -> {other}"
        for module, imported in graph.items()
        for other in imported
        if LAYERS.index(layer_of(other)) > LAYERS.index(layer_of(module))
    )


def find_cycles(graph: dict[str, set[str]]) -> list[frozenset[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[frozenset[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for imported in sorted(graph[module]):
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in on_stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            component = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.add(member)
                if member == module:
                    break
            if len(component) > 1:
                found.append(frozenset(component))

    for module in sorted(graph):
        if module not in index:
            visit(module)
    return found


def test_cycle_finder_sees_a_function_level_import() -> None:
    tree = ast.parse("import flashnews.b\n\ndef f():\n    from flashnews import a\n")
    assert sorted(_imported_names(tree)) == ["flashnews", "flashnews.a", "flashnews.b"]
    assert find_cycles({"a": {"b"}, "b": {"a"}, "c": {"a"}}) == [frozenset({"a", "b"})]


def test_imports_under_type_checking_are_not_followed_for_cycles_but_count_for_layers() -> None:
    tree = ast.parse("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from flashnews.app.cli import Invocation\n")
    assert _imported_names(tree) == ["typing", "typing.TYPE_CHECKING"]
    assert "flashnews.app.cli" in _imported_names(tree, type_checking=True)


def test_an_import_pointing_up_is_found() -> None:
    graph = {"config": {"build.state"}, "ingest.drops": {"config", "compose.site"}, "app.cli": {"build.pipeline", "ingest.drops"}}
    assert imports_pointing_up(graph) == ["config -> build.state", "ingest.drops -> compose.site"]


def test_every_module_belongs_to_a_layer() -> None:
    folders = {path.name for path in PACKAGE.iterdir() if path.is_dir() and (path / "__init__.py").is_file()}
    assert folders == set(LAYERS) - {"core"}


def test_imports_only_point_down_the_layers() -> None:
    assert imports_pointing_up(read_import_graph(PACKAGE, type_checking=True)) == []


def test_modules_import_one_another_without_cycles() -> None:
    cycles = find_cycles(read_import_graph(PACKAGE))
    assert [sorted(cycle) for cycle in cycles if cycle not in KNOWN_CYCLES] == []


def test_every_known_cycle_is_still_there() -> None:
    # A known cycle that was broken should leave this list, so it cannot come back unnoticed.
    assert KNOWN_CYCLES <= set(find_cycles(read_import_graph(PACKAGE)))
