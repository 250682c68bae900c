"""server.service.render_job: request -> pipeline options, input URL rules, the error policy."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import pytest

from motiontext.errors import (
    CancelledError,
    DecodeError,
    DownloadError,
    InputError,
    ScenarioError,
    StorageError,
)
from server.service.jobs import JobStatus, MemoryJobStore
from server.service.render_job import (
    build_context,
    check_input_url,
    record_failure,
    resolve_input,
    video_options,
)
from server.service.settings import Settings
from tests.server.conftest import make_settings


def test_video_options_from_request(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    options = video_options(settings, {"options": {"fps": 24, "quality": 50}})
    assert (options.fps, options.quality, options.size, options.encoder) == (
        Fraction(24),
        50,
        None,
        "libx264",
    )
    sized = video_options(settings, {"options": {"width": 1280, "height": 720, "format": "webm"}})
    assert sized.size == (1280, 720) and sized.encoder == "auto"  # webm always takes VP9
    # No fps: the source's timing. Stored rates are text since fractions are allowed; records
    # stored earlier hold ints. Neither is ever truncated.
    assert video_options(settings, {}).fps is None
    assert video_options(settings, {"options": {"fps": None}}).fps is None
    assert video_options(settings, {"options": {"fps": "30000/1001"}}).fps == Fraction(30000, 1001)
    assert video_options(settings, {"options": {"fps": "25"}}).fps == 25


def test_request_options_round_trip_exact_rates() -> None:
    """What the API stores (model_dump) reads back as the same exact rate."""
    from server.service.schemas import RenderOptions, stored_fps

    for sent, rate in (
        (None, None),
        (30, Fraction(30)),
        (29.97, Fraction(30000, 1001)),
        ("30000/1001", Fraction(30000, 1001)),
        (23.976, Fraction(24000, 1001)),
        ("12.5", Fraction(25, 2)),
        (1, Fraction(1)),
        (60, Fraction(60)),
    ):
        options = RenderOptions.model_validate({} if sent is None else {"fps": sent})
        assert options.fps == rate
        stored = json.loads(json.dumps(options.model_dump()))
        assert stored_fps(stored) == rate


def test_input_url_rules(tmp_path: Path) -> None:
    strict = make_settings(tmp_path, allow_private_urls=False)
    with pytest.raises(DownloadError):
        check_input_url(strict, "http://127.0.0.1/v.mp4")
    with pytest.raises(InputError):
        check_input_url(strict, "/etc/passwd")  # local paths only when allowed
    assert check_input_url(make_settings(tmp_path, allow_local_inputs=True), "/x.mp4") == "local"
    assert check_input_url(strict, "s3://bucket/key.mp4") == "s3"
    loose = make_settings(tmp_path)
    assert resolve_input(loose, "http://127.0.0.1/v.mp4") == "http://127.0.0.1/v.mp4"
    with pytest.raises(InputError):
        resolve_input(loose, "s3://bucket-only")


@pytest.mark.parametrize(
    ("error", "can_retry", "reraise", "code"),
    [
        (DownloadError("503"), True, True, None),
        (StorageError("disk"), True, True, None),
        (RuntimeError("bug"), True, True, None),
        (DownloadError("503"), False, False, "DOWNLOAD_FAILED"),
        (RuntimeError("bug"), False, False, "RENDER_FAILED"),
        (DecodeError("not a video"), True, False, "INVALID_VIDEO"),
        (ScenarioError("bad", "cues[0]"), True, False, "INVALID_SCENARIO"),
        (CancelledError("stop"), True, False, None),
    ],
)
def test_error_policy(
    tmp_path: Path, error: Exception, can_retry: bool, reraise: bool, code: str | None
) -> None:
    ctx = build_context(make_settings(tmp_path), MemoryJobStore())
    ctx.store.create("j", {}, None)
    ctx.store.start("j")
    assert record_failure(ctx, "j", error, can_retry) is reraise
    snapshot = ctx.store.get("j").snapshot  # type: ignore[union-attr]
    if code is None:
        assert snapshot.status is JobStatus.PROCESSING  # retried, or left to the canceller
    else:
        assert (snapshot.status, snapshot.error_code) == (JobStatus.FAILED, code)


def test_publish_claim_is_released_after_a_failed_upload(tmp_path: Path) -> None:
    from server.service.render_job import publish_result

    ctx = build_context(make_settings(tmp_path), MemoryJobStore())
    ctx.store.create("p", {}, None)
    ctx.store.start("p")

    def broken_upload(path: Path, name: str) -> None:
        raise StorageError("upload failed")

    ctx.storage.publish = broken_upload  # type: ignore[method-assign]
    video = tmp_path / "p.mp4"
    video.write_bytes(b"x")
    with pytest.raises(StorageError):
        publish_result(ctx, "p", video, "p.mp4", 1.0)
    assert not ctx.store.get("p").publishing  # type: ignore[union-attr]
    assert ctx.store.claim_publish("p")


def test_settings_from_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)  # no developer .env
    monkeypatch.setenv("RENDER_MODE", "rq")
    monkeypatch.setenv("ALLOW_PRIVATE_URLS", "true")
    monkeypatch.setenv("WORK_DIR", "")  # empty means default
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://r.example/")
    monkeypatch.setenv("API_KEY", "k")
    settings = Settings()
    assert settings.mode == "rq" and settings.allow_private_urls
    assert settings.scratch_dir == Path("data") / "work"
    assert settings.public_base_url == "https://r.example"
    assert settings.api_key is not None and settings.api_key.get_secret_value() == "k"
    assert settings.job_timeout_seconds(60) == 300 + 600
    assert settings.job_timeout_seconds(None) == 300 + 36000
    assert Settings(mode="standalone").mode == "standalone"
