"""The house follows the pipeline: a stage imports only stages below it, never one above.

Every import in briefgen is read from the source (function-level ones too) and checked against
the order of the layers; a new upward import fails here, so the count stays at zero.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).parent.parent / "briefgen"
# Lowest first. A module may import its own layer and those before it.
LAYERS = [
    "briefgen.core", "briefgen.infra", "briefgen.read", "briefgen.sources", "briefgen.select",
    "briefgen.engines", "briefgen.analyze", "briefgen.synthesize", "briefgen.translate",
    "briefgen.render", "briefgen.outlets", "briefgen.pipeline", "briefgen.agents", "briefgen.cli",
]  # fmt: skip


def layer_of(module: str) -> int:
    if module == "briefgen":  # the package root holds only __version__
        return 0
    if module in ("briefgen.__main__", "briefgen.launch"):  # entry points, above the CLI
        return len(LAYERS) - 1
    for index, prefix in enumerate(LAYERS):
        if module == prefix or module.startswith(prefix + "."):
            return index
    raise AssertionError(f"{module} belongs to no layer: add its package to LAYERS")


def imports() -> list[tuple[str, str]]:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        module = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
                if node.module == "briefgen":  # `from briefgen import x`: x may be a module
                    names = [f"briefgen.{a.name}" for a in node.names if a.name != "__version__"]
                found += [(module, name) for name in names if name.startswith("briefgen")]
            elif isinstance(node, ast.Import):
                found += [(module, a.name) for a in node.names if a.name.startswith("briefgen")]
    return found


def test_every_module_belongs_to_a_layer() -> None:
    modules = {module for module, _ in imports()}
    assert len(modules) >= 40
    for module in modules:
        layer_of(module)


def test_no_import_runs_back_up() -> None:
    upward = [
        f"{module} imports {target}"
        for module, target in imports()
        if layer_of(target) > layer_of(module)
    ]
    assert upward == []


def test_core_imports_nothing_else_of_briefgen() -> None:
    outside = [
        f"{module} imports {target}"
        for module, target in imports()
        if module.startswith("briefgen.core") and not target.startswith("briefgen.core")
    ]
    assert outside == []


def test_no_import_cycle() -> None:
    """Within a layer too, modules form no cycle: each can be read after the ones it uses."""
    graph: dict[str, set[str]] = {}
    modules = {module for module, _ in imports()}
    for module, target in imports():
        if target in modules and target != module and target != "briefgen":
            graph.setdefault(module, set()).add(target)
    done: set[str] = set()
    path: list[str] = []

    def visit(module: str) -> None:
        assert module not in path, " -> ".join([*path[path.index(module) :], module])
        if module in done:
            return
        path.append(module)
        for target in sorted(graph.get(module, ())):
            visit(target)
        path.pop()
        done.add(module)

    for module in sorted(graph):
        visit(module)
    assert len(done) >= 40
