"""Oversized request bodies get a 413 that real clients can read (issue 22).

Against `ecg-render serve` (real uvicorn, its own process, so its memory can be watched):
Python's urllib.request, httpx and aiohttp (as the ECG backend uses it) each send 6 MB, by
Content-Length and chunked, to both endpoints with a body, and each reads the 413 and its JSON.
A 200 MB upload is cut off at the drain bound without the server's memory growing with it.
The bounds themselves (bytes, seconds, ``Expect: 100-continue``) are checked on a small limit.
"""

from __future__ import annotations

import asyncio
import io
import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import psutil
import pytest

from server.service.body_limit import DRAIN_MAX_BYTES, MB, BodySizeLimit
from tests.server.conftest import SCENARIO, ServerThread, free_port, wait_until

LIMIT = 5 * MB + 64 * 1024  # MAX_SCENARIO_BYTES (default) + the API's slack
CHUNK = 64 * 1024


@pytest.fixture(scope="module")
def serve(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int]]:
    """`ecg-render serve` on a loopback port: (base URL, process id)."""
    folder = tmp_path_factory.mktemp("body-limit")
    port = free_port()
    env = {**os.environ, "STORAGE_DIR": str(folder / "storage"), "MIN_FREE_DISK_MB": "0"}
    env.pop("MAX_SCENARIO_BYTES", None)
    log = (folder / "serve.log").open("wb")
    command = [sys.executable, "-m", "server.cli", "serve", "--host", "127.0.0.1"]
    process = subprocess.Popen(
        [*command, "--port", str(port), "--log-level", "warning"],
        cwd=folder,  # no developer .env is read
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    log.close()
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: _answers(url) or process.poll() is not None, 60, 0.1, "ecg-render serve")
        assert process.poll() is None, (folder / "serve.log").read_text()
        yield url, process.pid
    finally:
        process.terminate()
        process.wait(30)


def _answers(url: str) -> bool:
    try:
        return httpx.get(f"{url}/health", timeout=5).status_code == 200
    except httpx.HTTPError:
        return False


def _oversized(endpoint: str) -> bytes:
    """6 MB of JSON the endpoint would otherwise parse."""
    scenario = dict(SCENARIO, padding="x" * (6 * MB))
    if endpoint == "/render":
        return json.dumps({"video_url": "http://example.com/a.mp4", "scenario": scenario}).encode()
    return json.dumps({"scenario": scenario, "t": 1.0}).encode()


def _pieces(body: bytes) -> Iterator[bytes]:
    for start in range(0, len(body), CHUNK):
        yield body[start : start + CHUNK]


def _urllib(url: str, body: bytes, chunked: bool) -> tuple[int, Any]:
    data: Any = _pieces(body) if chunked else body  # an iterable: urllib sends it chunked
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def _httpx(url: str, body: bytes, chunked: bool) -> tuple[int, Any]:
    content: Any = _pieces(body) if chunked else body
    headers = {"Content-Type": "application/json"}
    response = httpx.post(url, content=content, headers=headers, timeout=60)
    return response.status_code, response.json()


def _aiohttp(url: str, body: bytes, chunked: bool) -> tuple[int, Any]:
    import aiohttp

    async def pieces() -> AsyncIterator[bytes]:
        for piece in _pieces(body):
            yield piece

    async def post() -> tuple[int, Any]:
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        async with (
            aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as session,
            # BytesIO: a declared length (aiohttp warns about large raw bytes).
            session.post(
                url, data=pieces() if chunked else io.BytesIO(body), headers=headers
            ) as response,
        ):
            return response.status, await response.json()

    return asyncio.run(post())


CLIENTS = {"urllib": _urllib, "httpx": _httpx, "aiohttp": _aiohttp}


@pytest.mark.parametrize("endpoint", ["/render", "/preview"])
@pytest.mark.parametrize("transfer", ["content-length", "chunked"])
@pytest.mark.parametrize("client", sorted(CLIENTS))
def test_clients_read_the_413(
    serve: tuple[str, int], client: str, transfer: str, endpoint: str
) -> None:
    url, _ = serve
    body = _oversized(endpoint)
    status, answer = CLIENTS[client](url + endpoint, body, transfer == "chunked")
    assert status == 413, answer
    assert answer["error_code"] == "INVALID_INPUT"
    assert (answer["limit_bytes"], answer["size_bytes"]) == (LIMIT, len(body))
    assert f"{len(body)} bytes, over the limit of {LIMIT} bytes" in answer["detail"]


