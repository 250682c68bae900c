"""The render service's HTTP API (the ECG backend's contract; OpenAPI at /docs).

    POST /render                        queue a render (snake_case or camelCase body)
    GET  /api/render/{job_id}/status    the job's snapshot (GPURenderCallback fields)
    POST /api/render/{job_id}/cancel    stop it; nothing is published
    GET  /api/render/{job_id}/preview   PNG of the job's caption overlay at ?t=SECONDS
    POST /preview                       PNG of a posted scenario's overlay at t
    GET  /health                        ok | degraded, encoders, GPU, Redis, workers, disk
    GET  /queue/status                  queued/started/finished/failed counts and workers
    GET  /metrics                       Prometheus
    GET  /files/<name>                  published files (STORAGE=local)

Errors answer ``{"detail": message, "error_code": code, "path": json_path}``; 422 for bad
input (the scenario's JSON path is prefixed with ``scenario``), 413 for bodies over the limit
(server.service.body_limit: read to the end first, so that clients can read the answer).
No callback leaves before the answer to the submit has been sent (the backend marks a job
``processing`` only once it has read it): the job's callbacks are held until then.
With ``API_KEY`` set, every endpoint but /health needs the ``X-API-Key`` header, the docs
and /openapi.json included (401 without it). /files links are handed to end users, who have
no key: they are signed instead (``?expires=...&signature=...``, HMAC with a key derived from
API_KEY, valid for S3_URL_EXPIRES_SECONDS, like S3 presigned URLs); an unsigned, altered or
expired link gets 401. Each client (IP address) may have MAX_ACTIVE_JOBS_PER_CLIENT queued or
processing jobs; more get 429.
"""

from __future__ import annotations

import contextlib
import json
import secrets
import shutil
import time
import uuid
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, Depends, FastAPI, Header, Path, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles

from motiontext.errors import RenderError, ScenarioError
from server.service.body_limit import BodySizeLimit
from server.service.callbacks import CallbackDispatcher, RetryPolicy
from server.service.jobs import JobRecord, JobStatus
from server.service.metrics import CONTENT_TYPE, build_registry, render_metrics
from server.service.render_job import (
    ServiceContext,
    build_context,
    check_input_url,
    host_page,
    job_warnings,
)
from server.service.schemas import (
    JOB_ID_PATTERN,
    CancelResponse,
    PreviewBody,
    RenderBody,
    RenderQueued,
    StatusResponse,
    check_json_values,
    migration_info,
    render_preview_png,
    stored_fps,
)
from server.service.settings import Settings, get_settings
from server.service.standalone import QueueFullError
from server.service.storage import check_file_signature, files_signing_key
from server.service.url_safety import callback_policy, check_callback_url, checked_client

JobIdPath = Annotated[str, Path(pattern=JOB_ID_PATTERN, description="the job's id")]
_CAPABILITY_CACHE_SECONDS = 30.0
_BODY_SLACK_BYTES = 64 * 1024  # the rest of the body around a maximal scenario
# A new job's callbacks wait for the answer to its submit; this long at most, should the
# answer never be sent (the client left first).
_CALLBACK_HOLD_SECONDS = 30.0


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, path: str | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.path = status, code, message, path


class ApiKeyGuard:
    """Requires ``X-API-Key`` on every path but /health and /files (signed links, checked by
    :class:`SignedFiles`): a fence that also covers routes added later, the docs included."""

    OPEN_PATHS = ("/health",)

    def __init__(self, app: Any, api_key: str):
        self.app, self.api_key = app, api_key.encode()

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http" or self._open(scope.get("path", "")):
            await self.app(scope, receive, send)
            return
        given = dict(scope.get("headers") or []).get(b"x-api-key", b"")
        if not secrets.compare_digest(given, self.api_key):
            response = _error_response(401, "UNAUTHORIZED", "missing or wrong X-API-Key header")
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)

    def _open(self, path: str) -> bool:
        return path in self.OPEN_PATHS or path.startswith("/files/")


