"""`ecg-render migrate`: output, notes and warnings, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from server.cli import main
from tests.motiontext.migrate.reference import EDGE_DIR, MIGRATION_DIR

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_faithful_writes_the_originals_file_to_stdout(capsys: pytest.CaptureFixture[str]) -> None:
    source = MIGRATION_DIR / "cwi_demo_full.v13.json"
    assert main(["migrate", str(source), "--faithful"]) == 0
    out, err = capsys.readouterr()
    assert out == (MIGRATION_DIR / "cwi_demo_full.v20.json").read_text(encoding="utf-8")
    warnings = json.loads((MIGRATION_DIR / "cwi_demo_full.warnings.json").read_text())
    assert err.splitlines() == [
        "ecg-render migrate: migrated v1.3 -> v2.0 (faithful mode)",
        *(f"warning: {w}" for w in warnings),
    ]


def test_default_writes_a_file_and_reports_the_divergence(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out_file = tmp_path / "out.json"
    assert main(["migrate", str(EXAMPLES / "v13_speaker_palette.json"), "-o", str(out_file)]) == 0
    out, err = capsys.readouterr()
    assert out == ""
    document = json.loads(out_file.read_text(encoding="utf-8"))
    assert document["version"] == "2.0" and "speakerPalette" in document["define"]
    assert "(default mode)" in err and "ECG Render divergence" in err
    assert list(tmp_path.iterdir()) == [out_file]  # no temporary file left


def test_a_v20_input_is_written_unchanged(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = EXAMPLES / "demo_scenario.json"
    out_file = tmp_path / "same.json"
    assert main(["migrate", str(source), "-o", str(out_file)]) == 0
    assert out_file.read_bytes() == source.read_bytes()
    assert "already a v2.0 scenario, written unchanged" in capsys.readouterr().err


def test_a_result_ecg_render_refuses_is_flagged(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["migrate", str(EDGE_DIR / "plugin_timing.v13.json")]) == 0
    err = capsys.readouterr().err
    assert "warning: Cue 1 missing required field: id" in err
    assert "warning: ECG Render refuses the result at cues[" in err


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"version": "2.0.0", "cues": []}', "at version: Unsupported scenario version: 2.0.0"),
        ('{"version": 2}', "at version: Unsupported scenario version: 2"),
        ("[1, 2]", "Scenario must be a valid JSON object"),
        ('{"version": "1.3", ', "Invalid JSON"),
        (
            (EDGE_DIR / "crash_string_plugin.v13.json").read_text(),
            "at cues[0].root.children[1].pluginChain[4]: cannot migrate",
        ),
        (
            '{"version": "1.3", "cues": [{"root": {"e_type": "text", "absStart": "1"}}]}',
            "at cues[0].root.absStart: cannot migrate",
        ),
    ],
)
def test_bad_inputs_exit_2_with_the_path(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, message: str
) -> None:
    source = tmp_path / "in.json"
    source.write_text(content, encoding="utf-8")
    out_file = tmp_path / "out.json"
    assert main(["migrate", str(source), "-o", str(out_file)]) == 2
    out, err = capsys.readouterr()
    assert out == "" and "error [INVALID_SCENARIO]" in err and message in err
    assert not out_file.exists()


def test_unreadable_input_and_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["migrate", str(tmp_path / "missing.json")]) == 2
    assert "error [INVALID_INPUT]" in capsys.readouterr().err
    source = EXAMPLES / "v13_speaker_palette.json"
    assert main(["migrate", str(source), "-o", str(tmp_path / "no" / "dir.json")]) == 2
    assert "cannot write" in capsys.readouterr().err
