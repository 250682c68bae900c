"""The API end to end in standalone mode: uvicorn on loopback, a static server for clips, a
callback receiver; renders run in the API process."""

from __future__ import annotations

import copy
import io
import time
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.engine.clips import RATE_CLIPS
from tests.server.conftest import (
    SCENARIO,
    CallbackReceiver,
    ServerThread,
    as_callback,
    free_port,
    make_settings,
    post_render,
    running_app,
    video_facts,
    wait_callbacks,
    wait_final,
    wait_until,
)


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ServerThread, Path]]:
    tmp = tmp_path_factory.mktemp("standalone")
    port = free_port()
    settings = make_settings(tmp, public_base_url=f"http://127.0.0.1:{port}", max_concurrent_jobs=2)
    with running_app(settings, port) as server:
        yield server, settings.public_dir


@pytest.fixture()
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=30) as http:
        yield http


def _body(
    shape: str,
    job_id: str,
    video_url: str,
    callback_url: str | None,
    options: dict[str, Any] | None = None,
) -> dict[str, Any]:
    names = (
        ("jobId", "videoUrl", "callbackUrl")
        if shape == "camel"
        else ("job_id", "video_url", "callback_url")
    )
    body: dict[str, Any] = {names[0]: job_id, names[1]: video_url, "scenario": SCENARIO}
    if callback_url:
        body[names[2]] = callback_url
    if options is not None:
        body["options"] = options
    return body


