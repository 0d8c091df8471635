"""Old module names keep working: ``minimodels.sampling`` is ``minimodels.analysis.sampling``.

Before the layers became folders every module sat at the top of the package.  Scripts and
notebooks written then import ``minimodels.rulearray`` or ``from minimodels.sampling import
load_run``; :data:`MOVED` maps each old name to its new home, and :class:`OldNames`, a finder
on ``sys.meta_path``, answers an import of an old name (or of a module below it) with the very
module object of the new name, so both names share one module and its state.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.util
import sys
from types import ModuleType
from typing import Any

# old name -> new name, under minimodels
MOVED = {
    "errors": "base.errors", "display": "base.display", "progress": "base.progress",
    "fields": "base.fields", "resources": "base.resources",
    "plans": "runtime.plans", "parallel": "runtime.parallel", "storage": "runtime.storage",
    "_evolve_kernel": "engine.evolve_kernel", "_bio_kernel": "engine.bio_kernel",
    "_complexity_kernels": "engine.lz_kernels",
    "ca": "models.ca", "rulearray": "models.rulearray", "inits": "models.inits",
    "mutation": "learners.mutation", "evolution": "learners.evolution",
    "evolution_setup": "learners.evolution_setup", "bio": "learners.bio",
    "nets": "learners.nets", "grokking": "learners.grokking",
    "complexity": "analysis.complexity", "changemap": "analysis.changemap",
    "multiway": "analysis.multiway", "learnability": "analysis.learnability",
    "sampling": "analysis.sampling", "bayes": "analysis.bayes",
}  # fmt: skip


def new_name(name: str) -> str | None:
    """The current name of module ``name`` (``minimodels.sampling.runs`` →
    ``minimodels.analysis.sampling.runs``), or None if it did not move."""
    package, _, rest = name.partition(".")
    if package != "minimodels" or not rest:
        return None
    head, _, tail = rest.partition(".")
    if head not in MOVED:
        return None
    return f"minimodels.{MOVED[head]}" + (f".{tail}" if tail else "")


class OldNames(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Import an old module name as the module of its new name."""

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> Any:
        if new_name(name) is None:
            return None
        return importlib.util.spec_from_loader(name, self)

    def create_module(self, spec: Any) -> ModuleType:
        return importlib.import_module(new_name(spec.name) or spec.name)

    def exec_module(self, module: ModuleType) -> None:
        """Nothing to run: the module was run under its new name."""


def install() -> None:
    if not any(isinstance(finder, OldNames) for finder in sys.meta_path):
        sys.meta_path.insert(0, OldNames())  # before the path finder: an old submodule name
        # must not be found again, as a second copy, under its package's new __path__
