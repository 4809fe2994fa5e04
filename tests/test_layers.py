"""The layer rules, checked on the import graph of the source (not of what a run imported).

Every import counts: module level, function-local and under ``TYPE_CHECKING`` alike, since
each is a dependency a reader must follow. The rules: front ends -> the Workbench ->
pipelines -> models, knowledge base, store; nothing imports upward, and the facade sits on
no import circle.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
KERNEL = "aiwriter_kernel"
WORKBENCH = "aiwriter_kernel.workbench"
# the layers under the facade: none may import it, the CLI or a front end
BELOW_FACADE = (
    "pipelines",
    "compose",
    "analysis",
    "research",
    "llm",
    "store",
    "text",
    "channels",
    "personas",
    "batch",
)
FACADE_USERS = {"aiwriter_kernel.batch.kernel_cache"}  # opens a Workbench for each notebook row
COMPOSER = "aiwriter_kernel.compose.composer"
COMPOSER_USERS = {"aiwriter_kernel.llm.offline_provider"}
# what pipelines may use of compose/: the article plan (evidence grouped and ordered), shared by
# the offline and the chat path; the writing itself is asked of the gateway
PLANNER = {
    f"aiwriter_kernel.compose.{name}" for name in ("plan", "framing", "ordering", "takeaways")
}

Graph = Mapping[str, set[str]]


def shipped_packages() -> dict[str, str]:
    """The top-level packages the distribution installs, each with the folder it comes from
    (the front ends install under names of their own: see setup.py)."""
    tree = ast.parse((ROOT / "setup.py").read_text(encoding="utf-8"))
    renamed = next(
        ast.literal_eval(node.value)
        for node in tree.body
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "RENAMED"
    )
    return {KERNEL: KERNEL, **renamed}


def module_files(packages: Mapping[str, str]) -> dict[str, Path]:
    found: dict[str, Path] = {}
    for package, folder in packages.items():
        for path in (ROOT / folder).rglob("*.py"):
            parts = [package, *path.relative_to(ROOT / folder).with_suffix("").parts]
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


def import_graph(files: Mapping[str, Path]) -> dict[str, set[str]]:
    """Each module -> the modules of this tree it imports (a name imported from a package
    counts as its own module when it is one, else as the package)."""

    def known(name: str) -> str | None:
        while name and name not in files:
            name = name.rpartition(".")[0]
        return name or None

    graph: dict[str, set[str]] = {}
    for module, path in files.items():
        package = module if path.name == "__init__.py" else module.rpartition(".")[0]
        edges: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                edges |= {known(alias.name) for alias in node.names}
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*parts, *([node.module] if node.module else [])])
                for alias in node.names:
                    full = f"{base}.{alias.name}"
                    edges.add(full if full in files else known(base))
        graph[module] = {edge for edge in edges if edge and edge != module}
    return graph


def cycles_through(graph: Graph, module: str) -> list[str]:
    """Modules that both reach ``module`` and are reached from it (its import circle)."""

    def reachable(start: str, edges: Graph) -> set[str]:
        seen, todo = set(), [start]
        while todo:
            for nxt in edges.get(todo.pop(), ()):
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        return seen

    reverse: dict[str, set[str]] = {}
    for source, targets in graph.items():
        for target in targets:
            reverse.setdefault(target, set()).add(source)
    return sorted(reachable(module, graph) & reachable(module, reverse))


def _in(module: str, *areas: str) -> bool:
    return any(module == f"{KERNEL}.{a}" or module.startswith(f"{KERNEL}.{a}.") for a in areas)


def violations(graph: Graph, front_ends: Iterable[str]) -> list[str]:
    """Every broken layer rule, one line each (empty: the layers hold)."""
    front_ends = tuple(front_ends)
    found = [f"import circle through the Workbench: {m}" for m in cycles_through(graph, WORKBENCH)]
    for module, imports in sorted(graph.items()):
        for target in sorted(imports):
            upward = (
                target == WORKBENCH
                or _in(target, "cli")
                or any(target == f or target.startswith(f"{f}.") for f in front_ends)
            )
            if _in(module, *BELOW_FACADE) and module not in FACADE_USERS and upward:
                found.append(f"{module} imports {target}, above its layer")
            if _in(module, "store") and _in(
                target, "pipelines", "llm", "research", "compose", "analysis"
            ):
                found.append(f"{module} (store) imports {target}")
            if _in(module, "llm") and _in(target, "pipelines"):
                found.append(f"{module} (a model provider) imports {target}")
            if target == COMPOSER and not (_in(module, "compose") or module in COMPOSER_USERS):
                found.append(f"{module} uses the offline writer directly; ask the gateway")
            elif _in(module, "pipelines") and _in(target, "compose") and target not in PLANNER:
                found.append(f"{module} uses {target}, not the article plan; ask the gateway")
    return found


def test_the_source_tree_keeps_its_layers() -> None:
    packages = shipped_packages()
    graph = import_graph(module_files(packages))
    kernel = [m for m in graph if m.startswith(KERNEL)]
    below = [m for m in kernel if _in(m, *BELOW_FACADE)]
    # the rules ran on the real tree, not on an empty or half-found one
    assert len(kernel) > 150 and len(below) > 100 and len(graph) > len(kernel) + 20
    assert WORKBENCH in graph and COMPOSER in graph
    assert any(graph[m] for m in below)
    assert violations(graph, [p for p in packages if p != KERNEL]) == []


def test_the_checker_reports_each_kind_of_violation() -> None:
    fake = {
        WORKBENCH: {"aiwriter_kernel.pipelines.article"},
        "aiwriter_kernel.pipelines.article": {WORKBENCH, COMPOSER},
        "aiwriter_kernel.store.drafts": {"aiwriter_kernel.research.models"},
        "aiwriter_kernel.llm.chat": {"aiwriter_kernel.pipelines.context"},
        "aiwriter_kernel.analysis.seo": {"aiwriter_apps.api.schemas", "aiwriter_kernel.cli.main"},
        "aiwriter_kernel.batch.kernel_cache": {WORKBENCH},  # allowed: a front end of its own
        "aiwriter_kernel.llm.offline_provider": {COMPOSER},  # allowed: the offline provider
        "aiwriter_kernel.pipelines.copywriting": {
            "aiwriter_kernel.compose.copywriting",
            "aiwriter_kernel.compose.plan",  # allowed: the article plan
        },
    }
    found = violations(fake, ["aiwriter_apps"])
    assert found == [
        "import circle through the Workbench: aiwriter_kernel.pipelines.article",
        "import circle through the Workbench: aiwriter_kernel.workbench",
        "aiwriter_kernel.analysis.seo imports aiwriter_apps.api.schemas, above its layer",
        "aiwriter_kernel.analysis.seo imports aiwriter_kernel.cli.main, above its layer",
        "aiwriter_kernel.llm.chat (a model provider) imports aiwriter_kernel.pipelines.context",
        "aiwriter_kernel.pipelines.article uses the offline writer directly; ask the gateway",
        "aiwriter_kernel.pipelines.article imports aiwriter_kernel.workbench, above its layer",
        "aiwriter_kernel.pipelines.copywriting uses aiwriter_kernel.compose.copywriting, not the "
        "article plan; ask the gateway",
        "aiwriter_kernel.store.drafts (store) imports aiwriter_kernel.research.models",
    ]


def test_function_local_and_type_checking_imports_count(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg import b\n"
    )
    (package / "b.py").write_text("def f():\n    from . import c\n")
    (package / "c.py").write_text("")
    files = {"pkg": package / "__init__.py", **{f"pkg.{n}": package / f"{n}.py" for n in "abc"}}
    assert import_graph(files) == {
        "pkg": set(),
        "pkg.a": {"pkg.b"},
        "pkg.b": {"pkg.c"},
        "pkg.c": set(),
    }
