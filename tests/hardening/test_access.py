"""Who and what the service lets through: video and callback URLs (after DNS, on every
redirect, pinned against rebinding), the API key, signed /files links, per-client bounds.

No traffic leaves loopback: private, link-local and metadata addresses come from injected DNS
answers (``fake_dns``) and are refused by the address check before any connection; the
autouse network guard fails any test that tries otherwise.
"""

from __future__ import annotations

import time
import urllib.parse
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from motiontext.errors import DownloadError, InputError
from server.service import url_safety
from server.service.jobs import JobStatus, MemoryJobStore
from server.service.settings import Settings
from server.service.url_safety import (
    AddressPolicy,
    callback_policy,
    check_callback_url,
    check_video_url,
    checked_client,
    refusal,
    video_policy,
)
from tests.hardening.conftest import (
    FakeDns,
    NetworkGuard,
    ServerThread,
    production_like,
    render_body,
    rq_stack,
    standalone,
    wait_final,
)
from tests.server.conftest import CallbackReceiver, wait_callbacks, wait_until

NON_PUBLIC = [
    "127.0.0.1",
    "127.8.9.10",
    "10.1.2.3",
    "172.16.0.9",
    "192.168.1.1",
    "169.254.169.254",  # AWS/GCP/Azure metadata
    "169.254.170.2",  # ECS task credentials
    "100.100.100.200",  # Alibaba Cloud metadata
    "100.64.0.1",  # carrier-grade NAT
    "0.0.0.0",
    "224.0.0.1",
    "255.255.255.255",
    "::1",
    "::",
    "fe80::1",
    "fd00:ec2::254",  # AWS metadata over IPv6
    "fc00::1",
    "::ffff:127.0.0.1",
    "::ffff:169.254.169.254",
    "64:ff9b::a9fe:a9fe",  # NAT64 form of 169.254.169.254
]
METADATA = ["169.254.169.254", "169.254.170.2", "fd00:ec2::254", "100.100.100.200", "fe80::1"]
PUBLIC = "93.184.216.34"  # never connected to: every test refuses before connecting


def _strict(tmp: Path, **overrides: Any) -> Any:
    """The production URL policy with nothing allowlisted."""
    return standalone(tmp, allow_private_urls=False, **overrides)


@pytest.fixture(scope="module")
def strict_service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerThread]:
    with _strict(tmp_path_factory.mktemp("strict")) as (server, _):
        yield server


# -- video URLs --


@pytest.mark.parametrize("address", NON_PUBLIC)
def test_video_urls_resolving_to_non_public_addresses_are_refused(
    strict_service: ServerThread, http: httpx.Client, fake_dns: FakeDns, address: str
) -> None:
    fake_dns.answers["videos.test"] = [address]
    body = render_body(f"ssrf-{uuid.uuid4().hex[:6]}", "http://videos.test/clip.mp4")
    response = http.post(f"{strict_service.url}/render", json=body)
    assert response.status_code == 422, response.text
    assert response.json()["error_code"] == "DOWNLOAD_FAILED"
    assert response.json()["path"] == "video_url"
    assert fake_dns.queries == ["videos.test"]
    with pytest.raises(DownloadError, match="resolves to"):
        check_video_url("https://videos.test/a.mp4", allow_private=False, resolver=fake_dns)


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest/meta-data/iam/security-credentials/",
        "http://[fd00:ec2::254]/latest/meta-data/",
        "http://[::1]:6379/",
        "http://127.0.0.1:6379/",
        "http://[::ffff:7f00:1]/",
        "http://10.0.0.1/v.mp4",
        "https://192.168.0.1:8443/v.mp4",
        "http://0.0.0.0:80/",
        "file:///etc/passwd",
        "file://localhost/etc/passwd",
    ],
)
def test_literal_internal_addresses_and_file_urls_are_refused(
    strict_service: ServerThread, http: httpx.Client, fake_dns: FakeDns, url: str
) -> None:
    response = http.post(f"{strict_service.url}/render", json=render_body("lit", url))
    assert response.status_code == 422, response.text
    assert response.json()["error_code"] in ("DOWNLOAD_FAILED", "INVALID_INPUT")
    assert fake_dns.queries == []  # literal addresses need no DNS


