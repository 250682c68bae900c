"""rq mode end to end: redis-server, two real `ecg-render worker` processes, the API on
uvicorn, segmented renders joined by a merge job, cancel, and S3 (moto) for input and output."""

from __future__ import annotations

import contextlib
import json
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import httpx
import pytest

from engine.overlay import ScenarioOverlay
from engine.pipeline import render_video
from engine.video_options import VideoOptions
from motiontext.parse import load_scenario
from server.service.redis_store import RedisJobStore
from server.service.settings import Settings
from tests.engine.clips import RATE_CLIPS
from tests.server.conftest import (
    SCENARIO,
    CallbackReceiver,
    ServerThread,
    Workers,
    as_callback,
    free_port,
    make_bucket,
    make_settings,
    post_render,
    running_app,
    video_facts,
    wait_callbacks,
    wait_final,
    wait_until,
)


@dataclass
class RqService:
    server: ServerThread
    settings: Settings
    workers: Workers
    store: RedisJobStore

    def plan_size(self, job_id: str) -> int:
        record = self.store.get(job_id)
        assert record is not None
        return len(json.loads(record.data["plan"])["segments"])


@contextlib.contextmanager
def rq_service(tmp: Path, redis_url: str, **overrides: Any) -> Iterator[RqService]:
    import redis

    port = free_port()
    settings = make_settings(
        tmp,
        mode="rq",
        redis_url=redis_url,
        segment_seconds=0.5,
        public_base_url=f"http://127.0.0.1:{port}",
        **overrides,
    )
    connection = redis.Redis.from_url(redis_url)
    store = RedisJobStore(connection, settings.redis_prefix, settings.job_ttl_seconds)
    try:
        with Workers(settings, 2, tmp) as workers, running_app(settings, port) as server:
            try:
                yield RqService(server, settings, workers, store)
            except BaseException:
                print(workers.output())
                raise
    finally:
        for key in connection.scan_iter(f"{settings.redis_prefix}:*"):
            connection.delete(key)
        connection.close()


@pytest.fixture(scope="module")
def local_rq(tmp_path_factory: pytest.TempPathFactory, redis_url: str) -> Iterator[RqService]:
    with rq_service(tmp_path_factory.mktemp("rq-local"), redis_url) as service:
        yield service


@pytest.fixture()
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=30) as http:
        yield http


def _single_render(source: str, tmp_path: Path, fps: Fraction | None = None) -> Path:
    """The reference: the same scenario and options rendered in one pipeline call."""
    out = tmp_path / "reference.mp4"
    scenario = load_scenario(SCENARIO)
    render_video(
        source,
        out,
        lambda w, h: ScenarioOverlay(scenario, w, h, 30.0),
        VideoOptions(encoder="libx264", fps=fps),
    )
    return out


def _check_callbacks(calls: list[dict[str, Any]], final: dict[str, Any]) -> None:
    assert calls[0]["status"] == "processing"
    assert [c["status"] for c in calls[:-1]] == ["processing"] * (len(calls) - 1)
    progress = [c["progress"] for c in calls]
    assert progress == sorted(progress)
    assert calls[-1] == as_callback(final)


def test_segmented_render_equals_single_render(
    local_rq: RqService,
    client: httpx.Client,
    clip_server: str,
    callback_receiver: CallbackReceiver,
    clips: dict[str, Path],
    tmp_path: Path,
) -> None:
    base = local_rq.server.url
    body = {
        "jobId": "rq-seg",
        "videoUrl": f"{clip_server}/short.mp4",
        "scenario": SCENARIO,
        "callbackUrl": callback_receiver.url,
    }
    assert post_render(client, base, body) == {"job_id": "rq-seg", "status": "queued"}
    final = wait_final(client, base, "rq-seg", timeout=90)
    assert final["status"] == "completed", (final, local_rq.workers.output())
    assert local_rq.plan_size("rq-seg") == 4  # keyframes every 0.5 s, SEGMENT_SECONDS=0.5
    _check_callbacks(wait_callbacks(callback_receiver, "rq-seg"), final)

    downloaded = tmp_path / "rq-seg.mp4"
    downloaded.write_bytes(client.get(final["download_url"]).content)
    assert downloaded.stat().st_size == final["file_size"]
    merged = video_facts(downloaded)
    reference = video_facts(_single_render(str(clips["short.mp4"]), tmp_path))
    assert len(merged.frame_pts_seconds) == len(reference.frame_pts_seconds) == 60
    assert merged.frame_pts_seconds == reference.frame_pts_seconds
    assert merged.audio_packets == reference.audio_packets > 0
    assert final["duration"] == pytest.approx(2.0)
    # Work files (the rendered pieces) are gone once merged.
    assert not any((local_rq.settings.storage_dir / "work").glob("rq-seg*/*"))


@pytest.mark.parametrize("name", sorted(RATE_CLIPS))
def test_segments_keep_the_source_timing(
    name: str,
    local_rq: RqService,
    client: httpx.Client,
    clip_server: str,
    clips: dict[str, Path],
    tmp_path: Path,
) -> None:
    """``options: {}`` in rq mode: 25 fps, NTSC and VFR sources are cut into pieces, and the
    merged file has the source's frames and timestamps, as a single render."""
    base = local_rq.server.url
    job_id = f"rq-keep-{name.removesuffix('.mp4')}"
    body = {"job_id": job_id, "video_url": f"{clip_server}/{name}", "scenario": SCENARIO}
    post_render(client, base, body | {"options": {}})
    final = wait_final(client, base, job_id, timeout=90)
    assert final["status"] == "completed", (final, local_rq.workers.output())
    assert local_rq.plan_size(job_id) == 2  # 1.2 s, SEGMENT_SECONDS=0.5: cut near 0.5 s
    downloaded = tmp_path / f"{job_id}.mp4"
    downloaded.write_bytes(client.get(final["download_url"]).content)
    merged = video_facts(downloaded)
    reference = video_facts(_single_render(str(clips[name]), tmp_path))
    assert merged.frame_pts_seconds == reference.frame_pts_seconds
    assert merged.frame_pts_seconds == video_facts(clips[name]).frame_pts_seconds
    assert merged.audio_packets == reference.audio_packets > 0


