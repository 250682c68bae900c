"""The migration fuzzed: mutated v1.3 documents migrate or raise ScenarioError (with a path),
never anything else, the loader behaves the same, and the input is never changed."""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from motiontext.errors import ScenarioError
from motiontext.loader import load_document
from motiontext.migrate import MigrationMode, migrate_v13
from motiontext.migrate.extract import (
    MAX_EXTRACTIONS,
    MIN_DUPLICATES,
    _extractable,
    _kind,
    extract_defines,
)
from motiontext.migrate.fields import migrate_fields
from motiontext.migrate.jsjson import js_copy, stringify
from tests.hardening.fuzz_strategies import json_documents, mutate_bytes
from tests.motiontext.migrate.reference import EDGE_DIR, MIGRATION_DIR, read_json

SEEDS = [
    read_json(path)
    for path in sorted(MIGRATION_DIR.glob("*.v13.json")) + sorted(EDGE_DIR.glob("*.v13.json"))
    if path.stat().st_size < 20_000
]
mutated = st.builds(mutate_bytes, st.sampled_from(SEEDS), st.binary(min_size=1, max_size=48))
versionless = st.dictionaries(st.sampled_from(["cues", "define", "tracks", "x"]), json_documents)


def check(document: Any) -> None:
    before = copy.deepcopy(document)
    for mode in MigrationMode:
        try:
            migrate_v13(document, mode)
        except ScenarioError as error:
            assert isinstance(error.path, str)
    try:
        load_document(document)
    except ScenarioError as error:
        assert isinstance(error.path, str)
    assert document == before  # never changed in place


@settings(deadline=None, database=None, max_examples=1500, suppress_health_check=list(HealthCheck))
@given(mutated | versionless)
def test_only_scenario_errors_escape(document: Any) -> None:
    check(document)


# --- define extraction against a plain re-implementation ----------------------------------------
# The extraction caches what it learnt between its rescans; this oracle rescans everything and
# compares JSON texts, as the original does. Documents are built from few values and keys, so
# that values repeat five times or more.

_POOL = st.sampled_from(
    ["#abc", "Inter, sans-serif", "abcdefghijklmnopqrstuvwxyz", "a/b", "short", 42, -1, 1.5, 0.5]
)
_KEYS = st.sampled_from(["color", "fontFamily", "size", "anchor", "position", "a", "b", "c"])
_TREES = st.recursive(
    _POOL,
    lambda inner: st.dictionaries(_KEYS, inner, max_size=5) | st.lists(inner, max_size=3),
    max_leaves=12,
)
_DOCS = st.builds(
    lambda roots, define: {
        "version": "1.3",
        "define": define,
        "cues": [{"root": r} for r in roots],
    },
    st.lists(st.dictionaries(_KEYS, _TREES, max_size=5), min_size=5, max_size=9),
    st.one_of(st.none(), st.dictionaries(st.sampled_from(["color_1", "value_2", "x"]), _TREES)),
)


def oracle_occurrences(value: Any, groups: dict[str, list[tuple[Any, Any, Any]]]) -> None:
    items = list(value.items()) if isinstance(value, dict) else list(enumerate(value))
    for key, item in items:
        skipped = isinstance(item, str) and item.startswith("define.")
        if isinstance(value, dict) and not skipped and _extractable(item):
            groups.setdefault(stringify(item), []).append((item, value, key))
        if isinstance(item, (dict, list)):
            oracle_occurrences(item, groups)


def oracle_extract(doc: dict[str, Any]) -> list[str]:
    notices: list[str] = []
    counter = 1
    while len(notices) < MAX_EXTRACTIONS:
        groups: dict[str, list[tuple[Any, Any, Any]]] = {}
        oracle_occurrences(doc, groups)
        group = next((g for g in groups.values() if len(g) >= MIN_DUPLICATES), None)
        if group is None:
            return notices
        key = f"{_kind(group[0][0])}_{counter}"
        counter += 1
        while key in doc["define"]:
            key = f"{_kind(group[0][0])}_{counter}"
            counter += 1
        doc["define"][key] = group[0][0]
        for _, holder, name in group:
            holder[name] = "define." + key
        notices.append(f"Extracted {len(group)} occurrences to define.{key}")
    return notices


@settings(deadline=None, database=None, max_examples=200, suppress_health_check=list(HealthCheck))
@given(_DOCS)
def test_extraction_matches_full_rescans(document: dict[str, Any]) -> None:
    ours = js_copy(document)
    migrate_fields(ours)
    expected = copy.deepcopy(ours)
    assert extract_defines(ours) == oracle_extract(expected)
    assert stringify(ours) == stringify(expected)
