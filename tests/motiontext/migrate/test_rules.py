"""The MIG-* rules one by one on small documents: detection, the field pass, ids, extraction,
warnings, the clear errors that replace the original's crashes, and the default mode's
definitions divergence."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from motiontext.errors import ScenarioError
from motiontext.migrate import MigrationMode, detect_version, migrate, migrate_v13
from motiontext.migrate.jsjson import document_text, stringify

FAITHFUL, DEFAULT = MigrationMode.FAITHFUL, MigrationMode.DEFAULT


def v13(*cues: dict[str, Any], **top: Any) -> dict[str, Any]:
    return {
        "version": "1.3",
        "timebase": {"unit": "seconds"},
        "stage": {"baseAspect": "16:9"},
        "tracks": [{"id": "t", "type": "subtitle"}],
        **top,
        "cues": list(cues),
    }


def text(**fields: Any) -> dict[str, Any]:
    return {"e_type": "text", "text": "x", **fields}


def cue(root: Any, **fields: Any) -> dict[str, Any]:
    return {"id": "c", "track": "t", **fields, "root": root}


def only_root(doc: dict[str, Any], mode: MigrationMode = FAITHFUL) -> dict[str, Any]:
    root: dict[str, Any] = migrate(doc, mode).document["cues"][0]["root"]
    return root


# --- MIG-DETECT ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("doc", "version"),
    [
        ({"version": "2.0"}, "2.0"),
        ({"version": "1.3"}, "1.3"),
        ({}, "1.3"),
        ({"version": "", "define": {"a": 1}}, "2.0"),
        ({"version": None, "define": [1]}, "2.0"),  # arrays count as objects
        ({"define": "text"}, "1.3"),
        ({"cues": [{"root": {"displayTime": [0, 1]}}]}, "2.0"),
        ({"cues": [{"root": {"displayTime": [0, 1, 2]}}]}, "1.3"),
        ({"tracks": [{"x": {"domLifetime": [0, 1]}}]}, "2.0"),  # at any depth
        ({"cues": [{"root": {"pluginChain": [{"time_offset": [0, 1]}]}}]}, "2.0"),
        ({"cues": [{"root": {"pluginChain": [{"timeOffset": [0, 1]}]}}]}, "1.3"),
        (
            {"cues": [{"root": {"eType": "group", "id": "a", "children": [{"type": "text"}]}}]},
            "2.0",
        ),
        (
            {"cues": [{"root": {"eType": "group", "children": [{"type": "text", "id": "b"}]}}]},
            "2.0",
        ),
        (
            {
                "cues": [
                    {"root": {"eType": "g", "children": [{"type": "t"}, {"type": "t", "id": "b"}]}}
                ]
            },
            "1.3",
        ),
        ({"cues": [{"root": {"e_type": "group", "id": "a"}}]}, "1.3"),  # e_type is no node
        ({"cues": {"root": {"eType": "group", "id": "a"}}}, "1.3"),  # cues must be an array
    ],
)
def test_detect_version(doc: dict[str, Any], version: str) -> None:
    assert detect_version(doc) == version


@pytest.mark.parametrize("version", [2, 2.0, "2", "1.2", "2.0.0", True, ["2.0"], {"a": 1}])
def test_detect_unsupported_version(version: Any) -> None:
    with pytest.raises(ScenarioError, match="Unsupported scenario version") as info:
        detect_version({"version": version})
    assert info.value.path == "version"
    with pytest.raises(ScenarioError):
        migrate({"version": version})


@pytest.mark.parametrize("doc", [None, [], "1.3", 3])
def test_not_an_object(doc: Any) -> None:
    with pytest.raises(ScenarioError, match="must be a valid JSON object"):
        migrate(doc)


def test_v20_comes_back_as_it_is_with_the_originals_notes() -> None:
    doc = {
        "cues": [
            {"root": {"displayTime": [2, 1]}},
            {"root": {"domLifetime": [0, "1"], "x": {"time_offset": [1]}}},
        ]
    }
    migration = migrate(doc)
    assert migration.document is doc and not migration.migrated
    assert list(migration.warnings) == [
        "Missing version field",
        "Missing define section (recommended for v2.0)",
        "Invalid time range at cues[0].root.displayTime: start (2) > end (1)",
        "Invalid time array at cues[1].root.domLifetime: values must be numbers",
        "Invalid time array at cues[1].root.x.time_offset: expected [start, end]",
    ]


# --- MIG-TOP, MIG-CUE ---------------------------------------------------------------------------


def test_top_level_version_forced_and_define_added_in_place() -> None:
    doc = {"version": "1.3", "define": None, "cues": []}
    out = migrate(doc).document
    assert list(out) == ["version", "define", "cues"] and out["define"] == {}
    assert doc["define"] is None  # the input is a copy's source, never changed


@pytest.mark.parametrize(
    ("hint", "lifetime"),
    [(2, [2, 7]), (0.1, [0.1, 5.1]), ({"start": 1, "end": 2}, None), ("3", None), (None, None)],
)
def test_hint_time(hint: Any, lifetime: Any) -> None:
    out = migrate(v13(cue(text(absStart=1), hintTime=hint))).document["cues"][0]
    assert "hintTime" not in out
    assert out.get("domLifetime") == lifetime
    if lifetime:
        assert list(out)[-1] == "domLifetime"  # appended after root


def test_boolean_hint_time_is_not_a_number() -> None:
    assert "domLifetime" not in migrate(v13(cue(text(), hintTime=True))).document["cues"][0]


# --- MIG-NODE -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "display"),
    [
        ({"absStart": 2, "absEnd": 5}, [2, 5]),
        ({"absStart": 2}, [2, 3]),
        ({"absEnd": 4}, [0, 4]),
        ({"absStart": None, "absEnd": None}, [0, 1]),
        ({"absStart": 6, "absEnd": 2}, [6, 2]),  # passes through, with a warning
        ({"absStart": 1.1}, [1.1, 2.1]),
    ],
)
def test_abs_to_display_time(fields: dict[str, Any], display: list[float]) -> None:
    root = only_root(v13(cue(text(**fields))))
    assert root["displayTime"] == display
    assert "absStart" not in root and "absEnd" not in root


def test_node_keys_renamed_in_order_and_id_last() -> None:
    root = only_root(v13(cue({"e_type": "text", "base_time": [0, 1], "absStart": 0, "text": "x"})))
    assert list(root) == ["text", "eType", "baseTime", "displayTime", "id"]


def test_existing_keys_keep_their_place() -> None:
    node = {"eType": "old", "displayTime": [9, 9], "e_type": "text", "absEnd": 3, "id": "n"}
    root = only_root(v13(cue(node)))
    assert list(root) == ["eType", "displayTime", "id"]
    assert root["eType"] == "text" and root["displayTime"] == [0, 3]


def test_type_content_and_singular_plugin_pass_through() -> None:
    node = {"type": "text", "content": "hi", "plugin": {"name": "p", "relStart": 0.1}}
    root = only_root(v13(cue(node)))
    assert root == {**node, "id": "cue-0-1"}


def test_non_numeric_abs_is_refused_with_its_path() -> None:
    with pytest.raises(ScenarioError) as info:
        migrate(v13(cue({"e_type": "group", "children": [text(absStart="2")]})))
    assert info.value.path == "cues[0].root.children[0].absStart"


@pytest.mark.parametrize(
    ("doc", "path"),
    [
        (v13("not a cue"), "cues[0]"),
        (v13(None), "cues[0]"),
        (v13(cue("root-string")), "cues[0].root"),
        (v13(cue({"e_type": "group", "children": [text(), None]})), "cues[0].root.children[1]"),
        (v13(cue(text(pluginChain=[{"name": "a"}, None]))), "cues[0].root.pluginChain[1]"),
    ],
)
def test_the_originals_crashes_are_clear_errors(doc: dict[str, Any], path: str) -> None:
    with pytest.raises(ScenarioError, match="cannot migrate this v1.3 scenario") as info:
        migrate(doc)
    assert info.value.path == path


def test_arrays_where_objects_belong_are_left_alone() -> None:
    """JS reads an array as an object without those keys: no crash, nothing renamed."""
    doc = v13([1], cue([2]), cue(text(pluginChain=[[3]], children=[[4]])))
    out = migrate(doc).document
    assert out["cues"][0] == [1] and out["cues"][1]["root"] == [2]
    assert out["cues"][2]["root"]["pluginChain"] == [[3]]


def test_falsy_root_is_skipped() -> None:
    assert migrate(v13(cue(None))).document["cues"][0]["root"] is None


# --- MIG-PLUGIN, MIG-PCT ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        ({"time_offset": [0.1, 0.2]}, {"timeOffset": [0.1, 0.2]}),
        ({"time_offset": [1, 2], "base_time": [0, 1]}, {"timeOffset": [1, 2], "baseTime": [0, 1]}),
        ({"base_time": [0, 1], "relEnd": 0.5}, {"baseTime": [0, 1], "timeOffset": [0, 0.5]}),
        ({"relStart": 0.2}, {"timeOffset": [0.2, 1]}),
        ({"relStartPct": 0.35}, {"timeOffset": [0.0034999999999999996, 1]}),
        ({"relStartPct": 0, "relEndPct": 0.9}, {"timeOffset": [0, 0.009000000000000001]}),
        ({"relEndPct": 0.2}, {"timeOffset": [0, 0.002]}),
        ({"t0": 0.5}, {"timeOffset": [0.5, 1]}),
        ({"timeOffset": [7, 8], "t1": 0.7}, {"timeOffset": [0, 0.7]}),
        (
            {"relStart": 0.2, "relEnd": 0.1, "relStartPct": 10, "t1": 0.7},
            {"timeOffset": [0, 0.7]},
        ),
        ({"params": {"t0": 1, "t1": 2}}, {"params": {"t0": 1, "t1": 2}}),  # params untouched
    ],
)
def test_plugin_entry_windows(entry: dict[str, Any], expected: dict[str, Any]) -> None:
    root = only_root(v13(cue(text(pluginChain=[{"name": "cwi-loud@2.0.0", **entry}]))))
    out = root["pluginChain"][0]
    assert out == {"name": "cwi-loud@2.0.0", **expected}
    assert list(out) == ["name", *expected]  # appended in step order


def test_pct_results_are_js_doubles_and_print_like_js() -> None:
    root = only_root(v13(cue(text(pluginChain=[{"name": "p", "relStartPct": 0.0}]))))
    assert stringify(root["pluginChain"][0]["timeOffset"]) == "[0,1]"


def test_non_numeric_pct_is_refused() -> None:
    with pytest.raises(ScenarioError) as info:
        migrate(v13(cue(text(pluginChain=[{"name": "p", "relStartPct": "50"}]))))
    assert info.value.path == "cues[0].root.pluginChain[0].relStartPct"


# --- MIG-IDS ------------------------------------------------------------------------------------


def test_ids_pre_order_and_collisions() -> None:
    doc = v13(
        cue({"e_type": "group", "children": [{"e_type": "group", "children": [text()]}]}),
        cue({"e_type": "group", "id": "group1", "children": [text()]}),
        cue({"e_type": "group", "id": "", "children": [text(id=7, children=[text()])]}),
        tracks=[{"id": "cue-0-1"}],
    )
    cues = migrate(doc).document["cues"]
    assert cues[0]["root"]["id"] == "cue-0-2"
    assert cues[0]["root"]["children"][0]["id"] == "cue-0-2-child-0-1"
    assert cues[0]["root"]["children"][0]["children"][0]["id"] == "cue-0-2-child-0-1-child-0-1"
    assert cues[1]["root"]["children"][0]["id"] == "group1-child-0-1"
    assert cues[2]["root"]["id"] == "cue-2-1" and next(iter(cues[2]["root"])) == "id"
    assert cues[2]["root"]["children"][0]["id"] == 7  # kept: 1.5.0 then refuses it
    assert cues[2]["root"]["children"][0]["children"][0]["id"] == "7-child-0-1"


# --- MIG-WARN -----------------------------------------------------------------------------------


def test_warnings_order_and_texts() -> None:
    doc = v13(
        cue(text(plugin={"relStart": 0, "relEnd": 1}), hintTime={"start": 0}),
        {"track": "t", "root": text(absStart=3, absEnd=1, pluginChain=[{"timeOffset": [1]}])},
        tracks=[{"id": "t", "hintTime": 1}],
    )
    assert list(migrate(doc).warnings) == [
        "Deprecated field 'hintTime' found at tracks[0].hintTime",
        "Deprecated field 'relStart' found at cues[0].root.plugin.relStart",
        "Deprecated field 'relEnd' found at cues[0].root.plugin.relEnd",
        "Cue 1 missing required field: id",
        "Invalid time array at cues[1].root.pluginChain[0].timeOffset: expected [start, end]",
        "Invalid time range at cues[1].root.displayTime: start > end",
    ]


def test_missing_cues_warning() -> None:
    migration = migrate({"version": "1.3", "cues": {"a": 1}})
    assert list(migration.warnings) == ["Missing or invalid field: cues"]


# --- MIG-DEFINE ---------------------------------------------------------------------------------


def styled(style: dict[str, Any]) -> dict[str, Any]:
    return cue({"e_type": "group", "style": style})


def test_identical_objects_extract_whole() -> None:
    style = {"color": "#abc", "fontFamily": "Inter, sans-serif", "fontSize": 42}
    doc = v13(*[styled(dict(style)) for _ in range(5)])
    migration = migrate(doc)
    assert migration.document["define"] == {"style_1": style}
    assert [c["root"]["style"] for c in migration.document["cues"]] == ["define.style_1"] * 5
    assert list(migration.warnings) == ["Extracted 5 occurrences to define.style_1"]


def test_four_occurrences_are_not_enough_and_arrays_never_count() -> None:
    doc = v13(*[styled({"color": "#abc"}) for _ in range(4)], tracks=[{"id": "t"}])
    doc["tracks"].append({"id": "u", "list": ["#abc", "#abc", "#abc", "#abc", "#abc"]})
    assert migrate(doc).document["define"] == {}


@pytest.mark.parametrize(
    ("value", "key"),
    [
        ("#ABCDEF12", "color_1"),
        ("'Roboto Flex', serif", "font_1"),
        ("fonts/regular.woff2", "font_1"),
        ("MyFont/regular", "text_1"),  # "font" is case-sensitive
        ("https://x", "text_1"),
        ("x" * 20, "text_1"),
        ("한국어 자막이 아주 길게 이어지는 문장", "text_1"),
        (11, "value_1"),
        (-1, "value_1"),
        (1.5, "value_1"),
        ({"position": 1, "a": 2, "b": 3}, "layout_1"),
        ({"a": 1, "b": 2, "c": 3}, "config_1"),
    ],
)
def test_extractable_values_and_kinds(value: Any, key: str) -> None:
    doc = v13(*[styled({"v": copy.deepcopy(value)}) for _ in range(5)])
    assert migrate(doc).document["define"] == {key: value}


@pytest.mark.parametrize(
    "value", ["short", "#abcdefabc", "Text", "BC", "x" * 19, 10, 0.5, 1, True, None, [1, 2, 3]]
)
def test_values_never_extracted(value: Any) -> None:
    doc = v13(*[styled({"v": copy.deepcopy(value)}) for _ in range(5)])
    assert migrate(doc).document["define"] == {}


def test_extraction_stops_after_twenty() -> None:
    doc = v13(*[styled({"uniq": j} | {f"k{i}": 100 + i for i in range(25)}) for j in range(5)])
    migration = migrate(doc)
    assert len(migration.document["define"]) == 20 and migration.extracted_defines == 20


# --- the default mode's divergence: definitions -> define ----------------------------------------


def palette_doc(**top: Any) -> dict[str, Any]:
    params = {"speaker": "S1", "palette": "definitions.speakerPalette"}
    entry = {"name": "cwi-color@2.0.0", "relStart": 0, "relEnd": 0, "params": params}
    return v13(
        cue(text(absStart=0, absEnd=2, pluginChain=[entry])),
        definitions={"speakerPalette": {"S1": "#4AA3FF"}, "note": "definitions.speakerPalette"},
        **top,
    )


def test_faithful_keeps_definitions_inert() -> None:
    out = migrate(palette_doc(), FAITHFUL).document
    assert out["definitions"] == palette_doc()["definitions"]
    assert out["define"] == {}
    assert only_root(palette_doc())["pluginChain"][0]["params"]["palette"] == (
        "definitions.speakerPalette"
    )


def test_default_merges_definitions_and_rewrites_references() -> None:
    migration = migrate(palette_doc(), DEFAULT)
    out = migration.document
    assert "definitions" not in out
    assert out["define"] == {
        "speakerPalette": {"S1": "#4AA3FF"},
        "note": "define.speakerPalette",
    }
    assert out["cues"][0]["root"]["pluginChain"][0]["params"]["palette"] == (
        "define.speakerPalette"
    )
    assert list(migration.warnings) == [
        (
            "ECG Render divergence from the original migrator: 2 definitions entries merged "
            'into define, 2 "definitions." references rewritten to "define."'
        )
    ]


def test_default_existing_define_key_wins_with_a_warning() -> None:
    doc = palette_doc(define={"speakerPalette": {"S1": "#FFFFFF"}})
    migration = migrate(doc, DEFAULT)
    assert migration.document["define"]["speakerPalette"] == {"S1": "#FFFFFF"}
    assert migration.warnings[0] == (
        "definitions.speakerPalette was not merged: define.speakerPalette exists already and "
        "is kept"
    )


def test_default_rewrites_references_the_extraction_moved() -> None:
    """Five or more identical long references become define.text_N first (faithful), whose
    value the rewrite then points at define: a chain 1.5.0's resolver follows."""
    params = {"speaker": "S1", "palette": "definitions.speakerPalette"}
    words = [text(pluginChain=[{"name": "cwi-color", "params": dict(params)}]) for _ in range(5)]
    doc = v13(
        cue({"e_type": "group", "children": words}),
        definitions={"speakerPalette": {"S1": "#4AA3FF"}},
    )
    faithful = migrate(doc, FAITHFUL).document
    assert faithful["define"] == {"text_1": "definitions.speakerPalette"}
    out = migrate(doc, DEFAULT).document
    assert out["define"] == {"text_1": "define.speakerPalette", "speakerPalette": {"S1": "#4AA3FF"}}


