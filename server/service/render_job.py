"""What a render job does, shared by both modes (standalone threads, rq worker processes).

* :func:`run_whole_job`: one job from queued to a final state in this process;
* :func:`render_piece`: the pipeline call (whole video or one segment) with progress and
  cancel plumbing; :func:`publish_result`: upload and complete, or nothing at all;
* :func:`record_failure`: the error policy (which errors are recorded, which are retried).

Errors: every :class:`~motiontext.errors.RenderError` carries the ``error_code`` the API and
callbacks report. Download and storage errors (and unexpected ones) are *transient*: rq retries
them while tries are left; bad scenarios, options and videos fail at once. A cancel leaves the
job as the canceller set it and publishes nothing.
"""

from __future__ import annotations

import json
import logging
import shutil
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self

from engine.cancel import CancelToken
from engine.pipeline import Progress, RenderResult, render_video
from engine.video_options import VideoOptions
from motiontext.errors import (
    CancelledError,
    DownloadError,
    InputError,
    RenderError,
    StorageError,
)
from server.service.jobs import JobRecord, JobStatus, JobStore, MemoryJobStore, progress_percent
from server.service.schemas import stored_fps
from server.service.settings import Settings
from server.service.storage import Storage, build_storage, presign_s3_url
from server.service.url_safety import check_video_url, video_policy

if TYPE_CHECKING:
    from engine.host_page import HostPage

log = logging.getLogger("ecg_render.jobs")
_CANCEL_POLL_SECONDS = 0.2  # a cancel reaches a running render within this (+ one frame)
_REPORT_SECONDS = 0.25  # progress is written at most this often (plus at each 10 % step)
TRANSIENT = (DownloadError, StorageError)
WARNINGS_KEY = "warnings"  # JobRecord.data entry: JSON list of readable lines


def job_warnings(record: JobRecord) -> list[str]:
    """The warnings a render recorded for the job (missing font families)."""
    try:
        return list(json.loads(record.data.get(WARNINGS_KEY) or "[]"))
    except ValueError:
        return []


@dataclass(slots=True)
class ServiceContext:
    """Everything a job needs, built once per process from the settings."""

    settings: Settings
    store: JobStore
    storage: Storage


def build_context(settings: Settings, store: JobStore | None = None) -> ServiceContext:
    if store is None:
        if settings.mode == "rq":
            import redis

            from server.service.redis_store import RedisJobStore

            connection = redis.Redis.from_url(settings.redis_url)
            store = RedisJobStore(connection, settings.redis_prefix, settings.job_ttl_seconds)
        else:
            store = MemoryJobStore(settings.job_ttl_seconds)
    settings.scratch_dir.mkdir(parents=True, exist_ok=True)
    return ServiceContext(settings, store, build_storage(settings))


def video_options(settings: Settings, request: dict[str, Any]) -> VideoOptions:
    """The pipeline options for a stored request (validated at the API's door)."""
    options = request.get("options") or {}
    width, height = options.get("width"), options.get("height")
    encoder = settings.encoder
    if options.get("format") == "webm" and encoder != "libvpx-vp9":
        encoder = "auto"  # ENCODER names the H.264/HEVC choice; webm always takes VP9
    return VideoOptions(
        encoder=encoder,
        preset=settings.preset,
        quality=int(options.get("quality", 90)),
        fps=stored_fps(options),  # None: the source's timing
        size=(int(width), int(height)) if width and height else None,
        array_backend=settings.array_backend,
        decoder=settings.decoder,
        open_timeout_seconds=settings.input_open_timeout_seconds,
        read_timeout_seconds=settings.input_read_timeout_seconds,
    )


def host_page(settings: Settings, options: dict[str, Any] | None) -> HostPage:
    """The page a request's render imitates: its ``host_style`` option (else HOST_STYLE)
    and the FONT_DIRS web fonts."""
    from engine.host_page import HostPage

    style = (options or {}).get("host_style") or settings.host_style
    return HostPage.from_options(style, settings.font_dir_paths)


def output_name(job_id: str, request: dict[str, Any]) -> str:
    return f"{job_id}.{(request.get('options') or {}).get('format', 'mp4')}"


