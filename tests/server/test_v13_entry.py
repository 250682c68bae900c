"""v1.3 scenarios wherever a scenario enters: `ecg-render render` (the speaker colours of a
definitions palette reach the pixels), `frame`, `parity`, `batch` (a manifest mixing 1.3 and
2.0 lines) and the service (a v1.3 job completes; POST /preview; ACCEPT_V13=false refuses)."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import av
import httpx
import numpy as np
import pytest

from server.batch.manifest import read_manifest
from server.cli import main
from server.service.callback_model import RenderCallback
from tests.engine.clips import ClipSpec, make_clip
from tests.motiontext.migrate.reference import MIGRATION_DIR
from tests.server.conftest import (
    SCENARIO,
    CallbackReceiver,
    make_settings,
    post_render,
    running_app,
    wait_callbacks,
    wait_final,
)
from tests.server.test_cli_parity import live  # noqa: F401 (the fixture)

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "v13_speaker_palette.json"
V13: dict[str, Any] = json.loads(EXAMPLE.read_text(encoding="utf-8"))
# The example's palette (definitions.speakerPalette) and cwi-color's fallback colour.
SPEAKER_00, SPEAKER_01, FALLBACK = (0x4A, 0xA3, 0xFF), (0xFF, 0x4D, 0x4D), (0xFF, 0xD4, 0x00)
CLIP = ClipSpec(width=960, height=540, seconds=2.0)
TINY = ClipSpec(width=320, height=240, seconds=1.0)


def rgb_frame(path: Path, index: int) -> np.ndarray:
    with av.open(str(path)) as container:
        for i, frame in enumerate(container.decode(video=0)):
            if i == index:
                return frame.to_ndarray(format="rgb24").astype(np.int16)
    raise AssertionError(f"{path} has no frame {index}")


def pixels_near(image: np.ndarray, color: tuple[int, int, int], tolerance: int = 40) -> int:
    return int((np.abs(image - np.array(color)).max(axis=2) <= tolerance).sum())


# -- ecg-render render / frame --


def test_render_burns_a_v13_scenario_with_its_speaker_colours(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Done-when of issue 14: the cwi plugins' palette comes from the v1.3 definitions block.
    Control: the faithful migration leaves "definitions.speakerPalette" an inert string, and
    cwi-color falls back to its yellow."""
    clip = make_clip(CLIP)
    ours = tmp_path / "default.mp4"
    assert main(["render", str(EXAMPLE), str(clip), "-o", str(ours), "--quiet"]) == 0
    err = capsys.readouterr().err
    assert "ecg-render render: v1.3 scenario migrated to v2.0 (1 warning)" in err
    faithful_doc = tmp_path / "faithful.json"
    assert main(["migrate", str(EXAMPLE), "--faithful", "-o", str(faithful_doc)]) == 0
    faithful = tmp_path / "faithful.mp4"
    assert main(["render", str(faithful_doc), str(clip), "-o", str(faithful), "--quiet"]) == 0

    # t = 1.6 s: both words' cwi-color windows are over, held at their speaker colour
    frame, control = rgb_frame(ours, 48), rgb_frame(faithful, 48)
    assert pixels_near(frame, SPEAKER_00) > 200 and pixels_near(frame, SPEAKER_01) > 200
    assert pixels_near(frame, FALLBACK) < 20
    assert pixels_near(control, SPEAKER_00) < 20 and pixels_near(control, SPEAKER_01) < 20
    assert pixels_near(control, FALLBACK) > 400