def test_numeric_host_spellings_are_checked_after_resolution(fake_dns: FakeDns) -> None:
    """What a system resolver makes of odd spellings (inet_aton) is what gets checked."""
    for host in ("0x7f000001", "2130706433", "0177.0.0.1", "127.1"):
        fake_dns.answers[host] = ["127.0.0.1"]
        with pytest.raises(DownloadError, match="127.0.0.1"):
            check_video_url(f"http://{host}/v.mp4", allow_private=False)


def test_one_private_answer_among_public_ones_is_enough_to_refuse(fake_dns: FakeDns) -> None:
    fake_dns.answers["mixed.test"] = [PUBLIC, "10.0.0.5"]
    with pytest.raises(DownloadError, match="10.0.0.5"):
        check_video_url("http://mixed.test/v.mp4", allow_private=False)


@pytest.mark.parametrize("address", NON_PUBLIC)
def test_connect_time_check_refuses_before_any_packet(fake_dns: FakeDns, address: str) -> None:
    """The pinned backend itself: an httpx request to a host answering a non-public address
    fails with AddressRefusedError, and the network guard saw no connection attempt."""
    fake_dns.answers["inner.test"] = [address]
    with checked_client(video_policy(False)) as client, pytest.raises(httpx.ConnectError) as info:
        client.get("http://inner.test/v.mp4")
    assert refusal(info.value) is not None


def test_connections_are_pinned_to_the_checked_address(
    fake_dns: FakeDns, media_server: str
) -> None:
    """One DNS answer per connection, checked and connected to: a rebinding answer that
    would come on a second lookup is never asked for."""
    port = urllib.parse.urlsplit(media_server).port
    answers = iter([["127.0.0.1"], ["10.0.0.1"], ["169.254.169.254"]])
    fake_dns.answers["pinned.test"] = lambda: next(answers)
    policy = AddressPolicy("video_url", allowlist=("127.0.0.1",))
    with checked_client(policy) as client:
        response = client.get(f"http://pinned.test:{port}/m/tiny.mp4")
        assert response.status_code == 200 and len(response.content) > 1000
        again = client.get(f"http://pinned.test:{port}/m/tiny.mp4")  # kept-alive connection
        assert again.status_code == 200
    assert fake_dns.queries == ["pinned.test"]


def test_dns_rebinding_after_the_api_check_is_refused_at_connect(
    tmp_path: Path,
    http: httpx.Client,
    fake_dns: FakeDns,
    callback_receiver: CallbackReceiver,
    network_guard: NetworkGuard,
) -> None:
    """The name answers a public address to the API's and the job's checks, then loopback
    to the connection: the render fails DOWNLOAD_FAILED, nothing connects anywhere."""
    answers = iter([[PUBLIC], [PUBLIC], ["127.0.0.1"], ["127.0.0.1"]])
    fake_dns.answers["rebind.test"] = lambda: next(answers)
    with _strict(tmp_path) as (server, _):
        body = render_body("rebind", "http://rebind.test/v.mp4", callback_url=callback_receiver.url)
        assert http.post(f"{server.url}/render", json=body).status_code == 200
        final = wait_final(http, server.url, "rebind")
    assert final["status"] == "failed" and final["error_code"] == "DOWNLOAD_FAILED", final
    assert "127.0.0.1" in final["error_message"] and "rebind.test" in final["error_message"]
    assert fake_dns.queries == ["rebind.test"] * 3
    assert not network_guard.violations


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("http://metadata.test/latest/meta-data/", "169.254.169.254"),
        ("http://127.0.0.1:{port}/m/short.mp4", "127.0.0.1"),  # loopback, not allowlisted
        ("http://[::1]:{port}/m/short.mp4", "::1"),
        ("http://internal.test/v.mp4", "10.20.30.40"),
        ("file:///etc/passwd", "unsupported protocol"),
        ("gopher://127.0.0.1:6379/_FLUSHALL", "unsupported protocol"),
        ("http://media.test:{port}/redirect?to=http://metadata.test/", "169.254.169.254"),
    ],
)
def test_every_redirect_hop_is_checked(
    tmp_path: Path,
    http: httpx.Client,
    fake_dns: FakeDns,
    media_server: str,
    target: str,
    expected: str,
) -> None:
    """The media server (allowlisted by name) redirects to an internal address: the job
    fails DOWNLOAD_FAILED naming the refused address; no connection is attempted."""
    port = urllib.parse.urlsplit(media_server).port
    fake_dns.answers.update(
        {
            "media.test": ["127.0.0.1"],
            "metadata.test": ["169.254.169.254"],
            "internal.test": ["10.20.30.40"],
        }
    )
    target = target.format(port=port)
    url = f"http://media.test:{port}/redirect?" + urllib.parse.urlencode({"to": target})
    with _strict(tmp_path, video_url_allowlist="media.test") as (server, _):
        assert http.post(f"{server.url}/render", json=render_body("hop", url)).status_code == 200
        final = wait_final(http, server.url, "hop")
    assert final["status"] == "failed" and final["error_code"] == "DOWNLOAD_FAILED", final
    assert expected in final["error_message"].lower() or expected in final["error_message"]


