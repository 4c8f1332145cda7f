"""The architecture, checked: imports point down the layers (../shared/DESIGN.md, docs/DESIGN.md)
and no import cycle hides among our modules (not even behind an import inside a function)."""

from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
FOLDERS = {"core": "core", "hierarchy": "hierarchy", "symbolic": "symbolic",
           "render": "render", "data": "data", "cli": "cli", "songform": "songform"}
MAY_IMPORT = {
    "core": set(),
    "hierarchy": {"core"},
    "symbolic": {"core", "hierarchy"},
    "render": {"core", "hierarchy", "symbolic"},
    "data": {"core", "hierarchy", "symbolic"},
    "cli": set(FOLDERS),
    "songform": set(FOLDERS),
}


def _modules() -> dict[str, Path]:
    """``songform.<layer>.<module>`` -> file, for every library module."""
    out = {}
    for layer, folder in FOLDERS.items():
        for path in (REPO / folder).rglob("*.py"):
            parts = list(path.relative_to(REPO / folder).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            prefix = ["songform"] if layer == "songform" else ["songform", layer]
            out[".".join(prefix + parts)] = path
    return out


def _imports(name: str, path: Path, top_level_only: bool) -> set[str]:
    """Our modules that ``name`` imports (relative imports resolved)."""
    tree = ast.parse(path.read_text())
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    found = set()
    for node in nodes:
        if isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[:len(anchor) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            for alias in node.names:
                found.add(f"{base}.{alias.name}")
                found.add(base)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {f for f in found if f.startswith("songform")}


def _layer(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in FOLDERS and parts[1] != "songform" \
        else "songform"


def test_every_import_points_down_the_layers():
    modules = _modules()
    wrong = []
    for name, path in modules.items():
        for target in _imports(name, path, top_level_only=False):
            if target not in modules:
                continue
            source_layer, target_layer = _layer(name), _layer(target)
            if target_layer != source_layer and target_layer not in MAY_IMPORT[source_layer]:
                wrong.append(f"{name} -> {target}")
    assert not wrong, wrong


def test_no_import_cycles_even_inside_functions():
    """A cycle hidden by an import inside a function is still a cycle."""
    modules = _modules()
    graph = {name: {t for t in _imports(name, path, top_level_only=False)
                    if t in modules and t != name}
             for name, path in modules.items()}
    state: dict[str, int] = {}

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for nxt in graph[node]:
            if state.get(nxt) == 1:
                raise AssertionError(" -> ".join(trail[trail.index(nxt):] + [node, nxt])
                                     if nxt in trail else f"{node} -> {nxt}")
            if nxt not in state:
                visit(nxt, trail + [node])
        state[node] = 2

    for name in graph:
        if name not in state:
            visit(name, [])


def test_cli_functions_stay_short():
    """The CLI parses and shows: no function body in ``cli/`` runs over 60 lines (its
    signature and docstring not counted), so that any logic lives in the library."""
    long = []
    for path in sorted((REPO / "cli").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(
                    getattr(body[0], "value", None), ast.Constant):
                body = body[1:]
            if body and body[-1].end_lineno - body[0].lineno + 1 > 60:
                long.append(f"{path.name}:{node.lineno} {node.name}")
    assert not long, long