def check_input_url(settings: Settings, url: str) -> str:
    """The kind of ``url`` ("s3", "http", "local") once it is allowed; raises DownloadError
    (refused address) or InputError (unsupported kind, file:// included). http(s) hosts are
    resolved."""
    scheme = url.split("://", 1)[0].lower() if "://" in url else ""
    if scheme == "s3":
        bucket, _, key = url.split("://", 1)[1].partition("/")
        if not bucket or not key.strip("/") or any(c in bucket for c in "[]@:?#"):
            raise InputError(f"an s3 URL must look like s3://bucket/key, but is {url[:200]!r}")
        return "s3"
    if scheme in ("http", "https"):
        check_video_url(
            url,
            allow_private=settings.allow_private_urls,
            allowlist=settings.video_url_allowlist,
        )
        return "http"
    if scheme == "" and settings.allow_local_inputs and url:
        return "local"
    raise InputError(f"video_url must be an http(s) or s3:// URL, but is {url[:200]!r}")


def resolve_input(settings: Settings, url: str) -> str:
    """The URL FFmpeg opens: s3:// presigned to https; http(s) checked again (DNS may have
    changed since the API accepted it) and, unless ALLOW_PRIVATE_URLS, read through the
    loopback relay of server.service.input_proxy, which checks every connection and redirect hop
    and pins the checked address; local paths only when ALLOW_LOCAL_INPUTS.
    Raises DownloadError / InputError / StorageError."""
    kind = check_input_url(settings, url)
    if kind == "s3":
        return presign_s3_url(settings, url)
    if kind == "http" and not settings.allow_private_urls:
        from server.service.input_proxy import open_input

        policy = video_policy(False, settings.video_url_allowlist)
        return open_input(
            url,
            policy,
            settings.input_open_timeout_seconds,
            settings.input_read_timeout_seconds,
        )
    return url


class CancelWatch:
    """Cancels ``token`` once the stored job stops being active (cancelled on request, or
    failed by another segment). A context manager around a render."""

    def __init__(self, store: JobStore, job_id: str, token: CancelToken):
        self.store, self.job_id, self.token = store, job_id, token
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="ecg-cancel-watch", daemon=True)

    def _watch(self) -> None:
        while not self._done.wait(_CANCEL_POLL_SECONDS):
            try:
                record = self.store.get(self.job_id)
            except Exception as exc:  # noqa: BLE001 (store briefly away: keep rendering)
                log.debug("cancel watch for %s cannot read the job: %s", self.job_id, exc)
                continue
            if record is None or record.status is not JobStatus.PROCESSING:
                self.token.cancel(f"job {self.job_id} is {record.status if record else 'gone'}")
                return

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._done.set()
        self._thread.join()


class FrameReporter:
    """``on_progress`` for the pipeline: writes frames done for ``part`` to the store at most
    every 0.25 s, and also at the first frame of every step: the job's 10 % steps for a
    whole render (so each step's callback carries the step's first value), the part's own
    5 % steps for a segment (the job's progress is the sum over the parts)."""

    def __init__(self, store: JobStore, job_id: str, part: int, whole: bool):
        self.store, self.job_id, self.part, self.whole = store, job_id, part, whole
        self._total_sent = False
        self._reported_frames = 0
        self._last_time = 0.0
        self._last_step = -1

    def _step(self, progress: Progress) -> int:
        total = progress.frames_total or 0
        if not total:
            return 0
        if self.whole:
            return progress_percent(progress.frames_done, total) // 10
        return 20 * progress.frames_done // total

    def __call__(self, progress: Progress) -> None:
        if self.whole and not self._total_sent:
            self.store.set_frames_total(self.job_id, progress.frames_total)
            self._total_sent = True
        if time.monotonic() - self._last_time < _REPORT_SECONDS and (
            self._step(progress) == self._last_step
        ):
            return
        self.flush(progress)

    def flush(self, progress: Progress) -> None:
        self._last_time = time.monotonic()
        self._last_step = self._step(progress)
        delta = progress.frames_done - self._reported_frames
        self._reported_frames = progress.frames_done
        self.store.report_frames(self.job_id, self.part, progress.frames_done, delta, progress.fps)


