"""What a batch folder remembers between runs, and who may write into it.

``DIR/batch-state.json`` maps each job id to its last finished (or submitted) run::

    {"version": 1, "jobs": {"ep-001": {"input_hash": "<sha256>", "status": "succeeded",
      "output": "ep-001.mp4", "seconds": 4.2, "fps": 71.3, "frames": 300, ...}}}

A job is done when its entry says ``succeeded`` with the hash of the line's current inputs
and its output file still exists; a rerun skips it and never touches the file. ``failed``
entries are skipped too, unless ``--retry-failed``. ``submitted`` (rq mode) names the
cluster job a rerun follows again instead of rendering twice.

The hash (:func:`input_hash`) covers everything the output depends on: the video (path or URL,
plus size and modification time for local files), the scenario document and the options (both
as canonical JSON) and the renderer's version. The file is rewritten after every job through a
temporary file and ``os.replace``, so a killed batch leaves either the old or the new state,
never a torn one.

:class:`FolderLock` keeps a second batch out of the same folder (``flock`` on the folder
itself: nothing to clean up, released by the kernel when the process dies).
"""

from __future__ import annotations

import dataclasses
import fcntl
import functools
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Self

from motiontext.errors import InputError, StorageError
from server.batch.figures import RunFigures
from server.batch.manifest import BatchItem

STATE_NAME = "batch-state.json"
WORK_NAME = ".batch-work"  # renders and downloads in progress; emptied at every start
STATE_VERSION = 1


@functools.cache
def renderer_version() -> str:
    """``ecg-render <version>`` of the installed package (part of every input hash)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return f"ecg-render {version('ecg-render')}"
    except PackageNotFoundError:
        return "ecg-render unknown"


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def input_hash(item: BatchItem, renderer: str | None = None) -> str:
    """sha256 (hex) of what ``item``'s output depends on (see the module docstring)."""
    inputs = {
        "video": item.video,
        "video_size": item.video_size,
        "video_mtime_ns": item.video_mtime_ns,
        "scenario": item.scenario,
        "options": item.options,
        "renderer": renderer or renderer_version(),
    }
    return hashlib.sha256(canonical_json(inputs).encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class StateEntry(RunFigures):
    """One job's last run. ``status``: succeeded | failed | submitted. ``seconds`` of wall
    time, ``fps`` frames rendered per second (RunFigures), ``attempt`` numbers the cluster submissions
    (rq mode) so that a retried job gets a fresh cluster job id."""

    input_hash: str
    status: str
    output: str | None = None
    remote_id: str | None = None
    attempt: int = 1

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> StateEntry:
        names = {f.name for f in dataclasses.fields(cls)}
        fields = {k: v for k, v in data.items() if k in names}
        fields["warnings"] = tuple(fields.get("warnings") or ())
        return cls(**fields)


class BatchState:
    """The state file of one output folder. Not thread-safe: the runner is its only writer."""

    def __init__(self, out_dir: Path, jobs: dict[str, StateEntry] | None = None):
        self.out_dir = out_dir
        self.path = out_dir / STATE_NAME
        self.jobs: dict[str, StateEntry] = jobs or {}

    @classmethod
    def load(cls, out_dir: Path) -> Self:
        """The folder's state (empty when there is none). Raises InputError for a file this
        version cannot read: better to stop than to redo, and overwrite, finished work."""
        path = out_dir / STATE_NAME
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return cls(out_dir)
        except OSError as exc:
            raise InputError(f"cannot read {str(path)!r}: {exc.strerror}") from None
        try:
            data = json.loads(text)
            if data.get("version") != STATE_VERSION:
                raise ValueError(f"version {data.get('version')!r}, expected {STATE_VERSION}")
            jobs = {k: StateEntry.from_json(v) for k, v in data["jobs"].items()}
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise InputError(
                f"{str(path)!r} is not a batch state file ({exc}); move it away to start over"
            ) from None
        return cls(out_dir, jobs)

    def get(self, job_id: str) -> StateEntry | None:
        return self.jobs.get(job_id)

    def record(self, job_id: str, entry: StateEntry, *, write: bool = True) -> None:
        """Set ``job_id``'s entry and, unless ``write`` is False, write the file (atomically)
        before returning."""
        self.jobs[job_id] = entry
        if write:
            self.write()

    def write(self) -> None:
        data = {
            "version": STATE_VERSION,
            "renderer": renderer_version(),
            "jobs": {k: dataclasses.asdict(v) for k, v in self.jobs.items()},
        }
        write_atomically(self.path, json.dumps(data, indent=1, ensure_ascii=False) + "\n")


def write_atomically(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file in the batch's work folder (the
    same file system) and a rename: readers see the old file or the new one."""
    work = path.parent / WORK_NAME
    temporary = work / f"{path.name}.{os.getpid()}.tmp"
    try:
        work.mkdir(exist_ok=True)
        with open(temporary, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except OSError as exc:
        raise StorageError(f"cannot write {str(path)!r}: {exc.strerror}") from exc


class FolderLock:
    """An exclusive ``flock`` on the output folder for the batch's lifetime."""

    def __init__(self, folder: Path):
        self.folder = folder
        self._fd: int | None = None

    def __enter__(self) -> Self:
        fd = os.open(self.folder, os.O_RDONLY | os.O_DIRECTORY)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise InputError(
                f"another ecg-render batch is writing into {str(self.folder)!r}"
            ) from None
        self._fd = fd
        return self

    def __exit__(self, *exc: object) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing the last descriptor releases the lock
            self._fd = None
