"""Which video URLs the service may fetch (server-side request forgery guard).

A URL is refused unless its scheme is http or https and every address its host resolves to is
a public (global) unicast address: loopback, private, link-local (cloud metadata at
169.254.169.254 included), carrier-grade NAT, multicast, reserved and unspecified addresses
are refused, IPv4-mapped IPv6 forms too. ``allow_private=True`` (``ALLOW_PRIVATE_URLS``) skips
the address check, for development and tests.

The check runs after DNS resolution, with an injectable resolver so tests need no DNS.
Known limit: FFmpeg resolves the host again when it connects and follows redirects itself,
so a hostile DNS server or redirect can still move the request; network egress rules are the
real fence, this check stops the plain cases early with a clear message.
"""

from __future__ import annotations

import ipaddress
import socket
import urllib.parse
from collections.abc import Callable, Iterable

from motiontext.errors import DownloadError

Resolver = Callable[[str, int], Iterable[str]]
ALLOWED_SCHEMES = ("http", "https")


def system_resolver(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to (IPv4 and IPv6), via the system resolver."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


def is_public_address(address: str) -> bool:
    """True for a global unicast address (what the open internet can route)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # drop an IPv6 zone id
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def check_video_url(url: str, *, allow_private: bool, resolver: Resolver = system_resolver) -> None:
    """Return when the service may fetch ``url``; raise DownloadError saying why not."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme.lower() not in ALLOWED_SCHEMES:
        raise DownloadError(f"video_url must be an http(s) URL, but is {_shown(url)!r}")
    host = parts.hostname
    if not host:
        raise DownloadError(f"video_url must name a host, but is {_shown(url)!r}")
    try:
        port = parts.port or (443 if parts.scheme.lower() == "https" else 80)
    except ValueError:
        raise DownloadError(f"video_url has an invalid port: {_shown(url)!r}") from None
    if allow_private:
        return
    try:
        addresses = list(resolver(host, port))
    except (OSError, UnicodeError) as exc:
        raise DownloadError(f"cannot resolve the host of video_url {host!r}: {exc}") from None
    if not addresses:
        raise DownloadError(f"the host of video_url {host!r} resolves to no address")
    for address in addresses:
        try:
            public = is_public_address(address)
        except ValueError:
            public = False
        if not public:
            raise DownloadError(
                f"video_url host {host!r} resolves to {address}, a loopback, private, "
                "link-local or reserved address; set ALLOW_PRIVATE_URLS=true to allow it"
            )


def _shown(url: str) -> str:
    """``url`` without its query (presigned URLs carry credentials there)."""
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))[:200]
