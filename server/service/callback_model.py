"""The callback body, built in one place with the ECG backend's own field types.

The backend validates every callback with its pydantic model (``GPURenderCallback``)::

    job_id: str                       required
    status: str                       required
    progress: int                     0..100
    estimated_time_remaining: int     seconds
    download_url: str
    file_size: int                    bytes
    duration: float                   seconds
    error_message: str
    error_code: str

All but the first two are optional and unknown fields are ignored. Its integers are
pydantic's: ``45.0`` passes, ``45.5`` is refused with 422, and a refused callback is lost
for that user. So :func:`callback_payload` sends ``progress``, ``file_size`` and the
remaining time as JSON integers (the time in whole seconds, rounded up: "1 s left" rather
than "0 s" while work remains), ``duration`` as a float, and leaves out fields that have no
value instead of sending ``null``. :class:`RenderCallback` is strict, so a value of the
wrong type fails here, in our tests, rather than at the backend.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

from server.service.jobs import JobSnapshot, whole_seconds


class RenderCallback(BaseModel):
    """One callback body, typed as the backend's model (strict: no silent conversions)."""

    model_config = ConfigDict(strict=True, frozen=True, extra="forbid")

    job_id: str
    status: str
    progress: int | None = None
    estimated_time_remaining: int | None = None
    download_url: str | None = None
    file_size: int | None = None
    duration: float | None = None
    error_message: str | None = None
    error_code: str | None = None


def callback_payload(snapshot: JobSnapshot) -> dict[str, Any]:
    """The JSON body of the callback that reports ``snapshot``."""
    callback = RenderCallback(
        job_id=snapshot.job_id,
        status=str(snapshot.status),
        progress=int(snapshot.progress),
        estimated_time_remaining=whole_seconds(snapshot.estimated_time_remaining),
        download_url=snapshot.download_url,
        file_size=None if snapshot.file_size is None else int(snapshot.file_size),
        duration=None if snapshot.duration is None else float(snapshot.duration),
        error_message=snapshot.error_message,
        error_code=snapshot.error_code,
    )
    return callback.model_dump(exclude_none=True)
