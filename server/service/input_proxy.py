"""A loopback relay through which FFmpeg reads users' http(s) video URLs.

FFmpeg resolves host names and follows redirects by itself, so checking a URL before handing
it over (:mod:`server.service.url_safety`) would leave two holes: a redirect to an internal address,
and DNS rebinding (the name answers a public address to the check and ``127.0.0.1`` or
``169.254.169.254`` to FFmpeg a moment later). Instead FFmpeg is given
``http://127.0.0.1:<port>/<token>/<name>``; this relay forwards each request (``Range``
included, so seeking works and nothing is downloaded twice) through an httpx client built on
:class:`~server.service.url_safety.CheckedBackend`: every connection, the first and every redirect hop,
resolves once, checks every address, and connects to a checked address. FFmpeg itself only
ever connects to loopback.

One relay per process (the API process in standalone mode, each rq work horse), started on
first use in a daemon thread and bound to 127.0.0.1 on a free port. Tokens are 128-bit random
and expire after a day, so other local users cannot use the relay to reach anything.

:func:`open_input` also makes one checked request first (``Range: bytes=0-0``), so a refused
address or an HTTP error reaches the job as a DownloadError with a clear message before
FFmpeg starts.
"""

from __future__ import annotations

import logging
import os
import secrets
import threading
import time
import urllib.parse
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx

from motiontext.errors import DecodeError, DownloadError
from server.service.url_safety import AddressPolicy, checked_client, refusal

log = logging.getLogger("ecg_render.input_proxy")
_TOKEN_TTL_SECONDS = 24 * 3600.0
_CHUNK_BYTES = 256 * 1024
_FORWARDED_HEADERS = (
    "Content-Type",
    "Content-Length",
    "Content-Range",
    "Accept-Ranges",
    "Last-Modified",
    "ETag",
)


@dataclass(frozen=True, slots=True)
class _Entry:
    url: str
    client: httpx.Client
    created: float


