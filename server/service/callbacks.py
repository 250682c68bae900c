"""Callbacks to the backend: POST the job's snapshot (``GPURenderCallback`` fields) to its
``callback_url`` on start, at every 10 % of progress, and at the end.

The store queues the snapshots (see :mod:`server.service.jobs`); :class:`CallbackDispatcher`, a thread
in the API process, drains them per job, in order, one delivery at a time. Delivery retries
with exponential backoff and full jitter, a bounded number of times; it never raises. Renders
never wait for it: a dead endpoint only delays that job's later callbacks. A job queues at
most a dozen snapshots (start, one per 10 %, the end); once a delivery has failed, the job's
later progress snapshots get a single try each, so a dead endpoint cannot hold a backlog for
long, while status changes always get the full policy.
"""

from __future__ import annotations

import logging
import random
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import Any

import httpx

from server.service.jobs import JobSnapshot, JobStatus, JobStore
from server.service.url_safety import callback_policy, checked_client, refusal

log = logging.getLogger("ecg_render.callbacks")
_POLL_SECONDS = 0.05
_RETRYABLE_4XX = {408, 425, 429}
# Longer than a job's whole backlog can take with the default policy (about a dozen snapshots).
_LEASE_SECONDS = 600.0


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """``max_tries`` attempts of ``timeout_seconds`` each; before attempt n+1 a random wait
    in [0, min(backoff_max_seconds, backoff_seconds * 2**n)] (full jitter)."""

    max_tries: int = 5
    timeout_seconds: float = 5.0
    backoff_seconds: float = 0.5
    backoff_max_seconds: float = 8.0

    def delays(self, rng: random.Random | None = None) -> Iterator[float]:
        rng = rng or random.Random()
        for attempt in range(self.max_tries - 1):
            ceiling = min(self.backoff_max_seconds, self.backoff_seconds * 2**attempt)
            yield rng.uniform(0, ceiling)


def deliver(
    client: httpx.Client,
    url: str,
    payload: dict[str, Any],
    policy: RetryPolicy,
    stop: threading.Event | None = None,
) -> bool:
    """POST ``payload`` as JSON until a 2xx answer; False when every try failed, the endpoint
    refused it for good (a 4xx other than 408/425/429) or ``stop`` was set. Never raises."""
    stop = stop or threading.Event()
    delays = policy.delays()
    for attempt in range(1, policy.max_tries + 1):
        try:
            response = client.post(url, json=payload, timeout=policy.timeout_seconds)
            if response.is_success:
                return True
            detail = f"HTTP {response.status_code}"
            if 400 <= response.status_code < 500 and response.status_code not in _RETRYABLE_4XX:
                log.warning(
                    "callback %s for %s refused: %s",
                    payload.get("status"),
                    payload.get("job_id"),
                    detail,
                )
                return False
        except httpx.HTTPError as exc:
            refused = refusal(exc)
            if refused is not None:  # an address the policy refuses: trying again is pointless
                log.warning("callback for %s refused: %s", payload.get("job_id"), refused)
                return False
            detail = f"{type(exc).__name__}: {exc}"
        log.info(
            "callback try %d/%d for %s failed: %s",
            attempt,
            policy.max_tries,
            payload.get("job_id"),
            detail,
        )
        delay = next(delays, None)
        if delay is None or stop.wait(delay):
            break
    return False


class CallbackDispatcher:
    """Delivers each job's queued snapshots in order, one sender thread per job with a
    backlog. ``start()`` / ``stop()`` bracket the API process's life."""

    def __init__(
        self,
        store: JobStore,
        policy: RetryPolicy,
        client: httpx.Client | None = None,
        on_delivered: Callable[[JobSnapshot, bool], None] | None = None,
    ):
        self.store = store
        self.policy = policy
        # Default: no redirects, never a link-local or metadata address (checked and pinned
        # at connect time, see server.service.url_safety); the API passes CALLBACK_ALLOWED_HOSTS.
        self.client = client or checked_client(callback_policy(), follow_redirects=False)
        self.on_delivered = on_delivered
        self._owner = uuid.uuid4().hex
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._senders: dict[str, threading.Thread] = {}
        self._busy_elsewhere: dict[str, float] = {}  # job -> when to look again
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="ecg-callbacks", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
        with self._lock:
            senders = list(self._senders.values())
        for sender in senders:
            sender.join(timeout)
        self.client.close()

    def _loop(self) -> None:
        while not self._stop.wait(_POLL_SECONDS):
            try:
                pending = self.store.pending_callback_jobs()
            except Exception:
                log.exception("cannot list pending callbacks")
                self._stop.wait(1.0)
                continue
            now = time.monotonic()
            with self._lock:
                for job_id in pending:
                    if self._busy_elsewhere.get(job_id, 0.0) > now:
                        continue
                    self._busy_elsewhere.pop(job_id, None)
                    if job_id not in self._senders:
                        thread = threading.Thread(
                            target=self._drain,
                            args=(job_id,),
                            name=f"ecg-callback-{job_id}",
                            daemon=True,
                        )
                        self._senders[job_id] = thread
                        thread.start()

    def _drain(self, job_id: str) -> None:
        leased = False
        try:
            # Another API process on the same store may be sending this job's callbacks:
            # only one sender per job keeps them in order.
            leased = self.store.acquire_callback_lease(job_id, self._owner, _LEASE_SECONDS)
            if not leased:
                with self._lock:
                    self._busy_elsewhere[job_id] = time.monotonic() + 1.0
                return
            record = self.store.get(job_id)
            url = record.callback_url if record else None
            endpoint_down = False
            while not self._stop.is_set():
                events = self.store.pop_events(job_id)
                if not events:
                    break
                for snapshot in events:
                    policy = self.policy
                    if endpoint_down and snapshot.status is JobStatus.PROCESSING:
                        policy = replace(policy, max_tries=1)
                    ok = url is not None and deliver(
                        self.client, url, snapshot.payload(), policy, self._stop
                    )
                    endpoint_down = not ok
                    if self.on_delivered is not None:
                        self.on_delivered(snapshot, ok)
        except Exception:
            log.exception("callback sender for %s failed", job_id)
        finally:
            if leased:
                self.store.release_callback_lease(job_id, self._owner)
            with self._lock:
                self._senders.pop(job_id, None)
