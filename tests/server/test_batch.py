"""`ecg-render batch`: manifests, the state file, resume after kill -9, bad lines, mixed
success and failure with --retry-failed, and rq mode against redis-server and real workers.

The batch runs as a real `ecg-render batch` process (python -m server.cli) on tiny generated
clips with audio; nothing is mocked.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

from server.batch.job import JobProgress, PlannedJob
from server.batch.manifest import read_manifest
from server.batch.progress import BatchProgress
from server.batch.remote import remote_job_id
from server.batch.report import LineResult, LineStatus
from server.batch.runner import plan_item
from server.batch.state import STATE_NAME, WORK_NAME, BatchState, StateEntry, input_hash
from tests.engine.clips import RATE_CLIPS, ClipSpec, make_clip
from tests.server.conftest import (
    SCENARIO,
    ServerThread,
    Workers,
    make_settings,
    settings_env,
    video_facts,
    wait_until,
)

TINY = ClipSpec(width=320, height=240, seconds=1.0)  # 30 frames, AAC
SMALL = ClipSpec(width=640, height=360, seconds=2.0, options={"preset": "veryfast", "g": "15"})
BATCH_TIMEOUT_SECONDS = 120


@pytest.fixture(scope="module")
def batch_clips() -> dict[str, Path]:
    return {"tiny": make_clip(TINY), "small": make_clip(SMALL)}


@pytest.fixture()
def folder(tmp_path: Path) -> Path:
    """A working folder holding the scenario file, a corrupt video and the manifests."""
    (tmp_path / "scenario.json").write_text(json.dumps(SCENARIO), encoding="utf-8")
    (tmp_path / "corrupt.mp4").write_bytes(b"this is not a video" * 100)
    return tmp_path


def write_jsonl(path: Path, lines: list[Any]) -> Path:
    with path.open("w", encoding="utf-8") as handle:
        for line in lines:
            handle.write((line if isinstance(line, str) else json.dumps(line)) + "\n")
    return path


def batch_command(manifest: Path, out: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "server.cli", "batch", str(manifest), "--out", str(out), *args]


def batch_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    return {**os.environ, "ENCODER": "libx264", "ARRAY_BACKEND": "numpy", **(extra or {})}


def run_batch_process(
    manifest: Path, out: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        batch_command(manifest, out, *args),
        check=False,
        cwd=manifest.parent,  # no developer .env is read
        env=env or batch_env(),
        capture_output=True,
        text=True,
        timeout=BATCH_TIMEOUT_SECONDS,
    )


def report_lines(out: Path) -> dict[int, dict[str, Any]]:
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    return {line["line"]: line for line in report["lines"]}


def fingerprint(path: Path) -> tuple[int, str]:
    return path.stat().st_mtime_ns, hashlib.sha256(path.read_bytes()).hexdigest()


def finished_jobs(out: Path) -> set[str]:
    try:
        state = json.loads((out / STATE_NAME).read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return set()
    return {job for job, entry in state["jobs"].items() if entry["status"] == "succeeded"}


def process_group_gone(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return True
    return False


# -- manifests, state, planning (no rendering) --


def test_manifest_lines_are_checked_one_by_one(folder: Path, batch_clips: dict[str, Path]) -> None:
    tiny = str(batch_clips["tiny"])
    manifest = write_jsonl(
        folder / "m.jsonl",
        [
            {"job_id": "ok-1", "video": tiny, "scenario": "scenario.json"},
            "",
            "{broken",
            {"job_id": "no-scenario", "video": tiny},
            {"job_id": "bad/id", "video": tiny, "scenario": "scenario.json"},
            {"job_id": "gone", "video": tiny, "scenario": "missing.json"},
            {"job_id": "fps", "video": tiny, "scenario": SCENARIO, "options": {"fps": 0}},
            {"job_id": "ok-1", "video": tiny, "scenario": SCENARIO},
            {"job_id": "bad-doc", "video": tiny, "scenario": {"version": "2.0"}},
            {"job_id": "novideo", "video": "absent.mp4", "scenario": SCENARIO},
            {"job_id": "ftp", "video": "ftp://host/v.mp4", "scenario": SCENARIO},
            [1, 2],
            {
                "job_id": "ok-2",
                "video": "http://127.0.0.1:9/v.mp4",
                "scenario": SCENARIO,
                "options": {"format": "webm", "width": 480, "height": 360},
            },
        ],
    )
    parsed = read_manifest(manifest)
    assert [(i.line, i.job_id) for i in parsed.items] == [(1, "ok-1"), (13, "ok-2")]
    ok1, ok2 = parsed.items
    assert ok1.video == tiny and ok1.video_size == batch_clips["tiny"].stat().st_size
    assert ok1.scenario == SCENARIO and ok1.output_name == "ok-1.mp4"
    assert ok1.options["fps"] is None  # no options: the video's own timing
    assert ok2.video_size is None and ok2.output_name == "ok-2.webm"
    bad = {b.line: b for b in parsed.bad_lines}
    assert sorted(bad) == [3, 4, 5, 6, 7, 8, 9, 10, 11, 12]
    assert "not valid JSON" in bad[3].message and bad[3].job_id is None
    assert bad[4].message == 'missing field "scenario"' and bad[4].job_id == "no-scenario"
    assert bad[5].message.startswith('"job_id": ') and "'bad/id'" in bad[5].message
    assert "cannot read scenario file" in bad[6].message and "missing.json" in bad[6].message
    assert bad[7].message == '"options.fps": fps must be between 1 and 60, but is 0'
    assert bad[8].message == "job_id 'ok-1' was already used on line 1"
    assert bad[9].code == "INVALID_SCENARIO"
    assert "cannot read video file" in bad[10].message
    assert "http(s) or s3 URL" in bad[11].message
    assert bad[12].message == "expected a JSON object, but got a list"


def test_csv_manifest(folder: Path, batch_clips: dict[str, Path]) -> None:
    inline = json.dumps(SCENARIO).replace('"', '""')
    text = (
        "job_id,video,scenario,options\n"
        f"a,{batch_clips['tiny']},scenario.json,\n"
        f'b,{batch_clips["tiny"]},"{inline}","{{""quality"": 50}}"\n'
        "\n"
        f"c,{batch_clips['tiny']},scenario.json,{{not json\n"
        "d,only-two-cells\n"
        f"e,{batch_clips['tiny']},scenario.json,,extra\n"
    )
    (folder / "m.csv").write_text(text, encoding="utf-8")
    parsed = read_manifest(folder / "m.csv")
    assert [(i.line, i.job_id) for i in parsed.items] == [(2, "a"), (3, "b")]
    assert parsed.items[1].scenario == SCENARIO and parsed.items[1].options["quality"] == 50
    bad = {b.line: b.message for b in parsed.bad_lines}
    assert sorted(bad) == [5, 6, 7]
    assert bad[5].startswith('"options" is not valid JSON')
    assert bad[6] == 'missing field "scenario"'
    assert bad[7] == "has 5 cells for 4 columns"

    (folder / "nohead.csv").write_text("id,file\n1,x\n", encoding="utf-8")
    from motiontext.errors import InputError

    with pytest.raises(InputError, match="must name the columns job_id, video, scenario"):
        read_manifest(folder / "nohead.csv")


def test_input_hash_and_plan(folder: Path, batch_clips: dict[str, Path]) -> None:
    video = folder / "video.mp4"
    shutil.copyfile(batch_clips["tiny"], video)
    line = {"job_id": "j", "video": "video.mp4", "scenario": "scenario.json"}
    write_jsonl(folder / "m.jsonl", [line])
    item = read_manifest(folder / "m.jsonl").items[0]
    digest = input_hash(item)
    assert digest == input_hash(read_manifest(folder / "m.jsonl").items[0])
    assert input_hash(item, "ecg-render 9.9") != digest  # a new renderer renders again
    changed = [
        {**line, "options": {"quality": 60}},
        {**line, "scenario": {**SCENARIO, "cues": []}},
    ]
    for variant in changed:
        write_jsonl(folder / "v.jsonl", [variant])
        assert input_hash(read_manifest(folder / "v.jsonl").items[0]) != digest
    os.utime(video, ns=(0, 0))
    assert input_hash(read_manifest(folder / "m.jsonl").items[0]) != digest
    item = read_manifest(folder / "m.jsonl").items[0]
    digest = input_hash(item)

    out = folder / "out"
    out.mkdir()
    state = BatchState(out)
    assert isinstance(plan_item(item, state, out, False), PlannedJob)
    state.record("j", StateEntry(digest, "succeeded", output="j.mp4"))
    planned = plan_item(item, state, out, False)
    assert isinstance(planned, PlannedJob)  # recorded, but the output is missing: render again
    (out / "j.mp4").write_bytes(b"x")
    skipped = plan_item(item, state, out, False)
    assert isinstance(skipped, LineResult) and skipped.status is LineStatus.SKIPPED
    state.record("j", StateEntry(digest, "failed", error="boom", error_code="X", attempt=2))
    failed = plan_item(item, state, out, False)
    assert isinstance(failed, LineResult) and failed.status is LineStatus.FAILED
    assert failed.earlier_run and failed.error_code == "X"
    retried = plan_item(item, state, out, True)
    assert isinstance(retried, PlannedJob) and retried.attempt == 3

    # The state file survives a reload; no temporary file is left next to it.
    assert BatchState.load(out).get("j") == state.get("j")
    assert sorted(p.name for p in out.iterdir()) == [WORK_NAME, STATE_NAME, "j.mp4"]
    assert not list((out / WORK_NAME).iterdir())


def test_remote_job_ids_fit_the_service_pattern() -> None:
    import re

    from server.service.schemas import JOB_ID_PATTERN

    digest = "ab" * 32
    assert remote_job_id("ep-1", digest) == "ep-1.abababababab"
    assert remote_job_id("ep-1", digest, 3) == "ep-1.abababababab.3"
    long_id = remote_job_id("x" * 128, digest, 12)
    assert len(long_id) == 128 and re.fullmatch(JOB_ID_PATTERN, long_id)


def test_progress_block_on_a_terminal() -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    stream = Terminal()
    display = BatchProgress(stream, to_run=2)
    display.job_started("ep-1", 1)
    display.job_progress("ep-1", JobProgress(0.5, 30, 60, 42.0, 0.7))
    time.sleep(0.11)
    display.job_progress("ep-1", JobProgress(0.75, 45, 60, 43.0, 0.3))
    text = stream.getvalue()
    assert "batch: 0/2 finished, 1 running, 1 waiting" in text
    assert "75.0% [###############-----] 45/60 frames   43.0 fps  ETA 0:00" in text
    display.job_finished(
        LineResult(1, "ep-1", LineStatus.SUCCEEDED, "/o/ep-1.mp4", seconds=1.4, fps=42.9)
    )
    display.close()
    tail = stream.getvalue()[len(text) :]
    assert "\x1b[2F\x1b[J" in tail  # the two-row block is erased before the line is printed
    assert "[1/2] ep-1 succeeded in 1.4 s, 42.9 fps -> /o/ep-1.mp4" in tail


# -- local runs --


def test_lines_without_options_keep_the_source_timing(folder: Path) -> None:
    """25 fps, NTSC and VFR videos on lines without options come out with their own frames
    and timestamps; a line asking for 30000/1001 gets exactly that rate."""
    lines: list[Any] = [
        {"job_id": name.removesuffix(".mp4"), "video": str(make_clip(spec)), "scenario": SCENARIO}
        for name, spec in RATE_CLIPS.items()
    ]
    lines.append(lines[0] | {"job_id": "ntsc-out", "options": {"fps": "30000/1001"}})
    manifest = write_jsonl(folder / "m.jsonl", lines)
    out = folder / "out"
    result = run_batch_process(manifest, out, "--jobs", "2")
    assert result.returncode == 0, result.stderr
    for name, spec in RATE_CLIPS.items():
        facts = video_facts(out / name)
        assert facts.frame_pts_seconds == video_facts(make_clip(spec)).frame_pts_seconds, name
    ntsc = video_facts(out / "ntsc-out.mp4").frame_pts_seconds
    assert ntsc == [Fraction(1001 * k, 30000) for k in range(36)]


def test_resume_after_kill(folder: Path, batch_clips: dict[str, Path]) -> None:
    """kill -9 of the batch right after its first job: the rerun keeps that output untouched,
    renders the rest and leaves no temporary file; the killed run's workers went with it."""
    small = str(batch_clips["small"])
    lines = [{"job_id": "k-0", "video": str(batch_clips["tiny"]), "scenario": "scenario.json"}]
    lines += [{"job_id": f"k-{i}", "video": small, "scenario": SCENARIO} for i in range(1, 4)]
    manifest = write_jsonl(folder / "m.jsonl", lines)
    out = folder / "out"
    log = folder / "killed.log"
    with log.open("wb") as handle:
        process = subprocess.Popen(
            batch_command(manifest, out, "--jobs", "1"),
            cwd=folder,
            env=batch_env(),
            stdout=handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: its workers can be found
        )
    try:
        wait_until(
            lambda: finished_jobs(out) or process.poll() is not None,
            BATCH_TIMEOUT_SECONDS,
            0.01,
            what="the first job to finish",
        )
        process.send_signal(signal.SIGKILL)
    finally:
        process.kill()
        process.wait(10)
    killed_stderr = log.read_text(errors="replace")
    done_before = finished_jobs(out)
    assert done_before and len(done_before) < 4, (done_before, killed_stderr)
    # The orphaned render process notices and exits (nothing would collect its result).
    wait_until(lambda: process_group_gone(process.pid), 10, what="the batch's workers to exit")
    outputs = {p.name for p in out.iterdir() if p.suffix == ".mp4"}
    assert outputs == {f"{job}.mp4" for job in done_before}  # complete files only
    before = {job: fingerprint(out / f"{job}.mp4") for job in done_before}

    rerun = run_batch_process(manifest, out, "--jobs", "1")
    assert rerun.returncode == 0, rerun.stderr
    lines_by_number = report_lines(out)
    for number, line in lines_by_number.items():
        expected = "skipped" if line["job_id"] in done_before else "succeeded"
        assert line["status"] == expected, line
        assert line["output"] == str(out / f"k-{number - 1}.mp4")
        assert line["seconds"] > 0 and line["fps"] > 0 and line["error"] is None
    assert {job: fingerprint(out / f"{job}.mp4") for job in done_before} == before
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [f"k-{i}.mp4" for i in range(4)] + [STATE_NAME, "report.json"]
    )
    facts = video_facts(out / "k-3.mp4")
    assert (facts.width, facts.height) == (640, 360)
    assert len(facts.frame_pts_seconds) == 60 and facts.audio_packets > 0
    summary = f"4 lines: {4 - len(done_before)} succeeded, {len(done_before)} skipped"
    assert summary in rerun.stdout


