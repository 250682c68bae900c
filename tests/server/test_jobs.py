"""Job stores (memory and Redis) share one state machine, progress rule and event order."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from server.service.jobs import JobStatus, JobStore, MemoryJobStore

REQUEST = {"video_url": "http://x/v.mp4", "scenario": {"version": "2.0"}, "options": {}}


@pytest.fixture(params=["memory", "redis"])
def store(request: pytest.FixtureRequest) -> Iterator[JobStore]:
    if request.param == "memory":
        yield MemoryJobStore()
        return
    import redis

    from server.service.redis_store import RedisJobStore

    connection = redis.Redis.from_url(request.getfixturevalue("redis_url"))
    prefix = f"ecgtest-{uuid.uuid4().hex[:8]}"
    yield RedisJobStore(connection, prefix, ttl_seconds=60)
    for key in connection.scan_iter(f"{prefix}:*"):
        connection.delete(key)
    connection.close()


def test_create_is_idempotent(store: JobStore) -> None:
    assert store.create("a", REQUEST, "http://cb")
    assert not store.create("a", {"other": 1}, None)
    record = store.get("a")
    assert record is not None
    assert record.status is JobStatus.QUEUED and record.request == REQUEST
    assert record.callback_url == "http://cb"
    assert store.get("missing") is None


def test_full_life_emits_start_steps_and_end_in_order(store: JobStore) -> None:
    store.create("a", REQUEST, "http://cb")
    assert store.start("a") and store.start("a")  # a retried job may start twice
    store.set_frames_total("a", 100)
    progresses = [store.report_frames("a", 0, n, 10, 50.0) for n in range(10, 101, 10)]
    assert progresses == sorted(progresses) and progresses[-1] == 95
    assert store.report_frames("a", 0, 5, 0, 50.0) == 95  # never goes back
    assert store.claim_publish("a") and not store.claim_publish("a")
    assert store.cancel("a") is JobStatus.PROCESSING  # too late once publishing
    assert store.complete("a", "http://dl/a.mp4", 1234, 2.0)
    assert not store.fail("a", "X", "late")  # final states are final
    events = store.pop_events("a")
    assert next(e.status for e in events) is JobStatus.PROCESSING
    assert events[-1].status is JobStatus.COMPLETED
    assert events[-1].payload() == {
        "job_id": "a",
        "status": "completed",
        "progress": 100,
        "estimated_time_remaining": 0.0,
        "download_url": "http://dl/a.mp4",
        "file_size": 1234,
        "duration": 2.0,
        "error_message": None,
        "error_code": None,
    }
    steps = [e.progress // 10 for e in events[1:-1]]
    assert steps == sorted(set(steps)) == list(range(1, 10))
    assert store.pop_events("a") == [] and store.pending_callback_jobs() == []
    stats = store.stats()
    assert stats.jobs_by_status["completed"] == 1 and stats.frames_rendered == 100


def test_parts_add_up(store: JobStore) -> None:
    store.create("a", REQUEST, None)
    store.start("a")
    store.set_frames_total("a", 200)
    store.report_frames("a", 0, 100, 100, 10.0)
    assert store.report_frames("a", 1, 100, 100, 10.0) == 95
    assert store.get("a").snapshot.estimated_time_remaining == 0.0  # type: ignore[union-attr]
    assert store.pop_events("a") == []  # no callback_url, no events


def test_cancel_and_fail_rules(store: JobStore) -> None:
    store.create("q", REQUEST, "http://cb")
    assert store.cancel("q") is JobStatus.CANCELLED
    assert not store.start("q")
    assert store.report_frames("q", 0, 1, 1, 1.0) is None
    assert store.cancel("q") is JobStatus.CANCELLED
    assert store.cancel("nope") is None
    store.create("f", REQUEST, None)
    store.start("f")
    assert store.fail("f", "INVALID_VIDEO", "not a video")
    snap = store.get("f").snapshot  # type: ignore[union-attr]
    assert (snap.status, snap.error_code, snap.error_message) == (
        JobStatus.FAILED,
        "INVALID_VIDEO",
        "not a video",
    )
    assert store.cancel("f") is JobStatus.FAILED
    [event] = store.pop_events("q")
    assert event.status is JobStatus.CANCELLED and event.error_code == "CANCELLED"


def test_data_fields(store: JobStore) -> None:
    store.create("a", REQUEST, None)
    store.put_data("a", "plan", '{"x": 1}')
    assert store.get("a").data == {"plan": '{"x": 1}'}  # type: ignore[union-attr]


def test_callback_lease_has_one_owner(store: JobStore) -> None:
    assert store.acquire_callback_lease("a", "one", 5)
    if isinstance(store, MemoryJobStore):
        return  # one process: nothing to share
    assert not store.acquire_callback_lease("a", "two", 5)
    store.release_callback_lease("a", "two")  # not the owner: no effect
    assert not store.acquire_callback_lease("a", "two", 5)
    store.release_callback_lease("a", "one")
    assert store.acquire_callback_lease("a", "two", 5)
