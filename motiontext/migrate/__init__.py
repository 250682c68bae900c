"""MotionText v1.3 -> v2.0 migration, as the original repository's migrator does it
(``shared/spec/motiontext-v13-migration.md``, MIG-* rules). Pure: documents in, documents out.

    migrate(doc, mode)          the front door: detect the version (MIG-DETECT); a 2.0 document
                                comes back as it is with the original's notes, a 1.3 one
                                migrated
    migrate_v13(doc, mode)      the migration itself, on a deep copy (the input is not changed):

        fields.migrate_fields       renames (e_type, absStart/absEnd, hintTime, rel*, t0/t1...)
        extract.extract_defines     repeated values -> define.<kind>_<n>
        ids.generate_node_ids       cue-<i>-<n>, <parent>-child-<j>-<n>
        checks.migration_warnings   the original's warning texts
        definitions.merge_definitions   mode "default" only (the labelled divergence)

Modes: ``faithful`` gives the original's output (its crashes become ScenarioErrors naming the
JSON path; its other fixable bugs of spec section 12 are fixed: dotted-key paths, define keys
overwritten, spurious string-comparison warnings). ``default`` is faithful plus the one
divergence of :mod:`motiontext.migrate.definitions`.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

from motiontext.errors import ScenarioError
from motiontext.migrate.checks import migration_warnings, v20_warnings
from motiontext.migrate.definitions import merge_definitions
from motiontext.migrate.detect import V13, V20, detect_version
from motiontext.migrate.extract import extract_defines
from motiontext.migrate.fields import migrate_fields
from motiontext.migrate.ids import generate_node_ids
from motiontext.migrate.jsjson import document_text, js_copy

__all__ = [
    "V13",
    "V20",
    "Migration",
    "MigrationMode",
    "detect_version",
    "document_text",
    "migrate",
    "migrate_v13",
]


class MigrationMode(enum.StrEnum):
    FAITHFUL = "faithful"
    DEFAULT = "default"


@dataclass(frozen=True, slots=True)
class Migration:
    """``document`` is v2.0 (for a 2.0 input: the input object itself, unchanged);
    ``source_version`` "1.3" or "2.0"; ``warnings`` the original's texts in its order (plus the
    divergence's in mode default)."""

    document: dict[str, Any]
    source_version: str
    warnings: tuple[str, ...] = ()
    extracted_defines: int = 0
    generated_ids: int = 0

    @property
    def migrated(self) -> bool:
        return self.source_version == V13


def migrate(doc: Any, mode: MigrationMode = MigrationMode.DEFAULT) -> Migration:
    """The original's ``CompatibilityLayer.process`` with auto-migration. Raises ScenarioError
    (with the JSON path) for a document that is not an object, an unsupported explicit
    version, and v1.3 documents the original would crash on."""
    doc = _require_document(doc)
    if detect_version(doc) == V20:
        return Migration(doc, V20, tuple(v20_warnings(doc)))
    return migrate_v13(doc, mode)


def migrate_v13(doc: Any, mode: MigrationMode = MigrationMode.DEFAULT) -> Migration:
    """Migrate ``doc`` as v1.3 whatever it claims to be (the caller detected it)."""
    doc = _require_document(doc)
    try:
        migrated = js_copy(doc)
        migrate_fields(migrated)
        notices = extract_defines(migrated)
        generated = generate_node_ids(migrated)
        warnings = notices + migration_warnings(migrated)
        if MigrationMode(mode) is MigrationMode.DEFAULT:
            warnings += merge_definitions(migrated)
    except RecursionError:
        raise ScenarioError("Maximum call stack size exceeded") from None
    return Migration(migrated, V13, tuple(warnings), len(notices), generated)


def _require_document(doc: Any) -> dict[str, Any]:
    if not isinstance(doc, dict):
        raise ScenarioError("Scenario must be a valid JSON object")
    return doc
