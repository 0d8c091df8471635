"""minimodels: a laboratory for the science of machine learning through minimal models.

Three substrates, measured the same way:

* discrete — cellular automata and *rule arrays* (every cell its own CA rule), trained by
  adaptive evolution (``mm.evolve``) and simulated by a bit-sliced compiled engine;
* continuous — small MLPs and mesh nets in JAX, trained by the thousand (``mm.nets``);
* the measurements — Lempel–Ziv complexity and friends (``mm.complexity``), the
  parameter–function map (``mm.sample_functions``), P_SGD vs P_B, grokking.

The package is built in layers, one folder each; a layer imports only the layers above it in
this list (lower = more basic), never one below:

* ``base/`` — errors, progress, display protocol, config fields, memory checks;
* ``runtime/`` — the run protocol: plans, their executor, run directories, tables;
* ``engine/`` — compiled kernels: bit-sliced rule arrays, packing, evolution loops;
* ``models/`` — what computes: CAs, rule arrays, the named initialisations;
* ``tasks`` — what should be computed: inputs, targets, train/test splits;
* ``learners/`` — what changes a model: mutation, adaptive and biological evolution, SGD on
  nets, grokking training;
* ``analysis/`` — measurements: complexity, function sampling, P_SGD vs P_B, change maps,
  multiway graphs, learnability;
* ``experiments/`` — one canonical experiment per module: config → run → Result;
* ``plotting/`` — figures, registered as the drawers of results (Jupyter display);
* ``gallery/``, ``cli/`` — the surfaces: the HTML report and the command line.

Public names are imported lazily, so ``import minimodels as mm`` is instant and JAX or numba
load only when a part that needs them is first touched.  Conventions (rule numbering, bit
order, seeds, run directories) are stated in each module's docstring.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the same names, spelled out for IDEs and type checkers (runtime: _LAZY)
    from minimodels import gallery as gallery, tasks as tasks
    from minimodels.analysis import (
        bayes as bayes,
        changemap as changemap,
        complexity as complexity,
        landscape as landscape,
        multiway as multiway,
        zoo as zoo,
    )
    from minimodels.analysis.sampling import sample_functions as sample_functions
    from minimodels.experiments import debate as debate
    from minimodels.experiments.why_nets.runs import compare_learners as compare_learners
    from minimodels.learners import bio as bio, grokking as grokking, nets as nets
    from minimodels.learners.evolution import evolve as evolve
    from minimodels.models import ca as ca
    from minimodels.models.rulearray import RuleArray as RuleArray
    from minimodels.runtime import parallel as parallel, storage as storage

from minimodels import _moved
from minimodels._version import __version__ as __version__
from minimodels.base import display as _display

_moved.install()  # scripts written before the layers were folders: minimodels.sampling works

# Results draw themselves through minimodels.base.display; the drawers live in minimodels.plotting,
# which registers them when it is imported: here, the top of the package, not in compute code.
_display.set_loader(lambda: importlib.import_module("minimodels.plotting"))

# public name -> (module, attribute); attribute None means "the module itself".
_LAZY: dict[str, tuple[str, str | None]] = {
    # discrete substrate
    "ca": ("minimodels.models.ca", None),
    "RuleArray": ("minimodels.models.rulearray", "RuleArray"),
    "tasks": ("minimodels.tasks", None),
    "evolve": ("minimodels.learners.evolution", "evolve"),
    "bio": ("minimodels.learners.bio", None),
    "changemap": ("minimodels.analysis.changemap", None),
    "multiway": ("minimodels.analysis.multiway", None),
    # continuous substrate
    "nets": ("minimodels.learners.nets", None),
    "grokking": ("minimodels.learners.grokking", None),
    # measurements
    "complexity": ("minimodels.analysis.complexity", None),
    "sample_functions": ("minimodels.analysis.sampling", "sample_functions"),
    "bayes": ("minimodels.analysis.bayes", None),
    "zoo": ("minimodels.analysis.zoo", None),
    "landscape": ("minimodels.analysis.landscape", None),
    # experiments
    "compare_learners": ("minimodels.experiments.why_nets.runs", "compare_learners"),
    "debate": ("minimodels.experiments.debate", None),
    # surfaces
    "gallery": ("minimodels.gallery", None),
    "storage": ("minimodels.runtime.storage", None),
    "parallel": ("minimodels.runtime.parallel", None),
}

__all__ = ["__version__", *_LAZY]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        module_name, attribute = _LAZY[name]
    elif name in _moved.MOVED:  # mm.sampling, mm.evolution ...: the modules' old names
        module_name, attribute = f"minimodels.{_moved.MOVED[name]}", None
    else:
        raise AttributeError(f"module 'minimodels' has no attribute {name!r}")
    module = importlib.import_module(module_name)
    value = module if attribute is None else getattr(module, attribute)
    globals()[name] = value  # cache: later look-ups skip __getattr__
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