def test_a_200_mb_upload_is_cut_off_with_flat_memory(serve: tuple[str, int]) -> None:
    """Streamed chunked from a generator: the server drains up to its bound (64 MB), answers
    and closes; the client stops long before 200 MB, and the server's memory stays flat."""
    url, pid = serve
    server = psutil.Process(pid)
    baseline = server.memory_info().rss
    peak = [baseline]
    sent = [0]
    done = threading.Event()

    def watch() -> None:
        while not done.wait(0.02):
            peak[0] = max(peak[0], server.memory_info().rss)

    def upload() -> Iterator[bytes]:
        piece = b"x" * MB
        while sent[0] < 200 * MB:
            sent[0] += len(piece)
            yield piece

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        response = httpx.post(f"{url}/render", content=upload(), timeout=60)
        outcome: Any = (response.status_code, response.json())
    except httpx.TransportError as exc:  # cut off while still sending: a reset is allowed
        outcome = type(exc).__name__
    finally:
        done.set()
        watcher.join()
    assert sent[0] < 100 * MB, f"the client could send {sent[0] // MB} MB"
    assert sent[0] >= DRAIN_MAX_BYTES  # the server did read up to its bound first
    if isinstance(outcome, tuple):
        status, answer = outcome
        assert status == 413 and answer["size_bytes"] > DRAIN_MAX_BYTES, answer
        assert "before giving up on the rest" in answer["detail"]
    growth = (peak[0] - baseline) / MB
    assert growth < 32, f"server RSS grew {growth:.0f} MB (from {baseline / MB:.0f} MB)"
    assert _answers(url)  # and it still serves


# -- the bounds, on a small limit --


async def _echo_length(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """A tiny app that reads the whole body and answers its length."""
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            else:
                await send({"type": "lifespan.shutdown.complete"})
                return
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return
        size += len(message.get("body", b""))
        if not message.get("more_body", False):
            break
    body = json.dumps({"size": size}).encode()
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": body})


@pytest.fixture(scope="module")
def small_limit() -> Iterator[str]:
    """1000 bytes allowed, at most 100 kB or 1 s drained."""
    app = BodySizeLimit(_echo_length, 1000, drain_max_bytes=100_000, drain_max_seconds=1.0)
    with ServerThread(app) as server:
        yield server.url


def _raw_request(url: str, head: str, body: bytes = b"") -> bytes:
    """Send ``head`` (and ``body``), then read until the server closes; raw bytes."""
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as sock:
        sock.sendall(head.encode() + body)
        chunks = []
        while data := sock.recv(65536):
            chunks.append(data)
        return b"".join(chunks)


def test_within_the_limit_the_body_reaches_the_app(small_limit: str) -> None:
    assert httpx.post(small_limit, content=b"x" * 1000).json() == {"size": 1000}
    chunked = httpx.post(small_limit, content=_pieces(b"x" * 1000))
    assert chunked.json() == {"size": 1000}


def test_past_the_byte_bound_the_answer_comes_at_once(small_limit: str) -> None:
    """A chunked body is drained to 100 kB, then answered and closed; a declared length
    beyond that is answered without reading any of it."""
    cut = httpx.post(small_limit, content=iter([b"x" * 150_000, b"x" * 150_000]))
    assert cut.status_code == 413 and cut.headers["connection"] == "close"
    assert 1000 < cut.json()["size_bytes"] <= 150_000
    declared = "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5000000\r\n\r\n"
    answer = _raw_request(small_limit, declared)
    assert answer.startswith(b"HTTP/1.1 413 ")
    assert b'"size_bytes":5000000' in answer and b'"limit_bytes":1000' in answer


def test_past_the_time_bound_the_answer_comes_at_once(small_limit: str) -> None:
    """A client that stalls mid-body gets its 413 after the drain's 1 s, not never."""
    head = "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 50000\r\n\r\n"
    started = time.monotonic()
    answer = _raw_request(small_limit, head, b"x" * 20_000)
    assert answer.startswith(b"HTTP/1.1 413 ") and b'"size_bytes":50000' in answer
    assert 0.9 < time.monotonic() - started < 10


def test_expect_100_continue_is_answered_before_the_body(small_limit: str) -> None:
    head = "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 50000\r\nExpect: 100-continue\r\n\r\n"
    started = time.monotonic()
    answer = _raw_request(small_limit, head)
    assert answer.startswith(b"HTTP/1.1 413 ") and b"100 Continue" not in answer
    assert time.monotonic() - started < 0.9  # not after a drain's timeout
