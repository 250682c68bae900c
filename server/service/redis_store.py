"""The JobStore of rq mode: Redis hashes changed only by Lua scripts (atomic per job).

Keys, under ``<prefix>:`` (``REDIS_PREFIX``, default ``ecg``)::

    job:<id>          hash   status, progress, eta, download_url, file_size, duration,
                             error_message, error_code, callback_url, request (JSON),
                             created_at, started_at, frames_total, publishing, cb_step,
                             data:<name>
    job:<id>:parts    hash   part -> frames done
    job:<id>:events   list   callback snapshots (JSON), oldest first
    job:<id>:callback-lease  the API process now sending the job's callbacks
    job:<id>:callback-hold   present while the job's callbacks are held (expires by itself)
    callbacks         set    ids of jobs with undelivered events
    client:<client>   zset   the client's admitted job ids by admission time (per-client bound)
    stats             hash   status:<s> (jobs that reached s), frames_rendered, render_fps

Each script checks the state machine of :mod:`server.service.jobs` and appends the callback snapshot
in the same step, so events keep the order of the changes across processes. Finished jobs
expire after ``ttl_seconds``.
"""

from __future__ import annotations

import json
import time
from typing import Any

import redis

from server.service.jobs import (
    ADMISSION_GRACE_SECONDS,
    JobRecord,
    JobSnapshot,
    JobStatus,
    StoreStats,
    encode_request,
    eta_seconds,
    progress_percent,
    whole_seconds,
)

# Shared Lua: build the callback snapshot from the hash, append it when a callback is set.
_LUA_EMIT = """
local function opt(v) if v == false or v == '' then return cjson.null end return v end
local function num(v) if v == false or v == '' then return cjson.null end return tonumber(v) end
local function emit(key, events, pending, id, ttl)
  if (redis.call('HGET', key, 'callback_url') or '') == '' then return end
  local h = redis.call('HMGET', key, 'status', 'progress', 'eta', 'download_url', 'file_size',
                       'duration', 'error_message', 'error_code')
  local snap = cjson.encode({job_id = id, status = h[1], progress = tonumber(h[2]) or 0,
    estimated_time_remaining = num(h[3]), download_url = opt(h[4]), file_size = num(h[5]),
    duration = num(h[6]), error_message = opt(h[7]), error_code = opt(h[8])})
  redis.call('RPUSH', events, snap)
  redis.call('EXPIRE', events, ttl)
  redis.call('SADD', pending, id)
end
"""

# KEYS job, events, pending, stats, parts
# ARGV id, new_status, allowed (space separated), refuse_if_publishing, ttl, field, value, ...
_LUA_TRANSITION = (
    _LUA_EMIT
    + """
local cur = redis.call('HGET', KEYS[1], 'status')
if not cur then return {0, ''} end
local allowed = false
for s in string.gmatch(ARGV[3], '%S+') do if s == cur then allowed = true end end
if not allowed then return {0, cur} end
if ARGV[4] == '1' and redis.call('HGET', KEYS[1], 'publishing') == '1' then return {0, cur} end
redis.call('HSET', KEYS[1], 'status', ARGV[2])
for i = 6, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
redis.call('HINCRBY', KEYS[4], 'status:' .. ARGV[2], 1)
emit(KEYS[1], KEYS[2], KEYS[3], ARGV[1], tonumber(ARGV[5]))
if ARGV[2] == 'completed' or ARGV[2] == 'failed' or ARGV[2] == 'cancelled' then
  redis.call('EXPIRE', KEYS[1], ARGV[5])
  redis.call('DEL', KEYS[5])
end
return {1, ARGV[2]}
"""
)

# KEYS job, events, pending, stats; ARGV id, progress, eta, frames_delta, fps, ttl
_LUA_PROGRESS = (
    _LUA_EMIT
    + """
if redis.call('HGET', KEYS[1], 'status') ~= 'processing' then return -1 end
redis.call('HINCRBY', KEYS[4], 'frames_rendered', ARGV[4])
redis.call('HSET', KEYS[4], 'render_fps', ARGV[5])
local old = tonumber(redis.call('HGET', KEYS[1], 'progress') or '0')
local new = tonumber(ARGV[2])
if new <= old then return old end
redis.call('HSET', KEYS[1], 'progress', new, 'eta', ARGV[3])
local step = math.floor(new / 10)
if step > tonumber(redis.call('HGET', KEYS[1], 'cb_step') or '0') then
  redis.call('HSET', KEYS[1], 'cb_step', step)
  emit(KEYS[1], KEYS[2], KEYS[3], ARGV[1], tonumber(ARGV[6]))
end
return new
"""
)

# KEYS job; ARGV none
_LUA_CLAIM = """
if redis.call('HGET', KEYS[1], 'status') ~= 'processing' then return 0 end
if redis.call('HGET', KEYS[1], 'publishing') == '1' then return 0 end
redis.call('HSET', KEYS[1], 'publishing', '1')
return 1
"""

