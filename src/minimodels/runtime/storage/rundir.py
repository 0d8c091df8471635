"""Run directories: the rules every command that writes one follows (:class:`RunDir`).

Core idea: a directory is a minimodels run when it holds ``run.json``, which names the command
that made it, the package version and every file the run wrote.  That list is what makes
``--overwrite`` safe (only the run's own files are removed) and ``--resume`` exact (the saved
``config.json`` must equal the new config, field by field).

Data model of a run directory:

* ``run.json``    — ``{"command", "version", "files"}``, rewritten whenever a file is added;
* ``config.json`` — the resolved config (:func:`~minimodels.runtime.storage.files.resolved_config`);
* outputs         — tables, JSON and figures, each registered through :meth:`RunDir.file`;
* checksummed files — ``shards/KIND-NNNNNN.SUFFIX`` (partial results, saved as they finish)
  and checkpoints, each with its SHA-256 beside it (``.sha256``): on resume a damaged one is
  not trusted but recomputed, with a note in :attr:`RunDir.notes`.

Every file is written atomically (:mod:`minimodels.runtime.storage.files`); the temporary files of a
killed write are recognised by name and removed when the run is opened again.  A run of an
older version (no ``run.json``, a ``config.json`` with ``version``) is still recognised.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from minimodels._version import __version__
from minimodels.base.errors import UsageError
from minimodels.runtime.storage.files import (
    atomic_path,
    prepare_out_dir,
    resolved_config,
    write_figure,
    write_json,
    write_table,
    write_text,
)

RUN_FILE = "run.json"  # marks a directory as a minimodels run and lists what it wrote
SHARDS = "shards"
# what a run writes in shards/: KIND-NNNNNN.SUFFIX, its checksum, a killed write's temporary
_SHARD_FILE = re.compile(r"[\w-]+-\d{6}\.\w+(\.sha256)?|\..+\.tmp")
# what a run of an older version (no run.json, a config.json with "version") may hold
_LEGACY_OUTPUTS = ("config.json", "summary.json", "*.parquet", "*.png", "*.svg", "*.npz")


def _is_our_legacy_run(path: Path) -> bool:
    try:
        config = json.loads((path / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(config, dict) and "version" in config


class RunDir:
    """One run directory: the rules every command that writes one follows.

    * A new run goes into a directory that does not exist or is empty; a non-empty directory
      that is not a minimodels run is refused (never written into, never deleted).
    * An existing run is refused unless ``resume`` (continue it: same command, same config,
      else refused naming the first differing field) or ``overwrite`` (remove the files this
      run wrote, listed in ``run.json``, and start again; other files are left alone).
    * ``--resume`` on a directory that holds no run says so.
    * Files are written atomically (:func:`atomic_path`); shards carry a SHA-256 checksum, and a
      damaged or half-written shard is recomputed (:meth:`load_shards` says which).

    ``notes`` collects one-line messages for the user (damaged shards, a checkpoint that was
    not usable); the CLI prints them.  Nothing is written before :meth:`open` has checked
    everything, so a refused run leaves the directory as it was.
    """

    def __init__(self, path: Path, command: str, config: dict[str, Any]) -> None:
        self.path = path
        self.command = command
        self.config = config
        self.notes: list[str] = []
        self.files: list[str] = []
        self.resumed = False
        self.created = False  # whether open() made the directory itself

    # ---- opening
    @classmethod
    def open(
        cls,
        path: str | os.PathLike[str],
        *,
        command: str,
        config: Any,
        resume: bool | None = None,
        overwrite: bool = False,
    ) -> RunDir:
        """Check ``path`` against the rules above, then create or take over the run directory.

        ``resume`` is None for a command that has no ``--resume`` (its refusals do not offer
        it), else whether the user asked to resume."""
        if resume and overwrite:
            raise UsageError("--resume and --overwrite exclude each other; choose one")
        out = Path(path)
        wanted = resolved_config(config) if not isinstance(config, dict) else dict(config)
        run = cls(out, command, wanted)
        if out.exists() and not out.is_dir():
            raise UsageError(f"--out {str(out)!r} exists and is not a directory")
        # a run killed while writing its first file leaves only that file's temporary
        first_writes = [p for p in out.glob(".*.tmp") if _temporary_of(p.name, _FIRST_FILES)]
        existing = out.is_dir() and any(p not in first_writes for p in out.iterdir())
        marker = out / RUN_FILE
        ours = existing and (marker.exists() or _is_our_legacy_run(out))
        if existing and not ours:
            raise UsageError(
                f"--out {str(out)!r} is not empty and holds no minimodels run; "
                "choose a new or empty directory"
            )
        if resume and not ours:
            raise UsageError(
                f"cannot resume: --out {str(out)!r} holds no minimodels run to continue"
            )
        if ours and not (resume or overwrite):
            continue_it = "" if resume is None else "--resume to continue it, "
            raise UsageError(
                f"--out {str(out)!r} already holds a run; pass {continue_it}"
                "--overwrite to replace it, or choose another --out"
            )
        if ours:
            saved = run._read_marker()
            if saved.get("command", command) != command:
                raise UsageError(
                    f"--out {str(out)!r} holds a '{saved['command']}' run, not a "
                    f"'{command}' one; choose another --out"
                )
            if resume:
                run._check_same_config()
                run.files = list(saved.get("files", []))
                run.resumed = True
            else:
                run._remove_outputs(saved)
            run._remove_stale_temporaries(saved.get("files") or [])
        for stale in first_writes:
            stale.unlink()
        run.created = not out.exists()
        prepare_out_dir(out)
        if not resume:
            _fresh_runs.append(run)
        run._write_marker()
        if not (resume and (out / "config.json").exists()):
            run.write_json("config.json", wanted)
        return run

    @classmethod
    def attach(
        cls, path: str | os.PathLike[str], *, command: str, outputs: tuple[str, ...] = ()
    ) -> RunDir:
        """An existing run of ``command`` that another command adds outputs to (figures of a
        finished run); the new files are registered in its ``run.json`` like its own.

        ``outputs`` are the names it will write: one that exists but is not the run's (the
        user's own file of that name) is refused before anything is written."""
        out = Path(path)
        if not (out / RUN_FILE).exists() and not _is_our_legacy_run(out):
            raise UsageError(f"{str(out)!r} is not a '{command}' run directory")
        run = cls(out, command, {})
        saved = run._read_marker()
        if saved.get("command", command) != command:
            raise UsageError(
                f"{str(out)!r} holds a '{saved['command']}' run, not a '{command}' one"
            )
        if not os.access(out, os.W_OK | os.X_OK):
            raise UsageError(f"{str(out)!r} is not writable, so nothing can be added to it")
        run.files = list(saved.get("files") or [])
        for name in outputs:
            if (out / name).exists() and name not in run.files:
                raise UsageError(
                    f"{str(out / name)!r} exists and is not a file of this run, so it is not "
                    "replaced; move it away first"
                )
        return run

    def _remove_stale_temporaries(self, files: list[str]) -> None:
        """Temporary files of our killed writes (:func:`atomic_path` names them
        ``.NAME.XXXXXXXX.tmp``): of the run's own files, and anything in ``shards/``."""
        names = {*files, *_FIRST_FILES}
        for stale in self.path.glob(".*.tmp"):
            if stale.is_file() and _temporary_of(stale.name, names):
                stale.unlink()
        for stale in (self.path / SHARDS).glob(".*.tmp"):
            if stale.is_file():
                stale.unlink()

    def _read_marker(self) -> dict[str, Any]:
        marker = self.path / RUN_FILE
        if not marker.exists():
            return {"files": None}  # a run of an older version
        try:
            data = json.loads(marker.read_text(encoding="utf-8"))
        except ValueError:
            data = None
        if not isinstance(data, dict):
            raise UsageError(
                f"{str(marker)!r} is damaged (not a JSON object); move the directory away or "
                "choose another --out"
            )
        return data

    def _check_same_config(self) -> None:
        path = self.path / "config.json"
        try:
            saved = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise UsageError(
                f"cannot resume: {str(self.path)!r} has no config.json; "
                "start again with --overwrite"
            ) from None
        except ValueError:
            saved = None
        if not isinstance(saved, dict):
            raise UsageError(
                f"cannot resume: {str(path)!r} is damaged (not a JSON object); start again "
                "with --overwrite"
            )
        wanted = self.config
        keys = [k for k in wanted if k != "version"] + [k for k in saved if k not in wanted]
        for key in keys:
            if key != "version" and saved.get(key) != wanted.get(key):
                raise UsageError(
                    f"cannot resume the run in {str(self.path)!r}: it has {key} = "
                    f"{saved.get(key)!r}, not {wanted.get(key)!r}; rerun with the same options "
                    "or choose another --out"
                )

    def _remove_outputs(self, saved: dict[str, Any]) -> None:
        listed = saved.get("files")
        if listed is None:  # an older version's run: its known output names
            names = {p.name for pattern in _LEGACY_OUTPUTS for p in self.path.glob(pattern)}
        else:
            names = set(listed) | {"config.json"}
        for name in sorted(names):
            target = self.path / name
            if target.is_file() or target.is_symlink():
                target.unlink()
        self._remove_shards()
        (self.path / RUN_FILE).unlink(missing_ok=True)

    def _remove_shards(self) -> None:
        """The shard files a run writes (named by :meth:`shard_name`, their checksums and
        temporaries); anything else in ``shards/`` is not ours and stays, and so does the
        folder then."""
        folder = self.path / SHARDS
        if not folder.is_dir():
            return
        for path in folder.iterdir():
            if _SHARD_FILE.fullmatch(path.name) and (path.is_file() or path.is_symlink()):
                path.unlink()
        with contextlib.suppress(OSError):  # not empty: what is left is not ours
            folder.rmdir()

    def discard(self) -> None:
        """Remove everything this run wrote, and its directory if :meth:`open` made it (and
        nothing else is in it): what a bad input found after opening must not leave behind."""
        self._remove_outputs({"files": self.files})
        if self.created:
            with contextlib.suppress(OSError):  # not empty: what is left is not ours
                self.path.rmdir()

    def _write_marker(self) -> None:
        data = {"command": self.command, "version": __version__, "files": sorted(self.files)}
        write_json(self.path / RUN_FILE, data)

    # ---- writing outputs (each registered in run.json, so --overwrite knows what is ours)
    def file(self, name: str) -> Path:
        """The path of output ``name`` (relative to the run), registered as this run's."""
        if name not in self.files:
            self.files.append(name)
            self._write_marker()
        return self.path / name

    def write_json(self, name: str, value: Any) -> Path:
        return write_json(self.file(name), value)

    def write_table(self, name: str, columns: Mapping[str, Any], **options: Any) -> Path:
        return write_table(self.file(name), columns, **options)

    def write_figure(self, name: str, figure: Any, **options: Any) -> list[Path]:
        formats = options.get("formats", ("png",))
        for fmt in formats:
            self.file(f"{name}.{fmt}")
        return write_figure(self.path / name, figure, **options)

    # ---- checksummed files (shards, checkpoints): a damaged one is detected, not trusted
    def save_checked(self, name: str, write: Any) -> Path:
        """``write(tmp_path)`` writes file ``name``; it is renamed into place, then its SHA-256
        is written beside it (``name.sha256``)."""
        target = self.path / name
        if not name.startswith(SHARDS + "/"):
            self.file(name)
            self.file(name + ".sha256")
        target.parent.mkdir(parents=True, exist_ok=True)
        with atomic_path(target) as tmp:
            write(tmp)
            digest = _sha256(tmp)
        write_text(_checksum_path(target), digest + "\n")
        return target

    def load_checked(self, name: str, read: Any) -> Any:
        """``read(path)`` of file ``name`` if it matches its checksum, else None: a damaged or
        unreadable file gets a note; one killed before its checksum was written is ignored."""
        path = self.path / name
        checksum = _checksum_path(path)
        if not path.exists() or not checksum.exists():
            return None
        if checksum.read_text(encoding="utf-8").strip() != _sha256(path):
            self.notes.append(f"{name} was damaged (checksum mismatch); it is recomputed")
            return None
        try:
            return read(path)
        except Exception as error:  # matches its checksum yet cannot be read: not ours
            self.notes.append(
                f"{name} could not be read ({type(error).__name__}); it is recomputed"
            )
            return None

    def shard_name(self, kind: str, index: int, suffix: str) -> str:
        return f"{SHARDS}/{kind}-{index:06d}{suffix}"

    def save_shard(self, kind: str, index: int, suffix: str, write: Any) -> Path:
        """Save shard ``index`` of ``kind`` (see :meth:`save_checked`)."""
        return self.save_checked(self.shard_name(kind, index, suffix), write)

    def load_shards(self, kind: str, suffix: str, read: Any, n_shards: int) -> dict[int, Any]:
        """The completed shards ``{index: read(path)}`` among ``0 .. n_shards - 1``; damaged
        ones are left out (so they are recomputed) with a note."""
        done: dict[int, Any] = {}
        if not (self.path / SHARDS).is_dir():
            return done
        for index in range(n_shards):
            value = self.load_checked(self.shard_name(kind, index, suffix), read)
            if value is not None:
                done[index] = value
        return done


_FIRST_FILES = (RUN_FILE, "config.json")  # what a run writes first
_fresh_runs: list[RunDir] = []  # runs opened in this process to be written from scratch


def fresh_run_count() -> int:
    """How many runs this process has opened from scratch (a mark for :func:`discard_since`)."""
    return len(_fresh_runs)


def discard_since(mark: int) -> None:
    """:meth:`RunDir.discard` every run opened from scratch since ``mark`` (the CLI does this
    when a bad input is found after a command opened its run: nothing is left written)."""
    while len(_fresh_runs) > mark:
        _fresh_runs.pop().discard()


def forget_since(mark: int) -> None:
    """Stop tracking the runs opened since ``mark`` (their command has ended)."""
    del _fresh_runs[mark:]


def _temporary_of(name: str, files: Any) -> bool:
    """Whether ``name`` is :func:`atomic_path`'s temporary for one of ``files``."""
    if not (name.startswith(".") and name.endswith(".tmp")):
        return False
    stem = name[1:-4].rsplit(".", 1)[0]  # '.NAME.XXXXXXXX.tmp' -> NAME
    return stem in files


def _checksum_path(path: Path) -> Path:
    return path.with_name(path.name + ".sha256")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
