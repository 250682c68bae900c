"""Which addresses the service may connect to (server-side request forgery guard).

Two kinds of outbound URL come from users:

* **video URLs** (:func:`video_policy`): refused unless the scheme is http or https and every
  address the host resolves to is a public (global) unicast address. Loopback, private,
  link-local, carrier-grade NAT, multicast, reserved and unspecified addresses are refused,
  IPv4-mapped IPv6 forms too, and cloud metadata addresses (:data:`METADATA_NETWORKS`) in
  particular. ``ALLOW_PRIVATE_URLS=true`` turns the address check off (development, tests);
  ``VIDEO_URL_ALLOWLIST`` names hosts or networks (CIDR) that pass although not public, e.g.
  an in-house media server.
* **callback URLs** (:func:`callback_policy`): loopback and private addresses are fine (the
  backend often lives next door), link-local and cloud metadata addresses are always refused,
  and ``CALLBACK_ALLOWED_HOSTS``, when set, is the complete list of hosts callbacks may reach.

Every check runs after DNS resolution (:data:`RESOLVER`, replaceable so tests inject DNS
answers and never query a real resolver). Checking a name and then letting another component
resolve it again would leave a window for DNS rebinding (first answer public, second answer
``127.0.0.1``), so connections are **pinned**: :class:`CheckedBackend` is the network layer of
the httpx clients built by :func:`checked_client`. It resolves the host once per connection,
checks every address, and connects to a checked address, never to a second resolution. Each
redirect hop is a new connection through the same backend, so redirects are checked as well,
whoever follows them. FFmpeg (PyAV), which resolves and follows redirects on its own, never
sees a user's URL directly: it reads through :mod:`server.service.input_proxy`, whose upstream
connections use this backend.
"""

from __future__ import annotations

import functools
import ipaddress
import socket
import ssl
import urllib.parse
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import httpcore
import httpx

from motiontext.errors import DownloadError, InputError

