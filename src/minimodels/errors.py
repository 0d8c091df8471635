"""The two kinds of failure minimodels tells apart: the user's bad input, and everything else.

:class:`UsageError` is raised where an argument is checked — a config, a public function, a
CLI option — and its message is one sentence that names the bad value and what is allowed
(``rule 300 is out of range for k=2, r=1 (0..255)``).  The CLI turns it into exit code 2 with
that sentence and nothing else.  Any other exception is a fault of ours: the CLI exits 1 with
one line that says so and where the full traceback was written.

:class:`StorageError` is neither: the machine refused a write, and its sentence says what was
kept.  ``UsageError`` subclasses both ``ValueError`` and ``TypeError``, so code (and tests) that
catch the built-in types keep working.
"""

from __future__ import annotations

__all__ = ["StorageError", "UsageError"]


class UsageError(ValueError, TypeError):
    """A bad argument from the user: a one-sentence message naming it and what is allowed."""


class StorageError(OSError):
    """The machine refused a write (full disk, file-size limit); the message is one sentence
    that says what was kept and how to go on.  The CLI prints it as it is (exit 1)."""
