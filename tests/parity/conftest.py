"""The live reference renderer, one per test module (browser start is ~2 s)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.parity.reference import ReferenceRenderer, shared_reference_dir
from tests.requirements_check import (
    missing,
    require_chromium,
    require_fonts,
    require_reference_harness,
)


@pytest.fixture(scope="module")
def reference() -> Iterator[ReferenceRenderer]:
    chromium = require_chromium()
    require_fonts()
    require_reference_harness()
    if shared_reference_dir() is None:
        missing("shared reference data (samples, goldens, fonts) not found beside the repo")
    with ReferenceRenderer(chromium_path=chromium) as ref:
        yield ref
