"""Callbacks to the backend: POST the job's snapshot (the backend's ``GPURenderCallback``
fields, built by server.service.callback_model) to its ``callback_url`` on start, at every
10 % of progress, and at the end.

The store queues the snapshots (see :mod:`server.service.jobs`); :class:`CallbackDispatcher`, a thread
in the API process, drains them per job, in order, one delivery at a time. A job's callbacks
are held until the API has sent the answer to its submit (``JobStore.hold_callbacks``), since
the backend marks a job ``processing`` only once it has read that answer. Renders never wait
for delivery: a dead endpoint only delays that job's later callbacks. A job queues at most a
dozen snapshots (start, one per 10 %, the end); once a delivery has failed, the job's later
progress snapshots get a single try each, so a dead endpoint cannot hold a backlog for long,
while status changes always get the full policy.

Retry policy of one delivery (exponential backoff with full jitter between tries):

* connection errors, timeouts, and the answers 408, 425, 429, 502, 503 and 504 (the backend
  or its proxy is restarting or busy): up to ``CALLBACK_MAX_TRIES`` tries;
* any other 5xx (the backend took the callback but failed after it, as its terminal handler
  does today): at most ``OTHER_5XX_MAX_TRIES`` (3) tries, counting every such answer;
* any other answer that is not 2xx (4xx such as 404 for an unknown job or 422 for a body it
  refuses, and 3xx, which are not followed): final after one try.

Each give-up is logged once, at WARNING, with the job id, the callback's status, the number of
tries and the last answer (status and the start of the body, or the connection error).
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

from server.service.callback_model import callback_payload
from server.service.jobs import JobSnapshot, JobStatus, JobStore
from server.service.url_safety import callback_policy, checked_client, refusal

log = logging.getLogger("ecg_render.callbacks")
_POLL_SECONDS = 0.05
# Answers that mean "not now" (busy, restarting, a proxy without its upstream): the full policy.
FULL_POLICY_STATUSES = frozenset({408, 425, 429, 502, 503, 504})
# Any other 5xx: the endpoint answered but failed; a few tries cover a passing fault.
OTHER_5XX_MAX_TRIES = 3
_BODY_IN_LOG = 200  # characters of an answer's body quoted in the give-up line
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
    """POST ``payload`` as JSON until a 2xx answer, by the retry policy of this module's
    docstring; False when it gave up or ``stop`` was set. Never raises."""
    stop = stop or threading.Event()
    delays = policy.delays()
    other_5xx = 0
    last = "no answer"
    for attempt in range(1, policy.max_tries + 1):
        try:
            response = client.post(url, json=payload, timeout=policy.timeout_seconds)
        except httpx.HTTPError as exc:
            refused = refusal(exc)
            if refused is not None:  # an address the policy refuses: trying again is pointless
                _give_up(payload, attempt, f"address refused: {refused}")
                return False
            last = f"{type(exc).__name__}: {exc}"
        else:
            if response.is_success:
                return True
            last = _describe(response)
            code = response.status_code
            if code >= 500 and code not in FULL_POLICY_STATUSES:
                other_5xx += 1
                if other_5xx >= OTHER_5XX_MAX_TRIES:
                    break
            elif code not in FULL_POLICY_STATUSES:
                break  # 4xx (or an unfollowed 3xx): the same body would be refused again
        delay = next(delays, None)
        if delay is None:
            break
        log.info(
            "callback try %d/%d for %s failed: %s", attempt, policy.max_tries, _job(payload), last
        )
        if stop.wait(delay):
            log.info("callback for %s not delivered: the service is stopping", _job(payload))
            return False
    _give_up(payload, attempt, last)
    return False


def _give_up(payload: dict[str, Any], tries: int, last: str) -> None:
    log.warning(
        "callback %s for job %s given up after %d %s; last answer: %s",
        payload.get("status"),
        _job(payload),
        tries,
        "try" if tries == 1 else "tries",
        last,
    )


def _describe(response: httpx.Response) -> str:
    body = " ".join(response.text.split())[:_BODY_IN_LOG]
    return f"HTTP {response.status_code}" + (f" {body}" if body else "")


def _job(payload: dict[str, Any]) -> str:
    return str(payload.get("job_id"))


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
                        self.client, url, callback_payload(snapshot), policy, self._stop
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
