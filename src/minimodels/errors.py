"""The two kinds of failure minimodels tells apart: the user's bad input, and everything else.

:class:`UsageError` is raised where an argument is checked — a config, a public function, a
CLI option — and its message is one sentence that names the bad value and what is allowed
(``rule 300 is out of range for k=2, r=1 (0..255)``).  The CLI turns it into exit code 2 with
that sentence and nothing else.  Any other exception is a fault of ours: the CLI exits 1 with
one line that says so and where the full traceback was written.

``UsageError`` subclasses both ``ValueError`` and ``TypeError``, so code (and tests) that
catch the built-in types keep working.
"""

from __future__ import annotations

__all__ = ["UsageError"]


class UsageError(ValueError, TypeError):
    """A bad argument from the user: a one-sentence message naming it and what is allowed."""
