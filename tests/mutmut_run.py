"""mutmut, as this project runs it (docs/testing.md): ``python tests/mutmut_run.py run``.

Any mutmut command works (``run``, ``results``, ``show NAME``, ``browse``); the config is
``[tool.mutmut]`` in pyproject.toml.  Two things differ from a bare ``mutmut`` call:

* Properties are mutated too.  mutmut skips every decorated function, so ``steps_to_zero``,
  ``probabilities``, ``final_lifetime`` … would never be mutated.  A function whose only
  decorator is ``@property`` or ``@cached_property`` is mutated like a plain method: its
  copies (the original and each mutant) are plain functions and only the trampoline that
  dispatches between them keeps the decorator.
* Functions named in ``skip_functions`` of ``[tool.mutmut]`` are not mutated (mutmut has
  files, lines and patterns to leave out, not functions).
* The environment the forked workers need: numba's ``workqueue`` threading layer (GNU
  OpenMP aborts a forked child of a process that used it) and the Hypothesis ``mutation``
  profile (conftest.py: the same examples for every mutant, no example database).
"""

import os
import sys

os.environ.setdefault("NUMBA_THREADING_LAYER", "workqueue")
os.environ.setdefault("HYPOTHESIS_PROFILE", "mutation")
os.environ.setdefault("JAX_PLATFORMS", "cpu")

import tomllib  # noqa: E402
from pathlib import Path  # noqa: E402

import libcst as cst  # noqa: E402
from mutmut.mutation import file_mutation  # noqa: E402

PROPERTIES = {"property", "cached_property"}
SKIP = set(
    tomllib.loads(Path("pyproject.toml").read_text())["tool"]["mutmut"].get("skip_functions", [])
)


def _is_property(node) -> bool:
    if not isinstance(node, cst.FunctionDef) or len(node.decorators) != 1:
        return False
    decorator = node.decorators[0].decorator
    if isinstance(decorator, cst.Attribute):  # functools.cached_property
        decorator = decorator.attr
    return isinstance(decorator, cst.Name) and decorator.value in PROPERTIES


_skip = file_mutation.MutationVisitor._skip_node_and_children
_arrange = file_mutation.function_trampoline_arrangement


def _skip_node_and_children(self, node):
    if isinstance(node, cst.FunctionDef) and node.name.value in SKIP:
        return True
    if _is_property(node):  # judged as the same function without its decorator
        return _skip(self, node.with_changes(decorators=[]))
    return _skip(self, node)


def _function_trampoline_arrangement(function, mutants, class_name):
    if not _is_property(function):
        return _arrange(function, mutants, class_name)
    declarations, methods, assignments, names = _arrange(
        function.with_changes(decorators=[]), mutants, class_name
    )
    trampoline, *copies = methods  # the decorator goes on the trampoline only
    decorators = [*function.decorators, *trampoline.decorators]
    return (
        declarations,
        [trampoline.with_changes(decorators=decorators), *copies],
        assignments,
        names,
    )


file_mutation.MutationVisitor._skip_node_and_children = _skip_node_and_children
file_mutation.function_trampoline_arrangement = _function_trampoline_arrangement

if __name__ == "__main__":
    from mutmut.__main__ import cli

    sys.exit(cli())