class SignedFiles:
    """/files behind link signatures: ``?expires=<unix seconds>&signature=<hex>`` must sign
    the file name (see server.service.storage.file_signature), else 401."""

    def __init__(self, app: Any, key: bytes):
        self.app, self.key = app, key

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            from urllib.parse import parse_qs, unquote

            query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
            name = unquote(scope.get("path", "")).rsplit("/", 1)[-1]
            expires = (query.get("expires") or [None])[0]
            signature = (query.get("signature") or [None])[0]
            if not check_file_signature(self.key, name, expires, signature):
                message = "this download link is not signed, altered, or expired"
                await _error_response(401, "UNAUTHORIZED", message)(scope, receive, send)
                return
        await self.app(scope, receive, send)


def _error_response(
    status: int,
    code: str,
    message: str,
    path: str | None = None,
    extra: dict[str, Any] | None = None,
) -> JSONResponse:
    body = {"detail": message, "error_code": code, "path": path, **(extra or {})}
    return JSONResponse(body, status_code=status)


def create_app(settings: Settings | None = None) -> FastAPI:
    """The API for ``settings`` (default: the environment's). In standalone mode the app
    owns the render pool; in rq mode it submits to Redis. The callback dispatcher runs for
    the app's lifetime."""
    settings = settings or get_settings()
    ctx = build_context(settings)
    if settings.mode == "rq":
        from server.service.rq_tasks import RqJobQueue

        queue: Any = RqJobQueue(ctx)
    else:
        from server.service.standalone import StandaloneExecutor

        queue = StandaloneExecutor(ctx)
    policy = RetryPolicy(
        settings.callback_max_tries,
        settings.callback_timeout_seconds,
        settings.callback_backoff_seconds,
        settings.callback_backoff_max_seconds,
    )
    callback_client = checked_client(callback_policy(settings.callback_allowed_hosts))
    dispatcher = CallbackDispatcher(ctx.store, policy, callback_client)
    registry = build_registry(ctx.store, queue.depth, lambda: len(_safe(queue.workers, [])))

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        dispatcher.start()
        try:
            yield
        finally:
            queue.shutdown()
            dispatcher.stop()

    app = FastAPI(
        title="ECG Render",
        version="0.1.0",
        lifespan=lifespan,
        description="Burns MotionText v2.0 captions into video.",
    )
    app.state.ctx, app.state.queue, app.state.dispatcher = ctx, queue, dispatcher
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_scenario_bytes + _BODY_SLACK_BYTES)
    if settings.api_key is not None and settings.api_key.get_secret_value():
        app.add_middleware(ApiKeyGuard, api_key=settings.api_key.get_secret_value())
    _install_error_handlers(app)

    def require_api_key(x_api_key: str | None = Header(None)) -> None:
        expected = settings.api_key.get_secret_value() if settings.api_key else None
        if expected and not (x_api_key and secrets.compare_digest(x_api_key, expected)):
            raise ApiError(401, "UNAUTHORIZED", "missing or wrong X-API-Key header")

    api = APIRouter(dependencies=[Depends(require_api_key)])
    _add_job_routes(api, ctx, queue)
    _add_service_routes(api, ctx, queue, registry)
    app.include_router(api)
    _add_health_route(app, ctx, queue)
    if settings.storage == "local":
        files: Any = StaticFiles(directory=settings.public_dir, check_dir=False)
        key = files_signing_key(settings)
        app.mount("/files", SignedFiles(files, key) if key else files, name="files")
    return app


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def api_error(_: Request, exc: ApiError) -> JSONResponse:
        return _error_response(exc.status, exc.code, exc.message, exc.path)

    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = exc.errors()
        first = errors[0] if errors else {"loc": (), "msg": "invalid request"}
        loc = [str(p) for p in first.get("loc", ()) if p not in ("body", "query", "path")]
        path = ".".join(loc) or None
        message = f"{path}: {first.get('msg')}" if path else str(first.get("msg"))
        detail = [
            {"loc": list(e.get("loc", ())), "msg": e.get("msg"), "type": e.get("type")}
            for e in errors
        ]
        return _error_response(422, "INVALID_INPUT", message, path, {"errors": detail})


