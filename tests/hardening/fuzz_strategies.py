"""Hypothesis strategies for fuzzing the scenario parser, shared by the CI test
(tests/hardening/test_parser_fuzz.py) and the long run (benchmarks/fuzz_long.py).

Inputs, from real scenarios (the service's test scenario, the demo, and the reference
samples when /work/shared is present) and from nothing:

* :data:`json_documents`: any JSON-like value (what a client can post);
* :data:`mutated_scenarios`: a seed with 1-6 edits at random paths, built by Hypothesis
  structurally: a value replaced by another JSON value or a hostile one (NaN, huge numbers,
  long strings, deep nesting), a key deleted or added, an item duplicated, a value wrapped;
* :data:`byte_mutated_scenarios`: the same edits, and moves of one subtree onto another,
  decoded from a short byte string (Hypothesis draws and shrinks the bytes): about five
  times cheaper to generate, so CI can afford thousands;
* :data:`scenario_texts`: JSON text of a seed with character edits decoded from bytes.
"""

from __future__ import annotations

import copy
import json
import math
import struct
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

REPO = Path(__file__).resolve().parents[2]
SHARED_SAMPLES = REPO.parent / "shared" / "reference"


def _seeds() -> list[dict[str, Any]]:
    from tests.server.conftest import SCENARIO

    seeds: list[dict[str, Any]] = [copy.deepcopy(SCENARIO)]
    demo = REPO / "examples" / "demo_scenario.json"
    if demo.exists():
        seeds.append(json.loads(demo.read_text(encoding="utf-8")))
    for folder in ("samples", "scenarios"):
        for path in sorted((SHARED_SAMPLES / folder).glob("*.json")):
            try:
                seeds.append(json.loads(path.read_text(encoding="utf-8-sig")))
            except (OSError, ValueError):
                continue
    return seeds


SEEDS = _seeds()

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12)
    | st.sampled_from(
        [
            "2.0",
            "define.caption",
            "define.nope",
            "define.",
            "px",
            "12px",
            "rgba(0,0,0,2)",
            "#fff",
            "calc(100% - 1px)",
            "auto",
            "",
            " ",
            "\u0000",
            "\ud7a3" * 3,
        ]
    )
)
json_documents = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)


def _deep(levels: int) -> Any:
    """A list nested ``levels`` deep (more than MAX_NESTING), built without recursion."""
    value: Any = "bottom"
    for _ in range(levels):
        value = [value]
    return value


# Fresh objects every time (mutations must not change a shared value).
_HOSTILE = [
    lambda: math.nan,
    lambda: math.inf,
    lambda: -math.inf,
    lambda: 10**400,
    lambda: -(10**18),
    lambda: 1e308,
    lambda: 5e-324,
    lambda: -0.0,
    lambda: "x" * 10_000,
    lambda: "\ud800",  # a lone surrogate (not valid UTF-8)
    lambda: _deep(40),
    lambda: _deep(300),
    lambda: {"": {"": {"": {}}}},
    lambda: [None] * 200,
    lambda: {str(i): i for i in range(200)},
]
hostile = st.sampled_from(_HOSTILE).map(lambda make: make())
values = json_documents | hostile

_OPERATIONS = ("replace", "delete", "add", "duplicate", "wrap", "stringify", "negate")


def _paths(document: Any, limit: int = 400) -> list[tuple[Any, Any]]:
    """(container, key) pairs of ``document`` (the root's own entries first), at most
    ``limit`` of them: enough to reach every part of a real scenario, cheap on huge ones."""
    found: list[tuple[Any, Any]] = []
    stack = [document]
    while stack and len(found) < limit:
        node = stack.pop()
        if isinstance(node, dict):
            items: list[tuple[Any, Any]] = list(node.items())
        elif isinstance(node, list):
            items = list(enumerate(node))
        else:
            continue
        for key, value in items:
            found.append((node, key))
            if isinstance(value, (dict, list)):
                stack.append(value)
    return found


def mutate(document: Any, edits: list[tuple[int, str, Any]]) -> Any:
    """Apply ``edits`` (path index, operation, value) to a deep copy of ``document``."""
    document = json.loads(json.dumps(document))
    for index, operation, value in edits:
        document = apply_edit(document, index, operation, value)
    return document


def apply_edit(
    document: Any,
    index: int,
    operation: str,
    value: Any,
    paths: list[tuple[Any, Any]] | None = None,
) -> Any:
    """``document`` (changed in place) with one edit; the new root is returned."""
    paths = _paths(document) if paths is None else paths
    if not paths:
        return value
    container, key = paths[index % len(paths)]
    current = container[key]
    if operation == "delete":
        del container[key]
    elif operation == "add" and isinstance(current, dict):
        current[value[:20] if isinstance(value, str) else str(value)[:20]] = value
    elif operation == "add" and isinstance(current, list):
        current.append(value)
    elif operation == "duplicate" and isinstance(container, list):
        container.insert(key, json.loads(json.dumps(current)))  # C: cheap for deep values
    elif operation == "wrap":
        container[key] = [current]
    elif operation == "stringify":
        container[key] = json.dumps(current)[:100] if not isinstance(current, str) else 0
    elif (
        operation == "negate"
        and isinstance(current, (int, float))
        and not isinstance(current, bool)
    ):
        container[key] = -current * 1000
    else:
        container[key] = value
    return document


