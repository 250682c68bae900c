"""Checks for the machine-level things some tests need (Chromium, Redis, system fonts).

Locally a missing requirement skips the test. Under ``CI=true`` it fails it instead: CI runs
on a machine that ``scripts/setup.sh`` prepared, so anything missing there is a setup bug,
and a silent skip would hide it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import NoReturn

import pytest

CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "chromium")
# Families the reference renderer resolves to on Debian (reference-harness.md section 4).
REQUIRED_FONT_FAMILIES = (
    "Liberation Sans",
    "Liberation Serif",
    "DejaVu Sans",
    "Noto Sans CJK KR",
    "Noto Color Emoji",
)
HARNESS_DIR = Path(__file__).resolve().parent / "parity" / "harness"
# Web fonts the tests use, installed by scripts/setup.sh (`ecg-render fonts install`) from
# Fontsource: a Korean family and a Latin display family, regular faces only, and the Korean
# family's variable package (wght 100-900).
WEB_FONT_DIR = Path(__file__).resolve().parents[1] / ".cache" / "fonts"
WEB_FONT_FAMILIES = ("Noto Sans KR", "Lobster", "Noto Sans KR Variable")


def missing(reason: str) -> NoReturn:
    """Skip locally, fail under CI (``CI=true``)."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true and {reason}; run scripts/setup.sh", pytrace=False)
    pytest.skip(reason)


def require_chromium() -> str:
    """Path of Debian's Chromium (never a Playwright-downloaded one)."""
    for name in CHROMIUM_CANDIDATES:
        path = shutil.which(name)
        if path:
            return path
    missing("Chromium is not installed (apt-get install chromium)")


def require_redis_server() -> str:
    """Path of the ``redis-server`` binary."""
    path = shutil.which("redis-server")
    if path is None:
        missing("redis-server is not installed (apt-get install redis-server)")
    return path


def require_fonts() -> bool:
    """True when fontconfig knows every family in REQUIRED_FONT_FAMILIES."""
    if shutil.which("fc-list") is None:
        missing("fontconfig (fc-list) is not installed")
    listed = subprocess.run(
        ["fc-list", ":", "family"], capture_output=True, text=True, check=True
    ).stdout
    families = {name.strip() for line in listed.splitlines() for name in line.split(",")}
    absent = [f for f in REQUIRED_FONT_FAMILIES if f not in families]
    if absent:
        missing(f"system fonts missing: {', '.join(absent)} (see scripts/setup.sh)")
    return True


def require_reference_harness() -> Path:
    """The harness dir, with the pinned npm renderer installed (``npm ci`` done)."""
    if not (HARNESS_DIR / "node_modules" / "motiontext-renderer").is_dir():
        missing(f"npm packages not installed; run `npm ci` in {HARNESS_DIR}")
    return HARNESS_DIR


def require_web_fonts() -> Path:
    """The font folder holding WEB_FONT_FAMILIES (scripts/setup.sh installs them)."""
    from engine.font_store import FontStore

    store = FontStore([WEB_FONT_DIR])
    absent = [f for f in WEB_FONT_FAMILIES if store.family(f) is None]
    if absent:
        missing(
            f"web fonts {', '.join(absent)} are not installed in {WEB_FONT_DIR} "
            "(scripts/setup.sh runs `ecg-render fonts install`)"
        )
    return WEB_FONT_DIR
