"""A batch's result per manifest line: the summary table and ``DIR/report.json``.

``report.json``::

    {"manifest": "...", "out_dir": "...", "mode": "local" | "rq", "renderer": "...",
     "started_at": "2026-...Z", "finished_at": "...", "seconds": 81.2,
     "counts": {"succeeded": 8, "skipped": 30, "failed": 1, "invalid": 1, "interrupted": 0},
     "lines": [{"line": 3, "job_id": "ep-003", "status": "succeeded",
                "output": "/abs/DIR/ep-003.mp4", "seconds": 4.2, "fps": 71.3, "frames": 300,
                "error": null, "error_code": null, "warnings": [], "earlier_run": false,
                "migrated_from": null, "migration_warnings": []}, ...]}

``seconds`` is a render's wall time and ``fps`` its speed (frames rendered per second);
skipped lines repeat what the earlier run measured. ``earlier_run`` marks results taken from
the state file rather than produced now. ``warnings`` lists what the render could not do as
asked, e.g. ``font family "X" is not installed: ...``. A v1.3 scenario was migrated to v2.0
when ``migrated_from`` is "1.3"; ``migration_warnings`` are then the migration's warnings.
"""

from __future__ import annotations

import dataclasses
import enum
import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from server.batch.figures import RunFigures
from server.batch.state import write_atomically

REPORT_NAME = "report.json"
_TABLE_MESSAGE_CHARS = 70


class LineStatus(enum.StrEnum):
    SUCCEEDED = "succeeded"  # rendered by this run
    SKIPPED = "skipped"  # done by an earlier run with the same inputs; output untouched
    FAILED = "failed"
    INVALID = "invalid"  # the manifest line is bad; nothing ran
    INTERRUPTED = "interrupted"  # the batch stopped before this job finished


OK_STATUSES = frozenset({LineStatus.SUCCEEDED, LineStatus.SKIPPED})


@dataclass(frozen=True, slots=True)
class LineResult(RunFigures):
    line: int
    job_id: str | None
    status: LineStatus
    output: str | None = None
    earlier_run: bool = False
    migrated_from: str | None = None
    migration_warnings: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.status in OK_STATUSES

    def to_json(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["status"] = str(self.status)
        data["warnings"] = list(self.warnings)
        for name in ("seconds", "fps"):
            if data[name] is not None:
                data[name] = round(data[name], 3)
        return data


def count_statuses(results: list[LineResult]) -> dict[str, int]:
    counts = {str(status): 0 for status in LineStatus}
    for result in results:
        counts[str(result.status)] += 1
    return counts


def write_report(
    out_dir: Path,
    results: list[LineResult],
    *,
    manifest: Path,
    mode: str,
    renderer: str,
    started_at: float,
) -> Path:
    """Write ``DIR/report.json`` (atomically) and return its path."""
    finished_at = time.time()
    data = {
        "manifest": str(manifest),
        "out_dir": str(out_dir),
        "mode": mode,
        "renderer": renderer,
        "started_at": _iso(started_at),
        "finished_at": _iso(finished_at),
        "seconds": round(finished_at - started_at, 3),
        "counts": count_statuses(results),
        "lines": [r.to_json() for r in sorted(results, key=lambda r: r.line)],
    }
    path = out_dir / REPORT_NAME
    write_atomically(path, json.dumps(data, indent=1, ensure_ascii=False) + "\n")
    return path


def summary_table(results: list[LineResult]) -> str:
    """A plain-text table, one row per line in manifest order, then the counts."""
    header = ("line", "job_id", "status", "seconds", "fps", "output / error")
    rows = [header]
    for r in sorted(results, key=lambda r: r.line):
        detail = r.output or ""
        if r.error:
            detail = f"[{r.error_code}] {r.error}" if r.error_code else r.error
            if r.earlier_run:
                detail = f"(earlier run) {detail}"
            if len(detail) > _TABLE_MESSAGE_CHARS:
                detail = detail[: _TABLE_MESSAGE_CHARS - 3] + "..."
        rows.append(
            (
                str(r.line),
                r.job_id or "-",
                str(r.status),
                "-" if r.seconds is None else f"{r.seconds:.1f}",
                "-" if r.fps is None else f"{r.fps:.1f}",
                detail,
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(header) - 1)]
    numeric = {0, 3, 4}
    lines = []
    for row in rows:
        cells = [
            cell.rjust(widths[i]) if i in numeric else cell.ljust(widths[i])
            for i, cell in enumerate(row[:-1])
        ]
        lines.append("  ".join([*cells, row[-1]]).rstrip())
    counts = count_statuses(results)
    lines.append(
        f"{len(results)} lines: " + ", ".join(f"{n} {s}" for s, n in counts.items() if n)
        if results
        else "the manifest has no lines"
    )
    return "\n".join(lines)


def _iso(seconds: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(seconds))
