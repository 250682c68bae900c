"""The real ECG backend as a client (issue 13), in standalone and rq mode: its submit, cancel
and health calls made as it makes them (tests.contract.backend_client), its callback route as
strict as it is (tests.contract.backend_double)."""

from __future__ import annotations

import json
import logging
import time
import uuid
from typing import Any

import httpx
import pytest

from tests.contract import backend_client
from tests.contract.backend_double import TERMINAL, BackendDouble, Delivery
from tests.contract.conftest import RenderServer
from tests.server.conftest import SCENARIO, wait_until

BACKEND_OPTIONS = {"width": 1280, "height": 720, "fps": 30, "quality": 90, "format": "mp4"}
# Long enough that a callback sent before the answer arrives while it is held back.
ANSWER_DELAY_SECONDS = 2.0


def _job_id(name: str) -> str:
    return f"{name}-{uuid.uuid4()}"


def _request(
    backend: tuple[BackendDouble, str],
    media: str,
    video: str,
    job_id: str,
    options: dict[str, Any] | None = None,
) -> dict[str, Any]:
    return backend_client.render_request(
        job_id, f"{media}/{video}", SCENARIO, options or {}, backend[1]
    )


def _final(double: BackendDouble, job_id: str, timeout: float = 90) -> list[Delivery]:
    """The job's deliveries once a callback with a final status has been answered."""

    def ended() -> list[Delivery] | None:
        deliveries = double.deliveries_for(job_id)
        return deliveries if any(d.body.get("status") in TERMINAL for d in deliveries) else None

    return wait_until(ended, timeout, 0.05, f"the final callback of {job_id}")


def test_submit_answers_200_json(
    render_server: RenderServer, backend: tuple[BackendDouble, str], media: str
) -> None:
    """Only a 200 with a JSON content type is success for the backend; both of its body
    shapes (full options, and ``options: {}``) get it."""
    double = backend[0]
    for options in (BACKEND_OPTIONS, {}):
        job_id = _job_id("submit")
        body = _request(backend, media, "one-frame.mp4", job_id, options)
        answer = backend_client.start_render(double, render_server.url, body)
        assert (answer.status, answer.content_type) == (200, "application/json"), answer
        assert answer.body == {"job_id": job_id, "status": "queued"}
        deliveries = _final(double, job_id)
        assert double.row(job_id).status == "completed"
        assert [d.answer for d in deliveries] == [200] * len(deliveries)


@pytest.mark.parametrize(
    ("video", "outcome"), [("empty.mp4", "failed"), ("one-frame.mp4", "completed")]
)
def test_no_callback_before_the_answer(
    render_server: RenderServer,
    backend: tuple[BackendDouble, str],
    media: str,
    video: str,
    outcome: str,
) -> None:
    """However short the video, no callback leaves before the answer to the submit has been
    sent: the answer is held back 2 s here, while the job itself is done in a fraction of
    that. The backend then ends with the job's real final status (a callback that beat the
    answer would be overwritten by its ``processing`` mark)."""
    double = backend[0]
    job_id = _job_id("order")
    render_server.clock.delay_seconds = ANSWER_DELAY_SECONDS
    try:
        answer = backend_client.start_render(
            double, render_server.url, _request(backend, media, video, job_id)
        )
    finally:
        render_server.clock.delay_seconds = 0.0
    assert answer.status == 200, answer
    deliveries = _final(double, job_id)
    sent_at = render_server.clock.sent_at[job_id]
    early = [d.body for d in deliveries if d.at <= sent_at]
    assert not early, f"callbacks before the answer was sent: {early}"
    statuses = [d.body["status"] for d in deliveries]
    assert statuses[-1] == outcome and set(statuses[:-1]) == {"processing"}, statuses
    assert {d.answer for d in deliveries} == {200}
    row = double.row(job_id)
    assert row.status == outcome and row.statuses[0] == "processing"  # the backend's own mark
    if outcome == "failed":
        assert row.error_code == "INVALID_VIDEO" and "empty" in (row.error_message or "")


