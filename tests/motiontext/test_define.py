"""define references (CORE-DEFINE-REF, CORE-DEFINE-ERR, CORE-DEFINE-ASSET; spec section 4)."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from motiontext.define import collect_font_assets, resolve_defines
from motiontext.errors import ScenarioError
from motiontext.parse import load_scenario


def doc(define: Any = None, root: dict[str, Any] | None = None, **top: Any) -> dict[str, Any]:
    result: dict[str, Any] = {
        "version": "2.0",
        "timebase": {"unit": "seconds"},
        "stage": {"baseAspect": "16:9"},
        "tracks": [{"id": "t", "type": "subtitle"}],
        "cues": [{"id": "c", "track": "t", "root": root or {"id": "r", "eType": "text"}}],
    }
    if define is not None:
        result["define"] = define
    result.update(top)
    return result


def define_error(define: Any, **top: Any) -> ScenarioError:
    with pytest.raises(ScenarioError) as info:
        resolve_defines(doc(define, **top))
    return info.value


# --- CORE-DEFINE-REF ---------------------------------------------------------------------------


def test_core_define_ref_replaces_with_any_json_type() -> None:
    define = {
        "caption": {"boxStyle": {"backgroundColor": "#000"}, "pos": {"x": 0.5, "y": 0.9}},
        "fade": {"name": "fadeIn", "params": {"duration": 0.5}},
        "timing": [1, 4],
        "size": 32,
    }
    root = {
        "id": "r",
        "eType": "group",
        "style": "define.caption.boxStyle",
        "layout": {"position": "define.caption.pos", "gapRel": "define.size"},
        "pluginChain": ["define.fade"],
        "displayTime": "define.timing",
    }
    resolved = resolve_defines(doc(define, root))
    node = resolved["cues"][0]["root"]
    assert node["style"] == {"backgroundColor": "#000"}
    assert node["layout"] == {"position": {"x": 0.5, "y": 0.9}, "gapRel": 32}
    assert node["pluginChain"] == [{"name": "fadeIn", "params": {"duration": 0.5}}]
    assert node["displayTime"] == [1, 4]
    scenario = load_scenario(doc(define, root))
    assert scenario.cues[0].root.display_time == (1.0, 4.0)
    assert scenario.cues[0].root.plugin_chain[0].name == "fadeIn"


def test_core_define_ref_array_index_and_length() -> None:
    resolved = resolve_defines(
        doc(
            {"timing": [1, 4]}, extra=["define.timing.0", "define.timing.1", "define.timing.length"]
        )
    )
    assert resolved["extra"] == [1, 4, 2]


def test_core_define_ref_chains_resolve_recursively() -> None:
    define = {"a": "define.b", "b": {"c": "define.d.0"}, "d": ["deep"]}
    resolved = resolve_defines(doc(define, extra="define.a.c"))
    assert resolved["extra"] == "deep"
    assert resolved["define"]["a"] == {"c": "deep"}  # the define section is resolved too


def test_core_define_ref_whole_string_only() -> None:
    strings = ["xdefine.a", "Define.a", "prefix define.a", "define", "defines.a"]
    resolved = resolve_defines(doc({"a": 1}, extra=strings))
    assert resolved["extra"] == strings


def test_core_define_ref_text_and_unknown_keys_are_resolved() -> None:
    root = {"id": "r", "eType": "text", "text": "define.greeting"}
    resolved = resolve_defines(doc({"greeting": "hello"}, root, custom={"k": "define.greeting"}))
    assert resolved["cues"][0]["root"]["text"] == "hello"
    assert resolved["custom"] == {"k": "hello"}


def test_core_define_ref_object_keys_are_not_references() -> None:
    resolved = resolve_defines(doc({"a": 1}, extra={"define.a": "plain"}))
    assert resolved["extra"] == {"define.a": "plain"}


def test_core_define_ref_does_not_change_input() -> None:
    original = doc({"a": {"x": 1}}, extra="define.a")
    kept = copy.deepcopy(original)
    resolve_defines(original)
    assert original == kept


def test_core_define_ref_define_as_array_or_string_spreads_indices() -> None:
    # {...define}: an array or a string spreads its indices
    assert resolve_defines(doc(["zero", "one"], extra="define.1"))["extra"] == "one"
    assert resolve_defines(doc("xy", extra="define.0"))["extra"] == "x"
    with pytest.raises(ScenarioError, match='Undefined define key: "a"'):
        resolve_defines(doc(5, extra="define.a"))


def test_core_define_ref_repeated_reference_is_not_a_cycle() -> None:
    define = {"base": {"color": "red"}, "a": ["define.base", "define.base"]}
    resolved = resolve_defines(doc(define, x="define.a", y="define.a"))
    assert resolved["x"] == resolved["y"] == [{"color": "red"}, {"color": "red"}]


def test_core_define_ref_wide_sharing_stays_fast() -> None:
    # 1.5.0 re-walks every reference (2**40 steps here); results are cached per entry
    define = {f"d{i}": [f"define.d{i + 1}", f"define.d{i + 1}"] for i in range(40)}
    define["d40"] = 1
    resolved = resolve_defines(doc(define, x="define.d38"))
    assert resolved["x"] == [[1, 1], [1, 1]]


# --- CORE-DEFINE-ERR ---------------------------------------------------------------------------


@pytest.mark.parametrize("reference", ["define.", "define..x"])
def test_core_define_err_invalid(reference: str) -> None:
    error = define_error({"x": 1}, extra={"k": reference})
    assert str(error) == f'Invalid define reference: "{reference}" at extra.k'
    assert error.path == "extra.k"


def test_core_define_err_undefined_key() -> None:
    root = {
        "id": "g",
        "eType": "group",
        "children": [{"id": "a"}, {"style": {"color": "define.c"}}],
    }
    error = define_error({"x": 1}, root=root)
    assert (
        str(error) == 'Undefined define key: "c" referenced at cues[0].root.children[1].style.color'
    )
    assert error.path == "cues[0].root.children[1].style.color"


def test_core_define_err_prototype_names_are_not_keys() -> None:
    error = define_error({"x": 1}, extra="define.toString")
    assert str(error) == 'Undefined define key: "toString" referenced at extra'


def test_core_define_err_null_intermediate() -> None:
    error = define_error({"a": {"b": None}}, extra="define.a.b.c")
    assert str(error) == 'Cannot access "c" on object at extra'


def test_core_define_err_non_object_intermediate() -> None:
    error = define_error({"a": {"b": "text"}}, extra=["define.a.b.c"])
    assert str(error) == 'Cannot access property "c" on non-object at extra[0]'
    assert error.path == "extra[0]"


@pytest.mark.parametrize(
    "reference", ["define.a.missing", "define.arr.2", "define.arr.01", "define.a."]
)
def test_core_define_err_segment_not_found(reference: str) -> None:
    segment = reference.rsplit(".", 1)[1]
    error = define_error({"a": {"b": 1}, "arr": [1, 2]}, extra=reference)
    assert str(error) == f'Property "{segment}" not found in define at extra'


def test_core_define_err_cycle_self() -> None:
    error = define_error({"a": "define.a"})
    assert str(error) == "Circular reference detected in define: define.a -> define.a"
    assert error.path == "define.a"


def test_core_define_err_cycle_indirect() -> None:
    error = define_error({"a": "define.b", "b": "define.c", "c": "define.a"})
    assert str(error) == (
        "Circular reference detected in define: define.b -> define.c -> define.a -> define.b"
    )


def test_core_define_err_cycle_same_root() -> None:
    # a reference into its own root re-walks that root, so it always closes a cycle
    error = define_error({"a": {"x": 1, "y": "define.a.x"}})
    assert str(error) == "Circular reference detected in define: define.a.x -> define.a.x"
    assert error.path == "define.a.y"


def test_core_define_err_unused_entries_must_resolve() -> None:
    error = define_error({"used": 1, "unused": "define.nothing"})
    assert str(error) == 'Undefined define key: "nothing" referenced at define.unused'


def test_core_define_err_inside_entry_reports_define_path() -> None:
    # the top-level walk meets `extra` before `define` here, so the error surfaces through it
    document = doc(None, extra="define.a")
    document["define"] = {"a": {"inner": ["define.zz"]}}
    with pytest.raises(ScenarioError) as info:
        resolve_defines(document)
    assert str(info.value) == 'Undefined define key: "zz" referenced at define.a.inner[0]'


def test_core_define_err_js_key_order_decides_first_error() -> None:
    # array-index keys come first in a JS object, whatever the insertion order
    error = define_error({"b": "define.nope1", "10": "define.nope2", "2": "define.nope3"})
    assert str(error) == 'Undefined define key: "nope3" referenced at define.2'


def test_core_define_err_runs_after_version_check() -> None:
    document = doc({"a": "define.a"})
    document["version"] = "1.3"
    with pytest.raises(ScenarioError, match="Only v2.0 scenarios"):
        load_scenario(document)


def test_core_define_err_runs_before_validation() -> None:
    document = doc({"a": "define.a"})
    del document["timebase"]
    with pytest.raises(ScenarioError, match="Circular reference"):
        load_scenario(document)


def test_core_define_err_long_chain_is_a_scenario_error() -> None:
    define: dict[str, Any] = {f"d{i}": f"define.d{i + 1}" for i in range(3000)}
    define["d3000"] = 1
    with pytest.raises(ScenarioError):
        load_scenario(doc(define))


# --- CORE-DEFINE-ASSET -------------------------------------------------------------------------


def test_core_define_asset_fonts_by_key() -> None:
    define = {
        "custom_font": {"type": "font", "url": "fonts/a.woff2", "family": "Ignored"},
        "src_only": {"type": "font", "src": "fonts/b.woff2"},
        "bad_url": {"type": "font", "url": 5},
        "picture": {"type": "image", "url": "x.png"},
        "alias": "define.custom_font",
        "plain": "text",
    }
    resolved = resolve_defines(doc(define))
    assert collect_font_assets(resolved) == {
        "custom_font": "fonts/a.woff2",
        "alias": "fonts/a.woff2",
    }
    assert load_scenario(doc(define)).font_assets == collect_font_assets(resolved)


def test_core_define_asset_none_without_define() -> None:
    assert load_scenario(doc()).font_assets == {}
    assert collect_font_assets({"define": "font"}) == {}