edits = st.lists(
    st.tuples(st.integers(0, 10_000), st.sampled_from(_OPERATIONS), values), min_size=1, max_size=6
)
mutated_scenarios = st.builds(mutate, st.sampled_from(SEEDS), edits)


def _edit_text(text: str, changes: list[tuple[int, int, str]]) -> str:
    for position, length, insert in changes:
        position %= max(1, len(text))
        text = text[:position] + insert + text[position + length :]
    return text


scenario_texts = st.builds(
    _edit_text,
    st.sampled_from([json.dumps(seed, ensure_ascii=False) for seed in SEEDS]),
    st.lists(
        st.tuples(
            st.integers(0, 100_000),
            st.integers(0, 8),
            st.sampled_from(['"', "{", "}", "[", "]", ",", ":", "NaN", "-", "1e999", "\\", ""])
            | st.text(max_size=3),
        ),
        min_size=1,
        max_size=4,
    ),
)


# -- byte-driven inputs (cheap to generate) --

KEYS = (
    "version",
    "id",
    "eType",
    "text",
    "baseTime",
    "displayTime",
    "domLifetime",
    "layout",
    "style",
    "boxStyle",
    "children",
    "track",
    "tracks",
    "cues",
    "define",
    "timebase",
    "stage",
    "baseAspect",
    "position",
    "anchor",
    "pluginChain",
    "name",
    "params",
    "fontSizeRel",
    "fontFamily",
    "color",
    "defaultStyle",
    "type",
    "layer",
    "unit",
    "x",
    "y",
    "root",
    "assets",
)
STRINGS = (
    "2.0",
    "define.caption",
    "define.caption.position",
    "define.",
    "12px",
    "-5px",
    "50%",
    "rgba(0,0,0,2)",
    "#ff00ff",
    "bc",
    "tl",
    "seconds",
    "frames",
    "subtitle",
    "text",
    "group",
    "image",
    "spin",
    "",
    " ",
    "\u0000",
    "x" * 300,
)
SMALL_SEEDS = [seed for seed in SEEDS if len(json.dumps(seed)) < 10_000]


class Choices:
    """A byte string read as a stream of choices (cycling: every read returns something)."""

    def __init__(self, data: bytes):
        self.data = data or b"\0"
        self.index = 0

    def byte(self) -> int:
        value = self.data[self.index % len(self.data)]
        self.index += 1
        return value

    def below(self, n: int) -> int:
        return ((self.byte() << 8) | self.byte()) % n if n > 0 else 0


def value_from(
    choices: Choices, document: Any, depth: int = 0, paths: list[tuple[Any, Any]] | None = None
) -> Any:
    kind = choices.below(13 if depth < 2 else 8)
    if kind == 0:
        return None
    if kind == 1:
        return bool(choices.byte() & 1)
    if kind == 2:
        return choices.byte() - 128
    if kind == 3:
        return (-1) ** choices.byte() * 10 ** (choices.byte() * 2)
    if kind == 4:
        raw = bytes(choices.byte() for _ in range(8))
        return struct.unpack("<d", raw)[0]  # NaN, infinities, subnormals included
    if kind == 5:
        return bytes(choices.byte() for _ in range(choices.below(8))).decode("latin-1")
    if kind == 6:
        return STRINGS[choices.below(len(STRINGS))]
    if kind == 7:
        return _HOSTILE[choices.below(len(_HOSTILE))]()
    if kind in (8, 9):  # a copy of one of the document's own subtrees, moved elsewhere
        paths = _paths(document) if paths is None else paths
        if paths:
            container, key = paths[choices.below(len(paths))]
            return json.loads(json.dumps(container[key]))
        return {}
    if kind == 10:
        return [value_from(choices, document, depth + 1, paths) for _ in range(choices.below(4))]
    return {
        KEYS[choices.below(len(KEYS))]: value_from(choices, document, depth + 1, paths)
        for _ in range(choices.below(4))
    }


def mutate_bytes(document: Any, data: bytes) -> Any:
    """``document`` with 1-6 edits read from ``data``."""
    choices = Choices(data)
    document = json.loads(json.dumps(document))
    for _ in range(1 + choices.below(6)):
        paths = _paths(document)
        if not paths:
            return value_from(choices, document)
        path = choices.below(len(paths))
        operation = _OPERATIONS[choices.below(len(_OPERATIONS))]
        value = value_from(choices, document, paths=paths)
        document = apply_edit(document, path, operation, value, paths)
    return document


byte_mutated_scenarios = st.builds(
    mutate_bytes, st.sampled_from(SMALL_SEEDS), st.binary(min_size=1, max_size=48)
)


def edit_text_bytes(text: str, data: bytes) -> str:
    choices = Choices(data)
    tokens = ['"', "{", "}", "[", "]", ",", ":", "NaN", "-", "1e999", "\\", "", "null", "\\u"]
    changes = []
    for _ in range(1 + choices.below(4)):
        insert = tokens[choices.below(len(tokens))]
        if choices.byte() & 1:
            insert = chr(choices.below(0x3000))
        changes.append((choices.below(1 << 16), choices.below(9), insert))
    return _edit_text(text, changes)


byte_edited_texts = st.builds(
    edit_text_bytes,
    st.sampled_from([json.dumps(seed, ensure_ascii=False) for seed in SMALL_SEEDS]),
    st.binary(min_size=1, max_size=24),
)
