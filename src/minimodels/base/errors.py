"""The two kinds of failure minimodels tells apart: the user's bad input, and everything else.

:class:`UsageError` is raised where an argument is checked — a config, a public function, a
CLI option — and its message is one sentence that names the bad value and what is allowed
(``rule 300 is out of range for k=2, r=1 (0..255)``).  Raised below the CLI, it also says which
argument it is about (``option=``, the parameter's name: ``"rules"``); the CLI turns it into
exit code 2 with that sentence, led by the command's flag for that parameter (``Invalid value
for '--rules': …``) when the sentence does not name the flag itself, and nothing else.  Any
other exception is a fault of ours: the CLI exits 1 with one line that says so and where the
full traceback was written.

:class:`StorageError` is neither: the machine refused a write, and its sentence says what was
kept.  ``UsageError`` subclasses both ``ValueError`` and ``TypeError``, so code (and tests) that
catch the built-in types keep working.
"""

from __future__ import annotations

__all__ = ["StorageError", "UsageError"]


class UsageError(ValueError, TypeError):
    """A bad argument from the user: a one-sentence message naming it and what is allowed.

    ``option`` is the name of the argument (or a few names, first match wins: the same value
    is ``rules`` in one command and ``rule`` in another) so the CLI can name its flag.
    """

    def __init__(self, message: str, *, option: str | tuple[str, ...] | None = None) -> None:
        super().__init__(message)
        self.options: tuple[str, ...] = (
            (option,) if isinstance(option, str) else tuple(option or ())
        )


class StorageError(OSError):
    """The machine refused a write (full disk, file-size limit); the message is one sentence
    that says what was kept and how to go on.  The CLI prints it as it is (exit 1)."""