def test_sigterm_stops_cleanly(folder: Path, batch_clips: dict[str, Path]) -> None:
    """SIGTERM (or Ctrl-C): the running render is cancelled, nothing partial is left, the
    report marks the unfinished lines, and the exit status is 130."""
    small = str(batch_clips["small"])
    lines = [{"job_id": "t-0", "video": str(batch_clips["tiny"]), "scenario": "scenario.json"}]
    lines += [{"job_id": f"t-{i}", "video": small, "scenario": SCENARIO} for i in (1, 2)]
    manifest = write_jsonl(folder / "m.jsonl", lines)
    out = folder / "out"
    process = subprocess.Popen(
        batch_command(manifest, out, "--jobs", "1"),
        cwd=folder,
        env=batch_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_until(
            lambda: finished_jobs(out) or process.poll() is not None,
            BATCH_TIMEOUT_SECONDS,
            0.01,
            what="the first job to finish",
        )
        process.send_signal(signal.SIGTERM)
        assert process.wait(30) == 130
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(10)
    done = finished_jobs(out)
    report = report_lines(out)
    assert report[1]["status"] == "succeeded" and "t-0" in done
    for number in (2, 3):
        if report[number]["job_id"] not in done:
            assert report[number]["status"] == "interrupted"
    assert any(line["status"] == "interrupted" for line in report.values())
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [f"{job}.mp4" for job in done] + [STATE_NAME, "report.json"]
    )