def _add_job_routes(api: APIRouter, ctx: ServiceContext, queue: Any) -> None:
    store, settings = ctx.store, ctx.settings

    @api.post("/render", response_model=RenderQueued, tags=["render"])
    def submit_render(
        body: RenderBody, request: Request, after_answer: BackgroundTasks
    ) -> RenderQueued:
        """Queue a render. A job_id that exists already is not run again: the answer then
        carries its current status. The job's callbacks start once this answer is sent."""
        size = len(json.dumps(body.scenario, ensure_ascii=False).encode("utf-8", "surrogatepass"))
        if size > settings.max_scenario_bytes:
            message = (
                f"the scenario must be at most {settings.max_scenario_bytes} bytes, "
                f"but is {size} bytes"
            )
            raise ApiError(413, "INVALID_INPUT", message, "scenario")
        try:
            from motiontext.loader import load_document

            check_json_values(body.scenario)
            loaded = load_document(body.scenario, accept_v13=settings.accept_v13)
        except ScenarioError as exc:
            path = "scenario" + (
                "" if not exc.path else exc.path if exc.path.startswith("[") else "." + exc.path
            )
            raise ApiError(422, exc.code, str(exc), path) from None
        try:
            check_input_url(settings, body.video_url)
        except RenderError as exc:
            raise ApiError(422, exc.code, str(exc), "video_url") from None
        if body.callback_url:
            try:
                check_callback_url(body.callback_url, allowed_hosts=settings.callback_allowed_hosts)
            except RenderError as exc:
                raise ApiError(422, exc.code, str(exc), "callback_url") from None
        job_id = body.job_id or uuid.uuid4().hex
        limit = settings.max_active_jobs_per_client
        client = request.client.host if request.client else "unknown"
        if limit and not store.admit(client, job_id, limit):
            message = f"this client has {limit} queued or processing jobs already; retry later"
            raise ApiError(429, "TOO_MANY_JOBS", message)
        request = {
            "video_url": body.video_url,
            "scenario": loaded.document,  # v1.3 migrated: every render part reads v2.0
            "options": body.options.model_dump(),
        }
        if loaded.migrated:
            request["migration"] = migration_info(loaded)
        if not store.create(job_id, request, body.callback_url):
            record = store.get(job_id)
            status = record.status if record else JobStatus.QUEUED
            return RenderQueued(job_id=job_id, status=status)
        # Background tasks run once the response has been sent (Starlette's Response).
        store.hold_callbacks(job_id, _CALLBACK_HOLD_SECONDS)
        after_answer.add_task(store.release_callbacks, job_id)
        try:
            queue.submit(job_id)
        except QueueFullError as exc:
            store.fail(job_id, "QUEUE_FULL", str(exc))
            raise ApiError(503, "QUEUE_FULL", str(exc)) from None
        except Exception as exc:  # noqa: BLE001 (Redis gone: the job must not stay "queued")
            store.fail(job_id, "RENDER_FAILED", f"could not queue the job: {exc}")
            raise ApiError(503, "QUEUE_UNAVAILABLE", f"could not queue the job: {exc}") from None
        return RenderQueued(job_id=job_id, status=JobStatus.QUEUED)

    @api.get(
        "/api/render/{job_id}/status",
        response_model=StatusResponse,
        response_model_exclude_unset=True,
        tags=["render"],
    )
    def job_status(job_id: JobIdPath) -> StatusResponse:
        record = _record(ctx, job_id)
        # The callbacks carry the snapshot only. The migration notes of a v1.3 scenario and
        # the render's warnings (families not installed) are for this endpoint; without them
        # the answer stays the snapshot exactly.
        migration = record.request.get("migration")
        warnings = job_warnings(record)
        extra: dict[str, Any] = {"migration": migration} if migration else {}
        if warnings:
            extra["warnings"] = warnings
        return StatusResponse(**record.snapshot.payload(), **extra)

    @api.post("/api/render/{job_id}/cancel", response_model=CancelResponse, tags=["render"])
    def cancel_job(job_id: JobIdPath) -> CancelResponse:
        """Cancel a queued or running job: the render stops within a second and nothing is
        published. Cancelling a cancelled job answers the same; 409 when the job completed,
        failed, or is already being published."""
        status = store.cancel(job_id)
        if status is None:
            raise ApiError(404, "NOT_FOUND", f"no job {job_id!r}")
        if status is not JobStatus.CANCELLED:
            raise ApiError(409, "NOT_CANCELLABLE", f"job {job_id!r} is {status}", None)
        queue.cancel(job_id)
        return CancelResponse(job_id=job_id, status=status)

    @api.get(
        "/api/render/{job_id}/preview",
        tags=["preview"],
        responses={200: {"content": {"image/png": {}}}},
    )
    def job_preview(
        job_id: JobIdPath,
        t: float = Query(0.0, ge=0, description="time in seconds"),
        width: int | None = Query(None, ge=16, le=3840),
        height: int | None = Query(None, ge=16, le=2160),
    ) -> Response:
        """The job's caption overlay at ``t`` as a transparent PNG (default: the job's output
        size, else 1920x1080)."""
        record = store.get(job_id)
        if record is None:
            raise ApiError(404, "NOT_FOUND", f"no job {job_id!r}")
        options = record.request.get("options") or {}
        size = (width or options.get("width") or 1920, height or options.get("height") or 1080)
        try:
            page = host_page(settings, options)
            fps = stored_fps(options) or 30
            png = render_preview_png(record.request["scenario"], size, t, fps, page)
        except ScenarioError as exc:  # accepted by the parser, refused by the renderer
            raise ApiError(422, exc.code, str(exc), "scenario") from None
        return Response(png, media_type="image/png")

    @api.post("/preview", tags=["preview"], responses={200: {"content": {"image/png": {}}}})
    def preview(body: PreviewBody) -> Response:
        """A posted scenario's caption overlay at ``t`` as a transparent PNG."""
        try:
            check_json_values(body.scenario)
            page = host_page(settings, {"host_style": body.host_style})
            png = render_preview_png(
                body.scenario,
                (body.width, body.height),
                body.t,
                body.fps,
                page,
                accept_v13=settings.accept_v13,
            )
        except ScenarioError as exc:
            raise ApiError(
                422, exc.code, str(exc), "scenario." + exc.path if exc.path else "scenario"
            ) from None
        return Response(png, media_type="image/png")


