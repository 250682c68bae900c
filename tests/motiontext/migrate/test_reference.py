"""Every reference pair of the original migrator (shared/reference/migration), in both modes,
and its edge cases: outputs equal as JSON values (and byte for byte as written), warnings equal
in content and order, except where a fixed bug of spec section 12 says otherwise."""

from __future__ import annotations

import copy
import json

import pytest

from motiontext.define import resolve_defines
from motiontext.errors import ScenarioError
from motiontext.migrate import MigrationMode, document_text, migrate
from motiontext.migrate.definitions import merge_definitions
from motiontext.parse import load_scenario
from tests.motiontext.migrate.reference import EDGE_DIR, SAMPLES, case, read_json


def test_all_ten_samples_are_here() -> None:
    assert len(SAMPLES) == 10, SAMPLES


@pytest.mark.parametrize("name", SAMPLES)
def test_faithful_equals_the_original(name: str) -> None:
    source, expected, expected_warnings, expected_text = case(name)
    untouched = copy.deepcopy(source)
    migration = migrate(source, MigrationMode.FAITHFUL)
    assert migration.migrated and migration.source_version == "1.3"
    assert migration.document == expected
    assert list(migration.warnings) == expected_warnings
    assert document_text(migration.document) == expected_text  # key order and number text too
    assert source == untouched  # MIG-COPY: the input is never changed
    load_scenario(migration.document)  # spec 13: 1.5.0 accepts every reference output


@pytest.mark.parametrize("name", SAMPLES)
def test_default_equals_the_original_plus_the_definitions_rewrite(name: str) -> None:
    source, expected, expected_warnings, _ = case(name)
    expected_warnings = expected_warnings + merge_definitions(expected)  # rewrites in place
    migration = migrate(source, MigrationMode.DEFAULT)
    assert migration.document == expected
    assert list(migration.warnings) == expected_warnings
    load_scenario(migration.document)


def test_cwi_demo_full_counts() -> None:
    """The reference README's table: 10 defines extracted, 275 ids generated."""
    source, *_ = case("cwi_demo_full")
    migration = migrate(source, MigrationMode.FAITHFUL)
    assert (migration.extracted_defines, migration.generated_ids) == (10, 275)


@pytest.mark.parametrize("mode", list(MigrationMode))
def test_edge_no_version_is_migrated_as_v13(mode: MigrationMode) -> None:
    source, expected, warnings, text = case("no_version_type_content", EDGE_DIR)
    migration = migrate(source, mode)
    assert migration.document == expected and list(migration.warnings) == warnings
    assert document_text(migration.document) == text  # version and define appended last


@pytest.mark.parametrize("mode", list(MigrationMode))
def test_edge_plugin_timing(mode: MigrationMode) -> None:
    """Output as the original's; its one spurious warning (JS compares "50%" > "100%" as
    text) is fixed away, the numeric start > end warning stays."""
    source, expected, warnings, text = case("plugin_timing", EDGE_DIR)
    spurious = (
        "Invalid time range at cues[0].root.children[1].pluginChain[3].timeOffset: start > end"
    )
    assert spurious in warnings
    migration = migrate(source, mode)
    assert migration.document == expected
    assert document_text(migration.document) == text
    assert list(migration.warnings) == [w for w in warnings if w != spurious]
    pct = migration.document["cues"][0]["root"]["children"][1]["pluginChain"]
    assert [entry["timeOffset"] for entry in pct] == [[0.5, 1], [0, 0.5], [0, 0.7], ["50%", "100%"]]


@pytest.mark.parametrize("mode", list(MigrationMode))
def test_edge_define_extraction_keeps_an_existing_define_key(mode: MigrationMode) -> None:
    """The original overwrote the input's define.color_1 ("keep-me"); here the generated keys
    move on to the next free number, everything else as the original extracts it."""
    source, expected, warnings, _ = case("define_extraction", EDGE_DIR)
    renamed = {
        "color_1": "color_2",
        "font_2": "font_3",
        "value_3": "value_4",
        "value_4": "value_5",
        "text_5": "text_6",
        "text_6": "text_7",
    }
    text = json.dumps(expected)
    warning_text = json.dumps(warnings)
    for old, new in reversed(renamed.items()):  # value_4 -> value_5 before value_3 -> value_4
        text = text.replace(f"define.{old}", f"define.{new}").replace(f'"{old}"', f'"{new}"')
        warning_text = warning_text.replace(f"define.{old}", f"define.{new}")
    fixed = json.loads(text)
    fixed["define"] = {"color_1": "keep-me", **fixed["define"]}
    migration = migrate(source, mode)
    assert migration.document == fixed
    assert list(migration.warnings) == json.loads(warning_text)
    assert [c["root"]["id"] for c in migration.document["cues"]] == [f"cue-{i}-1" for i in range(5)]


@pytest.mark.parametrize("mode", list(MigrationMode))
def test_edge_crash_string_plugin_is_a_clear_error(mode: MigrationMode) -> None:
    source = read_json(EDGE_DIR / "crash_string_plugin.v13.json")
    assert (
        "Cannot use 'in' operator"
        in read_json(EDGE_DIR / "crash_string_plugin.error.json")["error"]
    )
    with pytest.raises(ScenarioError) as info:
        migrate(source, mode)
    assert info.value.path == "cues[0].root.children[1].pluginChain[4]"
    assert "pluginChain entry" in str(info.value) and "'bare-string-plugin'" in str(info.value)


@pytest.mark.parametrize("mode", list(MigrationMode))
def test_edge_crash_dotted_key_is_extracted_where_it_is(mode: MigrationMode) -> None:
    """The original rebuilt the path "cues[0].root.style.a.b" from text and crashed; the
    occurrences are now rewritten in the objects that hold them."""
    source = read_json(EDGE_DIR / "crash_dotted_key.v13.json")
    assert "Cannot set properties" in read_json(EDGE_DIR / "crash_dotted_key.error.json")["error"]
    migration = migrate(source, mode)
    assert migration.document["define"] == {"color_1": "#fff", "value_2": 12.5}
    for cue in migration.document["cues"]:
        assert cue["root"]["style"] == {"color": "define.color_1", "a.b": "define.value_2"}
    assert list(migration.warnings) == [
        "Extracted 5 occurrences to define.color_1",
        "Extracted 5 occurrences to define.value_2",
    ]
    resolved = resolve_defines(migration.document)
    assert resolved["cues"][0]["root"]["style"] == {"color": "#fff", "a.b": 12.5}