@contextlib.contextmanager
def file_server(root: Path) -> Iterator[str]:
    """A Range-capable static server (what FFmpeg needs for mp4 over http) on ``root``."""
    from starlette.applications import Starlette
    from starlette.staticfiles import StaticFiles

    app = Starlette()
    app.mount("/", StaticFiles(directory=root))
    with ServerThread(app) as server:
        yield server.url


def test_mixed_results_and_retry_failed(folder: Path, batch_clips: dict[str, Path]) -> None:
    """Good, failing and bad lines in one batch; a rerun keeps failures (and successes);
    --retry-failed runs the failures again."""
    served = folder / "served"
    served.mkdir()
    out = folder / "out"
    with file_server(served) as base:
        manifest = write_jsonl(
            folder / "m.jsonl",
            [
                {"job_id": "good", "video": str(batch_clips["tiny"]), "scenario": "scenario.json"},
                {"job_id": "corrupt", "video": "corrupt.mp4", "scenario": "scenario.json"},
                "not json at all",
                {
                    "job_id": "later",  # a URL that answers 404 until the file is served
                    "video": f"{base}/later.mp4",
                    "scenario": SCENARIO,
                    "options": {"format": "webm"},
                },
            ],
        )
        first = run_batch_process(manifest, out, "--jobs", "2")
        assert first.returncode == 1, first.stderr
        report = report_lines(out)
        assert [report[n]["status"] for n in (1, 2, 3, 4)] == [
            "succeeded",
            "failed",
            "invalid",
            "failed",
        ]
        assert report[2]["error_code"] == "INVALID_VIDEO"
        assert report[3]["job_id"] is None and "not valid JSON" in report[3]["error"]
        assert "line 3: not valid JSON" in first.stderr
        assert "4 lines: 1 succeeded, 2 failed, 1 invalid" in first.stdout
        good = fingerprint(out / "good.mp4")

        # The file appears on the server: a plain rerun still reports the earlier failure.
        shutil.copyfile(batch_clips["small"], served / "later.mp4")
        second = run_batch_process(manifest, out)
        assert second.returncode == 1, second.stderr
        report = report_lines(out)
        assert [report[n]["status"] for n in (1, 2, 4)] == ["skipped", "failed", "failed"]
        assert report[2]["earlier_run"] and report[4]["earlier_run"]
        assert "--retry-failed" in report[4]["error"]

        third = run_batch_process(manifest, out, "--retry-failed")
        assert third.returncode == 1, third.stderr
        report = report_lines(out)
        assert [report[n]["status"] for n in (1, 2, 4)] == ["skipped", "failed", "succeeded"]
        assert not report[2]["earlier_run"] and report[2]["error_code"] == "INVALID_VIDEO"
    assert fingerprint(out / "good.mp4") == good
    facts = video_facts(out / "later.webm")
    assert len(facts.frame_pts_seconds) == 60 and facts.audio_packets > 0
    state = json.loads((out / STATE_NAME).read_text())["jobs"]
    assert state["later"]["status"] == "succeeded" and state["corrupt"]["status"] == "failed"
    assert sorted(p.name for p in out.iterdir()) == [
        STATE_NAME,
        "good.mp4",
        "later.webm",
        "report.json",
    ]


