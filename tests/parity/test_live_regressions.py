"""Replays the scenarios the live fuzz test once found outside the parity bound
(tests/parity/regressions/*.json: scenario, stage size, fps, frames). Each must now pass the
project's metric in both renderers. A file may carry ``"xfail": "<measured cause>"`` while the
gap is open; the mark is strict, so a fix shows up as XPASS and the mark must then go."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.parity.reference import ReferenceRenderer
from tests.parity.strategies import REGRESSIONS_DIR, case_failures, case_from_json

pytestmark = pytest.mark.browser


def _cases() -> list:
    params = []
    for path in sorted(REGRESSIONS_DIR.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        marks = [pytest.mark.xfail(reason=data["xfail"], strict=True)] if data.get("xfail") else []
        params.append(pytest.param(path, id=path.stem, marks=marks))
    return params


@pytest.mark.parametrize("path", _cases())
def test_regression_matches_reference(reference: ReferenceRenderer, path: Path) -> None:
    case = case_from_json(json.loads(path.read_text(encoding="utf-8")))
    failures = case_failures(reference, case)
    assert not failures, f"{path.name}: outside the parity bound:\n" + "\n".join(failures)