@pytest.mark.parametrize("shape", ["snake", "camel"])
def test_render_end_to_end(
    shape: str,
    service: tuple[ServerThread, Path],
    client: httpx.Client,
    clip_server: str,
    callback_receiver: CallbackReceiver,
    tmp_path: Path,
) -> None:
    server, _ = service
    job_id = f"e2e-{shape}"
    body = _body(shape, job_id, f"{clip_server}/short.mp4", callback_receiver.url)
    assert post_render(client, server.url, body) == {"job_id": job_id, "status": "queued"}

    status = wait_final(client, server.url, job_id)
    assert status["status"] == "completed", status
    assert status["progress"] == 100 and status["error_code"] is None
    assert status["duration"] == pytest.approx(2.0)

    calls = wait_callbacks(callback_receiver, job_id)
    # Fields without a value are left out (server.service.callback_model), never null.
    assert calls[0] == {"job_id": job_id, "status": "processing", "progress": 0}
    assert calls[0]["status"] == "processing" and calls[0]["progress"] == 0
    assert [c["status"] for c in calls[1:-1]] == ["processing"] * (len(calls) - 2)
    progress = [c["progress"] for c in calls]
    assert progress == sorted(progress)
    assert {p // 10 for p in progress[:-1]} == set(range(10))  # a callback in every 10 % step
    assert calls[-1] == as_callback(status)

    response = client.get(status["download_url"])
    assert response.status_code == 200 and len(response.content) == status["file_size"]
    downloaded = tmp_path / f"{job_id}.mp4"
    downloaded.write_bytes(response.content)
    facts = video_facts(downloaded)
    assert (facts.width, facts.height) == (640, 360)  # no size asked: the source size
    assert len(facts.frame_pts_seconds) == 60 and facts.audio_packets > 0


def test_options_size_format_and_duplicate_job_id(
    service: tuple[ServerThread, Path],
    client: httpx.Client,
    clip_server: str,
    callback_receiver: CallbackReceiver,
) -> None:
    server, public = service
    options = {"width": 480, "height": 360, "fps": 15, "quality": 50, "format": "mov"}
    body = _body("snake", "opts-1", f"{clip_server}/short.mp4", callback_receiver.url, options)
    post_render(client, server.url, body)
    again = post_render(client, server.url, body)  # same job_id: not run twice
    assert again["job_id"] == "opts-1"
    status = wait_final(client, server.url, "opts-1")
    assert status["status"] == "completed", status
    assert status["download_url"].endswith("/files/opts-1.mov")
    facts = video_facts(public / "opts-1.mov")
    assert (facts.width, facts.height) == (480, 360)
    assert len(facts.frame_pts_seconds) == 30  # 2 s at 15 fps
    calls = wait_callbacks(callback_receiver, "opts-1")
    assert [c["status"] for c in calls].count("processing") >= 1
    assert [c["status"] for c in calls].count("completed") == 1
    assert post_render(client, server.url, body)["status"] == "completed"
    too_late = client.post(f"{server.url}/api/render/opts-1/cancel")
    assert too_late.status_code == 409 and too_late.json()["error_code"] == "NOT_CANCELLABLE"


@pytest.mark.parametrize("name", sorted(RATE_CLIPS))
def test_options_without_fps_keep_the_source_timing(
    name: str,
    service: tuple[ServerThread, Path],
    client: httpx.Client,
    clip_server: str,
    clips: dict[str, Path],
) -> None:
    """``options: {}`` (what the backend sends when the user picked nothing): the source's
    frames and timestamps, 25 fps, NTSC and variable rates alike."""
    server, public = service
    job_id = f"keep-{name.removesuffix('.mp4')}"
    post_render(client, server.url, _body("snake", job_id, f"{clip_server}/{name}", None, {}))
    status = wait_final(client, server.url, job_id)
    assert status["status"] == "completed", status
    facts, source = video_facts(public / f"{job_id}.mp4"), video_facts(clips[name])
    assert facts.frame_pts_seconds == source.frame_pts_seconds
    assert len(facts.frame_pts_seconds) == {"25fps.mp4": 30, "ntsc.mp4": 36, "vfr.mp4": 30}[name]


@pytest.mark.parametrize(
    ("fps", "step"),
    [(30, Fraction(1, 30)), ("30000/1001", Fraction(1001, 30000)), (29.97, Fraction(1001, 30000))],
    ids=["30", "fraction", "decimal"],
)
def test_fps_resamples_exactly(
    fps: Any,
    step: Fraction,
    service: tuple[ServerThread, Path],
    client: httpx.Client,
    clip_server: str,
) -> None:
    """A 25 fps source asked for 30 fps comes out at 30; fractional rates are exact."""
    server, public = service
    job_id = f"rate-{step.denominator}-{type(fps).__name__}"
    body = _body("snake", job_id, f"{clip_server}/25fps.mp4", None, {"fps": fps})
    post_render(client, server.url, body)
    status = wait_final(client, server.url, job_id)
    assert status["status"] == "completed", status
    times = video_facts(public / f"{job_id}.mp4").frame_pts_seconds
    assert times == [k * step for k in range(36)]  # every frame of 1.2 s, on the exact grid
    preview = client.get(f"{server.url}/api/render/{job_id}/preview", params={"t": 1.0})
    assert preview.status_code == 200


def test_cancel_stops_within_two_seconds_and_publishes_nothing(
    service: tuple[ServerThread, Path],
    client: httpx.Client,
    clip_server: str,
    callback_receiver: CallbackReceiver,
) -> None:
    server, public = service
    options = {"width": 1920, "height": 1080}  # upscaled: several seconds of work
    body = _body("snake", "cancel-1", f"{clip_server}/long.mp4", callback_receiver.url, options)
    post_render(client, server.url, body)
    status_url = f"{server.url}/api/render/cancel-1/status"
    wait_until(lambda: client.get(status_url).json()["progress"] > 0, 30, what="progress")
    started = time.monotonic()
    response = client.post(f"{server.url}/api/render/cancel-1/cancel")
    assert response.json() == {"job_id": "cancel-1", "status": "cancelled"}
    calls = wait_callbacks(callback_receiver, "cancel-1")
    assert calls[-1]["status"] == "cancelled" and calls[-1]["error_code"] == "CANCELLED"
    # The render itself has stopped: the pool slot is free again within 2 s.
    queue_url = f"{server.url}/queue/status"
    wait_until(lambda: client.get(queue_url).json()["started"] == 0, 2.0, what="render stop")
    assert time.monotonic() - started < 2.0
    time.sleep(0.3)
    assert not list(public.glob("cancel-1*"))
    assert client.get(status_url).json()["status"] == "cancelled"
    assert client.post(f"{server.url}/api/render/cancel-1/cancel").status_code == 200  # idempotent
    assert client.post(f"{server.url}/api/render/nope/cancel").status_code == 404


def test_failures_are_reported_with_codes(
    service: tuple[ServerThread, Path],
    client: httpx.Client,
    clip_server: str,
    callback_receiver: CallbackReceiver,
) -> None:
    server, _ = service
    post_render(
        client,
        server.url,
        _body("snake", "fail-404", f"{clip_server}/missing.mp4", callback_receiver.url),
    )
    status = wait_final(client, server.url, "fail-404")
    assert status["status"] == "failed" and status["error_code"] == "DOWNLOAD_FAILED"
    assert wait_callbacks(callback_receiver, "fail-404")[-1]["error_code"] == "DOWNLOAD_FAILED"
    post_render(
        client, server.url, _body("snake", "fail-text", f"{clip_server}/../conftest.py", None)
    )
    status = wait_final(client, server.url, "fail-text")
    assert status["status"] == "failed"
    assert status["error_code"] in ("DOWNLOAD_FAILED", "INVALID_VIDEO")


def test_unreachable_callback_never_stalls_the_render(
    service: tuple[ServerThread, Path], client: httpx.Client, clip_server: str
) -> None:
    server, _ = service
    dead = f"http://127.0.0.1:{free_port()}/callback"
    started = time.monotonic()
    post_render(client, server.url, _body("snake", "dead-cb", f"{clip_server}/short.mp4", dead))
    assert wait_final(client, server.url, "dead-cb")["status"] == "completed"
    assert time.monotonic() - started < 20


def test_validation_at_the_door(
    service: tuple[ServerThread, Path], client: httpx.Client, clip_server: str
) -> None:
    server, _ = service
    url = f"{clip_server}/short.mp4"

    def post(body: dict[str, Any]) -> httpx.Response:
        return client.post(f"{server.url}/render", json=body)

    bad_scenario = copy.deepcopy(SCENARIO)
    del bad_scenario["cues"][0]["root"]["children"][1]["id"]
    response = post(_body("snake", "bad-1", url, None) | {"scenario": bad_scenario})
    assert response.status_code == 422
    assert response.json()["error_code"] == "INVALID_SCENARIO"
    assert response.json()["path"] == "scenario.cues[0].root.children[1].id"

    # No version and nothing of v2.0: v1.3 to the original's detector, so it is migrated first.
    response = post(_body("snake", "bad-2", url, None) | {"scenario": {"cues": []}})
    assert response.status_code == 422 and response.json()["path"] == "scenario.timebase"
    assert "migrated from v1.3" in response.json()["detail"]
    response = post(_body("snake", "bad-2", url, None) | {"scenario": {"version": "3.0"}})
    assert response.status_code == 422 and response.json()["path"] == "scenario.version"

    for job_id in ("../etc", "a/b", "x" * 129, "..", "", "sp ace"):
        response = post(_body("snake", job_id, url, None))
        assert response.status_code == 422, job_id
        assert response.json()["path"] == "job_id"

    for options, path in (
        ({"width": 100, "height": 100}, "options.width"),
        ({"width": 1920}, "options"),
        ({"fps": 0}, "options.fps"),
        ({"fps": 61}, "options.fps"),
        ({"fps": 0.5}, "options.fps"),
        ({"fps": "60001/1000"}, "options.fps"),
        ({"fps": "30 fps"}, "options.fps"),
        ({"quality": 5}, "options.quality"),
        ({"format": "avi"}, "options.format"),
        ({"width": 1921, "height": 1080}, "options"),
        ({"hostStyle": "editor"}, "options.hostStyle"),
        ({"host_style": "Bare"}, "options.host_style"),
    ):
        response = post(_body("snake", "bad-3", url, None, options))
        assert response.status_code == 422, options
        assert response.json()["path"] == path and response.json()["error_code"] == "INVALID_INPUT"

    response = post(_body("snake", "bad-4", "file:///etc/passwd", None))
    assert response.status_code == 422 and response.json()["path"] == "video_url"
    response = post(_body("snake", "bad-5", url, "ftp://x/cb"))
    assert response.status_code == 422 and response.json()["path"] == "callback_url"
    assert client.get(f"{server.url}/api/render/bad-1/status").status_code == 404


def test_preview_pngs(
    service: tuple[ServerThread, Path], client: httpx.Client, clip_server: str
) -> None:
    from PIL import Image

    server, _ = service
    post_render(
        client,
        server.url,
        _body("snake", "prev-1", f"{clip_server}/short.mp4", None, {"width": 640, "height": 360}),
    )
    response = client.get(f"{server.url}/api/render/prev-1/preview", params={"t": 1.0})
    assert response.status_code == 200 and response.headers["content-type"] == "image/png"
    image = Image.open(io.BytesIO(response.content))
    assert image.size == (640, 360) and image.mode == "RGBA"
    assert image.getchannel("A").getbbox() is not None  # captions are drawn
    empty = client.get(f"{server.url}/api/render/prev-1/preview", params={"t": 9.5})
    assert Image.open(io.BytesIO(empty.content)).getchannel("A").getbbox() is None
    posted = client.post(
        f"{server.url}/preview", json={"scenario": SCENARIO, "t": 0.5, "width": 320, "height": 180}
    )
    assert posted.status_code == 200
    assert Image.open(io.BytesIO(posted.content)).size == (320, 180)
    bad = client.post(f"{server.url}/preview", json={"scenario": {"version": "1.0"}})
    assert bad.status_code == 422 and bad.json()["error_code"] == "INVALID_SCENARIO"
    assert client.get(f"{server.url}/api/render/none/preview").status_code == 404


def test_host_style_and_missing_font_warnings(
    service: tuple[ServerThread, Path],
    client: httpx.Client,
    clip_server: str,
    callback_receiver: CallbackReceiver,
) -> None:
    """options.hostStyle picks the page the render imitates; families that are not
    installed are listed in the status's warnings (absent when there are none), while callbacks
    keep the backend's model."""
    server, _ = service
    scenario = copy.deepcopy(SCENARIO)
    scenario["tracks"][0]["defaultStyle"]["fontFamily"] = "Missing Display, Arial"
    body = _body(
        "camel",
        "editor-1",
        f"{clip_server}/short.mp4",
        callback_receiver.url,
        {"hostStyle": "ecg-editor", "width": 640, "height": 360},
    ) | {"scenario": scenario}
    post_render(client, server.url, body)
    status = wait_final(client, server.url, "editor-1")
    assert status["status"] == "completed", status
    assert len(status["warnings"]) == 1
    assert status["warnings"][0].startswith('font family "Missing Display" is not installed')
    calls = wait_callbacks(callback_receiver, "editor-1")
    assert calls and all("warnings" not in call for call in calls)
    plain = _body("snake", "plain-1", f"{clip_server}/short.mp4", None)
    post_render(client, server.url, plain)
    assert "warnings" not in wait_final(client, server.url, "plain-1")  # the snapshot exactly

    def preview(host_style: str) -> tuple[int, int, int, int]:
        from PIL import Image

        body = {"scenario": SCENARIO, "t": 1.0, "width": 640, "height": 360}
        response = client.post(f"{server.url}/preview", json=body | {"hostStyle": host_style})
        assert response.status_code == 200
        return Image.open(io.BytesIO(response.content)).getchannel("A").getbbox()

    # The editor's line-height 1.6 makes the caption box taller than on the bare page.
    bare, editor = preview("bare"), preview("ecg-editor")
    assert editor[3] - editor[1] > bare[3] - bare[1]


def test_health_queue_metrics(service: tuple[ServerThread, Path], client: httpx.Client) -> None:
    server, _ = service
    health = client.get(f"{server.url}/health").json()
    assert health["status"] == "ok", health
    assert health["encoders"]["libx264"] is True
    assert health["nvenc"] in (True, False) and health["redis"] is None
    assert health["workers"] == 2 and health["disk"]["free_mb"] > 0
    queue = client.get(f"{server.url}/queue/status").json()
    assert queue["mode"] == "standalone"
    assert {"queued", "started", "finished", "failed", "workers"} <= set(queue)
    metrics = client.get(f"{server.url}/metrics")
    assert metrics.status_code == 200
    for name in (
        "ecg_render_jobs_total",
        "ecg_render_frames_total",
        "ecg_render_fps",
        "ecg_render_queue_depth",
        "ecg_render_workers",
    ):
        assert name in metrics.text
    assert client.get(f"{server.url}/docs").status_code == 200
    assert "/render" in client.get(f"{server.url}/openapi.json").json()["paths"]


def test_api_key_body_limit_and_private_urls(tmp_path: Path, clip_server: str) -> None:
    settings = make_settings(
        tmp_path, api_key="s3cret", max_scenario_bytes=4096, allow_private_urls=False
    )
    with running_app(settings) as server, httpx.Client(timeout=30) as http:
        assert http.get(f"{server.url}/health").status_code == 200
        refused = http.get(f"{server.url}/queue/status")
        assert refused.status_code == 401 and refused.json()["error_code"] == "UNAUTHORIZED"
        assert http.get(f"{server.url}/metrics", headers={"X-API-Key": "wrong"}).status_code == 401
        key = {"X-API-Key": "s3cret"}
        assert http.get(f"{server.url}/queue/status", headers=key).status_code == 200
        big = _body("snake", "big", f"{clip_server}/short.mp4", None)
        big["scenario"] = dict(SCENARIO, padding="x" * 100_000)
        assert http.post(f"{server.url}/render", json=big, headers=key).status_code == 413
        # The loopback clip server is refused unless ALLOW_PRIVATE_URLS is true.
        private = http.post(
            f"{server.url}/render",
            headers=key,
            json=_body("snake", "p", f"{clip_server}/short.mp4", None),
        )
        assert private.status_code == 422
        assert private.json()["error_code"] == "DOWNLOAD_FAILED"