def test_redirect_loops_are_cut(
    tmp_path: Path, http: httpx.Client, fake_dns: FakeDns, media_server: str
) -> None:
    port = urllib.parse.urlsplit(media_server).port
    fake_dns.answers["media.test"] = ["127.0.0.1"]
    url = f"http://media.test:{port}/redirect?to=/redirect%3Fto%3D/redirect"
    with _strict(tmp_path, video_url_allowlist="media.test") as (server, _):
        assert http.post(f"{server.url}/render", json=render_body("loop", url)).status_code == 200
        final = wait_final(http, server.url, "loop")
    assert final["error_code"] == "DOWNLOAD_FAILED" and "redirect" in final["error_message"]


@pytest.mark.parametrize(
    ("overrides", "host"),
    [
        ({}, "127.0.0.1"),  # refused: the production default
        ({"video_url_allowlist": "127.0.0.1"}, "127.0.0.1"),
        ({"video_url_allowlist": "127.0.0.0/8, 10.0.0.0/8"}, "127.0.0.1"),
        ({"video_url_allowlist": "*.media.test"}, "cdn.media.test"),
        ({"allow_private_urls": True}, "127.0.0.1"),
    ],
    ids=["default", "ip", "cidr", "wildcard-host", "allow-private"],
)
def test_allowlist_or_allow_private_opens_internal_sources(
    tmp_path: Path,
    http: httpx.Client,
    fake_dns: FakeDns,
    media_server: str,
    overrides: dict[str, Any],
    host: str,
) -> None:
    """A redirect is followed too when its target is allowed (media.test -> the file)."""
    fake_dns.answers["cdn.media.test"] = ["127.0.0.1"]
    port = urllib.parse.urlsplit(media_server).port
    target = f"http://{host}:{port}/m/short.mp4"
    url = f"http://{host}:{port}/redirect?" + urllib.parse.urlencode({"to": target})
    settings = {"allow_private_urls": False, **overrides}
    with standalone(tmp_path, **settings) as (server, _):
        response = http.post(f"{server.url}/render", json=render_body("open", url))
        if not overrides:
            assert response.status_code == 422
            assert response.json()["error_code"] == "DOWNLOAD_FAILED"
            return
        assert response.status_code == 200, response.text
        final = wait_final(http, server.url, "open")
    assert final["status"] == "completed", final
    assert final["duration"] == pytest.approx(2.0)


def test_rq_segmented_render_reads_through_the_relay(
    tmp_path: Path, redis_url: str, http: httpx.Client, media_server: str
) -> None:
    """Production URL policy in rq mode: the planner, four segment jobs (each seeking into
    the source with Range requests) and the merge all read through their work horse's relay.
    """
    from tests.server.conftest import video_facts

    with rq_stack(tmp_path, redis_url, segment_seconds=0.5, **production_like()) as stack:
        body = render_body("rq-relay", f"{media_server}/m/short.mp4")
        assert http.post(f"{stack.url}/render", json=body).status_code == 200
        final = wait_final(http, stack.url, "rq-relay", timeout=90)
        assert final["status"] == "completed", (final, stack.workers.output())
        plan = stack.store.get("rq-relay").data["plan"]
        facts = video_facts(stack.settings.public_dir / "rq-relay.mp4")
    assert plan.count('"index"') == 4
    assert len(facts.frame_pts_seconds) == 60 and facts.audio_packets > 0