@pytest.mark.parametrize(("value", "path"), [([1], "definitions"), ("x", "definitions")])
def test_default_refuses_definitions_that_are_not_objects(value: Any, path: str) -> None:
    with pytest.raises(ScenarioError) as info:
        migrate(v13(definitions=value), DEFAULT)
    assert info.value.path == path
    assert migrate(v13(definitions=value), FAITHFUL).document["definitions"] == value


def test_default_null_definitions_is_dropped() -> None:
    assert "definitions" not in migrate(v13(definitions=None), DEFAULT).document


def test_migrate_v13_ignores_the_claimed_version() -> None:
    assert migrate_v13({"version": "2.0", "cues": []}).document["version"] == "2.0"
    assert migrate_v13({"version": "2.0", "cues": []}).migrated


# --- output form --------------------------------------------------------------------------------


def test_document_text_is_js_json() -> None:
    doc = {"a": [1.0, -0.0, 1e21, 1e-7, 0.1], "b": {}, "c": [], "d": "é\u2028\ud800", "1": True}
    assert document_text(doc) == (
        '{\n  "1": true,\n  "a": [\n    1,\n    0,\n    1e+21,\n    1e-7,\n    0.1\n  ],\n'
        '  "b": {},\n  "c": [],\n  "d": "é\u2028\\ud800"\n}\n'
    )


def test_extraction_into_a_define_that_is_not_an_object_is_refused() -> None:
    """The original would write a property onto a string (a TypeError in strict mode) or onto
    an array (lost in JSON.stringify)."""
    doc = v13(*[styled({"color": "#abc"}) for _ in range(5)], define="abc")
    with pytest.raises(ScenarioError, match="define") as info:
        migrate(doc)
    assert info.value.path == "define"
