"""The one way a scenario enters ECG Render (CLI render/frame/batch/parity, POST /render and
/preview): a v2.0 document is parsed as 1.5.0 parses it; a v1.3 one is first migrated
(:mod:`motiontext.migrate`, mode ``default``) unless v1.3 is refused.

    load_document(doc, accept_v13=True) -> LoadedScenario(scenario, document, warnings, ...)

Which documents migrate: those the original's detector calls 1.3 (MIG-DETECT): an explicit
``"version": "1.3"``, or no version and nothing that looks like v2.0. Everything else, and
every document when ``accept_v13`` is False, goes to the 2.0 parser as it is and gets its
errors (``Only v2.0 scenarios are supported, got version "1.3"...``).

A migrated document that the 2.0 parser refuses gets the same error as a 2.0 one, its path in
the migrated document, plus a note saying so. A v1.3 document the migration cannot handle
(the original crashes on it) gets a ScenarioError with the path in the input.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from motiontext.errors import ScenarioError
from motiontext.migrate import V13, MigrationMode, detect_version, migrate_v13
from motiontext.model import Scenario
from motiontext.parse import decode_scenario_text, load_scenario, read_scenario_bytes

MIGRATED_NOTE = (
    "the scenario was migrated from v1.3; the path is in the migrated v2.0 document "
    "(`ecg-render migrate` writes it)"
)


@dataclass(frozen=True, slots=True)
class LoadedScenario:
    """``document``: the v2.0 document that was parsed (the input itself unless migrated);
    ``warnings``: the migration's; ``migrated_from``: "1.3" or None."""

    scenario: Scenario
    document: Any
    warnings: tuple[str, ...] = ()
    migrated_from: str | None = None

    @property
    def migrated(self) -> bool:
        return self.migrated_from is not None


def load_document(doc: Any, *, accept_v13: bool = True) -> LoadedScenario:
    """Parse a decoded JSON document of either version. Raises ScenarioError."""
    if not (accept_v13 and _is_v13(doc)):
        return LoadedScenario(load_scenario(doc), doc)
    migration = migrate_v13(doc, MigrationMode.DEFAULT)
    try:
        scenario = load_scenario(migration.document)
    except ScenarioError as exc:
        raise ScenarioError(f"{exc} ({MIGRATED_NOTE})", exc.path) from None
    return LoadedScenario(scenario, migration.document, migration.warnings, V13)


def load_document_text(text: str | bytes, *, accept_v13: bool = True) -> LoadedScenario:
    """:func:`load_document` of JSON text (bytes: UTF-8)."""
    return load_document(decode_scenario_text(text), accept_v13=accept_v13)


def load_document_file(path: str | os.PathLike[str], *, accept_v13: bool = True) -> LoadedScenario:
    """:func:`load_document` of a JSON file (an optional UTF-8 BOM is skipped). An unreadable
    file is an InputError."""
    return load_document_text(read_scenario_bytes(path), accept_v13=accept_v13)


def _is_v13(doc: Any) -> bool:
    if not isinstance(doc, dict):
        return False
    try:
        return detect_version(doc) == V13
    except ScenarioError:
        return False  # an unsupported explicit version: the 2.0 parser's error names it
