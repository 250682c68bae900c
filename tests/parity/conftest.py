"""The live reference renderer: a fresh browser context and page per test, in the run's one
Chromium (``session_browser``, tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.conftest import SessionBrowser
from tests.parity.reference import ReferenceRenderer, shared_reference_dir
from tests.requirements_check import (
    missing,
    require_fonts,
    require_reference_harness,
)


@pytest.fixture
def reference(session_browser: SessionBrowser) -> Iterator[ReferenceRenderer]:
    require_fonts()
    require_reference_harness()
    if shared_reference_dir() is None:
        missing("shared reference data (samples, goldens, fonts) not found beside the repo")
    with ReferenceRenderer(browser=session_browser.get()) as ref:
        yield ref
