"""What a Debian 12 slim image built from a package list would hold, judged from this
machine's dpkg database (CI and development machines are Debian 12): the packages of the list
with their dependencies, plus the base image's own (Essential and required packages and apt,
with theirs). Used to check that every shared library the installed wheels link to comes
from a package the image installs."""

from __future__ import annotations

import functools
import os
import re
import subprocess
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Package:
    name: str
    essential: bool
    priority: str
    depends: tuple[tuple[str, ...], ...]  # each entry: alternatives, any one satisfies it
    provides: tuple[str, ...]


def _names(field: str) -> tuple[tuple[str, ...], ...]:
    """``a (>= 1) | b, c:any`` -> (("a", "b"), ("c",))."""
    groups = []
    for group in filter(None, (g.strip() for g in field.split(","))):
        alternatives = [
            re.sub(r"\s*\(.*?\)|:\w+|\s*\[.*?\]", "", a).strip() for a in group.split("|")
        ]
        groups.append(tuple(a for a in alternatives if a))
    return tuple(groups)


@functools.cache
def installed() -> dict[str, Package]:
    columns = ("Package", "db:Status-Abbrev", "Essential", "Priority")
    columns += ("Depends", "Pre-Depends", "Provides")
    fields = "\t".join(f"${{{c}}}" for c in columns) + "\n"
    out = subprocess.run(
        ["dpkg-query", "-W", f"-f={fields}"], capture_output=True, text=True, check=True
    ).stdout
    packages = {}
    for line in out.splitlines():
        name, status, essential, priority, depends, pre_depends, provides = line.split("\t")
        if not status.startswith("ii"):
            continue
        packages[name] = Package(
            name,
            essential == "yes",
            priority,
            _names(depends) + _names(pre_depends),
            tuple(p[0] for p in _names(provides)),
        )
    return packages


def closure(names: set[str]) -> set[str]:
    """``names`` and everything they depend on, among the installed packages. A dependency
    on a virtual package or on alternatives is satisfied by the installed ones that match."""
    packages = installed()
    providers: dict[str, set[str]] = {}
    for package in packages.values():
        for virtual in package.provides:
            providers.setdefault(virtual, set()).add(package.name)
    missing = sorted(n for n in names if n not in packages)
    assert not missing, f"not installed here: {missing} (run scripts/setup.sh)"
    seen: set[str] = set()
    todo = list(names)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        for alternatives in packages[name].depends:
            for alternative in alternatives:
                todo += [
                    p for p in {alternative} | providers.get(alternative, set()) if p in packages
                ]
    return seen


def base_image() -> set[str]:
    """What debian:12-slim starts with: Essential and required packages, apt, their deps."""
    roots = {p.name for p in installed().values() if p.essential or p.priority == "required"}
    return closure(roots | {"apt"})


def owner(library: str) -> str | None:
    """The installed package that ships ``library`` (merged-/usr paths tried both ways)."""
    real = os.path.realpath(library)
    candidates = {library, real}
    for path in (library, real):
        if path.startswith("/usr/lib/"):
            candidates.add(path.removeprefix("/usr"))
        elif path.startswith("/lib/"):
            candidates.add("/usr" + path)
    for path in sorted(candidates):
        done = subprocess.run(["dpkg", "-S", path], capture_output=True, text=True, check=False)
        if done.returncode == 0:
            return done.stdout.split(":")[0].strip()
    return None
