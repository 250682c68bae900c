"""Fixtures of the contract suite: the backend double and the render service, each under a
real uvicorn on loopback, and a media server with the test videos.

The render service runs in both modes (``render_server`` is parametrised): standalone, and rq
with two real `ecg-render worker` processes. Its app is wrapped by :class:`ResponseClock`,
which records when the answer to each submit goes out to the connection, and can hold
that answer back for a while: a callback sent before the answer then shows up for sure.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from server.service.jobs import JobStore
from tests.contract.backend_double import BackendDouble, backend_app
from tests.engine.clips import ClipSpec, make_clip
from tests.server.conftest import (  # noqa: F401  (fixtures, shared with tests/server)
    LONG_CLIP,
    SHORT_CLIP,
    ServerThread,
    Workers,
    free_port,
    make_settings,
    redis_url,
)

ONE_FRAME_CLIP = ClipSpec(width=320, height=240, seconds=1 / 30, options={"preset": "ultrafast"})


class ResponseClock:
    """ASGI wrapper of the render service: ``sent_at[job_id]`` is time.monotonic() as the
    last piece of the answer to that job's ``POST /render`` is passed to uvicorn; the
    answer's start is held back ``delay_seconds`` first."""

    def __init__(self, app: Any):
        self.app = app
        self.delay_seconds = 0.0
        self.sent_at: dict[str, float] = {}

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http" or (scope["method"], scope["path"]) != ("POST", "/render"):
            await self.app(scope, receive, send)
            return
        body = bytearray()

        async def clocked_send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                await asyncio.sleep(self.delay_seconds)
            elif message["type"] == "http.response.body":
                body.extend(message.get("body", b""))
                if not message.get("more_body", False):
                    # Taken just before the last piece goes out: the client cannot have the
                    # answer before this, and the service's own "after sending" comes later.
                    answer = json.loads(body or b"{}")
                    if isinstance(answer, dict) and "job_id" in answer:
                        self.sent_at[answer["job_id"]] = time.monotonic()
            await send(message)

        await self.app(scope, receive, clocked_send)


@dataclass
class RenderServer:
    mode: str
    url: str
    clock: ResponseClock
    store: JobStore  # the service's own, to look behind the API (rq: the segment plan)


@pytest.fixture(scope="session")
def backend() -> Iterator[tuple[BackendDouble, str]]:
    """The backend double and its base URL (the backend's callback base URL)."""
    double = BackendDouble()
    with ServerThread(backend_app(double)) as server:
        yield double, server.url


@pytest.fixture(autouse=True)
def _backend_answers_normally(backend: tuple[BackendDouble, str]) -> Iterator[None]:
    yield
    backend[0].fail_terminal_after_store = False


@pytest.fixture(scope="session")
def media(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Base URL of a Range-capable static server with the contract's videos, and
    ``/empty.mp4``: a zero-length video (200, no bytes; a static server would answer a
    ranged read of an empty file with 416)."""
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.routing import Mount, Route
    from starlette.staticfiles import StaticFiles

    folder = tmp_path_factory.mktemp("contract-media")
    for name, spec in (
        ("short.mp4", SHORT_CLIP),
        ("long.mp4", LONG_CLIP),
        ("one-frame.mp4", ONE_FRAME_CLIP),
    ):
        shutil.copyfile(make_clip(spec), folder / name)

    def empty(_: Request) -> Response:
        return Response(b"", media_type="video/mp4")

    app = Starlette(routes=[Route("/empty.mp4", empty), Mount("/", StaticFiles(directory=folder))])
    with ServerThread(app) as server:
        yield server.url


@pytest.fixture(scope="module", params=["standalone", "rq"])
def render_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RenderServer]:
    """The render service as the backend reaches it, in each mode. rq: two real workers and
    pieces of 0.5 s, so that a 2 s video is rendered as four segments and a merge."""
    from server.service.api import create_app

    mode = request.param
    folder = tmp_path_factory.mktemp(f"contract-{mode}")
    port = free_port()
    overrides: dict[str, Any] = {"mode": mode, "public_base_url": f"http://127.0.0.1:{port}"}
    if mode == "rq":
        overrides |= {"redis_url": request.getfixturevalue("redis_url"), "segment_seconds": 0.5}
    settings = make_settings(folder, **overrides)
    with contextlib.ExitStack() as stack:
        if mode == "rq":
            stack.enter_context(Workers(settings, 2, folder))
        app = create_app(settings)
        clock = ResponseClock(app)
        server = stack.enter_context(ServerThread(clock, port))
        yield RenderServer(mode, server.url, clock, app.state.ctx.store)
