"""The runtime install as the image's build stage makes it: the Dockerfile's COPYs carried out
from the build context into a fresh folder, then its `scripts/setup.sh --runtime` into a fresh
virtual environment (pip from the registry or its cache). Made once per run, on first use."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.deploy.dockerfile import REPO_ROOT, build_context, copy_sources, read_dockerfile
from tests.server.conftest import redis_url  # noqa: F401 (a fixture of the slow tests)

_INSTALL_TIMEOUT_SECONDS = 600


@dataclass(frozen=True)
class RuntimeInstall:
    source: Path  # the build stage's WORKDIR: what its COPYs left there
    venv: Path
    seconds: float  # wall time of the setup.sh run

    def bin(self, name: str) -> Path:
        return self.venv / "bin" / name


def clean_environment(**extra: str) -> dict[str, str]:
    """This process's environment without the developer's virtual environment or imports."""
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    paths = env.get("PATH", "").split(os.pathsep)
    env["PATH"] = os.pathsep.join(p for p in paths if not p.startswith(str(REPO_ROOT)))
    return {**env, **extra}


@pytest.fixture(scope="session")
def runtime_install() -> Iterator[RuntimeInstall]:
    root = Path(tempfile.mkdtemp(prefix="ecg-runtime-install-"))
    try:
        source = copy_sources(read_dockerfile().stage("build"), build_context(), root / "image")
        venv = root / "venv"
        started = time.monotonic()
        done = subprocess.run(
            ["bash", "scripts/setup.sh", "--runtime"],
            cwd=source,
            env=clean_environment(VENV=str(venv)),
            capture_output=True,
            text=True,
            timeout=_INSTALL_TIMEOUT_SECONDS,
            check=False,
        )
        seconds = time.monotonic() - started
        assert done.returncode == 0, f"setup.sh --runtime failed:\n{done.stdout}\n{done.stderr}"
        yield RuntimeInstall(source, venv, seconds)
    finally:
        shutil.rmtree(root, ignore_errors=True)