def test_uncuttable_video_runs_as_one_job(
    local_rq: RqService, client: httpx.Client, clip_server: str, tmp_path: Path
) -> None:
    base = local_rq.server.url
    body = {
        "job_id": "rq-one",
        "video_url": f"{clip_server}/one-gop.mp4",
        "scenario": SCENARIO,
        "options": {"width": 480, "height": 360, "format": "webm"},
    }
    post_render(client, base, body)
    final = wait_final(client, base, "rq-one", timeout=90)
    assert final["status"] == "completed", (final["error_message"], local_rq.workers.output())
    assert local_rq.plan_size("rq-one") == 1
    downloaded = tmp_path / "rq-one.webm"
    downloaded.write_bytes(client.get(final["download_url"]).content)
    facts = video_facts(downloaded)
    assert (facts.width, facts.height) == (480, 360) and len(facts.frame_pts_seconds) == 30


def test_cancel_stops_every_piece(
    local_rq: RqService,
    client: httpx.Client,
    clip_server: str,
    callback_receiver: CallbackReceiver,
) -> None:
    import redis
    from rq import Queue

    base = local_rq.server.url
    body = {
        "job_id": "rq-cancel",
        "video_url": f"{clip_server}/long.mp4",
        "scenario": SCENARIO,
        "callback_url": callback_receiver.url,
        "options": {"width": 1920, "height": 1080},
    }
    post_render(client, base, body)
    status_url = f"{base}/api/render/rq-cancel/status"
    wait_until(lambda: client.get(status_url).json()["progress"] > 0, 60, what="progress")
    started = time.monotonic()
    response = client.post(f"{base}/api/render/rq-cancel/cancel")
    assert response.status_code == 200 and response.json()["status"] == "cancelled"
    connection = redis.Redis.from_url(local_rq.settings.redis_url)
    queue = Queue(local_rq.settings.queue_name, connection=connection)
    try:
        wait_until(
            lambda: queue.started_job_registry.count == 0 and queue.count == 0,
            2.0,
            what="running pieces to stop",
        )
    finally:
        connection.close()
    assert time.monotonic() - started < 2.0
    calls = wait_callbacks(callback_receiver, "rq-cancel")
    assert calls[-1]["status"] == "cancelled"
    time.sleep(0.5)
    assert client.get(status_url).json()["status"] == "cancelled"
    assert not list(local_rq.settings.public_dir.glob("rq-cancel*"))


def test_health_and_queue_in_rq_mode(local_rq: RqService, client: httpx.Client) -> None:
    health = client.get(f"{local_rq.server.url}/health").json()
    assert health["status"] == "ok", health
    assert health["mode"] == "rq" and health["redis"] == {"ok": True}
    assert health["workers"] == 2 and health["encoders"]["libx264"] is True
    queue = client.get(f"{local_rq.server.url}/queue/status").json()
    assert queue["mode"] == "rq" and len(queue["workers"]) == 2
    assert queue["workers"][0]["capabilities"]["encoders"]["libx264"] is True
    assert {"queued", "started", "finished", "failed"} <= set(queue)
    metrics = client.get(f"{local_rq.server.url}/metrics").text
    assert "ecg_render_workers 2.0" in metrics


def test_s3_input_and_output(
    tmp_path_factory: pytest.TempPathFactory,
    redis_url: str,
    s3_endpoint: str,
    client: httpx.Client,
    clips: dict[str, Path],
    callback_receiver: CallbackReceiver,
    tmp_path: Path,
) -> None:
    bucket = f"ecg-{uuid.uuid4().hex[:10]}"
    s3 = make_bucket(s3_endpoint, bucket)
    s3.upload_file(str(clips["short.mp4"]), bucket, "inputs/short.mp4")
    tmp = tmp_path_factory.mktemp("rq-s3")
    with rq_service(
        tmp,
        redis_url,
        storage="s3",
        s3_bucket=bucket,
        s3_prefix="out/",
        s3_endpoint_url=s3_endpoint,
    ) as service:
        body = {
            "job_id": "rq-s3",
            "video_url": f"s3://{bucket}/inputs/short.mp4",
            "scenario": SCENARIO,
            "callback_url": callback_receiver.url,
        }
        post_render(client, service.server.url, body)
        final = wait_final(client, service.server.url, "rq-s3", timeout=90)
        assert final["status"] == "completed", (final, service.workers.output())
        assert service.plan_size("rq-s3") == 4
    assert final["download_url"].startswith(f"{s3_endpoint}/{bucket}/out/rq-s3.mp4?")
    _check_callbacks(wait_callbacks(callback_receiver, "rq-s3"), final)
    downloaded = tmp_path / "rq-s3.mp4"
    downloaded.write_bytes(httpx.get(final["download_url"]).content)
    facts = video_facts(downloaded)
    assert len(facts.frame_pts_seconds) == 60 and facts.audio_packets > 0
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", [])]
    assert sorted(keys) == ["inputs/short.mp4", "out/rq-s3.mp4"]  # no work files left
