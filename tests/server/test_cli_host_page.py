"""`--host-style` and `--font-dir` on the rendering commands (server/cli/fonts.py): the page a
render imitates, and one warning line per font family that is not installed."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from server.cli import main
from tests.engine.clips import ClipSpec, make_clip
from tests.engine.font_files import write_font
from tests.server.conftest import SCENARIO


def _scenario_file(tmp_path: Path, family: str) -> Path:
    doc = json.loads(json.dumps(SCENARIO))
    doc["tracks"][0]["defaultStyle"]["fontFamily"] = family
    path = tmp_path / "s.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return path


def _alpha_height(path: Path) -> int:
    alpha = np.asarray(Image.open(path))[..., 3]
    rows = np.nonzero(alpha.any(axis=1))[0]
    return int(rows[-1] - rows[0] + 1)


def test_frame_takes_the_host_style_and_warns_about_missing_families(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scenario = _scenario_file(tmp_path, "Picked Display, 돋움, Arial")
    heights = {}
    for style in ("bare", "ecg-editor"):
        out = tmp_path / f"{style}.png"
        argv = ["frame", str(scenario), "-t", "1.0", "--size", "640x360", "-o", str(out)]
        assert main([*argv, "--host-style", style, "--font-dir", str(tmp_path / "none")]) == 0
        heights[style] = _alpha_height(out)
        err = capsys.readouterr().err.splitlines()
        assert [line.split(":", 2)[:2] for line in err] == [["ecg-render frame", " warning"]] * 2
        assert 'font family "Picked Display" is not installed' in err[0] and "돋움" in err[1]
    # line-height 1.6 makes the editor's caption box taller than on the bare page
    assert heights["ecg-editor"] > heights["bare"]

    write_font(tmp_path / "fonts" / "picked.woff2", "Picked Display", flavor="woff2")
    out = tmp_path / "web.png"
    argv = ["frame", str(scenario), "-t", "1.0", "--size", "640x360", "-o", str(out)]
    assert main([*argv, "--font-dir", str(tmp_path / "fonts")]) == 0
    assert "Picked Display" not in capsys.readouterr().err


def test_render_warns_before_rendering(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    clip = make_clip(ClipSpec(width=320, height=240, seconds=0.5))
    scenario = _scenario_file(tmp_path, "Picked Display")
    out = tmp_path / "o.mp4"
    argv = ["render", str(scenario), str(clip), "-o", str(out), "--preset", "ultrafast"]
    assert main([*argv, "--host-style", "ecg-editor", "--quiet"]) == 0
    err = capsys.readouterr().err
    assert err.startswith('ecg-render render: warning: font family "Picked Display"'), err
    assert out.is_file()


def test_settings_refuse_an_unknown_host_style() -> None:
    from pydantic import ValidationError

    from server.service.settings import Settings

    with pytest.raises(ValidationError, match="must be one of bare, ecg-editor"):
        Settings(_env_file=None, host_style="editor")  # type: ignore[call-arg]
    settings = Settings(_env_file=None, font_dirs="a::b:")  # type: ignore[call-arg]
    assert settings.font_dir_paths == (Path("a"), Path("b"))
