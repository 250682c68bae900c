"""CueSchedule visits exactly the cues a full pass over the scenario would act on."""

from __future__ import annotations

import random

from motiontext.cue_schedule import CueSchedule
from motiontext.model import Cue, Node, Track

TRACK = Track("t", "free", None, None, None, None)


def node(node_id: str, children: tuple[Node, ...] = ()) -> Node:
    return Node(node_id, "text", "", (0.0, 1.0), None, None, None, None, (), None, "x", children)


def cue(index: int, d0: float, d1: float, node_ids: tuple[str, ...]) -> Cue:
    root = node(node_ids[0], tuple(node(nid) for nid in node_ids[1:]))
    return Cue(f"c{index}", TRACK, (d0, d1), root, index)


def brute_force(cues, t: float, mounted: set[str]) -> list[int]:
    """The cues the old loop could act on: lifetime holds t, or a node of theirs is mounted."""
    out = []
    for index, c in enumerate(cues):
        ids = {c.root.id, *(n.id for n in c.root.children)}
        d0, d1 = c.dom_lifetime
        if not (t < d0 or t > d1) or ids & mounted:
            out.append(index)
    return out


def test_due_matches_a_full_pass_in_playback_and_seeks() -> None:
    rng = random.Random(3)
    cues = []
    for i in range(40):
        d0 = rng.choice([rng.uniform(0, 20), float("nan"), 0.0, 5.0])
        d1 = rng.choice([d0 + rng.uniform(0, 3), float("inf"), float("nan"), 5.0])
        cues.append(cue(i, d0, d1, (f"n{i}", f"n{i}a", f"n{i}b")))
    schedule = CueSchedule(tuple(cues))
    times = [k / 30 for k in range(700)] + [rng.uniform(-1, 25) for _ in range(200)] + [5.0, 0.0]
    for t in times:
        mounted = {f"n{i}{s}" for i in rng.sample(range(40), 3) for s in ("", "a")}
        expected = brute_force(cues, t, mounted)
        got = schedule.due(t, mounted)
        assert list(got) == expected, t


def test_shared_node_ids_visit_every_cue() -> None:
    cues = (cue(0, 0, 1, ("same",)), cue(1, 5, 6, ("same",)))
    assert list(CueSchedule(cues).due(10.0, set())) == [0, 1]
