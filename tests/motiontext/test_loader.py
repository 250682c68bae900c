"""motiontext.loader: the one entry for scenarios of either version."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from motiontext.errors import InputError, ScenarioError
from motiontext.loader import (
    MIGRATED_NOTE,
    load_document,
    load_document_file,
    load_document_text,
)
from tests.motiontext.migrate.reference import MIGRATION_DIR, read_json
from tests.motiontext.test_parse import MINIMAL

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "v13_speaker_palette.json"


def test_v20_is_parsed_as_it_is() -> None:
    loaded = load_document(MINIMAL)
    assert not loaded.migrated and loaded.document is MINIMAL and loaded.warnings == ()
    assert loaded.scenario.cues[0].root.text == "hi"


def test_v13_is_migrated_in_default_mode() -> None:
    loaded = load_document_file(EXAMPLE)
    assert loaded.migrated and loaded.migrated_from == "1.3"
    assert loaded.document["version"] == "2.0" and "definitions" not in loaded.document
    assert loaded.warnings[-1].startswith("ECG Render divergence")
    hello = loaded.scenario.cues[0].root.children[0]
    assert hello.plugin_chain[0].params["palette"] == {
        "SPEAKER_00": "#4AA3FF",
        "SPEAKER_01": "#FF4D4D",
    }


@pytest.mark.parametrize("name", ["basic", "cwi_demo_full", "m5_layout_features"])
def test_reference_samples_load(name: str) -> None:
    loaded = load_document(read_json(MIGRATION_DIR / f"{name}.v13.json"))
    assert loaded.migrated and loaded.document == read_json(MIGRATION_DIR / f"{name}.v20.json")


def test_refusing_v13_gives_the_parsers_error() -> None:
    doc = read_json(EXAMPLE)
    with pytest.raises(ScenarioError) as info:
        load_document(doc, accept_v13=False)
    assert info.value.path == "version"
    assert str(info.value).startswith('Only v2.0 scenarios are supported, got version "1.3"')


@pytest.mark.parametrize(
    ("doc", "shown"),
    [
        ({**MINIMAL, "version": "3.0"}, "3.0"),
        ({**MINIMAL, "version": 2}, "2"),
        ({k: v for k, v in MINIMAL.items() if k != "version"} | {"define": {}}, "unknown"),
    ],
)
def test_other_versions_keep_the_parsers_error(doc: dict[str, Any], shown: str) -> None:
    with pytest.raises(ScenarioError, match=f'got version "{shown}"') as info:
        load_document(doc)
    assert info.value.path == "version"


def test_a_migrated_document_the_parser_refuses_names_its_path_and_the_migration() -> None:
    doc = read_json(EXAMPLE)
    doc["cues"][0]["root"]["children"][1]["absEnd"] = 0.1  # before absStart 0.2
    with pytest.raises(ScenarioError) as info:
        load_document(doc)
    assert info.value.path == "cues[0].root.children[1].displayTime"  # absStart/absEnd there
    assert str(info.value).endswith(f"({MIGRATED_NOTE})")


def test_a_v13_document_the_migration_cannot_handle() -> None:
    doc = read_json(EXAMPLE)
    doc["cues"][0]["root"]["children"][0]["pluginChain"].append("fadein")
    with pytest.raises(ScenarioError, match="cannot migrate") as info:
        load_document(doc)
    assert info.value.path == "cues[0].root.children[0].pluginChain[1]"


def test_text_and_file_forms(tmp_path: Path) -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    assert load_document_text(text).migrated
    bom = tmp_path / "bom.json"
    bom.write_bytes(b"\xef\xbb\xbf" + text.encode())
    assert load_document_file(bom).migrated
    with pytest.raises(ScenarioError, match="Invalid JSON"):
        load_document_text("{")
    with pytest.raises(InputError):
        load_document_file(tmp_path / "missing.json")
    assert json.loads(text)["version"] == "1.3"
