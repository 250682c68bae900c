"""Request bodies over the limit get a 413 the client can read.

Most HTTP clients (Python's urllib and http.client, aiohttp, requests) send the whole body
before they read the answer. A server that answers early and closes while such a client is
still sending makes it fail with "connection reset by peer": it never sees the 413. So
:class:`BodySizeLimit` reads the rest of an oversized body and throws it away (memory stays
flat), then answers ``413`` with a JSON body naming the limit and the size seen, and closes
the connection (``Connection: close``). Draining is bounded: at most ``drain_max_bytes`` of
body in all (64 MB) and ``drain_max_seconds`` (10 s); past either bound the answer goes out
at once and the connection is closed, and a client still sending may then see a reset. A
body that declares a length beyond the drain bound is answered at once for the same reason,
without reading what would be cut off anyway; so is a client that asked
``Expect: 100-continue`` (it has sent nothing yet, and will send nothing).

This covers every endpoint with a body (``POST /render``, ``POST /preview``), by
Content-Length and chunked alike, before anything parses the body.
"""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi.responses import JSONResponse

MB = 1024 * 1024
DRAIN_MAX_BYTES = 64 * MB
DRAIN_MAX_SECONDS = 10.0


class BodySizeLimit:
    """ASGI middleware: bodies over ``max_bytes`` get the readable 413 described above."""

    def __init__(
        self,
        app: Any,
        max_bytes: int,
        drain_max_bytes: int = DRAIN_MAX_BYTES,
        drain_max_seconds: float = DRAIN_MAX_SECONDS,
    ):
        self.app, self.max_bytes = app, max_bytes
        self.drain_max_bytes, self.drain_max_seconds = drain_max_bytes, drain_max_seconds

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        length = headers.get(b"content-length", b"")
        if length.isdigit() and int(length) > self.max_bytes:
            declared = int(length)
            waits = headers.get(b"expect", b"").lower() == b"100-continue"
            if declared <= self.drain_max_bytes and not waits:
                await self._drain(receive, 0)
            await self._refuse(scope, send, declared, complete=True)
            return
        seen = 0
        started = refused = False

        # A chunked body found to be over the limit while the app reads it: drain it, answer
        # 413, and tell the app the client left (raising instead would reach FastAPI's body
        # parser, which turns it into a 400).
        async def counting_receive() -> dict[str, Any]:
            nonlocal seen, refused
            if refused:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes and not started:
                    refused = True
                    complete = not message.get("more_body", False)
                    if not complete:
                        seen, complete = await self._drain(receive, seen)
                    await self._refuse(scope, send, seen, complete)
                    return {"type": "http.disconnect"}
            return message

        async def tracking_send(message: dict[str, Any]) -> None:
            nonlocal started
            if refused:
                return  # the 413 has been sent; whatever the app answers now is dropped
            started = started or message["type"] == "http.response.start"
            await send(message)

        await self.app(scope, counting_receive, tracking_send)

    async def _drain(self, receive: Any, seen: int) -> tuple[int, bool]:
        """Read and discard body messages until the body ends, the client leaves, or the
        drain bound is reached. Returns (bytes seen in all, whether the body ended)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.drain_max_seconds
        while seen <= self.drain_max_bytes:
            remaining = deadline - loop.time()
            if remaining <= 0:
                break
            try:
                message = await asyncio.wait_for(receive(), remaining)
            except TimeoutError:
                break
            if message["type"] != "http.request":
                break  # the client left
            seen += len(message.get("body", b""))
            if not message.get("more_body", False):
                return seen, True
        return seen, False

    async def _refuse(self, scope: dict[str, Any], send: Any, size: int, complete: bool) -> None:
        if complete:
            message = f"the request body is {size} bytes, over the limit of {self.max_bytes} bytes"
        else:
            message = (
                f"the request body is over the limit of {self.max_bytes} bytes "
                f"({size} bytes read before giving up on the rest)"
            )
        body = {
            "detail": message,
            "error_code": "INVALID_INPUT",
            "path": None,
            "limit_bytes": self.max_bytes,
            "size_bytes": size,
        }
        response = JSONResponse(body, status_code=413, headers={"Connection": "close"})
        await response(scope, _no_receive, send)


async def _no_receive() -> dict[str, Any]:
    return {"type": "http.disconnect"}
