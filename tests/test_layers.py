"""The package's layers are folders, and imports run one way: down the list of LAYERS.

Read from the source with ``ast`` (imports inside functions included, ``TYPE_CHECKING``
blocks too), not from what happens to be imported at run time, so a lazy import that climbs
a floor is caught as surely as a top-level one.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import networkx as nx

import minimodels

PACKAGE = Path(minimodels.__file__).parent

# lowest first; a module may import its own layer and the layers before it
LAYERS = ("_version", "base", "runtime", "engine", "models", "tasks", "learners", "analysis",
          "experiments", "plotting", "gallery", "cli")  # fmt: skip
TOP = {"minimodels", "minimodels.__main__", "minimodels._moved"}  # the root: above them all


def _modules() -> dict[str, Path]:
    modules = {}
    for path in PACKAGE.rglob("*.py"):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        modules[".".join(parts)] = path
    return modules


def _import_graph() -> nx.DiGraph:
    modules = _modules()

    def owner(name: str) -> str:  # the module a dotted name lives in
        while name not in modules:
            name = name.rpartition(".")[0]
        return name

    graph = nx.DiGraph()
    graph.add_nodes_from(modules)
    for name, path in modules.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("minimodels"):
                targets = [f"{node.module}.{alias.name}" for alias in node.names]
                targets = [t if t in modules else owner(node.module) for t in targets]
            elif isinstance(node, ast.Import):
                targets = [owner(a.name) for a in node.names if a.name.startswith("minimodels")]
            else:
                continue
            graph.add_edges_from((name, t) for t in targets if t != name)
    return graph


def _layer(module: str) -> int:
    return LAYERS.index(module.split(".")[1])


def test_every_module_sits_in_a_layer():
    strays = [m for m in _modules() if m not in TOP and m.split(".")[1] not in LAYERS]
    assert strays == []


def test_no_import_climbs_to_a_higher_layer():
    graph = _import_graph()
    climbs = [
        (a, b) for a, b in graph.edges if a not in TOP and b not in TOP and _layer(b) > _layer(a)
    ]
    assert climbs == []


def test_no_modules_import_each_other_in_a_circle():
    graph = _import_graph()
    graph.remove_nodes_from(TOP)
    assert list(nx.simple_cycles(graph)) == []


def test_the_graph_is_read_from_the_code():
    # the reader sees both kinds of import: a top-level one and one inside a function
    graph = _import_graph()
    assert graph.has_edge("minimodels.models.rulearray", "minimodels.models.ca")  # top level
    assert graph.has_edge("minimodels.cli.fit", "minimodels.learners.nets.io")  # in a function
    # and a planted climb or circle would be seen
    graph.add_edge("minimodels.base.errors", "minimodels.cli")
    assert _layer("minimodels.cli") > _layer("minimodels.base.errors")
    graph.add_edge("minimodels.models.ca", "minimodels.models.rulearray")
    assert list(nx.simple_cycles(graph.subgraph(["minimodels.models.ca",
                                                 "minimodels.models.rulearray"])))  # fmt: skip


OLD_NAMES = """
import sys
import minimodels as mm
from minimodels.sampling import load_run               # old names, imported first
import minimodels.sampling.runs as old_runs
import minimodels.rulearray
from minimodels.nets.train import train
import minimodels.analysis.sampling.runs as new_runs   # then the new ones
import minimodels.learners.nets.train as new_train
assert old_runs is new_runs and new_runs.__name__ == "minimodels.analysis.sampling.runs"
assert sys.modules["minimodels.sampling.runs"] is new_runs   # one module, two names
assert mm.analysis.sampling.runs is new_runs                 # and no second copy on the package
assert load_run is new_runs.load_run or load_run.__module__.startswith("minimodels.analysis")
assert minimodels.rulearray.RuleArray is mm.RuleArray and train is new_train.train
assert mm.sampling is mm.analysis.sampling and mm.evolution.evolve is mm.evolve
try:
    import minimodels.no_such_module
except ModuleNotFoundError:
    pass
else:
    raise AssertionError("an unknown name imported")
"""


def test_the_old_module_names_import_the_very_same_modules():
    # a fresh interpreter, so the old names are the first to be imported
    done = subprocess.run([sys.executable, "-c", OLD_NAMES], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
