"""The parse pipeline (spec section 2): type and version checks, JSON text and files, the
reference samples, and a fuzz test that only ScenarioError ever escapes."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from motiontext.errors import InputError, ScenarioError
from motiontext.model import Scenario
from motiontext.parse import MAX_NESTING, load_scenario, load_scenario_file, load_scenario_text

SHARED = Path(__file__).resolve().parents[2] / ".." / "shared"
SAMPLE_FILES = sorted((SHARED / "reference" / "samples").glob("*.json")) + sorted(
    (SHARED / "reference" / "scenarios").glob("*.json")
)

MINIMAL: dict[str, Any] = {
    "version": "2.0",
    "timebase": {"unit": "seconds", "fps": 30},
    "stage": {"baseAspect": "9:16", "safeArea": {"bottom": 0.1}},
    "tracks": [{"id": "t", "type": "subtitle"}],
    "cues": [{"id": "c", "track": "t", "root": {"id": "r", "eType": "text", "text": "hi"}}],
}


def error_of(document: Any) -> ScenarioError:
    with pytest.raises(ScenarioError) as info:
        load_scenario(document)
    return info.value


# --- CORE-DOC-ROOT: type and version checks ----------------------------------------------------


def test_core_doc_root_minimal() -> None:
    scenario = load_scenario(MINIMAL)
    assert isinstance(scenario, Scenario)
    assert scenario.base_aspect == "9:16"
    assert scenario.safe_area == {"bottom": 0.1}
    assert list(scenario.tracks) == ["t"]
    assert scenario.cues[0].root.text == "hi"


@pytest.mark.parametrize("document", [None, 5, 2.0, "2.0", True, False, ""])
def test_core_doc_root_not_an_object(document: Any) -> None:
    error = error_of(document)
    assert (str(error), error.path) == ("Scenario must be a valid JSON object", "")


@pytest.mark.parametrize(
    ("version", "shown"),
    [
        (None, "unknown"),
        ("", "unknown"),
        (0, "unknown"),
        (False, "unknown"),
        ("1.3", "1.3"),
        (2.0, "2"),
        (2, "2"),
        (True, "true"),
        ([1, [2, 3]], "1,2,3"),
        ({"v": 2}, "[object Object]"),
        (" 2.0", " 2.0"),
    ],
)
def test_core_doc_root_version(version: Any, shown: str) -> None:
    error = error_of({**MINIMAL, "version": version})
    assert str(error) == (
        f'Only v2.0 scenarios are supported, got version "{shown}". '
        "Use migration tools to convert v1.3 scenarios to v2.0."
    )
    assert error.path == "version"


def test_core_doc_root_missing_version_and_arrays() -> None:
    # an array is a JS object: it passes the type check and fails on its missing version
    for document in ({}, [], [MINIMAL]):
        assert 'got version "unknown"' in str(error_of(document))


def test_core_doc_root_unknown_keys_are_carried() -> None:
    load_scenario({**MINIMAL, "behavior": {"preloadMs": 1}, "pluginApiVersion": "3.0", "x": [1]})


# --- input shapes Python allows but JSON does not ----------------------------------------------


@pytest.mark.parametrize("bad", [{1, 2}, (1, 2), b"x", object()])
def test_non_json_values_are_rejected(bad: Any) -> None:
    error = error_of({**MINIMAL, "extra": {"k": bad}})
    assert error.path == "extra.k"


def test_non_string_keys_are_rejected() -> None:
    assert error_of({**MINIMAL, "extra": {1: "x"}}).path == "extra"


def test_deep_nesting_is_a_scenario_error() -> None:
    deep: Any = []
    for _ in range(100_000):
        deep = [deep]
    error = error_of({**MINIMAL, "extra": deep})
    assert str(error) == f"Scenario nesting exceeds {MAX_NESTING} levels"


def test_nesting_below_the_limit_is_fine() -> None:
    deep: Any = {}
    for _ in range(MAX_NESTING - 3):
        deep = {"k": deep}
    load_scenario({**MINIMAL, "extra": deep})


def test_deep_node_tree_is_a_scenario_error_not_a_crash() -> None:
    node: dict[str, Any] = {"id": "leaf", "eType": "text"}
    for i in range(5000):
        node = {"id": f"g{i}", "eType": "group", "children": [node]}
    cues = [{"id": "c", "track": "t", "root": node}]
    with pytest.raises(ScenarioError):
        load_scenario({**MINIMAL, "cues": cues})


def test_self_containing_document_is_a_scenario_error() -> None:
    loop: dict[str, Any] = {}
    loop["self"] = loop
    with pytest.raises(ScenarioError):
        load_scenario({**MINIMAL, "extra": loop})


# --- JSON text and files -----------------------------------------------------------------------


def test_load_scenario_text_round_trip() -> None:
    scenario = load_scenario_text(json.dumps(MINIMAL))
    assert scenario == load_scenario(MINIMAL)
    assert load_scenario_text(json.dumps(MINIMAL).encode()) == scenario


def test_load_scenario_text_syntax_error_has_line_and_column() -> None:
    with pytest.raises(ScenarioError) as info:
        load_scenario_text('{\n  "version": "2.0",\n  "cues": [1,]\n}')
    assert str(info.value).startswith("Invalid JSON: ")
    assert str(info.value).endswith("at line 3 column 14")


@pytest.mark.parametrize("token", ["NaN", "Infinity", "-Infinity"])
def test_load_scenario_text_rejects_non_standard_constants(token: str) -> None:
    with pytest.raises(ScenarioError) as info:
        load_scenario_text('{"s": "NaN Infinity",\n "fps": ' + token + "}")
    assert str(info.value) == f"Invalid JSON: {token} is not a JSON value at line 2 column 9"


@pytest.mark.parametrize(
    "text",
    ["", "[" * 100_000, "1" * 5000, b"\xff\xfe", "\ufeff{}", '{"a": "\\ud800"'],
)
def test_load_scenario_text_other_failures(text: str | bytes) -> None:
    with pytest.raises(ScenarioError):
        load_scenario_text(text)


def test_load_scenario_file(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(MINIMAL).encode())
    assert load_scenario_file(path) == load_scenario(MINIMAL)
    assert load_scenario_file(str(path)) == load_scenario(MINIMAL)


def test_load_scenario_file_missing(tmp_path: Path) -> None:
    with pytest.raises(InputError):
        load_scenario_file(tmp_path / "missing.json")


# --- reference samples -------------------------------------------------------------------------


def test_reference_samples_exist() -> None:
    assert len(SAMPLE_FILES) >= 30, SHARED


@pytest.mark.parametrize("path", SAMPLE_FILES, ids=lambda p: p.name)
def test_reference_sample_loads(path: Path) -> None:
    scenario = load_scenario_file(path)
    assert scenario.cues
    assert scenario.warnings == ()


def test_with_assets_sample_declares_its_font() -> None:
    scenario = load_scenario_file(SHARED / "reference" / "samples" / "with_assets_v20.json")
    assert scenario.font_assets == {"custom_font": "fonts/NotoSansKR-Regular.woff2"}


def test_dual_channel_root_text_uses_cue_display_time() -> None:
    scenario = load_scenario_file(SHARED / "reference" / "samples" / "dual_channel_test.json")
    assert scenario.cues[0].root.e_type == "text"
    assert scenario.cues[0].root.display_time == (0.0, 10.0)


# --- fuzz: only ScenarioError escapes ----------------------------------------------------------

json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=8),
    st.sampled_from(["2.0", "seconds", "16:9", "group", "text", "define.a", "define.", "50%"]),
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(
            st.one_of(
                st.text(max_size=6),
                st.sampled_from(
                    [
                        "id",
                        "eType",
                        "children",
                        "displayTime",
                        "style",
                        "define",
                        "pluginChain",
                        "time_offset",
                        "boxStyle",
                        "length",
                        "0",
                    ]
                ),
            ),
            inner,
            max_size=4,
        ),
    ),
    max_leaves=30,
)
# field values inside scenario-shaped documents: small, so that generation stays cheap
field_values = st.recursive(
    json_scalars,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.sampled_from(["id", "color", "opacity", "padding", "0", "length", "time_offset"]),
            inner,
            max_size=3,
        )
    ),
    max_leaves=6,
)


def usually(valid: Any) -> st.SearchStrategy[Any]:
    return st.one_of(st.just(valid), st.just(valid), st.just(valid), field_values)


node_ids = st.sampled_from(["a", "b", "c", "r", "g"]) | field_values
node_base = {"id": node_ids, "eType": st.sampled_from(["group", "group", "text", "image", "x"])}
node_fields = {
    key: field_values
    for key in (
        "displayTime",
        "style",
        "boxStyle",
        "pluginChain",
        "effectScope",
        "text",
        "baseTime",
    )
}
node_trees = st.recursive(
    st.fixed_dictionaries(node_base, optional=node_fields),
    lambda inner: st.fixed_dictionaries(
        node_base, optional={**node_fields, "children": st.lists(inner, max_size=3) | field_values}
    ),
    max_leaves=8,
)
cue_dicts = st.fixed_dictionaries(
    {"id": node_ids, "track": usually("t"), "root": node_trees},
    optional={"domLifetime": field_values, "displayTime": field_values},
)
# Documents that get past the version check, with garbage in every field.
scenario_like = st.fixed_dictionaries(
    {
        "version": st.just("2.0"),
        "timebase": usually({"unit": "seconds"}),
        "stage": usually({"baseAspect": "16:9"}),
        "tracks": usually([{"id": "t"}])
        | st.lists(
            st.fixed_dictionaries(
                {"id": usually("t")},
                optional={"defaultStyle": field_values, "defaultBoxStyle": field_values},
            ),
            max_size=2,
        ),
        "cues": st.lists(cue_dicts | field_values, max_size=3),
    },
    optional={"define": field_values | st.just({"a": 1, "b": "define.a"})},
)


def assert_only_scenario_error(document: Any) -> None:
    try:
        scenario = load_scenario(document)
    except ScenarioError as error:
        assert isinstance(str(error), str) and isinstance(error.path, str)
    else:
        assert isinstance(scenario, Scenario)


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(json_values)
def test_fuzz_any_json_value(document: Any) -> None:
    assert_only_scenario_error(document)


@settings(
    max_examples=2000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(scenario_like)
def test_fuzz_scenario_shaped(document: dict[str, Any]) -> None:
    assert_only_scenario_error(document)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60))
def test_fuzz_json_text(text: str) -> None:
    try:
        load_scenario_text(text)
    except ScenarioError:
        pass


# --- numbers: JSON.parse's doubles -------------------------------------------------------------


def test_integers_become_the_doubles_json_parse_makes() -> None:
    """Beyond 2**53 JSON.parse rounds an integer; beyond the double range it is Infinity. The
    renderer computes with those doubles, never with Python's unbounded integers."""
    document = json.loads(json.dumps(MINIMAL))
    document["tracks"][0]["defaultStyle"] = {
        "fontSizeRel": 10**400,
        "x": -(10**400),
        "y": 2**53 + 1,
        "z": 7,
    }
    style = load_scenario(document).tracks["t"].default_style
    assert style is not None
    assert style["fontSizeRel"] == math.inf and style["x"] == -math.inf
    assert style["y"] == float(2**53) and isinstance(style["y"], float)
    assert style["z"] == 7 and isinstance(style["z"], int)
    assert document["tracks"][0]["defaultStyle"]["fontSizeRel"] == 10**400  # input unchanged
