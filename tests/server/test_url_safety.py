"""server.service.url_safety: which video URLs the service may fetch (resolver injected, no DNS)."""

from __future__ import annotations

import pytest

from motiontext.errors import DownloadError
from server.service.url_safety import check_video_url, is_public_address


def resolver_for(*addresses: str):
    def resolve(host: str, port: int) -> list[str]:
        return list(addresses)

    return resolve


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "172.16.0.9",
        "192.168.1.1",
        "169.254.169.254",  # cloud metadata
        "100.64.0.1",  # carrier-grade NAT
        "0.0.0.0",
        "224.0.0.1",
        "::1",
        "fe80::1",
        "fd00:ec2::254",  # AWS metadata over IPv6
        "::ffff:127.0.0.1",  # IPv4-mapped loopback
    ],
)
def test_non_public_addresses_are_refused(address: str) -> None:
    assert not is_public_address(address)
    with pytest.raises(DownloadError, match="ALLOW_PRIVATE_URLS"):
        check_video_url(
            "https://videos.example/a.mp4", allow_private=False, resolver=resolver_for(address)
        )


def test_public_address_passes_and_every_resolved_address_counts() -> None:
    check_video_url(
        "https://cdn.example/v.mp4", allow_private=False, resolver=resolver_for("93.184.216.34")
    )
    # One private address among public ones is enough to refuse (DNS round robin tricks).
    with pytest.raises(DownloadError):
        check_video_url(
            "https://cdn.example/v.mp4",
            allow_private=False,
            resolver=resolver_for("93.184.216.34", "10.0.0.5"),
        )


def test_allow_private_skips_the_address_check_but_not_the_scheme() -> None:
    def never(host: str, port: int) -> list[str]:
        raise AssertionError("must not resolve")

    check_video_url("http://127.0.0.1:8000/v.mp4", allow_private=True, resolver=never)
    with pytest.raises(DownloadError, match="http"):
        check_video_url("file:///etc/passwd", allow_private=True, resolver=never)


@pytest.mark.parametrize(
    "url",
    ["ftp://x/v.mp4", "file:///etc/passwd", "http:///v.mp4", "gopher://x", "http://x:99999/v.mp4"],
)
def test_malformed_or_foreign_urls_are_refused(url: str) -> None:
    with pytest.raises(DownloadError):
        check_video_url(url, allow_private=False, resolver=resolver_for("93.184.216.34"))


def test_unresolvable_host_is_a_download_error() -> None:
    def fail(host: str, port: int) -> list[str]:
        raise OSError("Name or service not known")

    with pytest.raises(DownloadError, match="cannot resolve"):
        check_video_url("https://nowhere.invalid/v.mp4", allow_private=False, resolver=fail)


def test_query_strings_stay_out_of_messages() -> None:
    with pytest.raises(DownloadError) as info:
        check_video_url("ftp://x/v.mp4?X-Amz-Signature=secret", allow_private=False)
    assert "secret" not in str(info.value)
