"""The long parser fuzz: ``python -m benchmarks.fuzz_long [--cases N] [--minutes M] [--render]
[--as-api]``.

Runs the Hypothesis strategies of tests/hardening/fuzz_strategies.py (the CI test runs about
10^4 cases of the same) in batches until ``--cases`` inputs were tried or ``--minutes`` have
passed, and records every exception other than ScenarioError instead of stopping at the
first. With ``--render`` every scenario the parser accepts is also laid out and rasterised
(64x36, at 0.5 s and 2 s): a RenderError there is a fine refusal, anything else is a
renderer crash on a scenario the parser accepted. ``--as-api`` first applies the API's own
checks (server.service.schemas.check_json_values), so only crashes a client can reach are counted.

Prints a JSON summary (cases per strategy, accepted, rejected, unexpected exceptions by type
with one example each, cases per second) and writes it to ``--out`` when given. Exit status
1 when anything but ScenarioError escaped.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

REPO_ROOT = Path(__file__).resolve().parents[1]
BATCH = 2000


def _parse(document: Any) -> Any:
    from motiontext.parse import load_scenario

    return load_scenario(document)


def _parse_text(text: str) -> Any:
    from motiontext.parse import load_scenario_text

    return load_scenario_text(text)


def _render(scenario: Any) -> None:
    from engine.overlay import ScenarioOverlay

    overlay = ScenarioOverlay(scenario, 64, 36, 30.0)
    for t_seconds in (0.5, 2.0):
        overlay.overlay_at(round(t_seconds * 30), t_seconds)


class Tally:
    def __init__(self) -> None:
        self.cases = 0
        self.accepted = 0
        self.rejected = 0
        self.render_rejected = 0
        self.unexpected: dict[str, dict[str, Any]] = {}

    def record(self, stage: str, value: Any, exc: BaseException) -> None:
        frame = traceback.extract_tb(exc.__traceback__)[-1]
        key = f"{stage}: {type(exc).__name__} at {Path(frame.filename).name}:{frame.lineno}"
        entry = self.unexpected.setdefault(key, {"count": 0, "message": str(exc)[:300]})
        entry["count"] += 1
        entry.setdefault("example", repr(value)[:2000])

    def summary(self) -> dict[str, Any]:
        return {
            "cases": self.cases,
            "accepted": self.accepted,
            "rejected_with_scenario_error": self.rejected,
            "refused_at_render_with_render_error": self.render_rejected,
            "unexpected": self.unexpected,
        }


def run_strategy(
    strategy: st.SearchStrategy[Any],
    parse: Callable[[Any], Any],
    tally: Tally,
    cases: int,
    deadline: float,
    render: bool,
    as_api: bool = False,
) -> None:
    from motiontext.errors import RenderError, ScenarioError

    def check(value: Any) -> None:
        tally.cases += 1
        try:
            if as_api and parse is _parse:
                from server.service.schemas import check_json_values

                check_json_values(value)  # what the API's door refuses before parsing
            scenario = parse(value)
        except ScenarioError:
            tally.rejected += 1
            return
        except Exception as exc:  # noqa: BLE001 (what we are looking for)
            tally.record("parse", value, exc)
            return
        tally.accepted += 1
        if render:
            try:
                _render(scenario)
            except RenderError:  # refused at render time, in the error tree: fine
                tally.render_rejected += 1
            except Exception as exc:  # noqa: BLE001
                tally.record("render", value, exc)

    while tally.cases < cases and time.monotonic() < deadline:
        batch = min(BATCH, cases - tally.cases)

        @settings(
            max_examples=batch,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(strategy)
        def fuzz(value: Any) -> None:
            if time.monotonic() < deadline:
                check(value)

        fuzz()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=200_000, help="inputs in all (default 2e5)")
    parser.add_argument("--minutes", type=float, default=30.0, help="time limit (default 30)")
    parser.add_argument("--render", action="store_true", help="also render accepted scenarios")
    parser.add_argument(
        "--as-api",
        action="store_true",
        help="refuse first what POST /render refuses before parsing (NaN, huge integers...)",
    )
    parser.add_argument("--out", type=Path, help="write the JSON summary here")
    args = parser.parse_args(argv)

    sys.path.insert(0, str(REPO_ROOT))
    from tests.hardening import fuzz_strategies as fs

    # Shares of the cases, as in CI: most of them byte-mutated real scenarios.
    plan = [
        ("json_documents", fs.json_documents, _parse, 0.10),
        ("mutated_scenarios", fs.mutated_scenarios, _parse, 0.10),
        ("byte_mutated_scenarios", fs.byte_mutated_scenarios, _parse, 0.65),
        ("byte_edited_texts", fs.byte_edited_texts, _parse_text, 0.15),
    ]
    started = time.monotonic()
    deadline = started + args.minutes * 60
    results: dict[str, Any] = {}
    failed = False
    for name, strategy, parse, share in plan:
        tally = Tally()
        budget_end = min(deadline, time.monotonic() + share * args.minutes * 60)
        strategy_started = time.monotonic()
        run_strategy(
            strategy, parse, tally, int(args.cases * share), budget_end, args.render, args.as_api
        )
        seconds = time.monotonic() - strategy_started
        results[name] = tally.summary() | {
            "seconds": round(seconds, 1),
            "cases_per_second": round(tally.cases / seconds, 1) if seconds else None,
        }
        failed = failed or bool(tally.unexpected)
        print(f"{name}: {tally.cases} cases, {len(tally.unexpected)} unexpected", flush=True)
    summary = {
        "render": args.render,
        "as_api": args.as_api,
        "seeds": len(fs.SEEDS),
        "total_cases": sum(r["cases"] for r in results.values()),
        "seconds": round(time.monotonic() - started, 1),
        "strategies": results,
    }
    text = json.dumps(summary, indent=1, ensure_ascii=False)
    print(text)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
