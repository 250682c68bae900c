"""The import graph follows ARCHITECTURE.md: each room imports only the rooms below it, and no
module reaches itself again through imports (function-level and TYPE_CHECKING imports count)."""

from __future__ import annotations

import ast
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("motiontext", "engine", "parity", "server", "benchmarks")

# room -> the rooms it may import (itself included). Longest prefix wins.
ALLOWED: dict[str, set[str]] = {
    "motiontext": {"motiontext"},
    "engine": {"motiontext", "engine"},
    "parity": {"motiontext", "engine", "parity"},
    "server": {"server"},
    "server.service": {"motiontext", "engine", "server.service"},
    "server.console": {"engine"},
    "server.fontsource": {"motiontext", "engine", "server.fontsource"},
    "server.batch": {"motiontext", "engine", "server.service", "server.console", "server.batch"},
    "server.cli": {"motiontext", "engine", "parity", "server"},
    "benchmarks": {"motiontext", "engine", "parity", "server", "benchmarks", "tests"},
}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO_ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path, module: str) -> set[str]:
    """Every project module that ``path`` imports, resolved to a module name."""
    is_package = path.name == "__init__.py"
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".")
                base = base[: len(base) - node.level + (1 if is_package else 0)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            found.add(target)
            found.update(f"{target}.{alias.name}" for alias in node.names)
    return {name for name in found if name.split(".")[0] in (*PACKAGES, "tests")}


def _graph() -> dict[str, set[str]]:
    modules = {_module_name(p): p for pkg in PACKAGES for p in (REPO_ROOT / pkg).rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        # "from pkg import module" names a module; "from module import function" does not.
        graph[name] = {m for m in _imports(path, name) if m in modules and m != name}
    return graph


def _room(module: str) -> str:
    return max(
        (room for room in ALLOWED if module == room or module.startswith(room + ".")), key=len
    )


def test_no_room_imports_upward() -> None:
    wrong = []
    for module, targets in _graph().items():
        room = _room(module)
        for target in targets:
            if not any(target == r or target.startswith(r + ".") for r in ALLOWED[room]):
                wrong.append(f"{module} -> {target}")
    assert not wrong, "imports against ARCHITECTURE.md's layering:\n" + "\n".join(sorted(wrong))


def test_no_import_cycles() -> None:
    graph = _graph()
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def visit(v: str) -> None:  # Tarjan's strongly connected components
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for v in graph:
        if v not in index:
            visit(v)
    assert not cycles, f"modules that import each other: {cycles}"