def render_piece(
    ctx: ServiceContext,
    job_id: str,
    request: dict[str, Any],
    input_url: str,
    output_path: Path,
    cancel: CancelToken,
    *,
    part: int = 0,
    whole: bool = True,
    wrap_overlay: Callable[[Any], Any] | None = None,
) -> RenderResult:
    """Render ``input_url`` with the request's scenario and options into ``output_path``.
    Families the scenario names that are not installed are recorded as the job's
    ``warnings`` (status only: the callback payload stays the backend's)."""
    from motiontext.parse import load_scenario

    options = video_options(ctx.settings, request)
    scenario = load_scenario(request["scenario"])
    page = host_page(ctx.settings, request.get("options"))
    warnings = page.warnings(scenario)
    if warnings:
        ctx.store.put_data(job_id, WARNINGS_KEY, json.dumps(warnings, ensure_ascii=False))
    make_scenario_overlay = page.video_overlay(scenario, options.fps)

    def make_overlay(width: int, height: int) -> Any:
        overlay = make_scenario_overlay(width, height)
        return wrap_overlay(overlay) if wrap_overlay else overlay

    reporter = FrameReporter(ctx.store, job_id, part, whole)
    last: list[Progress] = []

    def on_progress(progress: Progress) -> None:
        last[:] = [progress]
        reporter(progress)

    result = render_video(input_url, output_path, make_overlay, options, on_progress, cancel)
    if last:
        reporter.flush(last[0])
    return result


def publish_result(
    ctx: ServiceContext, job_id: str, path: Path, name: str, duration_seconds: float
) -> bool:
    """Upload ``path`` as ``name`` and mark the job completed; nothing is published when the
    job was cancelled or failed meanwhile (False then)."""
    if not ctx.store.claim_publish(job_id):
        path.unlink(missing_ok=True)
        return False
    try:
        size = path.stat().st_size
        ctx.storage.publish(path, name)
        url = ctx.storage.download_url(name)
    except BaseException:
        ctx.store.release_publish(job_id)  # a retried job must be able to publish again
        raise
    if not ctx.store.complete(job_id, url, size, round(duration_seconds, 3)):
        ctx.storage.delete(name)
        return False
    log.info("job %s completed: %s (%d bytes)", job_id, name, size)
    return True


def record_failure(ctx: ServiceContext, job_id: str, exc: BaseException, can_retry: bool) -> bool:
    """Record ``exc`` as the job's failure unless it will be retried. Returns True when the
    caller should re-raise it so that rq tries again."""
    if isinstance(exc, CancelledError):
        return False  # the canceller (API or a failed sibling) already set the final state
    transient = isinstance(exc, TRANSIENT) or not isinstance(exc, RenderError)
    if transient and can_retry:
        log.warning("job %s: transient failure, will retry: %s", job_id, exc)
        return True
    from server.service.input_proxy import describe

    code = exc.code if isinstance(exc, RenderError) else "RENDER_FAILED"
    message = describe(  # the user's URL, not the loopback relay's
        str(exc) if isinstance(exc, RenderError) else f"internal error: {type(exc).__name__}: {exc}"
    )
    if not isinstance(exc, RenderError):
        log.error("job %s failed unexpectedly", job_id, exc_info=exc)
    ctx.store.fail(job_id, code, message[:2000])
    return False


def run_whole_job(
    ctx: ServiceContext, job_id: str, cancel: CancelToken | None = None, can_retry: bool = False
) -> None:
    """Render a job in one piece, here: queued/processing -> completed, failed or cancelled.
    Re-raises only a transient error that ``can_retry`` says will be retried."""
    cancel = cancel or CancelToken()
    record = ctx.store.get(job_id)
    if record is None or not ctx.store.start(job_id):
        return
    scratch = ctx.settings.scratch_dir / f"{job_id}.whole"
    try:
        scratch.mkdir(parents=True, exist_ok=True)
        with CancelWatch(ctx.store, job_id, cancel):
            input_url = resolve_input(ctx.settings, record.request["video_url"])
            name = output_name(job_id, record.request)
            output = scratch / name
            result = render_piece(ctx, job_id, record.request, input_url, output, cancel)
            cancel.raise_if_cancelled()
            publish_result(ctx, job_id, output, name, result.duration_seconds)
    except Exception as exc:
        if record_failure(ctx, job_id, exc, can_retry):
            raise
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def probe_capabilities() -> dict[str, Any]:
    """What this process can render with: which encoders really open (NVENC needs a GPU and
    a driver), and whether CuPy sees a CUDA device. Initialises CUDA: never call it in a
    process that forks workers afterwards."""
    from engine.composite import array_module
    from engine.encode import encoder_opens

    encoders = {name: encoder_opens(name) for name in ("h264_nvenc", "libx264", "libvpx-vp9")}
    try:
        cupy = array_module("auto").__name__ == "cupy"
    except Exception:  # noqa: BLE001 (any failure means "no usable GPU array backend")
        cupy = False
    return {"encoders": encoders, "nvenc": encoders["h264_nvenc"], "cupy": cupy}
