"""The test-clip generator leaves the test process as it found it."""

from __future__ import annotations

import os
from pathlib import Path

from tests.engine.clips import ClipSpec, make_clip


def test_an_av1_clip_leaves_the_process_time_shared(tmp_path: Path) -> None:
    # libsvtav1 makes the thread that opens it SCHED_FIFO 99 when run as root; make_clip puts
    # it back (tests/suite_guards.py would fail any test that leaves the process real-time).
    spec = ClipSpec(
        160, 96, seconds=0.2, codec="libsvtav1", audio_codec=None, options={"preset": "12"}
    )
    assert make_clip(spec, cache_dir=tmp_path).stat().st_size > 0
    assert os.sched_getscheduler(0) == os.SCHED_OTHER