# -- callback URLs --


@pytest.mark.parametrize("address", METADATA)
def test_callbacks_to_link_local_or_metadata_are_always_refused(
    tmp_path: Path, http: httpx.Client, fake_dns: FakeDns, media_server: str, address: str
) -> None:
    """Even with ALLOW_PRIVATE_URLS=true (which opens video URLs), by name or literally."""
    fake_dns.answers["hooks.test"] = [address]
    literal = f"[{address}]" if ":" in address else address
    with standalone(tmp_path, allow_private_urls=True) as (server, _):
        for callback in ("http://hooks.test/cb", f"http://{literal}/cb", f"https://{literal}/"):
            body = render_body("cb", f"{media_server}/m/tiny.mp4", callback_url=callback)
            response = http.post(f"{server.url}/render", json=body)
            assert response.status_code == 422, (callback, response.text)
            assert response.json()["path"] == "callback_url"
            assert "metadata" in response.json()["detail"]
        assert http.get(f"{server.url}/api/render/cb/status").status_code == 404
    with pytest.raises(InputError):
        check_callback_url("http://hooks.test/cb", resolver=fake_dns)


def test_callbacks_to_loopback_and_private_pass_by_default(fake_dns: FakeDns) -> None:
    fake_dns.answers["backend.internal"] = ["10.0.0.7"]
    check_callback_url("http://backend.internal/cb")
    check_callback_url("http://127.0.0.1:8000/cb")


def test_callback_allowed_hosts_restricts_callbacks(
    tmp_path: Path,
    http: httpx.Client,
    fake_dns: FakeDns,
    media_server: str,
    callback_receiver: CallbackReceiver,
) -> None:
    """With CALLBACK_ALLOWED_HOSTS only those hosts are accepted; delivery to an allowed
    name connects to its checked address (the loopback receiver)."""
    port = urllib.parse.urlsplit(callback_receiver.url).port
    fake_dns.answers["hooks.test"] = ["127.0.0.1"]
    fake_dns.answers["evil.test"] = ["127.0.0.1"]
    with standalone(
        tmp_path, allow_private_urls=True, callback_allowed_hosts="hooks.test, *.hooks.test"
    ) as (server, _):
        for refused in (
            callback_receiver.url,
            f"http://evil.test:{port}/callback",
            f"http://hooks.test.evil.test:{port}/callback",
        ):
            body = render_body("cb-no", f"{media_server}/m/tiny.mp4", callback_url=refused)
            response = http.post(f"{server.url}/render", json=body)
            assert response.status_code == 422, refused
            assert "allowed hosts" in response.json()["detail"]
        body = render_body(
            "cb-yes",
            f"{media_server}/m/tiny.mp4",
            callback_url=f"http://hooks.test:{port}/callback",
        )
        assert http.post(f"{server.url}/render", json=body).status_code == 200
        calls = wait_callbacks(callback_receiver, "cb-yes")
    assert calls[-1]["status"] == "completed"


def test_callback_rebinding_at_delivery_is_refused(
    tmp_path: Path,
    http: httpx.Client,
    fake_dns: FakeDns,
    media_server: str,
    network_guard: NetworkGuard,
) -> None:
    """hooks.test answers loopback when the job is accepted, then the metadata address: no
    callback is sent (and none is retried), the render completes regardless."""
    answers = iter([["127.0.0.1"]])
    fake_dns.answers["hooks.test"] = lambda: next(answers, ["169.254.169.254"])
    with standalone(tmp_path, allow_private_urls=True) as (server, _):
        body = render_body(
            "cb-rebind", f"{media_server}/m/tiny.mp4", callback_url="http://hooks.test:9/cb"
        )
        assert http.post(f"{server.url}/render", json=body).status_code == 200
        final = wait_final(http, server.url, "cb-rebind")
        wait_until(lambda: len(fake_dns.queries) >= 3, 10, what="delivery attempts")
        time.sleep(0.5)
    assert final["status"] == "completed"
    # one lookup at the API, then one per delivered snapshot (no retries of a refusal)
    assert 3 <= len(fake_dns.queries) <= 1 + 12
    assert not network_guard.violations