# -- rq mode --


def test_host_style_and_font_warnings_in_the_report(
    folder: Path, batch_clips: dict[str, Path]
) -> None:
    """Manifest options pick the host style (``--host-style`` is the default for lines that
    name none); families that are not installed are each line's ``warnings``, kept when a
    rerun skips the line."""
    tiny = str(batch_clips["tiny"])
    missing = json.loads(json.dumps(SCENARIO))
    missing["tracks"][0]["defaultStyle"]["fontFamily"] = "Picked Web Font, Arial"
    manifest = write_jsonl(
        folder / "m.jsonl",
        [
            {"job_id": "w-1", "video": tiny, "scenario": missing, "options": {"hostStyle": "bare"}},
            {"job_id": "w-2", "video": tiny, "scenario": "scenario.json"},
        ],
    )
    parsed = read_manifest(manifest)
    assert [i.options["host_style"] for i in parsed.items] == ["bare", None]
    from server.batch.local import LocalExecutor

    settings = make_settings(folder / "svc", host_style="ecg-editor", font_dirs="a:b")
    executor = LocalExecutor(settings, 1, folder)
    tasks = [
        executor.task(PlannedJob(item, "hash", folder / item.output_name)) for item in parsed.items
    ]
    assert [(t.host_style, t.font_dirs) for t in tasks] == [
        ("bare", ("a", "b")),
        ("ecg-editor", ("a", "b")),
    ]
    out = folder / "out"
    for _ in range(2):  # the second run skips both lines
        result = run_batch_process(manifest, out, "--jobs", "1", "--host-style", "ecg-editor")
        assert result.returncode == 0, result.stderr
        report = report_lines(out)
        assert [len(report[n]["warnings"]) for n in (1, 2)] == [1, 0]
        assert report[1]["warnings"][0].startswith('font family "Picked Web Font" is not')
    assert [report[n]["status"] for n in (1, 2)] == ["skipped", "skipped"]


