"""Fixtures for the hardening tests: the service fixtures of tests/server, a network guard, a
fake DNS, and a media server holding broken videos.

Network guard (autouse): in this process, a socket may connect only to loopback, and only
loopback names may be resolved. Anything else fails the test at teardown, even when the
code under test swallowed the error. Refusals of private, link-local and metadata addresses
are therefore proved through the address check with injected DNS answers (``fake_dns``),
never by connecting to such an address. Worker subprocesses are not guarded: they only ever
receive loopback URLs.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import os
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from server.service.settings import Settings
from tests.engine.clips import ClipSpec, make_clip
from tests.server.conftest import (  # noqa: F401  (fixtures, shared with tests/server)
    SCENARIO,
    SHORT_CLIP,
    ServerThread,
    Workers,
    callback_receiver,
    clip_server,
    clips,
    free_port,
    make_settings,
    redis_url,
    running_app,
    wait_final,
    wait_until,
)

# Half a second at 320x240: the load test's clip (15 frames at 30 fps).
TINY_CLIP = ClipSpec(width=320, height=240, seconds=0.5, options={"preset": "ultrafast", "g": "15"})
# Long enough at 1280x720 that a worker can be killed mid-render (a few seconds of work).
KILL_CLIP = ClipSpec(width=640, height=360, seconds=4.0, options={"preset": "ultrafast", "g": "30"})
AUDIO_ONLY = ClipSpec(seconds=1.0, video=False, container="mp4")


# -- network guard --


@dataclass
class NetworkGuard:
    violations: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def refuse(self, what: str) -> None:
        with self.lock:
            self.violations.append(what)


def _loopback(host: Any) -> bool:
    if isinstance(host, bytes):
        host = host.decode()
    if host is None or host == "localhost":
        return True
    try:
        return ipaddress.ip_address(str(host).split("%", 1)[0]).is_loopback
    except ValueError:
        return False


@pytest.fixture(autouse=True)
def network_guard(monkeypatch: pytest.MonkeyPatch) -> Iterator[NetworkGuard]:
    guard = NetworkGuard()
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex
    real_getaddrinfo = socket.getaddrinfo

    def check(sock: socket.socket, address: Any) -> None:
        if sock.family in (socket.AF_INET, socket.AF_INET6) and not _loopback(address[0]):
            guard.refuse(f"connect to {address!r}")
            raise ConnectionRefusedError(f"network guard: no traffic beyond loopback ({address})")

    def connect(self: socket.socket, address: Any) -> None:
        check(self, address)
        real_connect(self, address)

    def connect_ex(self: socket.socket, address: Any) -> int:
        check(self, address)
        return real_connect_ex(self, address)

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if not _loopback(host):
            guard.refuse(f"resolve {host!r}")
            raise socket.gaierror(socket.EAI_NONAME, f"network guard: no DNS for {host!r}")
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    yield guard
    assert not guard.violations, f"traffic beyond loopback was attempted: {guard.violations}"


# -- fake DNS --


@dataclass
class FakeDns:
    """Answers for host names: a list of addresses, or a callable returning one per query
    (DNS rebinding). Unknown names fail like NXDOMAIN. ``queries`` records every lookup."""

    answers: dict[str, Any] = field(default_factory=dict)
    queries: list[str] = field(default_factory=list)

    def __call__(self, host: str, port: int) -> list[str]:
        self.queries.append(host)
        answer = self.answers.get(host.lower())
        if answer is None:
            raise OSError(f"fake DNS: no such host {host!r}")
        return list(answer() if callable(answer) else answer)


@pytest.fixture()
def fake_dns(monkeypatch: pytest.MonkeyPatch) -> FakeDns:
    from server.service import url_safety

    dns = FakeDns()
    monkeypatch.setattr(url_safety, "RESOLVER", dns)
    return dns


# -- broken media --


def _truncated(source: Path, fraction: float) -> bytes:
    data = source.read_bytes()
    return data[: int(len(data) * fraction)]


def _faststart(source: Path, destination: Path) -> None:
    import av

    with (
        av.open(str(source)) as src,
        av.open(str(destination), "w", format="mp4", options={"movflags": "faststart"}) as out,
    ):
        mapping = {s.index: out.add_stream_from_template(s) for s in src.streams}
        for packet in src.demux():
            if packet.dts is None:
                continue
            packet.stream = mapping[packet.stream.index]
            out.mux(packet)


@pytest.fixture(scope="session")
def media_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Good and broken inputs, by name."""
    folder = tmp_path_factory.mktemp("media")
    short = make_clip(SHORT_CLIP)
    (folder / "short.mp4").write_bytes(short.read_bytes())
    (folder / "tiny.mp4").write_bytes(make_clip(TINY_CLIP).read_bytes())
    (folder / "kill.mp4").write_bytes(make_clip(KILL_CLIP).read_bytes())
    (folder / "empty.mp4").write_bytes(b"")
    (folder / "random.mp4").write_bytes(os.urandom(200_000))
    (folder / "page.mp4").write_text("<!doctype html><title>Not found</title><p>nothing here")
    (folder / "audio-only.mp4").write_bytes(make_clip(AUDIO_ONLY).read_bytes())
    # moov at the end (PyAV's default): cut in half, the index is gone.
    (folder / "truncated.mp4").write_bytes(_truncated(short, 0.5))
    # moov first: cut in half, the index promises frames the file no longer holds.
    _faststart(short, folder / "faststart.mp4")
    (folder / "truncated-faststart.mp4").write_bytes(_truncated(folder / "faststart.mp4", 0.4))
    # A valid mp4 whose media data is overwritten with noise.
    data = bytearray((folder / "faststart.mp4").read_bytes())
    start = data.find(b"mdat") + 8
    data[start:] = os.urandom(len(data) - start)
    (folder / "garbled.mp4").write_bytes(bytes(data))
    return folder


