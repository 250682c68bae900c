"""`ecg-render doctor`: every capability is probed by opening it; exit 0 iff the CPU path works."""

from __future__ import annotations

import json
import os

import pytest

from server.cli import doctor as cli_doctor
from server.cli import main
from server.cli.doctor import Check, Status

EXPECTED_NAMES = {
    "PyAV / FFmpeg",
    "H.264 decode (CPU)",
    "libx264 encoder",
    "NVENC h264_nvenc",
    "NVENC hevc_nvenc",
    "NVDEC (CUDA hwaccel)",
    "CUDA / CuPy",
    "Skia raster",
    "font Liberation Sans",
    "font Liberation Serif",
    "font DejaVu Sans",
    "font Noto Sans CJK KR",
    "web font folders",
    "font Noto Color Emoji",
    "Chromium",
    "Redis",
}


def test_json_report_lists_every_check_and_cpu_path_works(capsys: pytest.CaptureFixture) -> None:
    status = main(["doctor", "--json"])
    payload = json.loads(capsys.readouterr().out)
    names = {c["name"] for c in payload["checks"]}
    assert names == EXPECTED_NAMES
    assert {c["status"] for c in payload["checks"]} <= {s.value for s in Status}
    by_name = {c["name"]: c for c in payload["checks"]}
    for name in ("PyAV / FFmpeg", "H.264 decode (CPU)", "libx264 encoder", "Skia raster"):
        assert by_name[name]["required"] and by_name[name]["status"] == "ok", by_name[name]
    assert payload["cpu_path_usable"] is True
    assert status == 0


def test_table_report(capsys: pytest.CaptureFixture) -> None:
    assert main(["doctor"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].split() == ["check", "status", "detail"]
    for name in EXPECTED_NAMES:
        assert name in out
    assert "CPU path: usable." in out
    assert "encoder=auto -> " in out


def test_gpu_probes_agree_with_the_engine() -> None:
    """NVENC is judged by opening a session (listing proves nothing), as encoder=auto does."""
    from engine.encode import encoder_opens

    check = cli_doctor.check_nvenc("h264_nvenc")
    assert (check.status is Status.OK) == encoder_opens("h264_nvenc")
    if not encoder_opens("h264_nvenc"):
        assert "does not open" in check.detail
    nvdec = cli_doctor.check_nvdec()
    assert nvdec.status in (Status.OK, Status.MISSING)
    assert not nvdec.required


def test_a_failed_required_check_makes_the_cpu_path_unusable(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    monkeypatch.setattr(
        cli_doctor,
        "check_x264",
        lambda: Check("libx264 encoder", Status.FAIL, "gone", required=True),
    )
    assert main(["doctor"]) == 1
    assert "CPU path: NOT usable." in capsys.readouterr().out


def test_optional_parts_never_fail_the_exit_status() -> None:
    checks = [
        Check("libx264 encoder", Status.OK, "", required=True),
        Check("NVENC h264_nvenc", Status.MISSING, "no GPU"),
        Check("Redis", Status.WARN, "PING failed"),
        Check("font Noto Sans CJK KR", Status.WARN, "not installed"),
    ]
    assert cli_doctor.cpu_path_usable(checks)


def test_a_probe_that_raises_is_reported_not_propagated(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken() -> Check:
        raise RuntimeError("probe exploded")

    monkeypatch.setattr(cli_doctor, "check_chromium", broken)
    checks = cli_doctor.run_checks()
    failed = [c for c in checks if c.status is Status.FAIL]
    assert len(failed) == 1 and "probe exploded" in failed[0].detail


def test_missing_font_is_a_warning() -> None:
    check = cli_doctor.check_font("No Such Family ECG", "A")
    assert check.status is Status.WARN and "not installed" in check.detail


def test_redis_ping() -> None:
    unreachable = cli_doctor.check_redis("redis://127.0.0.1:1/0")
    assert unreachable.status is Status.WARN and "PING" in unreachable.detail
    url = os.environ.get("REDIS_URL")
    if url:  # `make test` exports a throwaway server
        assert cli_doctor.check_redis(url).status is Status.OK


def test_redis_password_is_not_printed() -> None:
    assert cli_doctor._safe_url("redis://user:secret@host:6379/0") == "redis://user:***@host:6379/0"
    assert cli_doctor._safe_url("redis://:secret@host/0") == "redis://***@host/0"
    assert cli_doctor._safe_url("redis://host:6379/0") == "redis://host:6379/0"


def test_web_font_folders_are_reported(tmp_path, capsys: pytest.CaptureFixture) -> None:
    """Each folder with the families it holds; absent folders say so."""
    from tests.engine.font_files import write_font

    write_font(tmp_path / "store" / "display.ttf", "Doctor Display")
    assert main(["doctor", "--json", "--font-dir", str(tmp_path / "store")]) == 0
    by_name = {c["name"]: c for c in json.loads(capsys.readouterr().out)["checks"]}
    check = by_name["web font folders"]
    assert check["status"] == "ok" and "Doctor Display" in check["detail"], check
    assert cli_doctor.check_font_dirs((tmp_path / "none",)).status is Status.WARN
