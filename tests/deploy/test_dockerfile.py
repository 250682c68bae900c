"""The Dockerfile and .dockerignore, checked without building (no container runtime here):
a multi-stage Debian 12 slim build whose Debian packages are exactly the runtime install's
(deploy/apt-runtime.txt through `scripts/setup.sh --runtime`), run as a non-root user with
port 8090, a /health check and `ecg-render` as entry point; the build context holds what the
COPYs need and none of the developer's files."""

from __future__ import annotations

import re
import subprocess
import tomllib
from pathlib import Path

import pytest

from server.cli import build_parser
from tests.deploy.compose import NON_SETTINGS, setting_names
from tests.deploy.dockerfile import (
    REPO_ROOT,
    build_context,
    copy_sources,
    is_ignored,
    read_dockerfile,
    read_dockerignore,
    repository_files,
)

SETUP = REPO_ROOT / "scripts" / "setup.sh"
APT_RUNTIME = REPO_ROOT / "deploy" / "apt-runtime.txt"
APT_DEV = REPO_ROOT / "deploy" / "apt-dev.txt"


def package_file(path: Path) -> list[str]:
    """A package list as setup.sh reads it: one name a line, # comments."""
    lines = (line.partition("#")[0].strip() for line in path.read_text().splitlines())
    return [line for line in lines if line]


def setup_packages(*options: str) -> list[str]:
    """The Debian packages `scripts/setup.sh OPTIONS` installs (it prints them and stops)."""
    done = subprocess.run(
        ["bash", str(SETUP), *options, "--list-packages"],
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.split()


def test_stages_are_debian_12_slim_and_multi_stage() -> None:
    dockerfile = read_dockerfile()
    assert len(dockerfile.stages) >= 2
    by_name = {s.name for s in dockerfile.stages}
    for stage in dockerfile.stages:
        assert stage.base in ("debian:12-slim", "debian:bookworm-slim") or stage.base in by_name
    final = dockerfile.final
    (copied,) = [c for c in final.all("COPY") if c.flag("from")]
    assert copied.flag("from") in by_name, "the final stage takes the built venv from a stage"


def test_every_package_install_is_the_runtime_install() -> None:
    """No stage installs Debian packages but through `setup.sh --runtime`, and that reads
    deploy/apt-runtime.txt alone: the image's package list is the runtime install's."""
    dockerfile = read_dockerfile()
    runs = [r.arguments for s in dockerfile.stages for r in s.all("RUN")]
    assert not [r for r in runs if re.search(r"apt-get|apt |dpkg -i|pip3? install", r)]
    setup_runs = [r for r in runs if "scripts/setup.sh" in r]
    assert setup_runs and all("--runtime" in r for r in setup_runs)
    assert setup_packages("--runtime") == package_file(APT_RUNTIME)
    assert setup_packages() == package_file(APT_RUNTIME) + package_file(APT_DEV)


def test_runtime_list_has_the_fonts_and_no_development_tools() -> None:
    runtime = set(package_file(APT_RUNTIME))
    assert {"fontconfig", "fonts-liberation", "fonts-dejavu-core", "fonts-noto-cjk"} <= runtime
    assert "fonts-noto-color-emoji" in runtime
    assert not runtime & {"chromium", "nodejs", "npm", "redis-server", "ffmpeg", "make"}
    assert {"chromium", "redis-server"} <= set(package_file(APT_DEV))


def test_final_stage_runs_ecg_render_as_a_user_on_8090() -> None:
    final = read_dockerfile().final
    user = final.last("USER")
    assert user is not None and user.arguments.split(":")[0] not in ("root", "0")
    assert [e.arguments for e in final.all("EXPOSE")] == ["8090"]
    entry = final.last("ENTRYPOINT")
    assert entry is not None and entry.exec_form() == ["ecg-render"]
    cmd = final.last("CMD")
    assert cmd is not None
    build_parser().parse_args(cmd.exec_form())  # the default command is a real one
    env = final.env()
    assert env["NVIDIA_DRIVER_CAPABILITIES"] == "compute,video,utility"
    assert env["PATH"].startswith("/opt/ecg-render/bin:")


def test_healthcheck_asks_health_on_8090() -> None:
    check = read_dockerfile().final.last("HEALTHCHECK")
    assert check is not None
    command = check.arguments.removeprefix("CMD").strip()
    assert check.arguments.startswith("CMD") and "http://127.0.0.1:8090/health" in command
    assert check.flag("timeout") and check.flag("interval")


def test_environment_names_are_settings_or_documented() -> None:
    known = set(setting_names()) | set(NON_SETTINGS)
    for stage in read_dockerfile().stages:
        assert set(stage.env()) <= known, stage.env()


def test_gpu_build_argument_selects_the_cupy_extra() -> None:
    build = read_dockerfile().stage("build")
    assert any(a.arguments.startswith("EXTRAS=") for a in build.all("ARG"))
    assert any('EXTRAS="${EXTRAS}"' in r.arguments for r in build.all("RUN"))
    extras = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"][
        "optional-dependencies"
    ]
    assert any(req.startswith("cupy-cuda12x") for req in extras["gpu"])


@pytest.mark.parametrize(
    "path",
    [
        ".venv/bin/python",
        ".env",
        ".git/HEAD",
        "out/demo.mp4",
        "data/public/job.mp4",
        "tests/conftest.py",
        "tests/parity/harness/node_modules/gsap/index.js",
        "tests/parity/harness/package.json",
        "benchmarks/run.py",
        ".pytest_cache/v/cache/nodeids",
        ".ruff_cache/0.4/x",
        "engine/__pycache__/pipeline.cpython-311.pyc",
        "server/cli/__pycache__/serve.cpython-311.pyc",
        "ecg_render.egg-info/PKG-INFO",
        ".gpukit/wheels/av.whl",
    ],
)
def test_dockerignore_keeps_developer_files_out(path: str) -> None:
    assert is_ignored(path, read_dockerignore())


def test_build_context_has_every_package_module_and_nothing_else() -> None:
    context = set(build_context())
    packages = {
        p
        for p in repository_files()
        if p.split("/")[0] in ("motiontext", "engine", "parity", "server")
    }
    assert packages and packages <= context
    assert context - packages == {"pyproject.toml", "scripts/setup.sh", "deploy/apt-runtime.txt"}


def test_every_copy_finds_its_sources(tmp_path: Path) -> None:
    context = build_context()
    for stage in read_dockerfile().stages:
        copy_sources(stage, context, tmp_path / (stage.name or "final"))
    built = tmp_path / "build" / "src"
    assert (built / "pyproject.toml").is_file() and (built / "scripts" / "setup.sh").is_file()
    assert (built / "server" / "cli" / "__init__.py").is_file()