# KEYS job, stats; ARGV fields... ; creates only when absent
_LUA_CREATE = """
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
for i = 1, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
redis.call('HINCRBY', KEYS[2], 'status:queued', 1)
return 1
"""

# KEYS client zset; ARGV job key prefix, job_id, limit, now, grace, ttl
# Members are job ids scored by admission time; finished jobs and ids whose job was never
# created within the grace period are dropped before counting.
_LUA_ADMIT = """
local now, grace = tonumber(ARGV[4]), tonumber(ARGV[5])
local members = redis.call('ZRANGE', KEYS[1], 0, -1, 'WITHSCORES')
for i = 1, #members, 2 do
  local id, at = members[i], tonumber(members[i + 1])
  local status = redis.call('HGET', ARGV[1] .. id, 'status')
  if (not status and now - at > grace) or status == 'completed' or status == 'failed'
     or status == 'cancelled' then
    redis.call('ZREM', KEYS[1], id)
  end
end
if not redis.call('ZSCORE', KEYS[1], ARGV[2]) then
  if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then return 0 end
  redis.call('ZADD', KEYS[1], now, ARGV[2])
end
redis.call('EXPIRE', KEYS[1], ARGV[6])
return 1
"""

# KEYS events, pending; ARGV id
_LUA_POP = """
local items = redis.call('LRANGE', KEYS[1], 0, -1)
redis.call('DEL', KEYS[1])
redis.call('SREM', KEYS[2], ARGV[1])
return items
"""

# KEYS lease; ARGV owner: delete only our own lease
_LUA_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


