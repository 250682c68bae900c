"""The original migrator's real outputs (shared/reference/migration): inputs and expectations."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

MIGRATION_DIR = Path(__file__).resolve().parents[3] / ".." / "shared" / "reference" / "migration"
EDGE_DIR = MIGRATION_DIR / "edge"

# The ten v1.3 samples of the original repository: every output and warning list must match.
SAMPLES = sorted(p.name.removesuffix(".v13.json") for p in MIGRATION_DIR.glob("*.v13.json"))


def read_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def case(name: str, folder: Path = MIGRATION_DIR) -> tuple[Any, Any, list[str], str]:
    """(v1.3 input, reference v2.0 output, reference warnings, output file text)."""
    output = folder / f"{name}.v20.json"
    return (
        read_json(folder / f"{name}.v13.json"),
        read_json(output),
        read_json(folder / f"{name}.warnings.json"),
        output.read_text(encoding="utf-8"),
    )