def test_no_v13_refuses_with_todays_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "never.mp4"
    clip = make_clip(TINY)
    assert main(["render", str(EXAMPLE), str(clip), "-o", str(out), "--no-v13", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert (
        'error [INVALID_SCENARIO] at version: Only v2.0 scenarios are supported, got version "1.3"'
        in err
    )
    assert not out.exists()


def test_frame_migrates_and_refuses(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from PIL import Image

    png = tmp_path / "f.png"
    assert main(["frame", str(EXAMPLE), "-t", "1.6", "--size", "640x360", "-o", str(png)]) == 0
    assert "ecg-render frame: v1.3 scenario migrated to v2.0" in capsys.readouterr().err
    rgba = np.asarray(Image.open(png).convert("RGBA")).astype(np.int16)
    opaque = rgba[..., 3] == 255
    assert pixels_near(rgba[..., :3] * opaque[..., None], SPEAKER_00) > 50
    assert main(["frame", str(EXAMPLE), "-t", "1", "--no-v13", "-o", str(tmp_path / "x.png")]) == 2
    assert "at version: Only v2.0" in capsys.readouterr().err


def test_a_migrated_scenario_the_parser_refuses(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = copy.deepcopy(V13)
    doc["timebase"]["unit"] = "tc"  # kept by the migration, refused by 1.5.0
    path = tmp_path / "tc.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    assert main(["frame", str(path), "-t", "1", "-o", str(tmp_path / "x.png")]) == 2
    err = capsys.readouterr().err
    assert "at timebase.unit" in err and "migrated from v1.3" in err


@pytest.mark.browser
@pytest.mark.usefixtures("live")
def test_parity_gives_both_renderers_the_migrated_document(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """1.5.0 refuses v1.3: the comparison only runs if the browser gets the migrated file."""
    source = MIGRATION_DIR / "m5_layout_features.v13.json"
    assert main(["parity", str(source), "--every", "90"]) == 0
    out, err = capsys.readouterr()
    assert "m5_layout_features.v13.json: v1.3 scenario migrated to v2.0" in err
    row = next(line.split() for line in out.splitlines() if line.startswith("m5_layout"))
    assert row[1:6] == ["1920x1080", "4", "4", "0", "0"]  # frames, compared, skipped, failed


# -- ecg-render batch --


def test_batch_mixes_v13_and_v20_lines(tmp_path: Path) -> None:
    tiny = str(make_clip(TINY))
    (tmp_path / "old.json").write_text(json.dumps(V13), encoding="utf-8")
    lines = [
        {"job_id": "old-file", "video": tiny, "scenario": "old.json"},
        {"job_id": "new", "video": tiny, "scenario": SCENARIO},
        {"job_id": "old-inline", "video": tiny, "scenario": V13},
    ]
    manifest = tmp_path / "m.jsonl"
    manifest.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    out = tmp_path / "out"
    env = {**os.environ, "ENCODER": "libx264", "ARRAY_BACKEND": "numpy"}
    result = subprocess.run(
        [sys.executable, "-m", "server.cli", "batch", str(manifest), "--out", str(out)],
        cwd=tmp_path,  # no developer .env is read
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "line 1: v1.3 scenario migrated to v2.0" in result.stderr
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    by_job = {line["job_id"]: line for line in report["lines"]}
    assert {line["status"] for line in report["lines"]} == {"succeeded"}
    for job in ("old-file", "old-inline"):
        assert by_job[job]["migrated_from"] == "1.3"
        assert by_job[job]["migration_warnings"][-1].startswith("ECG Render divergence")
        assert (out / f"{job}.mp4").is_file()
    assert by_job["new"]["migrated_from"] is None and by_job["new"]["migration_warnings"] == []

    refused = read_manifest(manifest, accept_v13=False)
    assert [item.job_id for item in refused.items] == ["new"]
    assert all("Only v2.0 scenarios" in bad.message for bad in refused.bad_lines)
    migrated = read_manifest(manifest).items[0]
    assert migrated.scenario["version"] == "2.0" and "definitions" not in migrated.scenario


# -- the service --


@pytest.fixture(scope="module")
def services(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """Two standalone services: the default one and one with ACCEPT_V13=false."""
    tmp = tmp_path_factory.mktemp("v13")
    with (
        running_app(make_settings(tmp / "a")) as accepting,
        running_app(make_settings(tmp / "b", accept_v13=False)) as refusing,
    ):
        yield accepting.url, refusing.url


@pytest.fixture()
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=30) as http:
        yield http


def test_service_job_with_a_v13_scenario_completes(
    services: tuple[str, str],
    client: httpx.Client,
    clip_server: str,
    callback_receiver: CallbackReceiver,
) -> None:
    base, _ = services
    body = {
        "job_id": "v13-job",
        "video_url": f"{clip_server}/short.mp4",
        "scenario": V13,
        "callback_url": callback_receiver.url,
    }
    post_render(client, base, body)
    status = wait_final(client, base, "v13-job")
    assert status["status"] == "completed", status
    assert status["migration"]["from_version"] == "1.3"
    assert status["migration"]["warnings"][-1].startswith("ECG Render divergence")
    calls = wait_callbacks(callback_receiver, "v13-job")
    # the callback contract is unchanged: only the GPURenderCallback fields, well typed
    for call in calls:
        assert set(call) <= set(RenderCallback.model_fields), call
        RenderCallback.model_validate(call)
    plain = client.get(f"{base}/api/render/no-such-job/status")
    assert plain.status_code == 404


def test_service_v20_status_has_no_migration(
    services: tuple[str, str], client: httpx.Client, clip_server: str
) -> None:
    base, _ = services
    body = {"job_id": "v20-job", "video_url": f"{clip_server}/short.mp4", "scenario": SCENARIO}
    post_render(client, base, body)
    assert "migration" not in wait_final(client, base, "v20-job")  # the snapshot exactly


def test_service_preview_and_refusals(
    services: tuple[str, str], client: httpx.Client, clip_server: str
) -> None:
    accepting, refusing = services
    preview = client.post(f"{accepting}/preview", json={"scenario": V13, "t": 1.6})
    assert preview.status_code == 200 and preview.content.startswith(b"\x89PNG")

    for path in ("/preview", "/render"):
        body = {"scenario": V13, "video_url": f"{clip_server}/short.mp4", "job_id": "refused"}
        answer = client.post(f"{refusing}{path}", json=body)
        assert answer.status_code == 422, answer.text
        assert answer.json()["path"] == "scenario.version"
        assert "Only v2.0 scenarios are supported" in answer.json()["detail"]

    bad = copy.deepcopy(V13)
    bad["cues"][0]["root"]["children"][1]["absEnd"] = 0.1  # displayTime [0.2, 0.1] once migrated
    answer = client.post(
        f"{accepting}/render",
        json={"scenario": bad, "video_url": f"{clip_server}/short.mp4", "job_id": "bad-v13"},
    )
    assert answer.status_code == 422
    assert answer.json()["path"] == "scenario.cues[0].root.children[1].displayTime"
    assert "migrated from v1.3" in answer.json()["detail"]
