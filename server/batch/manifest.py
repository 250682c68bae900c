"""Batch manifests: one render per line, JSON Lines or CSV.

JSON Lines (any name but ``*.csv``): one object per line, blank lines ignored::

    {"job_id": "ep-001", "video": "clips/ep-001.mp4", "scenario": "subs/ep-001.json",
     "options": {"quality": 90, "fps": 30, "width": 1920, "height": 1080, "format": "mp4"}}

CSV (``*.csv``): a header naming ``job_id,video,scenario[,options]``; ``options`` holds the
same object as JSON text (empty = defaults) and ``scenario`` a path or an inline JSON object.

``video`` is a file path or an http(s)/s3 URL; ``scenario`` a path or an inline object.
Relative paths are relative to the manifest's folder. Fields are checked by the service's own
rules (:class:`server.service.schemas.RenderBody`: job id pattern, option ranges) and the scenario by
the parser. A line that fails any check becomes a :class:`BadLine` with its line number; it is
reported and skipped, never fatal. Only an unreadable manifest (or a CSV without the needed
columns) is an error of the whole batch (:class:`~motiontext.errors.InputError`).
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from motiontext.errors import InputError, ScenarioError

REQUIRED_FIELDS = ("job_id", "video", "scenario")
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
_URL_SCHEMES = ("http", "https", "s3")
_REPR_CHARS = 80


@dataclass(frozen=True, slots=True)
class BatchItem:
    """A good line. ``video`` is an absolute path or a URL; ``video_size`` (bytes) and
    ``video_mtime_ns`` are set for local files only. ``scenario`` is the parsed document and
    ``options`` the service's normalised options (every field present). A v1.3 scenario is
    held migrated (v2.0): ``migrated_from`` is then "1.3", ``migration_warnings`` the
    migration's warnings."""

    line: int
    job_id: str
    video: str
    scenario: dict[str, Any]
    options: dict[str, Any]
    video_size: int | None = None
    video_mtime_ns: int | None = None
    migrated_from: str | None = None
    migration_warnings: tuple[str, ...] = ()

    @property
    def migration(self) -> dict[str, Any]:
        """The migration fields of this line's report entry."""
        return {"migrated_from": self.migrated_from, "migration_warnings": self.migration_warnings}

    @property
    def output_name(self) -> str:
        return f"{self.job_id}.{self.options['format']}"

    @property
    def request(self) -> dict[str, Any]:
        """The service's stored request shape (video_url, scenario, options)."""
        return {"video_url": self.video, "scenario": self.scenario, "options": self.options}


@dataclass(frozen=True, slots=True)
class BadLine:
    """A line that cannot run; ``job_id`` when the line named a usable one."""

    line: int
    job_id: str | None
    message: str
    code: str = InputError.code


@dataclass(frozen=True, slots=True)
class Manifest:
    path: Path
    items: tuple[BatchItem, ...]
    bad_lines: tuple[BadLine, ...]


class _LineError(Exception):
    def __init__(self, message: str, code: str = InputError.code):
        super().__init__(message)
        self.code = code


