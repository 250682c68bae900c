"""Validation (CORE-VALID, spec section 5): one test per message, in 1.5.0's wording, with the
JSON path the error carries."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from motiontext.errors import ScenarioError
from motiontext.parse import load_scenario
from motiontext.validate import js_number_str, js_str, js_to_number

BASE: dict[str, Any] = {
    "version": "2.0",
    "timebase": {"unit": "seconds"},
    "stage": {"baseAspect": "16:9"},
    "tracks": [{"id": "t", "type": "subtitle"}],
    "cues": [
        {
            "id": "c0",
            "track": "t",
            "root": {
                "id": "g",
                "eType": "group",
                "children": [
                    {"id": "a", "eType": "text", "text": "A"},
                    {"id": "b", "eType": "text", "text": "B"},
                ],
            },
        }
    ],
}


def doc(**top: Any) -> dict[str, Any]:
    result = copy.deepcopy(BASE)
    result.update(copy.deepcopy(top))
    return result


def error_of(document: Any) -> ScenarioError:
    with pytest.raises(ScenarioError) as info:
        load_scenario(document)
    return info.value


def cue(root: dict[str, Any] | None = None, **fields: Any) -> dict[str, Any]:
    result: dict[str, Any] = {"id": "c0", "track": "t", "root": root or {"id": "r"}}
    result.update(fields)
    return result


def test_base_document_is_valid() -> None:
    scenario = load_scenario(doc())
    assert [c.id for c in scenario.cues] == ["c0"]
    assert scenario.warnings == ()


# --- 5.4.1 required fields, in order ----------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "message", "path"),
    [
        ({"timebase": None}, "Missing required field: timebase", "timebase"),
        ({"timebase": 0}, "Missing required field: timebase", "timebase"),
        ({"stage": ""}, "Missing required field: stage", "stage"),
        ({"tracks": {}}, "tracks must be an array", "tracks"),
        ({"cues": "x"}, "cues must be an array", "cues"),
        (
            {"timebase": {"unit": "frames"}},
            'timebase.unit must be "seconds", got "frames"',
            "timebase.unit",
        ),
        ({"timebase": {}}, 'timebase.unit must be "seconds", got "undefined"', "timebase.unit"),
        (
            {"timebase": {"unit": None}},
            'timebase.unit must be "seconds", got "null"',
            "timebase.unit",
        ),
        (
            {"timebase": {"unit": "seconds", "fps": 0}},
            "timebase.fps must be a positive number",
            "timebase.fps",
        ),
        (
            {"timebase": {"unit": "seconds", "fps": "30"}},
            "timebase.fps must be a positive number",
            "timebase.fps",
        ),
        (
            {"timebase": {"unit": "seconds", "fps": True}},
            "timebase.fps must be a positive number",
            "timebase.fps",
        ),
        (
            {"timebase": {"unit": "seconds", "fps": None}},
            "timebase.fps must be a positive number",
            "timebase.fps",
        ),
        (
            {"stage": {"baseAspect": "4:3"}},
            "stage.baseAspect must be one of: 16:9, 9:16, auto",
            "stage.baseAspect",
        ),
        ({"stage": {}}, "stage.baseAspect must be one of: 16:9, 9:16, auto", "stage.baseAspect"),
    ],
)
def test_core_valid_required_fields(change: dict[str, Any], message: str, path: str) -> None:
    error = error_of(doc(**change))
    assert (str(error), error.path) == (message, path)


def test_core_valid_required_order_timebase_before_tracks() -> None:
    error = error_of(doc(timebase=None, tracks=None, stage=None))
    assert str(error) == "Missing required field: timebase"


def test_core_valid_fps_nan_and_float_pass() -> None:
    load_scenario(doc(timebase={"unit": "seconds", "fps": float("nan")}))
    load_scenario(doc(timebase={"unit": "seconds", "fps": 29.97}))


# --- 5.4.2 time arrays ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("0-1", "timeRange must be an array"),
        ({"start": 0}, "timeRange must be an array"),
        ([1], "timeRange must have exactly 2 elements [start, end]"),
        ([1, 2, 3], "timeRange must have exactly 2 elements [start, end]"),
        (["0%", 1], "timeRange start must be a finite number"),
        ([True, 1], "timeRange start must be a finite number"),
        ([None, 1], "timeRange start must be a finite number"),
        ([float("inf"), 1], "timeRange start must be a finite number"),
        ([0, float("nan")], "timeRange end must be a finite number"),
        ([0, 10**400], "timeRange end must be a finite number"),
        ([5, 1], "timeRange start (5) must not be greater than end (1)"),
        ([2.5, 1e-7], "timeRange start (2.5) must not be greater than end (1e-7)"),
    ],
)
def test_core_valid_time_range_messages(value: Any, problem: str) -> None:
    root = {"id": "g", "eType": "group", "children": [{"id": "a"}, {"id": "b"}, {"id": "x"}]}
    root["children"][2]["displayTime"] = value
    error = error_of(doc(cues=[cue(root)]))
    assert str(error) == f"cues[0].root.children[2].displayTime: {problem}"
    assert error.path == "cues[0].root.children[2].displayTime"


def test_core_valid_dom_lifetime_checked_first() -> None:
    error = error_of(doc(cues=[cue({"id": "r", "displayTime": [3, 1]}, domLifetime=[1])]))
    assert str(error) == "cues[0].domLifetime: timeRange must have exactly 2 elements [start, end]"
    assert error.path == "cues[0].domLifetime"


@pytest.mark.parametrize("falsy", [None, 0, "", False])
def test_core_valid_falsy_time_values_are_not_checked(falsy: Any) -> None:
    load_scenario(doc(cues=[cue({"id": "r", "displayTime": falsy}, domLifetime=falsy)]))


def test_core_valid_cue_display_time_not_validated() -> None:
    load_scenario(doc(cues=[cue(displayTime="nonsense")]))


def test_core_valid_children_of_non_groups_not_validated() -> None:
    root = {"id": "r", "eType": "text", "children": [{"displayTime": "bad"}]}
    load_scenario(doc(cues=[cue(root)]))


def test_core_valid_snake_time_offset_shape() -> None:
    root = {"id": "r", "pluginChain": [{"name": "p"}, {"name": "q", "time_offset": [0]}]}
    error = error_of(doc(cues=[cue(root)]))
    assert str(error) == "cues[0].root.pluginChain[1].time_offset must be [start, end] array"
    assert error.path == "cues[0].root.pluginChain[1].time_offset"


@pytest.mark.parametrize("bad", ["50", "abc", "1e3", "+5", ".5", "5.%", True, None, float("inf")])
def test_core_valid_snake_time_offset_element(bad: Any) -> None:
    root = {"id": "r", "pluginChain": [{"name": "p", "time_offset": ["0%", bad]}]}
    if bad == "50":
        load_scenario(doc(cues=[cue(root)]))  # plain digits are seconds
        return
    error = error_of(doc(cues=[cue(root)]))
    assert str(error) == (
        "cues[0].root.pluginChain[0].time_offset[1] must be a number (seconds) or "
        "percentage string like '50%'"
    )
    assert error.path == "cues[0].root.pluginChain[0].time_offset[1]"


@pytest.mark.parametrize("good", [[0, 1], ["0%", "100%"], [" -1.5% ", "\u00a02\u3000"], [-2, 0.5]])
def test_core_valid_snake_time_offset_accepted(good: list[Any]) -> None:
    load_scenario(doc(cues=[cue({"id": "r", "pluginChain": [{"time_offset": good}]})]))


def test_core_valid_camel_time_offset_not_validated() -> None:
    root = {"id": "r", "pluginChain": ["bare", {"name": "p", "timeOffset": "garbage"}]}
    load_scenario(doc(cues=[cue(root)]))


# --- 5.4.3 ids ---------------------------------------------------------------------------------


@pytest.mark.parametrize("bad_id", [None, "", 5, ["x"]])
def test_core_valid_cue_id_required(bad_id: Any) -> None:
    error = error_of(doc(cues=[cue(), cue(id=bad_id)]))
    assert str(error) == "cues[1].id: Cue ID is required and must be a non-empty string"
    assert error.path == "cues[1].id"


def test_core_valid_cue_id_missing() -> None:
    broken = cue()
    del broken["id"]
    assert error_of(doc(cues=[broken])).path == "cues[0].id"


def test_core_valid_duplicate_cue_id() -> None:
    error = error_of(doc(cues=[cue(), cue(root={"id": "r2"})]))
    assert str(error) == 'Duplicate cue ID: "c0" (conflicts with cues[0])'
    assert error.path == "cues[1].id"


def test_core_valid_cue_and_node_ids_share_namespace() -> None:
    error = error_of(doc(cues=[cue({"id": "x"}, id="x")]))
    assert str(error) == 'Duplicate node ID: "x" (conflicts with cues[0])'
    assert error.path == "cues[0].root.id"
    error = error_of(doc(cues=[cue({"id": "x"}), cue({"id": "r2"}, id="x")]))
    assert str(error) == 'Duplicate cue ID: "x" (conflicts with cues[0].root)'


@pytest.mark.parametrize("bad_id", [None, "", 0, True])
def test_core_valid_node_id_required(bad_id: Any) -> None:
    root = {"id": "g", "eType": "group", "children": [{"id": "a"}, {"id": bad_id}]}
    error = error_of(doc(cues=[cue(root)]))
    assert str(error) == (
        "cues[0].root.children[1].id: Node ID is required and must be a non-empty string"
    )
    assert error.path == "cues[0].root.children[1].id"


def test_core_valid_duplicate_node_id() -> None:
    # the ECG editor's known bug: a group and its text share an id
    root = {"id": "g", "eType": "group", "children": [{"id": "a"}, {"id": "g"}]}
    error = error_of(doc(cues=[cue(root)]))
    assert str(error) == 'Duplicate node ID: "g" (conflicts with cues[0].root)'
    assert error.path == "cues[0].root.children[1].id"


def test_core_valid_time_arrays_before_ids() -> None:
    root = {"id": "g", "eType": "group", "children": [{"id": "g", "displayTime": [2, 1]}]}
    assert "displayTime" in str(error_of(doc(cues=[cue(root)])))


# --- 5.4.4 tracks ------------------------------------------------------------------------------


def test_core_valid_duplicate_track_id() -> None:
    error = error_of(doc(tracks=[{"id": "t"}, {"id": "u"}, {"id": "u"}, {"id": "t"}]))
    assert str(error) == 'Duplicate track ID: "t"'
    assert error.path == "tracks[3].id"


def test_core_valid_duplicate_track_id_js_equality() -> None:
    # ids are compared like JS Map keys: 1 and 1.0 are one number, true is not 1
    assert str(error_of(doc(tracks=[{"id": "t"}, {"id": 1}, {"id": 1.0}]))) == (
        'Duplicate track ID: "1"'
    )
    load_scenario(doc(tracks=[{"id": "t"}, {"id": 1}, {"id": True}, {"id": "1"}]))
    assert str(error_of(doc(tracks=[{"id": "t"}, {}, {}]))) == 'Duplicate track ID: "undefined"'
    load_scenario(doc(tracks=[{"id": "t"}, {"id": {}}, {"id": {}}]))


@pytest.mark.parametrize("bad", [None, "", 5])
def test_core_valid_track_reference_required(bad: Any) -> None:
    error = error_of(doc(cues=[cue(track=bad)]))
    assert str(error) == "cues[0].track: Track reference is required and must be a string"
    assert error.path == "cues[0].track"


def test_core_valid_unknown_track() -> None:
    error = error_of(doc(cues=[cue(track="nope")]))
    assert str(error) == 'cues[0].track: Unknown track ID "nope"'
    assert error.path == "cues[0].track"


def test_core_valid_ids_before_tracks() -> None:
    error = error_of(doc(tracks=[{"id": "t"}, {"id": "t"}], cues=[cue(id="")]))
    assert "Cue ID is required" in str(error)


# --- 5.4.5 time logic warnings -----------------------------------------------------------------


def test_core_valid_time_logic_warnings() -> None:
    root = {
        "id": "g",
        "eType": "group",
        "displayTime": [0.5, 3],
        "children": [{"id": "a", "displayTime": [1, 4.25]}],
    }
    scenario = load_scenario(doc(cues=[cue(root, domLifetime=[1, 4])]))
    assert scenario.warnings == (
        (
            "Warning: cues[0].root.displayTime starts (0.5) before domLifetime (1). "
            "This may cause late DOM mounting."
        ),
        (
            "Warning: cues[0].root.children[0].displayTime ends (4.25) after domLifetime (4). "
            "This may cause early DOM unmounting."
        ),
    )
    # nothing is clamped
    assert scenario.cues[0].root.children[0].display_time == (1.0, 4.25)


def test_core_valid_no_warnings_without_explicit_lifetime() -> None:
    scenario = load_scenario(doc(cues=[cue({"id": "r", "displayTime": [-5, 50]})]))
    assert scenario.warnings == ()


# --- shapes 1.5.0 trips over with a TypeError --------------------------------------------------


@pytest.mark.parametrize(
    ("cues", "message", "path"),
    [
        ([None], "Cannot read properties of null (reading 'domLifetime')", "cues[0]"),
        ([5], "Cannot read properties of undefined (reading 'displayTime')", "cues[0].root"),
        (
            [cue({"id": "r", "pluginChain": [None]})],
            "Cannot read properties of null (reading 'time_offset')",
            "cues[0].root.pluginChain[0]",
        ),
        (
            [cue({"id": "g", "eType": "group", "children": [None]})],
            "Cannot read properties of null (reading 'displayTime')",
            "cues[0].root.children[0]",
        ),
        (
            [cue({"id": "g", "eType": "group", "children": {"length": 2, "0": {"id": "x"}}})],
            "Cannot read properties of undefined (reading 'displayTime')",
            "cues[0].root.children[1]",
        ),
    ],
)
def test_type_errors_of_odd_shapes(cues: list[Any], message: str, path: str) -> None:
    error = error_of(doc(cues=cues))
    assert (str(error), error.path) == (message, path)


def test_null_track_is_a_type_error() -> None:
    error = error_of(doc(tracks=[{"id": "t"}, None]))
    assert (str(error), error.path) == (
        "Cannot read properties of null (reading 'id')",
        "tracks[1]",
    )


# --- JS value helpers --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (1e-7, "1e-7"),
        (1e-6, "0.000001"),
        (123.0, "123"),
        (1e21, "1e+21"),
        (1e20, "1" + "0" * 20),
        (-2.5, "-2.5"),
        (-0.0, "0"),
        (float("nan"), "NaN"),
        (float("-inf"), "-Infinity"),
        (2**53 + 1, "9007199254740992"),
        (0.1 + 0.2, "0.30000000000000004"),
    ],
)
def test_js_number_str(value: float, text: str) -> None:
    assert js_number_str(float(value)) == text


def test_js_str_and_to_number() -> None:
    assert js_str([1, [2, None], "x"]) == "1,2,,x"
    assert js_str({"a": 1}) == "[object Object]"
    assert js_str(True) == "true"
    assert js_to_number(" 0x10 ") == 16
    assert js_to_number("") == 0
    assert js_to_number([7]) == 7
    assert js_to_number("1_000") != js_to_number("1_000")  # NaN, unlike Python's float()