@pytest.fixture(scope="session")
def media_server(media_dir: Path) -> Iterator[str]:
    """A Range-capable server on 127.0.0.1 with the ``media_dir`` files under /m/, plus
    ``/redirect?to=URL`` (302), ``/status/<code>`` and ``/hang`` (answers after 5 s)."""
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import PlainTextResponse, RedirectResponse
    from starlette.routing import Mount, Route
    from starlette.staticfiles import StaticFiles

    async def redirect(request: Request) -> RedirectResponse:
        return RedirectResponse(request.query_params["to"], status_code=302)

    async def status(request: Request) -> PlainTextResponse:
        return PlainTextResponse("nope", status_code=int(request.path_params["code"]))

    async def hang(request: Request) -> PlainTextResponse:
        await asyncio.sleep(5)
        return PlainTextResponse("too late", status_code=200)

    app = Starlette(
        routes=[
            Route("/redirect", redirect),
            Route("/status/{code:int}", status),
            Route("/hang", hang),
            Mount("/m", StaticFiles(directory=media_dir)),
        ]
    )
    with ServerThread(app) as server:
        yield server.url


# -- services --


@contextlib.contextmanager
def standalone(tmp: Path, **overrides: Any) -> Iterator[tuple[ServerThread, Settings]]:
    """The API in standalone mode on a free loopback port; download URLs point at it."""
    port = free_port()
    settings = make_settings(tmp, public_base_url=f"http://127.0.0.1:{port}", **overrides)
    with running_app(settings, port) as server:
        yield server, settings


@dataclass
class RqStack:
    server: ServerThread
    settings: Settings
    workers: Workers
    store: Any  # RedisJobStore

    @property
    def url(self) -> str:
        return self.server.url


@contextlib.contextmanager
def rq_stack(
    tmp: Path, redis_address: str, workers: int = 2, **overrides: Any
) -> Iterator[RqStack]:
    """The API in rq mode plus ``workers`` real worker processes; keys removed afterwards."""
    import redis

    from server.service.redis_store import RedisJobStore

    port = free_port()
    values: dict[str, Any] = {
        "mode": "rq",
        "redis_url": redis_address,
        "segment_seconds": 0,
        "public_base_url": f"http://127.0.0.1:{port}",
    }
    values.update(overrides)
    settings = make_settings(tmp, **values)
    connection = redis.Redis.from_url(redis_address)
    store = RedisJobStore(connection, settings.redis_prefix, settings.job_ttl_seconds)
    try:
        with Workers(settings, workers, tmp) as pool, running_app(settings, port) as server:
            try:
                yield RqStack(server, settings, pool, store)
            except BaseException:
                print(pool.output())
                raise
    finally:
        with contextlib.suppress(Exception):
            for key in connection.scan_iter(f"{settings.redis_prefix}:*"):
                connection.delete(key)
        connection.close()


def production_like(**overrides: Any) -> dict[str, Any]:
    """The production URL policy (ALLOW_PRIVATE_URLS off), with the loopback test servers
    allowlisted, so inputs go through the checked relay as in production."""
    values: dict[str, Any] = {"allow_private_urls": False, "video_url_allowlist": "127.0.0.1"}
    values.update(overrides)
    return values


@pytest.fixture()
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=30) as client:
        yield client


def render_body(job_id: str, video_url: str, **extra: Any) -> dict[str, Any]:
    return {"job_id": job_id, "video_url": video_url, "scenario": SCENARIO, **extra}


def wait_all_final(
    client: httpx.Client, base: str, job_ids: list[str], timeout: float, headers: Any = None
) -> dict[str, dict[str, Any]]:
    """Every job's final status (polling all of them, not one after the other)."""
    done: dict[str, dict[str, Any]] = {}

    def finished() -> bool:
        for job_id in job_ids:
            if job_id in done:
                continue
            status = client.get(f"{base}/api/render/{job_id}/status", headers=headers).json()
            if status["status"] in ("completed", "failed", "cancelled"):
                done[job_id] = status
        return len(done) == len(job_ids)

    wait_until(finished, timeout, 0.2, what=f"{len(job_ids) - len(done)} jobs to finish")
    return done