# -- API key --


def test_api_key_guards_every_endpoint_but_health(
    tmp_path: Path, http: httpx.Client, media_server: str
) -> None:
    """Every route the app has (docs included; routes added later are covered by the same
    middleware) answers 401 without the key and something else with it."""
    settings_kw = {"api_key": "k3y-" + uuid.uuid4().hex, "allow_private_urls": True}
    with standalone(tmp_path, **settings_kw) as (server, settings):
        key = settings.api_key.get_secret_value()  # type: ignore[union-attr]
        app = server.server.config.app
        routes = []
        for route in _walk(app.routes):
            path = getattr(route, "path", "")
            for method in sorted(getattr(route, "methods", None) or {"GET"}):
                if method == "HEAD":
                    continue
                routes.append((method, path.replace("{job_id}", "some-job")))
        assert len(routes) >= 10
        unguarded = []
        for method, path in routes + [("GET", "/no/such/path"), ("GET", "/redoc")]:
            url = f"{server.url}{path}"
            bare = http.request(method, url, json={})
            if path == "/health":
                assert bare.status_code == 200
                continue
            if path.startswith("/files"):
                continue  # signed links, below
            if bare.status_code != 401:
                unguarded.append((method, path, bare.status_code))
            for wrong in ("", key.upper(), key + "x", key[:-1], "k" * 4096):
                response = http.request(method, url, json={}, headers={"X-API-Key": wrong})
                assert response.status_code == 401, (method, path, wrong)
            allowed = http.request(method, url, json={}, headers={"X-API-Key": key})
            assert allowed.status_code != 401, (method, path)
        assert unguarded == []
        assert http.get(f"{server.url}/docs", headers={"X-API-Key": key}).status_code == 200


def _walk(routes: list[Any]) -> Iterator[Any]:
    """Routes, with included routers opened (FastAPI keeps them as one entry)."""
    for route in routes:
        inner = getattr(route, "original_router", None)
        if inner is not None:
            yield from _walk(inner.routes)
        else:
            yield route


def test_files_links_are_signed_when_an_api_key_is_set(
    tmp_path: Path, http: httpx.Client, media_server: str
) -> None:
    """End users download with the link alone; altered, foreign or expired links get 401."""
    from server.service.storage import file_signature, files_signing_key

    with standalone(tmp_path, api_key="files-key", allow_private_urls=True) as (server, settings):
        key = {"X-API-Key": "files-key"}
        body = render_body("signed", f"{media_server}/m/tiny.mp4")
        assert http.post(f"{server.url}/render", json=body, headers=key).status_code == 200
        with httpx.Client(headers=key, timeout=30) as keyed:
            final = wait_final(keyed, server.url, "signed")
        assert final["status"] == "completed", final
        link = final["download_url"]
        parts = urllib.parse.urlsplit(link)
        query = dict(urllib.parse.parse_qsl(parts.query))
        assert set(query) == {"expires", "signature"}
        assert int(query["expires"]) > time.time() + settings.s3_url_expires_seconds - 60
        download = http.get(link)  # no API key
        assert download.status_code == 200 and len(download.content) == final["file_size"]
        bare = f"{server.url}{parts.path}"
        signing = files_signing_key(settings)
        assert signing is not None
        past = int(time.time()) - 10
        for url in (
            bare,
            f"{bare}?expires={query['expires']}",
            f"{bare}?expires={query['expires']}&signature={'0' * 64}",
            f"{bare}?expires={int(query['expires']) + 1}&signature={query['signature']}",
            f"{bare}?expires={past}&signature={file_signature(signing, 'signed.mp4', past)}",
            f"{server.url}/files/other.mp4?{parts.query}",
        ):
            response = http.get(url, headers=key)  # the API key does not replace a signature
            assert response.status_code == 401, url
            assert response.json()["error_code"] == "UNAUTHORIZED"


