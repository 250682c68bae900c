"""Inheritance (spec 6.1-6.6): CORE-INHERIT-DT, -STYLE, -BOX, -SPLIT, -MISC, the domLifetime
default (CORE-TIME-LIFE) and the model built from it."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest

from motiontext.errors import ScenarioError
from motiontext.model import UNBOUNDED, Node, PluginSpec
from motiontext.parse import load_scenario, load_scenario_file

SAMPLES = Path(__file__).resolve().parents[2] / ".." / "shared" / "reference" / "samples"


def doc(root: dict[str, Any], track: dict[str, Any] | None = None, **cue: Any) -> dict[str, Any]:
    return {
        "version": "2.0",
        "timebase": {"unit": "seconds"},
        "stage": {"baseAspect": "16:9"},
        "tracks": [{"id": "t", "type": "subtitle", **(track or {})}],
        "cues": [{"id": "c", "track": "t", "root": root, **cue}],
    }


def root_of(root: dict[str, Any], track: dict[str, Any] | None = None, **cue: Any) -> Node:
    return load_scenario(doc(root, track, **cue)).cues[0].root


def group(node_id: str, *children: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return {"id": node_id, "eType": "group", "children": list(children), **fields}


def text(node_id: str, **fields: Any) -> dict[str, Any]:
    return {"id": node_id, "eType": "text", "text": node_id, **fields}


# --- CORE-INHERIT-DT (6.1) ---------------------------------------------------------------------


def test_core_inherit_dt_nearest_ancestor() -> None:
    root = root_of(
        group("g", group("h", text("a"), text("b", displayTime=[2, 3])), displayTime=[1, 5]),
        displayTime=[9, 10],
    )
    inner = root.children[0]
    assert root.display_time == (1.0, 5.0)
    assert inner.display_time == (1.0, 5.0)
    assert [c.display_time for c in inner.children] == [(1.0, 5.0), (2.0, 3.0)]


def test_core_inherit_dt_cue_fallback_then_unbounded() -> None:
    root = root_of(group("g", text("a")), displayTime=[0, 10])
    assert root.display_time == root.children[0].display_time == (0.0, 10.0)
    assert root_of(group("g", text("a"))).children[0].display_time == UNBOUNDED


def test_core_inherit_dt_cue_value_is_not_validated() -> None:
    assert root_of(text("a"), displayTime=[3, 1]).display_time == (3.0, 1.0)
    start, end = root_of(text("a"), displayTime="soon").display_time
    assert math.isnan(start) and math.isnan(end)
    assert root_of(text("a"), displayTime=[1, 2, 3]).display_time == (1.0, 2.0)


def test_core_inherit_dt_null_is_defined_and_blocks_fallback() -> None:
    # `displayTime: null` passes validation, wins over the cue value and is never active
    root = root_of(group("g", text("a"), displayTime=None), displayTime=[0, 10])
    assert root.display_time == UNBOUNDED
    assert root.children[0].display_time == UNBOUNDED


# --- CORE-INHERIT-STYLE (6.2) ------------------------------------------------------------------


def test_core_inherit_style_track_parent_own() -> None:
    track = {"defaultStyle": {"color": "white", "fontFamily": "Arial", "stroke": {"widthRel": 1}}}
    root = root_of(
        group(
            "g",
            text("a", style={"color": "red", "stroke": {"color": "#000"}}),
            style={"fontFamily": "Roboto", "fontSizeRel": 0.05},
        ),
        track,
    )
    assert root.style == {
        "color": "white",
        "fontFamily": "Roboto",
        "stroke": {"widthRel": 1},
        "fontSizeRel": 0.05,
    }
    # keys are replaced whole: the child's stroke object does not merge with the track's
    assert root.children[0].style == {
        "color": "red",
        "fontFamily": "Roboto",
        "stroke": {"color": "#000"},
        "fontSizeRel": 0.05,
    }


def test_core_inherit_style_absent_everywhere_is_none() -> None:
    assert root_of(group("g", text("a"))).children[0].style is None


def test_core_inherit_style_null_source_still_makes_one() -> None:
    assert root_of(text("a", style=None)).style == {}
    assert root_of(text("a", style="define-less string")).style == {}


def test_core_inherit_style_array_source_copies_indices() -> None:
    assert root_of(text("a", style=["x"])).style == {"0": "x"}


# --- CORE-INHERIT-BOX (6.3) --------------------------------------------------------------------


def test_core_inherit_box_track_and_own_for_groups_only() -> None:
    track = {"defaultBoxStyle": {"backgroundColor": "#111", "padding": "4px"}}
    root = root_of(
        group(
            "g",
            group("h"),
            text("a", boxStyle={"backgroundColor": "red"}),
            boxStyle={"padding": "8px", "opacity": 0.5},
        ),
        track,
    )
    assert root.box_style == {"backgroundColor": "#111", "padding": "8px", "opacity": 0.5}
    # never from the parent: the inner group only gets the track's
    assert root.children[0].box_style == {"backgroundColor": "#111", "padding": "4px"}
    assert root.children[1].box_style is None


def test_core_inherit_box_none_without_sources() -> None:
    assert root_of(group("g")).box_style is None


# --- CORE-INHERIT-SPLIT (6.4) ------------------------------------------------------------------


def test_core_inherit_split_moves_box_keys_and_children_inherit_split_style() -> None:
    style = {"color": "red", "backgroundColor": "#000", "padding": "4px", "border": None}
    root = root_of(group("g", text("a"), style=style))
    assert root.style == {"color": "red"}
    assert root.box_style == {"backgroundColor": "#000", "padding": "4px", "border": None}
    assert root.children[0].style == {"color": "red"}


def test_core_inherit_split_opacity_counts_even_when_falsy() -> None:
    root = root_of(group("g", style={"opacity": 0}))
    assert (root.style, root.box_style) == ({}, {"opacity": 0})


def test_core_inherit_split_needs_a_truthy_box_key_or_opacity() -> None:
    root = root_of(group("g", style={"color": "red", "backgroundColor": "", "padding": 0}))
    assert root.style == {"color": "red", "backgroundColor": "", "padding": 0}
    assert root.box_style is None


def test_core_inherit_split_not_for_text_nodes() -> None:
    node = root_of(text("a", style={"backgroundColor": "#000"}))
    assert (node.style, node.box_style) == ({"backgroundColor": "#000"}, None)


def test_core_inherit_split_skipped_when_track_has_default_box_style() -> None:
    root = root_of(group("g", style={"backgroundColor": "#000"}), {"defaultBoxStyle": {}})
    assert root.style == {"backgroundColor": "#000"}  # left in style, ignored by the renderer
    assert root.box_style == {}


def test_core_inherit_split_track_opacity_cwi_demo_full() -> None:
    scenario = load_scenario_file(SAMPLES / "cwi_demo_full.json")
    root = scenario.cues[0].root
    assert root.e_type == "group"
    assert root.box_style == {
        "backgroundColor": "rgba(0, 0, 0, 0.9)",
        "padding": "8px 16px",
        "borderRadius": "4px",
        "opacity": 1,
    }
    assert root.style == {
        "fontSizeRel": 0.07,
        "fontFamily": "Arial, sans-serif",
        "color": "#ffffff",
        "align": "center",
    }
    word = root.children[0]
    assert word.text == "You"
    # the track's opacity comes back at the text level (where it has no effect)
    assert word.style == {**root.style, "opacity": 1}
    assert word.box_style is None
    assert word.display_time == root.display_time == (4.908, 8.754)
    assert word.base_time == [4.908, 4.988]


# --- CORE-INHERIT-MISC (6.5) -------------------------------------------------------------------


def test_core_inherit_misc_effect_scope_from_parent() -> None:
    scope = {"breakout": {"mode": "portal"}}
    root = root_of(group("g", text("a"), text("b", effectScope=None), effectScope=scope))
    assert root.children[0].effect_scope == scope
    assert root.children[1].effect_scope is None


def test_core_inherit_misc_layout_base_time_plugins_are_own_only() -> None:
    root = root_of(
        group(
            "g",
            text("a"),
            layout={"anchor": "bc"},
            baseTime=[1, 2],
            pluginChain=[{"name": "fadeIn", "timeOffset": [0, 1], "compose": "add"}],
        )
    )
    assert root.layout == {"anchor": "bc"}
    assert root.base_time == [1, 2]
    assert root.plugin_chain == (PluginSpec("fadeIn", {}, [0, 1], None, "add", None),)
    child = root.children[0]
    assert (child.layout, child.base_time, child.plugin_chain) == (None, None, ())


def test_plugin_spec_defaults() -> None:
    entry = {"name": "p", "params": {"k": 1}, "compose": "", "type": "dom", "baseTime": [0, 1]}
    node = root_of(text("a", pluginChain=["bare", 5, [], entry]))
    assert node.plugin_chain == (PluginSpec("p", {"k": 1}, None, [0, 1], "replace", "dom"),)


def test_text_is_stringified_like_text_content() -> None:
    assert root_of(text("a", text=5)).text == "5"
    assert root_of(text("a", text=None)).text == ""
    assert root_of(group("g", text="ignored")).text is None


def test_core_node_other_children_are_never_visited() -> None:
    bad_child = {"displayTime": "nonsense"}  # no id, invalid time: never looked at
    root = root_of(group("g", {"id": "u", "type": "text", "children": [bad_child]}))
    unknown = root.children[0]
    assert (unknown.e_type, unknown.children) == ("", ())


def test_track_model() -> None:
    track = {"defaultConstraints": "truthy", "safeArea": {"top": 0.1}, "layer": 3}
    scenario = load_scenario(doc(text("a"), track))
    model = scenario.tracks["t"]
    assert (model.type, model.default_constraints, model.safe_area) == (
        "subtitle",
        {},
        {"top": 0.1},
    )
    assert model.default_style is None
    assert scenario.cues[0].track is model


# --- domLifetime default (6.6) -----------------------------------------------------------------


def test_core_time_life_default_from_explicit_display_times() -> None:
    root = group("g", text("a", displayTime=[2, 3]), group("h", text("b", displayTime=[1, 7.5])))
    scenario = load_scenario(doc(root, displayTime=[-100, 100]))
    assert scenario.cues[0].dom_lifetime == (0.5, 8.0)


def test_core_time_life_default_without_display_times() -> None:
    scenario = load_scenario(doc(group("g", text("a")), displayTime=[0, 5]))
    assert scenario.cues[0].dom_lifetime == (-1.0, math.inf)


def test_core_time_life_explicit_is_kept() -> None:
    scenario = load_scenario(doc(text("a", displayTime=[2, 3]), domLifetime=[0, 4]))
    assert scenario.cues[0].dom_lifetime == (0.0, 4.0)


def test_core_time_life_ignores_unknown_etype_subtrees() -> None:
    root = group(
        "g", {"id": "u", "eType": "x", "children": [{"displayTime": [0, 99]}]}, displayTime=[2, 3]
    )
    assert load_scenario(doc(root)).cues[0].dom_lifetime == (1.5, 3.5)


# --- TypeErrors 1.5.0 throws during inheritance ------------------------------------------------


@pytest.mark.parametrize("children", [False, 0, ""])
def test_falsy_non_null_children_throw_in_map(children: Any) -> None:
    with pytest.raises(ScenarioError) as info:
        load_scenario(doc(group("g", children=children)))
    assert (str(info.value), info.value.path) == (
        "_a.map is not a function",
        "cues[0].root.children",
    )


def test_object_children_are_not_iterable() -> None:
    with pytest.raises(ScenarioError) as info:
        load_scenario(doc({"id": "g", "eType": "group", "children": {"a": 1}}))
    assert str(info.value) == "node.children is not iterable"
    with pytest.raises(ScenarioError, match="_a.map is not a function"):
        load_scenario(doc({"id": "g", "eType": "group", "children": {}}, domLifetime=[0, 1]))


def test_model_keeps_json_types() -> None:
    # the model keeps author values as plain JSON (dicts, lists, numbers, strings)
    scenario = load_scenario_file(SAMPLES / "boxstyle_inheritance_demo.json")
    for cue in scenario.cues:
        json.dumps(cue.root.style)
        json.dumps(cue.root.box_style)
