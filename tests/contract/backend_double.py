"""A double of the ECG backend's callback side, as strict as the real one.

What it copies (measured against the backend's own callback route, issue 13):

* ``POST /api/render/callback`` validates the body with the backend's pydantic model
  :class:`GPURenderCallback`: ``job_id`` and ``status`` required, the rest optional, unknown
  fields ignored, integers as pydantic's (``45.0`` passes, ``45.5`` is refused with 422;
  camelCase ``jobId`` is refused with 422, since ``job_id`` is then missing);
* an unknown job id answers 404; success answers 200 ``{"status": "received"}``;
* its terminal-callback handler can answer 500 *after* it has stored the status
  (``fail_terminal_after_store``), as the real one does for jobs that belong to a user;
* the job row: created by the backend before it submits, marked ``processing`` only once it
  has read a 200 JSON answer to the submit (see tests.contract.backend_client), then set by
  each accepted callback. A callback that arrives before that mark is overwritten by it.

Every delivery is recorded (arrival time, body, answer status), refused ones included.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI, HTTPException
from pydantic import BaseModel

TERMINAL = ("completed", "failed", "cancelled")


class GPURenderCallback(BaseModel):
    """The backend's callback model, field for field (pydantic defaults: lax, extra ignored)."""

    job_id: str
    status: str
    progress: int | None = None
    estimated_time_remaining: int | None = None
    download_url: str | None = None
    file_size: int | None = None
    duration: float | None = None
    error_message: str | None = None
    error_code: str | None = None


@dataclass
class JobRow:
    """The backend's record of one render job."""

    status: str = "pending"
    progress: int = 0
    download_url: str | None = None
    error_code: str | None = None
    error_message: str | None = None
    statuses: list[str] = field(default_factory=list)  # every status written, in order


@dataclass(frozen=True)
class Delivery:
    """One callback POST as it arrived: ``at`` is time.monotonic() on arrival."""

    at: float
    body: Any
    answer: int


@dataclass
class BackendDouble:
    jobs: dict[str, JobRow] = field(default_factory=dict)
    deliveries: list[Delivery] = field(default_factory=list)
    fail_terminal_after_store: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add_job(self, job_id: str) -> None:
        with self.lock:
            self.jobs[job_id] = JobRow()

    def set_status(self, job_id: str, status: str, **values: Any) -> None:
        with self.lock:
            row = self.jobs[job_id]
            row.status = status
            row.statuses.append(status)
            for name, value in values.items():
                setattr(row, name, value)

    def row(self, job_id: str) -> JobRow:
        with self.lock:
            return self.jobs[job_id]

    def deliveries_for(self, job_id: str) -> list[Delivery]:
        with self.lock:
            return [
                d
                for d in self.deliveries
                if isinstance(d.body, dict) and d.body.get("job_id", d.body.get("jobId")) == job_id
            ]


def backend_app(double: BackendDouble) -> Any:
    """The double's ASGI app: the callback route, wrapped by a recorder of every delivery."""
    app = FastAPI()

    @app.post("/api/render/callback")
    def render_callback(callback: GPURenderCallback) -> dict[str, str]:
        if callback.job_id not in double.jobs:
            raise HTTPException(404, f"job {callback.job_id} not found")
        values = {
            name: getattr(callback, name)
            for name in ("progress", "download_url", "error_code", "error_message")
            if getattr(callback, name) is not None
        }
        double.set_status(callback.job_id, callback.status, **values)
        if callback.status in TERMINAL and double.fail_terminal_after_store:
            raise HTTPException(500, "usage statistics update failed")
        return {"status": "received"}

    return _Recorder(app, double)


class _Recorder:
    """ASGI wrapper: records each POST's body and the status the app answered."""

    def __init__(self, app: Any, double: BackendDouble):
        self.app, self.double = app, double

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        arrived = time.monotonic()
        chunks: list[bytes] = []
        answer: list[int] = []

        async def recording_receive() -> dict[str, Any]:
            message = await receive()
            chunks.append(message.get("body", b""))
            return message

        async def recording_send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                answer.append(message["status"])
            await send(message)

        try:
            await self.app(scope, recording_receive, recording_send)
        finally:
            raw = b"".join(chunks)
            try:
                body: Any = json.loads(raw)
            except ValueError:
                body = raw.decode("utf-8", "replace")
            with self.double.lock:
                self.double.deliveries.append(Delivery(arrived, body, answer[0] if answer else 0))