def _record(ctx: ServiceContext, job_id: str) -> JobRecord:
    record = ctx.store.get(job_id)
    if record is None:
        raise ApiError(404, "NOT_FOUND", f"no job {job_id!r}")
    return record


def _add_service_routes(api: APIRouter, ctx: ServiceContext, queue: Any, registry: Any) -> None:
    @api.get("/queue/status", tags=["service"])
    def queue_status() -> dict[str, Any]:
        return {"mode": queue.mode, **queue.counts(), "workers": queue.workers()}

    @api.get("/metrics", tags=["service"])
    def metrics() -> Response:
        return Response(render_metrics(registry), media_type=CONTENT_TYPE)


def _add_health_route(app: FastAPI, ctx: ServiceContext, queue: Any) -> None:
    settings = ctx.settings
    cache: dict[str, Any] = {}

    def capabilities() -> dict[str, Any]:
        now = time.monotonic()
        if "at" not in cache or now - cache["at"] > _CAPABILITY_CACHE_SECONDS:
            cache.update(at=now, value=_safe(queue.capabilities, {}))
        return cache["value"]

    @app.get("/health", tags=["service"])
    def health() -> dict[str, Any]:
        """ok, or degraded with the reasons. Always 200: the body says what is wrong."""
        problems: list[str] = []
        caps = capabilities()
        encoders = caps.get("encoders") or {}
        if not any(encoders.values()):
            problems.append("no video encoder opens")
        redis_state: dict[str, Any] | None = None
        workers: list[dict[str, Any]] = []
        if settings.mode == "rq":
            try:
                ctx.store.redis.ping()  # type: ignore[attr-defined]
                redis_state = {"ok": True}
                workers = queue.workers()
            except Exception as exc:  # noqa: BLE001 (reported, not raised)
                redis_state = {"ok": False, "error": str(exc)}
                problems.append("redis unreachable")
            if redis_state["ok"] and not workers:
                problems.append("no rq workers")
        else:
            workers = queue.workers()
        disk = shutil.disk_usage(settings.scratch_dir)
        free_mb = disk.free // (1024 * 1024)
        if free_mb < settings.min_free_disk_mb:
            problems.append(f"only {free_mb} MB free on disk")
        return {
            "status": "degraded" if problems else "ok",
            "problems": problems,
            "mode": settings.mode,
            "encoders": encoders,
            "nvenc": bool(caps.get("nvenc")),
            "gpu": {"cupy": bool(caps.get("cupy"))},
            "redis": redis_state,
            "workers": len(workers),
            "disk": {"path": str(settings.scratch_dir), "free_mb": free_mb},
            "storage": settings.storage,
        }


def _safe(fn: Any, default: Any) -> Any:
    try:
        return fn()
    except Exception:  # noqa: BLE001 (health and metrics report what they can)
        return default