Resolver = Callable[[str, int], Iterable[str]]
ALLOWED_SCHEMES = ("http", "https")
MAX_REDIRECTS = 5
# Instance metadata services: AWS/GCP/Azure/OpenStack (and the ECS/EKS credential endpoints)
# in 169.254.0.0/16, AWS over IPv6, Alibaba Cloud, Oracle Cloud.
METADATA_NETWORKS = tuple(
    ipaddress.ip_network(n)
    for n in ("169.254.0.0/16", "fd00:ec2::/32", "100.100.100.200/32", "192.0.0.192/32")
)
IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def system_resolver(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to (IPv4 and IPv6), via the system resolver."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


# The resolver every check and every pinned connection uses (tests replace it).
RESOLVER: Resolver = system_resolver


class AddressRefusedError(httpcore.ConnectError):
    """A connection the policy does not allow. Raised before any packet is sent; httpx
    reports it as ``httpx.ConnectError`` whose ``__cause__`` is this error."""


_NAT64 = ipaddress.ip_network("64:ff9b::/96")


def _parse_ip(address: str) -> IpAddress:
    """The address, or the IPv4 address an IPv6 form carries (IPv4-mapped, NAT64 well-known
    prefix, 6to4, Teredo client): those reach the embedded IPv4 host."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # drop an IPv6 zone id
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return ip.ipv4_mapped
        if ip in _NAT64:
            return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if ip.sixtofour is not None:
            return ip.sixtofour
        if ip.teredo is not None:
            return ip.teredo[1]
    return ip


def is_public_address(address: str) -> bool:
    """True for a global unicast address (what the open internet can route)."""
    ip = _parse_ip(address)
    return ip.is_global and not ip.is_multicast


def is_metadata_address(address: str) -> bool:
    """True for link-local addresses and the cloud metadata services (METADATA_NETWORKS)."""
    ip = _parse_ip(address)
    return ip.is_link_local or any(
        ip in net for net in METADATA_NETWORKS if net.version == ip.version
    )


def split_list(value: str | Sequence[str] | None) -> tuple[str, ...]:
    """``"a, b,,c"`` -> ``("a", "b", "c")`` (settings hold lists as comma-separated text)."""
    if not value:
        return ()
    items = value.split(",") if isinstance(value, str) else value
    return tuple(item.strip().lower() for item in items if item.strip())


@dataclass(frozen=True, slots=True)
class AddressPolicy:
    """Which hosts and resolved addresses one kind of URL may reach.

    ``allow_private``: non-public addresses pass, except link-local and metadata addresses
    unless ``allow_link_local``. ``allowlist``: host names (exact, or ``*.example.com``) and
    networks (``10.0.0.0/8``, ``127.0.0.1``) that pass whatever their addresses.
    ``allowed_hosts``: when not empty, the only host names allowed at all.
    ``what`` names the URL in messages, ``hint`` ends refusals; ``error`` is the exception
    type to raise.
    """

    what: str
    allow_private: bool = False
    allow_link_local: bool = False
    allowlist: tuple[str, ...] = ()
    allowed_hosts: tuple[str, ...] = ()
    hint: str = ""
    error: type[InputError] = DownloadError

    def check_host(self, host: str) -> None:
        if self.allowed_hosts and not _host_matches(host, self.allowed_hosts):
            raise self.error(
                f"{self.what} host {host!r} is not one of the allowed hosts "
                f"({', '.join(self.allowed_hosts)})"
            )

    def check_address(self, host: str, address: str) -> None:
        try:
            ip = _parse_ip(address)
        except ValueError:
            raise self.error(f"{self.what} host {host!r} resolves to {address!r}") from None
        if _host_matches(host, self.allowlist) or _ip_listed(ip, self.allowlist):
            return
        if is_metadata_address(str(ip)):
            if not self.allow_link_local:
                self._refuse(host, address, "link-local or cloud metadata")
        elif not (ip.is_global and not ip.is_multicast) and not self.allow_private:
            self._refuse(host, address, "loopback, private or reserved")

    def _refuse(self, host: str, address: str, kind: str) -> None:
        raise self.error(
            f"{self.what} host {host!r} resolves to {address}, a {kind} address{self.hint}"
        )

    def addresses(self, host: str, port: int, resolver: Resolver | None = None) -> list[str]:
        """Resolve ``host`` once and return its addresses if every one is allowed."""
        self.check_host(host)
        host = host.strip("[]")
        try:
            literal = [str(_parse_ip(host))]
        except ValueError:
            literal = []
        if literal:
            addresses = literal
        else:
            try:
                addresses = list((resolver or RESOLVER)(host, port))
            except (OSError, UnicodeError) as exc:
                raise self.error(
                    f"cannot resolve the host of {self.what} {host!r}: {exc}"
                ) from None
        if not addresses:
            raise self.error(f"the host of {self.what} {host!r} resolves to no address")
        for address in addresses:
            self.check_address(host, address)
        return addresses


def video_policy(allow_private: bool, allowlist: Sequence[str] | str = ()) -> AddressPolicy:
    return AddressPolicy(
        "video_url",
        allow_private=allow_private,
        allow_link_local=allow_private,
        allowlist=split_list(allowlist),
        hint="; set ALLOW_PRIVATE_URLS=true or list the host in VIDEO_URL_ALLOWLIST to allow it",
    )


def callback_policy(allowed_hosts: Sequence[str] | str = ()) -> AddressPolicy:
    return AddressPolicy(
        "callback_url",
        allow_private=True,
        allowed_hosts=split_list(allowed_hosts),
        hint="; callbacks never go to link-local or cloud metadata addresses",
        error=InputError,
    )


def check_url(url: str, policy: AddressPolicy, resolver: Resolver | None = None) -> None:
    """Return when ``url`` is an http(s) URL whose host the policy allows; raise
    ``policy.error`` saying why not."""
    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError as exc:  # e.g. "http://[::1/v.mp4": Invalid IPv6 URL
        raise policy.error(f"{policy.what} is not a valid URL ({exc}): {url[:200]!r}") from None
    if parts.scheme.lower() not in ALLOWED_SCHEMES:
        raise policy.error(f"{policy.what} must be an http(s) URL, but is {_shown(url)!r}")
    host = parts.hostname
    if not host:
        raise policy.error(f"{policy.what} must name a host, but is {_shown(url)!r}")
    try:
        port = parts.port or (443 if parts.scheme.lower() == "https" else 80)
    except ValueError:
        raise policy.error(f"{policy.what} has an invalid port: {_shown(url)!r}") from None
    if policy.allow_private and policy.allow_link_local and not policy.allowed_hosts:
        return  # nothing left to check: do not even resolve
    policy.addresses(host, port, resolver)


def check_video_url(
    url: str,
    *,
    allow_private: bool,
    resolver: Resolver | None = None,
    allowlist: Sequence[str] | str = (),
) -> None:
    """Return when the service may fetch ``url``; raise DownloadError saying why not.
    ``allow_private`` skips the address check (no DNS query then)."""
    check_url(url, video_policy(allow_private, allowlist), resolver)


def check_callback_url(
    url: str, *, allowed_hosts: Sequence[str] | str = (), resolver: Resolver | None = None
) -> None:
    """Return when callbacks may be sent to ``url``; raise InputError saying why not."""
    check_url(url, callback_policy(allowed_hosts), resolver)


class CheckedBackend(httpcore.SyncBackend):
    """httpcore's network layer with the policy applied at connect time: the host is
    resolved once, every address is checked, and the socket connects to one of the checked
    addresses (TLS still verifies and sends SNI for the original host name)."""

    def __init__(self, policy: AddressPolicy):
        self.policy = policy

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        try:
            addresses = self.policy.addresses(host, port)
        except InputError as exc:
            raise AddressRefusedError(str(exc)) from exc
        failure: Exception | None = None
        for address in addresses:
            try:
                return super().connect_tcp(address, port, timeout, local_address, socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc
        assert failure is not None
        raise failure


@functools.cache
def ssl_context() -> ssl.SSLContext:
    """The TLS context of checked clients: certificates verified against certifi's bundle.
    Loading the bundle takes ~0.2 s, so it is done once per process (rq work horses inherit
    it from the worker, which warms it up)."""
    import certifi

    return ssl.create_default_context(cafile=certifi.where())


class CheckedTransport(httpx.HTTPTransport):
    """An httpx transport whose connections go through :class:`CheckedBackend`."""

    def __init__(self, policy: AddressPolicy, *, max_connections: int = 20):
        context = ssl_context()
        super().__init__(verify=context, trust_env=False)
        # httpx builds its pool without a network_backend parameter: replace the pool.
        self._pool = httpcore.ConnectionPool(
            ssl_context=context,
            max_connections=max_connections,
            max_keepalive_connections=max_connections // 2,
            keepalive_expiry=5.0,
            network_backend=CheckedBackend(policy),
        )


def checked_client(
    policy: AddressPolicy,
    *,
    timeout: httpx.Timeout | float = 10.0,
    follow_redirects: bool = False,
) -> httpx.Client:
    """An httpx client that can only reach what ``policy`` allows, redirects included
    (at most MAX_REDIRECTS). Proxy variables in the environment are ignored."""
    return httpx.Client(
        transport=CheckedTransport(policy),
        timeout=timeout,
        follow_redirects=follow_redirects,
        max_redirects=MAX_REDIRECTS,
        trust_env=False,
    )


def refusal(exc: BaseException) -> AddressRefusedError | None:
    """The AddressRefusedError behind an httpx exception, if that is what it was."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, AddressRefusedError):
            return seen
        seen = seen.__cause__ or seen.__context__
    return None


def _host_matches(host: str, patterns: Sequence[str]) -> bool:
    host = host.lower().rstrip(".").strip("[]")
    for pattern in patterns:
        if pattern.startswith("*.") and host.endswith(pattern[1:]):
            return True
        if host == pattern.strip("[]"):
            return True
    return False


def _ip_listed(ip: IpAddress, patterns: Sequence[str]) -> bool:
    for pattern in patterns:
        try:
            network = ipaddress.ip_network(pattern.strip("[]"), strict=False)
        except ValueError:
            continue
        if network.version == ip.version and ip in network:
            return True
    return False


def _shown(url: str) -> str:
    """``url`` without its query (presigned URLs carry credentials there)."""
    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError:
        return url.split("?", 1)[0][:200]
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))[:200]