def test_rq_mode(redis_url: str, folder: Path, batch_clips: dict[str, Path]) -> None:
    """Submits through the service's store and queue to real workers, follows them, copies
    the results; a rerun after kill -9 follows the same cluster jobs instead of resubmitting."""
    import redis

    from server.service.redis_store import RedisJobStore

    settings = make_settings(
        folder / "service", mode="rq", redis_url=redis_url, allow_local_inputs=True
    )
    lines = [
        {"job_id": f"rq-{i}", "video": str(batch_clips["small"]), "scenario": "scenario.json"}
        for i in range(3)
    ]
    lines.insert(2, {"job_id": "rq-bad", "video": "corrupt.mp4", "scenario": "scenario.json"})
    lines.append({"job_id": "rq-invalid", "video": "corrupt.mp4"})
    manifest = write_jsonl(folder / "m.jsonl", lines)
    out = folder / "out"
    env = batch_env(settings_env(settings))
    connection = redis.Redis.from_url(redis_url)
    store = RedisJobStore(connection, settings.redis_prefix)
    logs = folder / "logs"
    logs.mkdir()
    try:
        # As if an earlier batch died between creating rq-2's record and queueing it.
        rq2 = next(i for i in read_manifest(manifest).items if i.job_id == "rq-2")
        assert store.create(remote_job_id("rq-2", input_hash(rq2)), rq2.request, None)
        # Submitted while no worker runs: kill -9 the batch once every job is in the cluster.
        process = subprocess.Popen(
            batch_command(manifest, out, "--redis", redis_url),
            cwd=folder,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_until(
                lambda: _submitted(out) == 4 or process.poll() is not None,
                60,
                what="4 jobs submitted",
            )
        finally:
            process.kill()
            process.wait(10)
        remote_ids = _remote_ids(out)
        assert len(remote_ids) == 4
        assert all(store.get(r).status == "queued" for r in remote_ids.values())  # type: ignore[union-attr]

        with Workers(settings, 2, logs) as workers:
            result = run_batch_process(manifest, out, "--redis", redis_url, env=env)
            assert result.returncode == 1, (result.stderr, workers.output())
            report = report_lines(out)
            statuses = {line["job_id"]: line["status"] for line in report.values()}
            assert statuses == {
                "rq-0": "succeeded",
                "rq-1": "succeeded",
                "rq-bad": "failed",
                "rq-2": "succeeded",
                "rq-invalid": "invalid",
            }
            assert report[3]["error_code"] == "INVALID_VIDEO"
            assert report[5]["job_id"] == "rq-invalid" and "missing field" in report[5]["error"]
            for line in (1, 2, 4):
                assert report[line]["fps"] > 0 and report[line]["seconds"] > 0
            # The rerun followed the jobs the killed batch had submitted.
            assert _remote_ids(out) == remote_ids
            assert store.stats().jobs_by_status["queued"] == 4
            for i in range(3):
                facts = video_facts(out / f"rq-{i}.mp4")
                assert len(facts.frame_pts_seconds) == 60 and facts.audio_packets > 0
            before = fingerprint(out / "rq-0.mp4")

            # --retry-failed submits the failure again under a new cluster id; the rest stay.
            retry = run_batch_process(
                manifest, out, "--redis", redis_url, "--retry-failed", env=env
            )
            assert retry.returncode == 1, retry.stderr
            report = report_lines(out)
            assert [report[n]["status"] for n in (1, 2, 3, 4)] == [
                "skipped",
                "skipped",
                "failed",
                "skipped",
            ]
            assert _remote_ids(out)["rq-bad"] == remote_ids["rq-bad"] + ".2"
            assert store.stats().jobs_by_status["queued"] == 5
            assert fingerprint(out / "rq-0.mp4") == before
    finally:
        for key in connection.scan_iter(f"{settings.redis_prefix}:*"):
            connection.delete(key)
        connection.close()
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [f"rq-{i}.mp4" for i in range(3)] + [STATE_NAME, "report.json"]
    )


def _state_jobs(out: Path) -> dict[str, Any]:
    try:
        return json.loads((out / STATE_NAME).read_text(encoding="utf-8"))["jobs"]
    except (FileNotFoundError, json.JSONDecodeError):
        return {}


def _submitted(out: Path) -> int:
    return sum(1 for entry in _state_jobs(out).values() if entry["remote_id"])


def _remote_ids(out: Path) -> dict[str, str]:
    return {job: entry["remote_id"] for job, entry in _state_jobs(out).items()}
