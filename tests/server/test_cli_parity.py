"""`ecg-render parity`: options, frame selection, plugin skipping, table, exit codes, report."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from motiontext.parse import load_scenario
from parity import run as parity_run
from parity.metric import ParityScore
from parity.run import (
    default_size,
    frame_indices,
    iter_ours,
    last_cue_end,
)
from server.cli import main
from tests.conftest import SessionBrowser
from tests.parity.reference import shared_reference_dir
from tests.requirements_check import (
    missing,
    require_fonts,
    require_reference_harness,
)


def _scenario(aspect: str = "16:9", plugin: str | None = None, display=(0.5, 1.5)) -> dict:
    word: dict = {"id": "w0", "eType": "text", "text": "Hello", "baseTime": [0.5, 1.0]}
    if plugin:
        word["pluginChain"] = [{"name": plugin, "params": {}}]
    return {
        "version": "2.0",
        "timebase": {"unit": "seconds"},
        "stage": {"baseAspect": aspect},
        "tracks": [
            {
                "id": "caption",
                "type": "subtitle",
                "defaultStyle": {
                    "fontSizeRel": 0.07,
                    "fontFamily": "Arial, sans-serif",
                    "color": "#ffffff",
                },
                "defaultConstraints": {"safeArea": {"bottom": 0.075}},
            }
        ],
        "cues": [
            {
                "id": "cue-1",
                "track": "caption",
                "root": {
                    "id": "clip-1",
                    "eType": "group",
                    "displayTime": list(display),
                    "layout": {"anchor": "bc", "position": {"x": 0.5, "y": 0.9}},
                    "children": [word],
                },
            }
        ],
    }


def test_help_states_the_plugin_policy(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["parity", "--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    for option in ("--every", "--report", "--fps", "--size", "--duration", "--host-style"):
        assert option in out
    assert "SKIPPED" in out and "plugin" in out


@pytest.mark.parametrize("argv", [["--every", "0"], ["--fps", "0"], ["--duration", "-1"]])
def test_bad_options_exit_2(
    argv: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "s.json"
    path.write_text(json.dumps(_scenario()))
    assert main(["parity", str(path), *argv]) == 2
    assert "must be" in capsys.readouterr().err


def test_frame_selection_and_defaults() -> None:
    assert frame_indices(1.0, 30, 5) == [0, 5, 10, 15, 20, 25, 30]
    assert frame_indices(0.0, 30, 5) == [0]
    with pytest.raises(ValueError):
        frame_indices(1.0, 30, 0)
    assert default_size(load_scenario(_scenario("9:16"))) == (1080, 1920)
    assert default_size(load_scenario(_scenario("auto"))) == (1920, 1080)
    assert last_cue_end(load_scenario(_scenario(display=(0.5, 2.25)))) == 2.25


def test_frames_with_a_plugin_in_effect_are_marked() -> None:
    # cwi-color's window on "Hello" is [0.5, 1.0 + 0.5]: frames from t=0.5 on are marked while
    # the word is mounted; an unknown name is ignored by both renderers, so never marks.
    official = load_scenario(_scenario(plugin="cwi-color@2.0.0"))
    marks = {
        n: plugins for n, _img, plugins in iter_ours(official, [0, 12, 15, 30, 44], 320, 180, 30)
    }
    assert marks == {
        0: (),
        12: (),
        15: ("cwi-color@2.0.0",),
        30: ("cwi-color@2.0.0",),
        44: ("cwi-color@2.0.0",),
    }
    unknown = load_scenario(_scenario(plugin="not-a-plugin"))
    assert all(p == () for _n, _img, p in iter_ours(unknown, [0, 15, 30], 320, 180, 30))


# -- live (Chromium) -----------------------------------------------------------------------


@pytest.fixture
def live(session_browser: SessionBrowser) -> None:
    """The run's browser, open in this thread: `ecg-render parity` in-process reuses it."""
    session_browser.get()
    require_fonts()
    require_reference_harness()
    if shared_reference_dir() is None:
        missing("shared reference data (fonts) not found; set ECG_SHARED_DIR")


@pytest.mark.browser
def test_live_run_prints_table_and_writes_report(
    live: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plain = tmp_path / "plain.json"
    plain.write_text(json.dumps(_scenario()))
    with_plugin = tmp_path / "with_plugin.json"
    with_plugin.write_text(json.dumps(_scenario(plugin="cwi-color@2.0.0")))
    report = tmp_path / "out" / "report.html"

    rc = main(
        [
            "parity",
            str(plain),
            str(with_plugin),
            "--every",
            "15",
            "--size",
            "1280x720",
            "--report",
            str(report),
        ]
    )

    out = capsys.readouterr().out
    assert rc == 0, out
    # 1280x720 keeps the caption at 50 px: small white text hits the text-gamma gap
    rows = {
        line.split()[0]: line.split()
        for line in out.splitlines()
        if line.startswith(("plain.json", "with_plugin.json"))
    }
    # frames 0, 15, 30, 45 (up to the last cue end, 1.5 s)
    assert rows["plain.json"][1:6] == ["1280x720", "4", "4", "0", "0"]
    assert rows["with_plugin.json"][1:6] == ["1280x720", "4", "1", "3", "0"]
    html = report.read_text(encoding="utf-8")
    assert "PASS" in html and "data:image/png;base64," in html
    assert "http://" not in html and "src='/" not in html  # self-contained


@pytest.mark.browser
def test_live_run_in_both_host_styles_with_web_fonts(
    live: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Each scenario runs once per --host-style; --font-dir web fonts load on both sides."""
    from tests.requirements_check import require_web_fonts

    doc = _scenario()
    doc["tracks"][0]["defaultStyle"]["fontFamily"] = "Noto Sans KR"
    doc["cues"][0]["root"]["children"][0]["text"] = "Hello 안녕하세요"
    path = tmp_path / "web.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    argv = ["parity", str(path), "--every", "15", "--size", "1280x720"]
    styles = ["--host-style", "bare", "--host-style", "ecg-editor"]

    rc = main([*argv, *styles, "--font-dir", str(require_web_fonts())])

    out = capsys.readouterr().out
    assert rc == 0, out
    rows = [line.split() for line in out.splitlines() if line.startswith("web.json")]
    assert [row[1] for row in rows] == ["[bare]", "[ecg-editor]"]
    assert all(row[2:7] == ["1280x720", "4", "4", "0", "0"] for row in rows), out


@pytest.mark.browser
def test_live_run_exits_1_when_a_frame_is_outside_the_bound(
    live: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "s.json"
    path.write_text(json.dumps(_scenario()))
    monkeypatch.setattr(parity_run, "compare", lambda ref, ours: ParityScore(0.5, 9.0))

    rc = main(
        [
            "parity",
            str(path),
            "--every",
            "30",
            "--size",
            "640x360",
            "--report",
            str(tmp_path / "r.html"),
        ]
    )

    out = capsys.readouterr().out
    assert rc == 1
    assert "FAIL frame 0" in out and "outside the bound" in out
    assert "FAIL" in (tmp_path / "r.html").read_text(encoding="utf-8")


@pytest.mark.browser
def test_live_run_rejects_a_size_of_another_aspect(
    live: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "s.json"
    path.write_text(json.dumps(_scenario("9:16")))
    assert main(["parity", str(path), "--size", "640x360"]) == 2
    assert "aspect" in capsys.readouterr().out
