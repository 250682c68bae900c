"""The scenario parser, fuzzed: whatever comes in, only ScenarioError comes out.

At least 10^4 cases per CI run (the counts are asserted, so a Hypothesis setting that quietly
runs fewer fails the test), under a minute on two cores. The long run is
``python -m benchmarks.fuzz_long``. The API's mapping is fuzzed too: POST /preview answers
200 or 422, never 500.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from motiontext.errors import ScenarioError
from motiontext.model import Scenario
from motiontext.parse import load_scenario, load_scenario_text
from tests.hardening.fuzz_strategies import (
    byte_edited_texts,
    byte_mutated_scenarios,
    json_documents,
    mutated_scenarios,
)
from tests.server.conftest import make_settings, running_app

FUZZ = settings(
    deadline=None,
    database=None,  # every run explores afresh; a failure prints its reproduction
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
CASES = {"documents": 1000, "mutated": 500, "byte-mutated": 7000, "texts": 1500, "api": 300}


def parse_document(document: Any) -> bool:
    """True when the document parsed; ScenarioError is fine; anything else fails."""
    try:
        scenario = load_scenario(document)
    except ScenarioError as error:
        assert isinstance(str(error), str) and isinstance(error.path, str)
        return False
    assert isinstance(scenario, Scenario)
    return True


def run_counted(strategy: st.SearchStrategy[Any], check: Any, examples: int) -> dict[str, int]:
    counts = {"cases": 0, "parsed": 0}

    @settings(FUZZ, max_examples=examples)
    @given(strategy)
    def fuzz(value: Any) -> None:
        counts["cases"] += 1
        counts["parsed"] += bool(check(value))

    fuzz()
    assert counts["cases"] >= examples, counts
    return counts


def test_any_json_document() -> None:
    run_counted(json_documents, parse_document, CASES["documents"])


def test_mutated_real_scenarios() -> None:
    run_counted(mutated_scenarios, parse_document, CASES["mutated"])


def test_byte_mutated_real_scenarios() -> None:
    counts = run_counted(byte_mutated_scenarios, parse_document, CASES["byte-mutated"])
    # Many mutants stay valid, so the later stages (defines, validation, inheritance) run.
    assert counts["parsed"] > CASES["byte-mutated"] // 10, counts


def test_edited_json_text() -> None:
    def check(text: str) -> bool:
        try:
            load_scenario_text(text)
        except ScenarioError:
            return False
        return True

    run_counted(byte_edited_texts, check, CASES["texts"])


def test_preview_endpoint_answers_200_or_422(tmp_path: Path) -> None:
    """Parsed scenarios go on through layout and raster here. Ones the parser accepts but
    the renderer fails on are answered 422 too (and logged); they are printed, since each is
    a renderer bug (see test_bad_input for the ones found so far)."""
    renderer_failures: list[str] = []
    with running_app(make_settings(tmp_path)) as server, httpx.Client(timeout=30) as client:

        def check(scenario: Any) -> bool:
            body = {"scenario": scenario, "t": 0.5, "width": 16, "height": 16}
            try:
                response = client.post(f"{server.url}/preview", json=body)
            except ValueError:  # NaN, a lone surrogate: not JSON, nothing to send
                return False
            assert response.status_code in (200, 422), (response.status_code, response.text)
            if response.status_code == 422:
                body = response.json()
                assert body["error_code"] == "INVALID_SCENARIO", body
                if "could not be rendered" in body["detail"]:
                    renderer_failures.append(body["detail"])
            return response.status_code == 200

        run_counted(byte_mutated_scenarios, check, CASES["api"])
    if renderer_failures:
        print(f"\nrenderer failures on parsed scenarios: {sorted(set(renderer_failures))}")


def test_at_least_ten_thousand_cases_per_run() -> None:
    assert sum(CASES.values()) >= 10_000
