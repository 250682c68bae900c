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
