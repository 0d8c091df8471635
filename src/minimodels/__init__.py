"""minimodels: a laboratory for the science of machine learning through minimal models.

Three substrates, measured the same way:

* discrete — cellular automata and *rule arrays* (every cell its own CA rule), trained by
  adaptive evolution (`minimodels.evolve`) and simulated by a bit-sliced compiled engine;
* continuous — small MLPs and mesh nets in JAX, trained by the thousand (`minimodels.nets`);
* the measurements — Lempel–Ziv complexity and friends (`minimodels.complexity`), the
  parameter–function map (`minimodels.sample_functions`), P_SGD vs P_B, grokking.

Public names are imported lazily, so ``import minimodels as mm`` is instant and JAX or numba
load only when a part that needs them is first touched.  Conventions (rule numbering, bit
order, seeds, run directories) are fixed in the project's DESIGN notes and restated in each
module's docstring.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the same names, spelled out for IDEs and type checkers (runtime: _LAZY)
    from minimodels import (
        bayes as bayes,
        bio as bio,
        ca as ca,
        changemap as changemap,
        complexity as complexity,
        gallery as gallery,
        grokking as grokking,
        multiway as multiway,
        nets as nets,
        parallel as parallel,
        storage as storage,
        tasks as tasks,
    )
    from minimodels.evolution import evolve as evolve
    from minimodels.rulearray import RuleArray as RuleArray
    from minimodels.sampling import sample_functions as sample_functions

from minimodels import display as _display
from minimodels._version import __version__ as __version__

# Results draw themselves through minimodels.display; the drawers live in minimodels.plotting,
# which registers them when it is imported: here, the top of the package, not in compute code.
_display.set_loader(lambda: importlib.import_module("minimodels.plotting"))

# public name -> (module, attribute); attribute None means "the module itself".
_LAZY: dict[str, tuple[str, str | None]] = {
    # discrete substrate
    "ca": ("minimodels.ca", None),
    "RuleArray": ("minimodels.rulearray", "RuleArray"),
    "tasks": ("minimodels.tasks", None),
    "evolve": ("minimodels.evolution", "evolve"),
    "bio": ("minimodels.bio", None),
    "changemap": ("minimodels.changemap", None),
    "multiway": ("minimodels.multiway", None),
    # continuous substrate
    "nets": ("minimodels.nets", None),
    "grokking": ("minimodels.grokking", None),
    # measurements
    "complexity": ("minimodels.complexity", None),
    "sample_functions": ("minimodels.sampling", "sample_functions"),
    "bayes": ("minimodels.bayes", None),
    # surfaces
    "gallery": ("minimodels.gallery", None),
    "storage": ("minimodels.storage", None),
    "parallel": ("minimodels.parallel", None),
}

__all__ = ["__version__", *_LAZY]


def __getattr__(name: str) -> Any:
    try:
        module_name, attribute = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module 'minimodels' has no attribute {name!r}") from None
    module = importlib.import_module(module_name)
    value = module if attribute is None else getattr(module, attribute)
    globals()[name] = value  # cache: later look-ups skip __getattr__
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