def test_without_api_key_files_links_stay_plain(tmp_path: Path) -> None:
    from server.service.storage import build_storage

    settings = Settings(_env_file=None, storage_dir=tmp_path)  # type: ignore[call-arg]
    assert "?" not in build_storage(settings).download_url("a.mp4")


# -- per-client bound --


def test_active_jobs_per_client_are_bounded(
    tmp_path: Path, http: httpx.Client, media_server: str
) -> None:
    """Two active jobs allowed: the third gets 429; resubmitting an active id is not
    counted twice; once a job finishes, the client may submit again."""
    with standalone(
        tmp_path,
        allow_private_urls=True,
        max_active_jobs_per_client=2,
        max_concurrent_jobs=1,
    ) as (server, _):
        slow = {"width": 1280, "height": 720}
        first = render_body("bound-1", f"{media_server}/m/kill.mp4", options=slow)
        second = render_body("bound-2", f"{media_server}/m/kill.mp4", options=slow)
        third = render_body("bound-3", f"{media_server}/m/tiny.mp4")
        assert http.post(f"{server.url}/render", json=first).status_code == 200
        assert http.post(f"{server.url}/render", json=second).status_code == 200
        refused = http.post(f"{server.url}/render", json=third)
        assert refused.status_code == 429 and refused.json()["error_code"] == "TOO_MANY_JOBS"
        assert http.get(f"{server.url}/api/render/bound-3/status").status_code == 404
        assert http.post(f"{server.url}/render", json=second).status_code == 200  # same id
        assert http.post(f"{server.url}/api/render/bound-1/cancel").status_code == 200
        assert http.post(f"{server.url}/render", json=third).status_code == 200
        http.post(f"{server.url}/api/render/bound-2/cancel")
        assert wait_final(http, server.url, "bound-3")["status"] == "completed"


@pytest.mark.parametrize("backend", ["memory", "redis"])
def test_admission_bookkeeping(backend: str, request: pytest.FixtureRequest) -> None:
    from server.service import jobs

    if backend == "memory":
        store: Any = MemoryJobStore()
    else:
        import redis

        from server.service.redis_store import RedisJobStore

        connection = redis.Redis.from_url(request.getfixturevalue("redis_url"))
        store = RedisJobStore(connection, f"ecgtest-{uuid.uuid4().hex[:8]}")
    assert store.admit("1.2.3.4", "a", 2) and store.create("a", {}, None)
    assert store.admit("1.2.3.4", "b", 2) and store.create("b", {}, None)
    assert not store.admit("1.2.3.4", "c", 2)
    assert store.admit("1.2.3.4", "a", 2)  # already counted
    assert store.admit("5.6.7.8", "c", 2)  # another client
    store.start("a")
    store.fail("a", "X", "failed")
    assert store.admit("1.2.3.4", "c", 2)  # "a" finished: its slot is free
    assert not store.admit("1.2.3.4", "d", 2)  # "c" is reserved although never created
    saved = jobs.ADMISSION_GRACE_SECONDS
    try:
        if backend == "memory":
            jobs.ADMISSION_GRACE_SECONDS = -1.0
        else:
            import server.service.redis_store as rs

            rs.ADMISSION_GRACE_SECONDS = -1.0  # type: ignore[attr-defined]
        assert store.admit("1.2.3.4", "d", 2)  # "c" never came: dropped after the grace
    finally:
        jobs.ADMISSION_GRACE_SECONDS = saved
        if backend == "redis":
            import server.service.redis_store as rs

            rs.ADMISSION_GRACE_SECONDS = saved  # type: ignore[attr-defined]
    assert store.get("b").status is JobStatus.QUEUED  # type: ignore[union-attr]


def test_policies_are_what_the_settings_say() -> None:
    policy = callback_policy("A.example, *.b.example")
    assert policy.allowed_hosts == ("a.example", "*.b.example")
    assert url_safety.split_list(" x ,, y ") == ("x", "y")
    assert video_policy(False, "10.0.0.0/8").allowlist == ("10.0.0.0/8",)
