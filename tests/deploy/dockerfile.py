"""Reading the Dockerfile and .dockerignore the way Docker does, for tests that cannot build
the image (no container runtime here): stages and their instructions, exec-form arguments,
environment, and the build context that the COPY instructions see.

Covers what this repository's files use: line continuations, comment lines, global ARGs in
FROM, ``--flag=value`` options, ``ENV K=V ...``, exec (JSON) and shell forms, and
.dockerignore patterns with ``*``, ``**``, ``?`` and ``!`` exceptions (last match wins; a
pattern that matches a folder matches everything in it), as Docker's pattern matcher does.
"""

from __future__ import annotations

import json
import posixpath
import re
import shlex
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = REPO_ROOT / "Dockerfile"
DOCKERIGNORE = REPO_ROOT / ".dockerignore"


@dataclass(frozen=True, slots=True)
class Instruction:
    keyword: str  # upper case: RUN, COPY, ENV...
    arguments: str  # the rest of the logical line, flags removed
    flags: tuple[tuple[str, str], ...]  # --from=build -> ("from", "build")

    def flag(self, name: str) -> str | None:
        return dict(self.flags).get(name)

    def exec_form(self) -> list[str] | None:
        """The JSON array of ``CMD ["a", "b"]``-style arguments; None in shell form."""
        text = self.arguments.strip()
        if not text.startswith("["):
            return None
        value = json.loads(text)
        assert isinstance(value, list) and all(isinstance(v, str) for v in value), text
        return value


@dataclass(frozen=True, slots=True)
class Stage:
    base: str  # the FROM image, global ARG defaults substituted
    name: str | None
    instructions: tuple[Instruction, ...]

    def all(self, keyword: str) -> list[Instruction]:
        return [i for i in self.instructions if i.keyword == keyword]

    def last(self, keyword: str) -> Instruction | None:
        found = self.all(keyword)
        return found[-1] if found else None

    def env(self) -> dict[str, str]:
        """Names and values set by this stage's ENV instructions (values unexpanded)."""
        values: dict[str, str] = {}
        for instruction in self.all("ENV"):
            for item in shlex.split(instruction.arguments):
                name, sep, value = item.partition("=")
                assert sep, f"ENV {instruction.arguments!r}: use the NAME=value form"
                values[name] = value
        return values


@dataclass(frozen=True, slots=True)
class Dockerfile:
    global_args: dict[str, str]  # ARGs before the first FROM, with their defaults
    stages: tuple[Stage, ...]

    def stage(self, name: str) -> Stage:
        for stage in self.stages:
            if stage.name == name:
                return stage
        raise KeyError(f"no stage named {name!r}")

    @property
    def final(self) -> Stage:
        return self.stages[-1]


def _logical_lines(text: str) -> list[str]:
    """Instructions one per string: continuations joined, comment lines dropped."""
    lines: list[str] = []
    current = ""
    for raw in text.splitlines():
        stripped = raw.strip()
        if stripped.startswith("#") or (not stripped and not current):
            continue
        if stripped.endswith("\\"):
            current += stripped[:-1] + " "
            continue
        current += stripped
        if current.strip():
            lines.append(current.strip())
        current = ""
    if current.strip():
        lines.append(current.strip())
    return lines


def _split_flags(rest: str) -> tuple[str, tuple[tuple[str, str], ...]]:
    flags: list[tuple[str, str]] = []
    while rest.startswith("--"):
        token, _, rest = rest.partition(" ")
        name, _, value = token[2:].partition("=")
        flags.append((name, value))
        rest = rest.lstrip()
    return rest, tuple(flags)


def _substitute(text: str, variables: dict[str, str]) -> str:
    return re.sub(
        r"\$\{(\w+)\}|\$(\w+)",
        lambda m: variables.get(m.group(1) or m.group(2), m.group(0)),
        text,
    )