class RedisJobStore:
    """JobStore on Redis; safe to share between threads and processes."""

    def __init__(self, connection: redis.Redis, prefix: str = "ecg", ttl_seconds: int = 604800):
        self.redis = connection
        self.prefix = prefix
        self.ttl_seconds = ttl_seconds
        self._transition = connection.register_script(_LUA_TRANSITION)
        self._progress = connection.register_script(_LUA_PROGRESS)
        self._claim = connection.register_script(_LUA_CLAIM)
        self._create = connection.register_script(_LUA_CREATE)
        self._pop = connection.register_script(_LUA_POP)
        self._release = connection.register_script(_LUA_RELEASE)
        self._admit = connection.register_script(_LUA_ADMIT)

    # -- keys --

    def _job(self, job_id: str) -> str:
        return f"{self.prefix}:job:{job_id}"

    def _keys(self, job_id: str) -> list[str]:
        job = self._job(job_id)
        return [
            job,
            f"{job}:events",
            f"{self.prefix}:callbacks",
            f"{self.prefix}:stats",
            f"{job}:parts",
        ]

    # -- JobStore --

    def create(self, job_id: str, request: dict[str, Any], callback_url: str | None) -> bool:
        fields = {
            "status": str(JobStatus.QUEUED),
            "progress": "0",
            "request": encode_request(request),
            "callback_url": callback_url or "",
            "created_at": repr(time.time()),
        }
        args = [item for pair in fields.items() for item in pair]
        keys = [self._job(job_id), f"{self.prefix}:stats"]
        return bool(self._create(keys=keys, args=args))

    def admit(self, client: str, job_id: str, limit: int) -> bool:
        args = [
            f"{self.prefix}:job:",
            job_id,
            limit,
            repr(time.time()),
            ADMISSION_GRACE_SECONDS,
            self.ttl_seconds,
        ]
        return bool(self._admit(keys=[f"{self.prefix}:client:{client}"], args=args))

    def get(self, job_id: str) -> JobRecord | None:
        raw = self.redis.hgetall(self._job(job_id))
        if not raw:
            return None
        h = {k.decode(): v.decode() for k, v in raw.items()}
        snapshot = JobSnapshot(
            job_id=job_id,
            status=JobStatus(h["status"]),
            progress=int(h.get("progress") or 0),
            estimated_time_remaining=whole_seconds(_float(h.get("eta"))),
            download_url=h.get("download_url") or None,
            file_size=_int(h.get("file_size")),
            duration=_float(h.get("duration")),
            error_message=h.get("error_message") or None,
            error_code=h.get("error_code") or None,
        )
        return JobRecord(
            snapshot=snapshot,
            request=json.loads(h.get("request") or "{}"),
            callback_url=h.get("callback_url") or None,
            created_at=float(h.get("created_at") or 0),
            started_at=_float(h.get("started_at")),
            frames_total=_int(h.get("frames_total")),
            publishing=h.get("publishing") == "1",
            data={k[5:]: v for k, v in h.items() if k.startswith("data:")},
        )

    def start(self, job_id: str) -> bool:
        status = self._run(
            job_id, JobStatus.PROCESSING, "queued", False, started_at=repr(time.time()), cb_step="0"
        )
        if status is not None:
            return True
        record = self.get(job_id)
        return record is not None and record.status is JobStatus.PROCESSING

    def set_frames_total(self, job_id: str, frames: int | None) -> None:
        self.redis.hset(self._job(job_id), "frames_total", "" if frames is None else str(frames))

    def report_frames(
        self, job_id: str, part: int, frames_done: int, frames_delta: int, fps: float
    ) -> int | None:
        job = self._job(job_id)
        pipe = self.redis.pipeline()
        pipe.hset(f"{job}:parts", str(part), str(frames_done))
        pipe.expire(f"{job}:parts", self.ttl_seconds)
        pipe.hvals(f"{job}:parts")
        pipe.hmget(job, "frames_total", "started_at")
        _, _, parts, (total_raw, started_raw) = pipe.execute()
        done = sum(int(v) for v in parts)
        total = _int(total_raw.decode() if total_raw else None)
        started = _float(started_raw.decode() if started_raw else None)
        eta = eta_seconds(started, done, total)
        args = [
            job_id,
            progress_percent(done, total),
            "" if eta is None else repr(eta),
            max(0, frames_delta),
            repr(float(fps)),
            self.ttl_seconds,
        ]
        result = int(self._progress(keys=self._keys(job_id)[:4], args=args))
        return None if result < 0 else result

    def claim_publish(self, job_id: str) -> bool:
        return bool(self._claim(keys=[self._job(job_id)]))

    def release_publish(self, job_id: str) -> None:
        self.redis.hset(self._job(job_id), "publishing", "0")

    def complete(self, job_id: str, download_url: str, file_size: int, duration: float) -> bool:
        status = self._run(
            job_id,
            JobStatus.COMPLETED,
            "processing",
            False,
            progress="100",
            eta="0",
            download_url=download_url,
            file_size=str(file_size),
            duration=repr(float(duration)),
        )
        return status is not None

    def fail(self, job_id: str, error_code: str, error_message: str) -> bool:
        status = self._run(
            job_id,
            JobStatus.FAILED,
            "queued processing",
            False,
            eta="",
            error_code=error_code,
            error_message=error_message,
        )
        return status is not None

    def cancel(self, job_id: str) -> JobStatus | None:
        status = self._run(
            job_id,
            JobStatus.CANCELLED,
            "queued processing",
            True,
            eta="",
            error_code="CANCELLED",
            error_message="cancelled on request",
        )
        if status is not None:
            return status
        record = self.get(job_id)
        return None if record is None else record.status

    def put_data(self, job_id: str, name: str, value: str) -> None:
        self.redis.hset(self._job(job_id), f"data:{name}", value)

    def hold_callbacks(self, job_id: str, seconds: float) -> None:
        self.redis.set(f"{self._job(job_id)}:callback-hold", "1", px=int(seconds * 1000))

    def release_callbacks(self, job_id: str) -> None:
        self.redis.delete(f"{self._job(job_id)}:callback-hold")

    def pending_callback_jobs(self) -> list[str]:
        jobs = sorted(m.decode() for m in self.redis.smembers(f"{self.prefix}:callbacks"))
        if not jobs:
            return []
        pipe = self.redis.pipeline(transaction=False)
        for job_id in jobs:
            pipe.exists(f"{self._job(job_id)}:callback-hold")
        return [job_id for job_id, held in zip(jobs, pipe.execute()) if not held]

    def pop_events(self, job_id: str) -> list[JobSnapshot]:
        keys = [f"{self._job(job_id)}:events", f"{self.prefix}:callbacks"]
        items = self._pop(keys=keys, args=[job_id])
        return [JobSnapshot.from_payload(json.loads(item)) for item in items]

    def acquire_callback_lease(self, job_id: str, owner: str, seconds: float) -> bool:
        key = f"{self._job(job_id)}:callback-lease"
        return bool(self.redis.set(key, owner, nx=True, px=int(seconds * 1000)))

    def release_callback_lease(self, job_id: str, owner: str) -> None:
        self._release(keys=[f"{self._job(job_id)}:callback-lease"], args=[owner])

    def stats(self) -> StoreStats:
        raw = {
            k.decode(): v.decode() for k, v in self.redis.hgetall(f"{self.prefix}:stats").items()
        }
        counts = {k[7:]: int(v) for k, v in raw.items() if k.startswith("status:")}
        return StoreStats(
            counts, int(raw.get("frames_rendered", 0)), float(raw.get("render_fps", 0.0))
        )

    # -- helpers --

    def _run(
        self,
        job_id: str,
        status: JobStatus,
        allowed: str,
        refuse_if_publishing: bool,
        **fields: str,
    ) -> JobStatus | None:
        """Run the transition script; the new status, or None when refused."""
        args: list[Any] = [
            job_id,
            str(status),
            allowed,
            "1" if refuse_if_publishing else "0",
            self.ttl_seconds,
        ]
        for name, value in fields.items():
            args += [name, value]
        ok, _ = self._transition(keys=self._keys(job_id), args=args)
        return status if int(ok) else None


def _int(value: str | None) -> int | None:
    return int(float(value)) if value not in (None, "") else None


def _float(value: str | None) -> float | None:
    return float(value) if value not in (None, "") else None
