"""Callback delivery: retries with jittered backoff, bounded, never raising."""

from __future__ import annotations

import random
import time

import httpx

from server.service.callbacks import CallbackDispatcher, RetryPolicy, deliver
from server.service.jobs import JobStatus, MemoryJobStore
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


def test_unreachable_endpoint_fails_fast_and_quietly() -> None:
    url = f"http://127.0.0.1:{free_port()}/nobody"
    started = time.monotonic()
    with httpx.Client() as client:
        assert not deliver(client, url, {"job_id": "x"}, FAST)
    assert time.monotonic() - started < 2.0


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