def read_dockerfile(path: Path = DOCKERFILE) -> Dockerfile:
    global_args: dict[str, str] = {}
    stages: list[Stage] = []
    pending: tuple[str, str | None] | None = None
    body: list[Instruction] = []
    for line in _logical_lines(path.read_text(encoding="utf-8")):
        keyword, _, rest = line.partition(" ")
        keyword = keyword.upper()
        rest, flags = _split_flags(rest.strip())
        if keyword == "FROM":
            if pending is not None:
                stages.append(Stage(pending[0], pending[1], tuple(body)))
            words = rest.split()
            name = words[2] if len(words) == 3 and words[1].upper() == "AS" else None
            pending, body = (_substitute(words[0], global_args), name), []
        elif pending is None:
            assert keyword == "ARG", f"only ARG may come before the first FROM, not {line!r}"
            name, _, default = rest.partition("=")
            global_args[name] = default.strip('"')
        else:
            body.append(Instruction(keyword, rest, flags))
    assert pending is not None, f"{path} has no FROM"
    stages.append(Stage(pending[0], pending[1], tuple(body)))
    return Dockerfile(global_args, tuple(stages))


# --- .dockerignore and the build context -------------------------------------------------


@dataclass(frozen=True, slots=True)
class IgnoreRule:
    pattern: str
    regex: re.Pattern[str]
    exception: bool  # a "!pattern" line: matching paths are put back


def _translate(pattern: str) -> re.Pattern[str]:
    out, i = "", 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out, i = out + "(?:.*/)?", i + 3
        elif pattern.startswith("**", i):
            out, i = out + ".*", i + 2
        elif pattern[i] == "*":
            out, i = out + "[^/]*", i + 1
        elif pattern[i] == "?":
            out, i = out + "[^/]", i + 1
        elif pattern[i] == "[":
            end = pattern.index("]", i)
            out, i = out + pattern[i : end + 1], end + 1
        else:
            out, i = out + re.escape(pattern[i]), i + 1
    return re.compile(out)


def read_dockerignore(path: Path = DOCKERIGNORE) -> list[IgnoreRule]:
    rules = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        exception = line.startswith("!")
        pattern = posixpath.normpath(line.removeprefix("!").strip()).lstrip("/")
        rules.append(IgnoreRule(pattern, _translate(pattern), exception))
    return rules


def is_ignored(path: str, rules: list[IgnoreRule]) -> bool:
    """Whether the context path ``path`` (relative, with /) stays out of the build context."""
    parts = path.split("/")
    prefixes = ["/".join(parts[: n + 1]) for n in range(len(parts))]
    ignored = False
    for rule in rules:
        if any(rule.regex.fullmatch(prefix) for prefix in prefixes):
            ignored = not rule.exception
    return ignored


def repository_files() -> list[str]:
    """The files a fresh clone has (tracked, plus new files not ignored by git)."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=REPO_ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    return sorted(p for p in listed.split("\0") if p and (REPO_ROOT / p).is_file())


def build_context() -> list[str]:
    """The files of a fresh clone that reach the image's build context."""
    rules = read_dockerignore()
    return [p for p in repository_files() if not is_ignored(p, rules)]


def copy_sources(stage: Stage, context: list[str], root: Path) -> Path:
    """Carry out ``stage``'s COPY instructions from the build context into ``root`` (the
    image's / lies at ``root``), as Docker would: a folder's contents go into the destination,
    a file into a destination ending in / keeps its name. Returns the stage's last WORKDIR
    under ``root``. A source with nothing in the context fails the assertion."""
    workdir = "/"
    for instruction in stage.instructions:
        if instruction.keyword == "WORKDIR":
            workdir = posixpath.join(workdir, instruction.arguments.strip())
        if instruction.keyword != "COPY" or instruction.flag("from"):
            continue
        *sources, destination = shlex.split(instruction.arguments)
        target = posixpath.join(workdir, destination)
        for source in sources:
            source = posixpath.normpath(source)
            inside = [p for p in context if p == source or p.startswith(source + "/")]
            assert inside, f"COPY {source}: not in the build context (.dockerignore?)"
            for path in inside:
                if path == source:
                    name = posixpath.basename(path) if destination.endswith("/") else ""
                    to = posixpath.join(target, name) if name else target
                else:
                    to = posixpath.join(target, posixpath.relpath(path, source))
                copied = root / to.lstrip("/")
                copied.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(REPO_ROOT / path, copied)
    return root / workdir.lstrip("/")