def test_whole_render_every_callback_accepted(
    render_server: RenderServer, backend: tuple[BackendDouble, str], media: str
) -> None:
    """A 2 s video (four segments in rq mode): every callback is accepted by the strict
    model, progress arrives in at least 10 steps, and the backend stores ``completed`` with a
    download URL that serves the file."""
    double = backend[0]
    job_id = _job_id("whole")
    body = _request(backend, media, "short.mp4", job_id, BACKEND_OPTIONS)
    assert backend_client.start_render(double, render_server.url, body).status == 200
    deliveries = _final(double, job_id)
    refused = [(d.answer, d.body) for d in deliveries if d.answer != 200]
    assert not refused, f"{len(refused)} of {len(deliveries)} callbacks refused: {refused}"
    bodies = [d.body for d in deliveries]
    progress = [b["progress"] for b in bodies if b["status"] == "processing"]
    assert len(progress) >= 10 and progress == sorted(set(progress)), progress
    for b in bodies:  # the JSON types themselves, not only what the model let through
        for name in ("progress", "estimated_time_remaining", "file_size"):
            assert name not in b or type(b[name]) is int, (name, b)
        assert None not in b.values(), b
    last = bodies[-1]
    assert last["status"] == "completed" and last["progress"] == 100
    assert type(last["duration"]) is float and last["duration"] == pytest.approx(2.0)
    row = double.row(job_id)
    assert (row.status, row.download_url) == ("completed", last["download_url"])
    if render_server.mode == "rq":  # the segments' progress went through the same payload
        record = render_server.store.get(job_id)
        assert record is not None and len(json.loads(record.data["plan"])["segments"]) == 4
    download = httpx.get(last["download_url"], timeout=30)
    assert download.status_code == 200 and len(download.content) == last["file_size"]


def test_terminal_500_gets_three_tries_and_one_logged_give_up(
    render_server: RenderServer,
    backend: tuple[BackendDouble, str],
    media: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The backend's terminal handler answers 500 after storing the status: three tries,
    then one WARNING line with the job id and the last answer; the job stays completed."""
    double = backend[0]
    double.fail_terminal_after_store = True
    job_id = _job_id("terminal-500")
    body = _request(backend, media, "one-frame.mp4", job_id)
    with caplog.at_level(logging.WARNING, "ecg_render.callbacks"):
        assert backend_client.start_render(double, render_server.url, body).status == 200

        def terminal_tries() -> list[Delivery]:
            return [d for d in double.deliveries_for(job_id) if d.body["status"] in TERMINAL]

        wait_until(lambda: len(terminal_tries()) >= 3, 60, what="three terminal tries")
        # The test settings' backoff is at most 0.2 s: a fourth try would come well within this.
        time.sleep(2.0)
    assert [d.answer for d in terminal_tries()] == [500, 500, 500]
    assert double.row(job_id).status == "completed"
    give_ups = [r.getMessage() for r in caplog.records if job_id in r.getMessage()]
    assert len(give_ups) == 1, give_ups
    assert "given up after 3 tries" in give_ups[0]
    assert "last answer: HTTP 500" in give_ups[0] and "usage statistics" in give_ups[0]


def test_cancel_as_the_backend_does(
    render_server: RenderServer, backend: tuple[BackendDouble, str], media: str
) -> None:
    """The backend's cancel call stops a running render (200, a ``cancelled`` callback the
    backend accepts); cancelling a finished job answers 409."""
    double = backend[0]
    job_id = _job_id("cancel")
    options = BACKEND_OPTIONS | {"width": 1920, "height": 1080}
    body = _request(backend, media, "long.mp4", job_id, options)
    assert backend_client.start_render(double, render_server.url, body).status == 200
    wait_until(
        lambda: any(d.body["status"] == "processing" for d in double.deliveries_for(job_id)),
        60,
        what="the first callback",
    )
    answer = backend_client.cancel(render_server.url, job_id)
    assert answer.status == 200 and answer.body == {"job_id": job_id, "status": "cancelled"}
    deliveries = _final(double, job_id)
    assert double.row(job_id).status == "cancelled"
    assert deliveries[-1].body["status"] == "cancelled" and deliveries[-1].answer == 200

    finished = _job_id("finished")
    body = _request(backend, media, "one-frame.mp4", finished)
    assert backend_client.start_render(double, render_server.url, body).status == 200
    _final(double, finished)
    too_late = backend_client.cancel(render_server.url, finished)
    assert too_late.status == 409 and too_late.body["error_code"] == "NOT_CANCELLABLE"


def test_video_url_null_is_422_naming_the_field(
    render_server: RenderServer, backend: tuple[BackendDouble, str], media: str
) -> None:
    """The backend sometimes sends ``videoUrl: null``: it then stores a failed job with our
    message, which must name the field."""
    double = backend[0]
    job_id = _job_id("null-url")
    body = _request(backend, media, "one-frame.mp4", job_id) | {"videoUrl": None}
    answer = backend_client.start_render(double, render_server.url, body)
    assert (answer.status, answer.content_type) == (422, "application/json")
    assert answer.body["path"] == "videoUrl" and "videoUrl" in answer.body["detail"]
    assert double.row(job_id).status == "failed"
    assert double.deliveries_for(job_id) == []


def test_health_answers_200(render_server: RenderServer) -> None:
    assert backend_client.healthy(render_server.url)
