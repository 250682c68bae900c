"""The backend double is as strict as the real backend's callback route (issue 13's
measurements): otherwise the contract tests would prove nothing."""

from __future__ import annotations

from typing import Any

import httpx

from tests.contract.backend_double import BackendDouble


def _post(url: str, body: Any) -> httpx.Response:
    return httpx.post(f"{url}/api/render/callback", json=body, timeout=10)


def test_integers_are_pydantics_whole_numbers(backend: tuple[BackendDouble, str]) -> None:
    double, url = backend
    double.add_job("double-int")
    body = {"job_id": "double-int", "status": "processing"}
    assert _post(url, body | {"progress": 45}).json() == {"status": "received"}
    assert _post(url, body | {"progress": 45.0}).status_code == 200
    for name in ("progress", "estimated_time_remaining", "file_size"):
        assert _post(url, body | {name: 45.5}).status_code == 422, name
        assert _post(url, body | {name: "soon"}).status_code == 422, name
    assert _post(url, body | {"estimated_time_remaining": 12.7}).status_code == 422
    assert _post(url, body | {"duration": 2}).status_code == 200  # a float field takes ints


def test_required_fields_camel_case_extra_fields_and_unknown_jobs(
    backend: tuple[BackendDouble, str],
) -> None:
    double, url = backend
    double.add_job("double-fields")
    assert _post(url, {"jobId": "double-fields", "status": "processing"}).status_code == 422
    assert _post(url, {"job_id": "double-fields"}).status_code == 422
    extra = {"job_id": "double-fields", "status": "processing", "worker": "w1"}
    assert _post(url, extra).status_code == 200
    assert _post(url, {"job_id": "nobody", "status": "processing"}).status_code == 404


def test_terminal_500_comes_after_the_status_is_stored(
    backend: tuple[BackendDouble, str],
) -> None:
    double, url = backend
    double.add_job("double-500")
    double.fail_terminal_after_store = True
    assert _post(url, {"job_id": "double-500", "status": "processing"}).status_code == 200
    done = {"job_id": "double-500", "status": "completed", "download_url": "http://dl/x.mp4"}
    assert _post(url, done).status_code == 500
    row = double.row("double-500")
    assert (row.status, row.download_url) == ("completed", "http://dl/x.mp4")
    answers = [d.answer for d in double.deliveries_for("double-500")]
    assert answers == [200, 500]
