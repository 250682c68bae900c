"""Callback delivery: retries with jittered backoff, bounded by what the answer means,
never raising; the body the backend's model accepts."""

from __future__ import annotations

import logging
import random
import time

import httpx
import pytest

from server.service.callback_model import callback_payload
from server.service.callbacks import CallbackDispatcher, RetryPolicy, deliver
from server.service.jobs import JobSnapshot, JobStatus, MemoryJobStore
from tests.server.conftest import CallbackReceiver, free_port, wait_until

FAST = RetryPolicy(max_tries=4, timeout_seconds=1.0, backoff_seconds=0.02, backoff_max_seconds=0.05)


def test_backoff_is_exponential_with_full_jitter_and_capped() -> None:
    policy = RetryPolicy(max_tries=6, backoff_seconds=0.5, backoff_max_seconds=4.0)
    delays = list(policy.delays(random.Random(1)))
    assert len(delays) == 5
    for attempt, delay in enumerate(delays):
        assert 0 <= delay <= min(4.0, 0.5 * 2**attempt)


def test_retries_until_accepted(callback_receiver: CallbackReceiver) -> None:
    callback_receiver.fail_first["retry-1"] = 2
    with httpx.Client() as client:
        assert deliver(client, callback_receiver.url, {"job_id": "retry-1"}, FAST)
    assert callback_receiver.attempts["retry-1"] == 3
    assert callback_receiver.for_job("retry-1") == [{"job_id": "retry-1"}]


def test_gives_up_after_max_tries(callback_receiver: CallbackReceiver) -> None:
    callback_receiver.fail_first["retry-2"] = 10
    with httpx.Client() as client:
        assert not deliver(client, callback_receiver.url, {"job_id": "retry-2"}, FAST)
    assert callback_receiver.attempts["retry-2"] == FAST.max_tries


def test_unreachable_endpoint_fails_fast_and_quietly(caplog: pytest.LogCaptureFixture) -> None:
    url = f"http://127.0.0.1:{free_port()}/nobody"
    started = time.monotonic()
    with caplog.at_level(logging.INFO, "ecg_render.callbacks"), httpx.Client() as client:
        assert not deliver(client, url, {"job_id": "x", "status": "completed"}, FAST)
    assert time.monotonic() - started < 2.0
    # A connection error keeps the full policy (the backend may be restarting).
    tries = [r for r in caplog.records if r.getMessage().startswith("callback try")]
    assert len(tries) == FAST.max_tries - 1
    (give_up,) = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert give_up.getMessage().startswith("callback completed for job x given up after 4 tries")
    assert "ConnectError" in give_up.getMessage()


@pytest.mark.parametrize(
    ("status", "tries"),
    [
        (502, 6),
        (503, 6),
        (504, 6),
        (429, 6),
        (408, 6),
        (425, 6),
        (500, 3),
        (501, 3),
        (507, 3),
        (404, 1),
        (422, 1),
        (400, 1),
        (301, 1),
    ],
)
def test_retries_by_answer(
    status: int, tries: int, callback_receiver: CallbackReceiver, caplog: pytest.LogCaptureFixture
) -> None:
    """Busy or restarting (502/503/504, 429, 408, 425): the full policy; any other 5xx: at
    most 3 tries; anything else not 2xx: final. One give-up line with the last answer."""
    job_id = f"answer-{status}"
    callback_receiver.fail_first[job_id] = 100
    callback_receiver.fail_status[job_id] = status
    policy = RetryPolicy(6, 1.0, 0.01, 0.02)
    with caplog.at_level(logging.WARNING, "ecg_render.callbacks"), httpx.Client() as client:
        assert not deliver(client, callback_receiver.url, {"job_id": job_id}, policy)
    assert callback_receiver.attempts[job_id] == tries
    (give_up,) = caplog.records
    assert f"for job {job_id} given up after {tries} tr" in give_up.getMessage()
    assert give_up.getMessage().endswith(f"last answer: HTTP {status}")


def test_other_5xx_count_across_busy_answers(callback_receiver: CallbackReceiver) -> None:
    """503, then 500s: the 500s alone are bounded by 3, whatever came before them."""
    job_id = "mixed-5xx"
    callback_receiver.fail_first[job_id] = 2
    with httpx.Client() as client:
        assert deliver(client, callback_receiver.url, {"job_id": job_id}, FAST)
    callback_receiver.fail_first[job_id] = 100
    callback_receiver.fail_status[job_id] = 500
    with httpx.Client() as client:
        assert not deliver(client, callback_receiver.url, {"job_id": job_id}, FAST)
    assert callback_receiver.attempts[job_id] == 3 + 3


def test_payload_has_the_backends_types_and_no_nulls() -> None:
    """Whole seconds rounded up, integers as JSON integers, a float duration, no null."""
    snapshot = JobSnapshot("p-1", JobStatus.PROCESSING, 45, estimated_time_remaining=12)
    assert callback_payload(snapshot) == {
        "job_id": "p-1",
        "status": "processing",
        "progress": 45,
        "estimated_time_remaining": 12,
    }
    done = JobSnapshot("p-1", JobStatus.COMPLETED, 100, 0, "http://dl/p-1.mp4", 1234, 2)
    payload = callback_payload(done)
    assert payload == {
        "job_id": "p-1",
        "status": "completed",
        "progress": 100,
        "estimated_time_remaining": 0,
        "download_url": "http://dl/p-1.mp4",
        "file_size": 1234,
        "duration": 2.0,
    }
    assert isinstance(payload["duration"], float)
    # A snapshot read back from an older record that stored a fractional ETA.
    legacy = JobSnapshot.from_payload(
        {"job_id": "p-1", "status": "processing", "progress": 5, "estimated_time_remaining": 12.1}
    )
    assert callback_payload(legacy)["estimated_time_remaining"] == 13


def test_dispatcher_delivers_each_jobs_events_in_order(callback_receiver: CallbackReceiver) -> None:
    store = MemoryJobStore()
    dispatcher = CallbackDispatcher(store, FAST)
    dispatcher.start()
    try:
        store.create("order-1", {}, callback_receiver.url)
        store.start("order-1")
        store.set_frames_total("order-1", 10)
        callback_receiver.fail_first["order-1"] = 1  # the first delivery needs a retry
        for done in range(1, 11):
            store.report_frames("order-1", 0, done, 1, 30.0)
        store.claim_publish("order-1")
        store.complete("order-1", "http://dl", 1, 1.0)
        calls = wait_until(
            lambda: (
                (c := callback_receiver.for_job("order-1")) and c[-1]["status"] == "completed" and c
            ),
            10,
            what="callbacks",
        )
    finally:
        dispatcher.stop()
    statuses = [c["status"] for c in calls]
    assert statuses[0] == str(JobStatus.PROCESSING) and statuses[-1] == "completed"
    progress = [c["progress"] for c in calls]
    assert progress == sorted(progress)
    assert len(calls) == 1 + 9 + 1  # start, one per 10 % step up to 95 %, the end