def read_manifest(path: str | os.PathLike[str], *, accept_v13: bool = True) -> Manifest:
    """Parse every line of the manifest at ``path``; v1.3 scenarios are migrated unless
    ``accept_v13`` is False (the line is then invalid). Raises InputError only when the file
    cannot be read at all or a CSV header lacks the required columns."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else f"not UTF-8 ({exc.reason})"
        raise InputError(f"cannot read manifest {str(path)!r}: {reason}") from None
    if path.suffix.lower() == ".csv":
        rows = _csv_rows(text, path)
    else:
        rows = _jsonl_rows(text)
    parser = _LineParser(path.resolve().parent, accept_v13)
    items: list[BatchItem] = []
    bad: list[BadLine] = []
    for line, fields in rows:
        result = parser.parse(line, fields)
        if isinstance(result, BatchItem):
            items.append(result)
        else:
            bad.append(result)
    return Manifest(path, tuple(items), tuple(bad))


def _jsonl_rows(text: str) -> list[tuple[int, dict[str, Any] | _LineError]]:
    rows: list[tuple[int, dict[str, Any] | _LineError]] = []
    # Not splitlines(): JSON strings may hold U+2028 and other characters it splits at.
    for number, raw in enumerate(text.split("\n"), start=1):
        if not raw.strip():
            continue
        try:
            value = json.loads(raw)
        except json.JSONDecodeError as exc:
            rows.append((number, _LineError(f"not valid JSON: {exc.msg} at column {exc.colno}")))
            continue
        if not isinstance(value, dict):
            kind = type(value).__name__
            rows.append((number, _LineError(f"expected a JSON object, but got a {kind}")))
            continue
        rows.append((number, value))
    return rows


def _csv_rows(text: str, path: Path) -> list[tuple[int, dict[str, Any] | _LineError]]:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [name.strip() for name in reader.fieldnames or []]
    missing = [name for name in REQUIRED_FIELDS if name not in header]
    if missing:
        raise InputError(
            f"the header of {str(path)!r} must name the columns job_id, video, scenario "
            f"(and optionally options), but is {','.join(header) or 'empty'}"
        )
    reader.fieldnames = header
    rows: list[tuple[int, dict[str, Any] | _LineError]] = []
    for record in reader:
        extra = record.pop(None, None)  # type: ignore[call-overload]
        cells = [v for v in record.values() if isinstance(v, str)] + list(extra or [])
        # A quoted cell may span lines: the record started that many lines before its end.
        line = reader.line_num - sum(cell.count("\n") for cell in cells)
        if extra is not None:
            message = f"has {len(header) + len(extra)} cells for {len(header)} columns"
            rows.append((line, _LineError(message)))
            continue
        fields = {name: value.strip() for name, value in record.items() if value}
        if fields:
            rows.append((line, _decode_csv_cells(fields)))
    return rows


def _decode_csv_cells(fields: dict[str, Any]) -> dict[str, Any] | _LineError:
    """Options (always) and an inline scenario (a cell starting with '{') are JSON text."""
    for name in ("options", "scenario"):
        cell = fields.get(name)
        if cell is None or (name == "scenario" and not cell.startswith("{")):
            continue
        try:
            fields[name] = json.loads(cell)
        except json.JSONDecodeError as exc:
            return _LineError(f'"{name}" is not valid JSON: {exc.msg} at column {exc.colno}')
    return fields


class _LineParser:
    """Turns one line's fields into a BatchItem or a BadLine; remembers used job ids."""

    def __init__(self, base_dir: Path, accept_v13: bool = True):
        self.base_dir = base_dir
        self.accept_v13 = accept_v13
        self.seen: dict[str, int] = {}

    def parse(self, line: int, fields: dict[str, Any] | _LineError) -> BatchItem | BadLine:
        raw_id = fields.get("job_id") if isinstance(fields, dict) else None
        job_id = raw_id if isinstance(raw_id, str) and raw_id else None
        try:
            if isinstance(fields, _LineError):
                raise fields
            item = self._item(line, fields)
        except _LineError as exc:
            return BadLine(line, job_id, str(exc), exc.code)
        if item.job_id in self.seen:
            message = f"job_id {item.job_id!r} was already used on line {self.seen[item.job_id]}"
            return BadLine(line, item.job_id, message)
        self.seen[item.job_id] = line
        return item

    def _item(self, line: int, fields: dict[str, Any]) -> BatchItem:
        from pydantic import ValidationError

        from motiontext.loader import load_document
        from server.service.schemas import RenderBody

        missing = [name for name in REQUIRED_FIELDS if fields.get(name) in (None, "")]
        if missing:
            names = ", ".join(f'"{name}"' for name in missing)
            raise _LineError(f"missing field{'s' if len(missing) > 1 else ''} {names}")
        scenario = self._scenario(fields["scenario"])
        try:
            body = RenderBody.model_validate(
                {
                    "job_id": fields["job_id"],
                    "video_url": fields["video"],
                    "scenario": scenario,
                    "options": fields.get("options"),
                }
            )
        except ValidationError as exc:
            raise _LineError(_validation_message(exc)) from None
        try:
            loaded = load_document(scenario, accept_v13=self.accept_v13)
        except ScenarioError as exc:
            where = f" at {exc.path}" if exc.path else ""
            raise _LineError(f"invalid scenario{where}: {exc}", exc.code) from None
        assert body.job_id is not None  # required above
        video, size, mtime_ns = self._video(body.video_url)
        return BatchItem(
            line=line,
            job_id=body.job_id,
            video=video,
            scenario=loaded.document,
            options=body.options.model_dump(),
            video_size=size,
            video_mtime_ns=mtime_ns,
            migrated_from=loaded.migrated_from,
            migration_warnings=loaded.warnings,
        )

    def _scenario(self, value: Any) -> dict[str, Any]:
        if isinstance(value, dict):
            return value
        if not isinstance(value, str):
            raise _LineError(
                f'"scenario" must be a file path or a JSON object, but is a {type(value).__name__}'
            )
        path = self.base_dir / value
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise _LineError(f"cannot read scenario file {str(path)!r}: {exc.strerror}") from None
        if data.startswith(b"\xef\xbb\xbf"):
            data = data[3:]
        try:
            doc = json.loads(data.decode("utf-8"))
        except UnicodeDecodeError as exc:
            message = f"scenario file {str(path)!r} is not UTF-8: {exc.reason}"
            raise _LineError(message, ScenarioError.code) from None
        except json.JSONDecodeError as exc:
            message = (
                f"scenario file {str(path)!r} is not valid JSON: {exc.msg} at line {exc.lineno} "
                f"column {exc.colno}"
            )
            raise _LineError(message, ScenarioError.code) from None
        if not isinstance(doc, dict):
            raise _LineError(
                f"scenario file {str(path)!r} must hold a JSON object, but holds a "
                f"{type(doc).__name__}",
                ScenarioError.code,
            )
        return doc

    def _video(self, video: str) -> tuple[str, int | None, int | None]:
        if _URL.match(video):
            scheme = video.split("://", 1)[0].lower()
            if scheme not in _URL_SCHEMES:
                raise _LineError(
                    f'"video" must be a file path or an http(s) or s3 URL, but is '
                    f"{video[:_REPR_CHARS]!r}"
                )
            return video, None, None
        path = (self.base_dir / video).absolute()
        try:
            stat = path.stat()
        except OSError as exc:
            raise _LineError(f"cannot read video file {str(path)!r}: {exc.strerror}") from None
        if not path.is_file():
            raise _LineError(f"video {str(path)!r} is not a file")
        return str(path), stat.st_size, stat.st_mtime_ns


def _validation_message(exc: Any) -> str:
    """The first pydantic error in the house style: what was expected and what came."""
    error = exc.errors()[0]
    names = {"video_url": "video"}
    loc = ".".join(names.get(str(part), str(part)) for part in error.get("loc", ()))
    message = str(error.get("msg", "invalid"))
    message = message.removeprefix("Value error, ")
    if "input" in error and error.get("type") != "missing" and not isinstance(error["input"], dict):
        shown = repr(error["input"])
        if len(shown) > _REPR_CHARS:
            shown = shown[: _REPR_CHARS - 3] + "..."
        message = f"{message}, but is {shown}"
    return f'"{loc}": {message}' if loc else message
