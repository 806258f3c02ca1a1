"""The package layout is the audit flow: each stage imports only from the stages below it, and no
module imports itself back through others (docs/architecture.md)."""
from __future__ import annotations

import ast

from conftest import ROOT

PACKAGE = ROOT / "auditor"
# Lowest first. A module may import its own stage and any stage before it in this list.
STAGES = ("base", "privacy", "evidence", "catalogue", "cycle", "engine", "reporters", "cli")
MAX_LINES = 400


def _module(path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _stage(module: str) -> str:
    parts = module.split(".")
    if module == "auditor.__main__":
        return "cli"  # `python -m auditor` is the command
    return parts[1] if len(parts) > 2 or (len(parts) == 2 and parts[1] in STAGES) else "base"


def _graph() -> dict[str, set[str]]:
    """module -> the auditor modules it imports (at the top or inside functions)."""
    modules = {_module(p): p for p in PACKAGE.rglob("*.py")}
    graph = {}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        deps = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    up = package.split(".")[:len(package.split(".")) - node.level + 1]
                    base = ".".join(up + ([node.module] if node.module else []))
                for alias in node.names:
                    full = f"{base}.{alias.name}"
                    deps.add(full if full in modules else base)
            elif isinstance(node, ast.Import):
                deps.update(a.name for a in node.names)
        graph[name] = {d for d in deps if d in modules and d != name}
    return graph


def _cycles(graph) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index, low, stack, on, out, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def test_no_import_cycles():
    """A package's __init__ counts like any module: a submodule that imports helpers back from it is a cycle."""
    assert _cycles(_graph()) == []


def test_no_stage_imports_a_later_stage():
    upward = []
    for module, deps in _graph().items():
        here = STAGES.index(_stage(module))
        upward += [f"{module} -> {d}" for d in sorted(deps) if STAGES.index(_stage(d)) > here]
    assert upward == []


def test_every_stage_is_a_package_with_its_entry_points_described():
    for stage in STAGES[1:]:
        init = PACKAGE / stage / "__init__.py"
        assert init.is_file(), stage
        assert ast.get_docstring(ast.parse(init.read_text(encoding="utf-8"))), f"{stage}/__init__.py has no docstring"


def test_modules_are_small_enough_to_read_in_one_sitting():
    long = {str(p.relative_to(ROOT)): n for p in PACKAGE.rglob("*.py")
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert long == {}


def test_architecture_doc_names_every_stage():
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    assert all(f"auditor/{stage}/" in text for stage in STAGES[1:])
