"""The ECG backend's calls to the render server, made exactly as the backend makes them.

Measured from the backend's render task module (issue 13):

* submit: aiohttp, ``POST {render_server}/render``, headers ``Content-Type`` and ``Accept``
  ``application/json``, total timeout 1800 s; the body camelCase at the top level with flat
  ``options`` (or ``{}``) and ``callbackUrl = {callback_base}/api/render/callback``. Only a
  200 with a JSON content type is success: the job is then marked ``processing``; anything
  else marks it ``failed`` (a 202 as ``GPU_SERVER_202``). The answer's body is only logged.
* cancel: ``POST {render_server}/api/render/{job_id}/cancel``, no body, headers
  ``Content-Type: application/json`` and ``User-Agent: HOIT-Backend/1.0``, 30 s timeout;
  200 is success, anything else is logged.
* health: ``GET {render_server}/health``, 10 s timeout, healthy only on 200.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

import aiohttp

from tests.contract.backend_double import BackendDouble

SUBMIT_TIMEOUT = aiohttp.ClientTimeout(total=1800)
CANCEL_TIMEOUT = aiohttp.ClientTimeout(total=30)
HEALTH_TIMEOUT = aiohttp.ClientTimeout(total=10)
SUBMIT_HEADERS = {"Content-Type": "application/json", "Accept": "application/json"}


@dataclass(frozen=True)
class Answer:
    status: int
    content_type: str
    body: Any  # parsed JSON, else the text


def render_request(
    job_id: str,
    video_url: str,
    scenario: dict[str, Any],
    options: dict[str, Any],
    callback_base: str,
) -> dict[str, Any]:
    """The submit body as the backend builds it."""
    return {
        "jobId": job_id,
        "videoUrl": video_url,
        "scenario": scenario,
        "options": options,
        "callbackUrl": f"{callback_base}/api/render/callback",
    }


async def _post_json(render_server: str, body: dict[str, Any]) -> Answer:
    async with (
        aiohttp.ClientSession(timeout=SUBMIT_TIMEOUT) as session,
        session.post(f"{render_server}/render", json=body, headers=SUBMIT_HEADERS) as response,
    ):
        text = await response.text()
        try:
            parsed: Any = await response.json(content_type=None)
        except ValueError:
            parsed = text
        return Answer(response.status, response.content_type, parsed)


def submit(render_server: str, body: dict[str, Any]) -> Answer:
    """POST the body as the backend does; the answer as it came."""
    return asyncio.run(_post_json(render_server, body))


def start_render(double: BackendDouble, render_server: str, body: dict[str, Any]) -> Answer:
    """The backend's render task: create the job row, submit, then mark it ``processing``
    only on a 200 JSON answer, else ``failed``."""
    job_id = body["jobId"]
    double.add_job(job_id)
    answer = submit(render_server, body)
    if answer.status == 200 and answer.content_type == "application/json":
        double.set_status(job_id, "processing")
    else:
        double.set_status(job_id, "failed", error_code=f"GPU_SERVER_{answer.status}")
    return answer


async def _cancel(render_server: str, job_id: str) -> Answer:
    async with (
        aiohttp.ClientSession(timeout=CANCEL_TIMEOUT) as session,
        session.post(
            f"{render_server}/api/render/{job_id}/cancel",
            headers={"Content-Type": "application/json", "User-Agent": "HOIT-Backend/1.0"},
        ) as response,
    ):
        return Answer(response.status, response.content_type, await response.json())


def cancel(render_server: str, job_id: str) -> Answer:
    return asyncio.run(_cancel(render_server, job_id))


async def _health(render_server: str) -> int:
    async with (
        aiohttp.ClientSession(timeout=HEALTH_TIMEOUT) as session,
        session.get(f"{render_server}/health") as response,
    ):
        return response.status


def healthy(render_server: str) -> bool:
    return asyncio.run(_health(render_server)) == 200