class InputRelay:
    """The relay server; use :func:`open_input` rather than this class."""

    def __init__(self) -> None:
        self.pid = os.getpid()
        self._lock = threading.Lock()
        self._entries: dict[str, _Entry] = {}
        self._clients: dict[tuple[AddressPolicy, float, float], httpx.Client] = {}
        relay = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                relay._forward(self, body=True)

            def do_HEAD(self) -> None:
                relay._forward(self, body=False)

            def log_message(self, format: str, *args: Any) -> None:
                log.debug("relay: " + format, *args)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.port = int(self._server.server_address[1])
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="ecg-input-relay", daemon=True
        )
        self._thread.start()

    def client(self, policy: AddressPolicy, open_timeout: float, read_timeout: float) -> Any:
        key = (policy, open_timeout, read_timeout)
        with self._lock:
            if key not in self._clients:
                timeout = httpx.Timeout(read_timeout, connect=open_timeout)
                self._clients[key] = checked_client(policy, timeout=timeout, follow_redirects=True)
            return self._clients[key]

    def register(self, url: str, client: httpx.Client) -> str:
        token = secrets.token_hex(16)
        name = urllib.parse.quote(urllib.parse.urlsplit(url).path.rsplit("/", 1)[-1] or "input")
        now = time.monotonic()
        with self._lock:
            for old in [
                t for t, e in self._entries.items() if now - e.created > _TOKEN_TTL_SECONDS
            ]:
                del self._entries[old]
            self._entries[token] = _Entry(url, client, now)
        return f"http://127.0.0.1:{self.port}/{token}/{name}"

    def original(self, relay_url: str) -> str | None:
        """The user URL behind a relay URL of this process (None when it is not one)."""
        prefix = f"http://127.0.0.1:{self.port}/"
        if not relay_url.startswith(prefix):
            return None
        token = relay_url[len(prefix) :].split("/", 1)[0]
        with self._lock:
            entry = self._entries.get(token)
        return entry.url if entry else None

    def describe(self, text: str) -> str:
        """``text`` with every relay URL replaced by its user URL (query left out)."""
        from engine.decode import display_url

        prefix = f"http://127.0.0.1:{self.port}/"
        if prefix not in text:
            return text
        with self._lock:
            entries = list(self._entries.items())
        for token, entry in entries:
            name = urllib.parse.quote(
                urllib.parse.urlsplit(entry.url).path.rsplit("/", 1)[-1] or "input"
            )
            text = text.replace(f"{prefix}{token}/{name}", display_url(entry.url))
        return text

    def _forward(self, handler: BaseHTTPRequestHandler, body: bool) -> None:
        token = handler.path.lstrip("/").split("/", 1)[0]
        with self._lock:
            entry = self._entries.get(token)
        if entry is None:
            _plain(handler, 404, "unknown relay token")
            return
        headers = {"Accept-Encoding": "identity"}
        if handler.headers.get("Range"):
            headers["Range"] = handler.headers["Range"]
        started = False
        try:
            with entry.client.stream(
                "GET" if body else "HEAD", entry.url, headers=headers
            ) as upstream:
                handler.send_response(upstream.status_code)
                for name in _FORWARDED_HEADERS:
                    if name in upstream.headers:
                        handler.send_header(name, upstream.headers[name])
                handler.send_header("Connection", "close")
                handler.end_headers()
                started = True
                if body:
                    for chunk in upstream.iter_raw(_CHUNK_BYTES):
                        handler.wfile.write(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass  # FFmpeg closed the connection (a seek): nothing to do
        except httpx.HTTPError as exc:
            refused = refusal(exc)
            if refused is not None:
                log.warning("relay refused %s: %s", _shown(entry.url), refused)
            if not started:
                _plain(handler, 403 if refused else 502, str(refused or exc))


def _plain(handler: BaseHTTPRequestHandler, status: int, message: str) -> None:
    data = message.encode("utf-8", "replace")[:2000]
    try:
        handler.send_response(status)
        handler.send_header("Content-Type", "text/plain; charset=utf-8")
        handler.send_header("Content-Length", str(len(data)))
        handler.send_header("Connection", "close")
        handler.end_headers()
        handler.wfile.write(data)
    except OSError:
        pass


_relay: InputRelay | None = None
_relay_lock = threading.Lock()


def relay() -> InputRelay:
    """This process's relay (a forked child, e.g. an rq work horse, starts its own)."""
    global _relay
    with _relay_lock:
        if _relay is None or _relay.pid != os.getpid():
            _relay = InputRelay()
        return _relay


def open_input(
    url: str, policy: AddressPolicy, open_timeout: float = 15.0, read_timeout: float = 60.0
) -> str:
    """Check ``url`` by requesting its first byte through the policy (every redirect hop is
    checked), then return the relay URL FFmpeg should open. Raises DownloadError, or
    DecodeError for an empty file."""
    server = relay()
    client = server.client(policy, open_timeout, read_timeout)
    try:
        with client.stream("GET", url, headers={"Range": "bytes=0-0"}) as response:
            if response.status_code == 416 and response.headers.get(
                "Content-Range", "bytes */0"
            ).endswith("/0"):
                raise DecodeError(
                    f"cannot open {_shown(url)!r}: expected a video file, but it is empty (0 bytes)"
                )
            if response.status_code >= 400:
                raise DownloadError(
                    f"cannot download {_shown(url)!r}: HTTP {response.status_code}"
                    + (
                        f" (redirected to {_shown(str(response.url))!r})"
                        if response.history
                        else ""
                    )
                )
    except httpx.HTTPError as exc:
        refused = refusal(exc)
        if refused is not None:
            raise DownloadError(f"{refused} (fetching {_shown(url)!r})") from None
        if isinstance(exc, httpx.TooManyRedirects):
            raise DownloadError(f"cannot download {_shown(url)!r}: too many redirects") from None
        if isinstance(exc, httpx.TimeoutException):
            raise DownloadError(f"cannot download {_shown(url)!r}: timed out") from None
        raise DownloadError(f"cannot download {_shown(url)!r}: {exc}") from None
    return server.register(url, client)


def describe(text: str) -> str:
    """``text`` with this process's relay URLs replaced by the users' URLs."""
    return _relay.describe(text) if _relay is not None and _relay.pid == os.getpid() else text


def _shown(url: str) -> str:
    from engine.decode import display_url

    return display_url(url)[:200]
