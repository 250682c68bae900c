"""Prints the README's golden parity table (markdown): frames passed / total, worst IoU and
worst blurred MAE per golden set. Usage: .venv/bin/python scripts/parity_table.py [NAMES...]"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from engine.overlay import render_frames
from motiontext.parse import load_scenario_file
from parity.metric import compare
from tests.parity.goldens import load_golden_set, reference_dir


def row(name: str) -> str:
    golden = load_golden_set(name)
    scenario = load_scenario_file(golden.scenario_path)
    frames = render_frames(
        scenario, [f["t"] for f in golden.frames], golden.width, golden.height, golden.fps
    )
    scores = [compare(golden.image(f), img) for f, img in zip(golden.frames, frames)]
    passed = sum(s.passed for s in scores)
    return (
        f"| {name} | {passed}/{len(scores)} | {min(s.iou for s in scores):.3f} | "
        f"{max(s.mae for s in scores):.2f} |"
    )


def main(names: list[str]) -> None:
    if not names:
        names = sorted(p.name for p in (reference_dir() / "goldens").iterdir() if p.is_dir())
    print("| golden set | frames passed | worst IoU | worst blurred MAE |")
    print("|---|---|---|---|")
    for name in names:
        print(row(name), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
