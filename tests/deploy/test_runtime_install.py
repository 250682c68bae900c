"""The runtime install the image makes (`scripts/setup.sh --runtime` from the Dockerfile's
build context into a fresh virtual environment), used as the container would use it: the
package without test extras, `ecg-render doctor`, the demo render, `serve` answering the
image's HEALTHCHECK, a worker, and every shared library coming from a runtime package."""

from __future__ import annotations

import json
import subprocess
import time
import uuid
from pathlib import Path

import av
import numpy as np
import pytest

from tests.deploy import debian
from tests.deploy.conftest import RuntimeInstall, clean_environment
from tests.deploy.dockerfile import REPO_ROOT, read_dockerfile
from tests.server.conftest import free_port, video_facts, wait_until

pytestmark = pytest.mark.slow

TEST_ONLY = ("pytest", "playwright", "hypothesis", "moto")
DEMO_SCENARIO = REPO_ROOT / "examples" / "demo_scenario.json"
# The demo clip's first 3.5 s (of 6, to keep CI short) hold both cues. Frames with captions
# on screen: "Burn captions" (t = 1.0 s), Korean words (t = 3.2 s).
DEMO_SECONDS = 3.5
CAPTIONED_FRAMES = (30, 96)


def run(install: RuntimeInstall, cwd: Path, *argv: str, timeout: float = 300, **env: str):
    """A command of the runtime install, outside the source tree (nothing imports from it)."""
    return subprocess.run(
        [str(install.bin(argv[0])), *argv[1:]],
        cwd=cwd,
        env=clean_environment(**env),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def test_installs_the_package_without_test_extras(
    runtime_install: RuntimeInstall, tmp_path: Path
) -> None:
    print(f"setup.sh --runtime into a fresh venv: {runtime_install.seconds:.0f} s")
    code = "import engine, motiontext, parity, server; print(server.__file__)"
    done = run(runtime_install, tmp_path, "python", "-c", code)
    assert done.returncode == 0, done.stderr
    assert Path(done.stdout.strip()).is_relative_to(runtime_install.venv), "not installed"
    listed = run(runtime_install, tmp_path, "python", "-m", "pip", "list", "--format=json")
    names = {p["name"].lower() for p in json.loads(listed.stdout)}
    assert {"av", "skia-python", "fastapi", "rq"} <= names
    assert not names & set(TEST_ONLY), f"test extras installed: {names & set(TEST_ONLY)}"
    assert not any(n.startswith("cupy") for n in names), "the gpu extra is opt-in"


def test_doctor_runs_and_finds_the_cpu_path_and_fonts(
    runtime_install: RuntimeInstall, tmp_path: Path
) -> None:
    done = run(runtime_install, tmp_path, "ecg-render", "doctor", "--json")
    assert done.returncode == 0, done.stdout + done.stderr
    report = json.loads(done.stdout)
    assert report["cpu_path_usable"]
    fonts = [c for c in report["checks"] if c["name"].startswith("font ")]
    assert fonts and all(c["status"] == "ok" for c in fonts), fonts


def test_renders_the_demo(runtime_install: RuntimeInstall, tmp_path: Path) -> None:
    clip, output = tmp_path / "demo_input.mp4", tmp_path / "demo.mp4"
    make_clip = (
        "import sys; from pathlib import Path; from engine.demo_assets import write_demo_clip; "
        f"write_demo_clip(Path(sys.argv[1]), seconds={DEMO_SECONDS})"
    )
    made = run(runtime_install, tmp_path, "python", "-c", make_clip, str(clip))
    assert made.returncode == 0, made.stderr
    done = run(
        runtime_install,
        tmp_path,
        "ecg-render",
        "render",
        str(DEMO_SCENARIO),
        str(clip),
        "-o",
        str(output),
        "--quiet",
    )
    assert done.returncode == 0, done.stdout + done.stderr
    source, rendered = video_facts(clip), video_facts(output)
    assert (rendered.width, rendered.height) == (source.width, source.height)
    assert rendered.frame_pts_seconds == source.frame_pts_seconds
    assert rendered.audio_packets > 0
    for index, (before, after) in enumerate(zip(_frames(clip), _frames(output), strict=True)):
        if index in CAPTIONED_FRAMES:
            changed = np.abs(before.astype(np.int16) - after).max(axis=2) > 60
            assert changed.sum() > 2000, f"frame {index}: no captions burned in"


def _frames(path: Path):
    with av.open(str(path)) as container:
        for frame in container.decode(video=0):
            yield frame.to_ndarray(format="rgb24")


def test_serve_answers_the_image_healthcheck(
    runtime_install: RuntimeInstall, tmp_path: Path
) -> None:
    check = read_dockerfile().final.last("HEALTHCHECK")
    assert check is not None
    probe = check.arguments.removeprefix("CMD").strip()
    argv = json.loads(probe)
    port = free_port()
    argv = [a.replace(":8090/", f":{port}/") for a in argv]

    def healthy() -> bool:
        return run(runtime_install, tmp_path, *argv, timeout=30).returncode == 0

    env = clean_environment(STORAGE_DIR=str(tmp_path / "data"), MIN_FREE_DISK_MB="0")
    log = tmp_path / "serve.log"
    with log.open("wb") as output:
        server = subprocess.Popen(
            [str(runtime_install.bin("ecg-render")), "serve", "--host", "127.0.0.1"]
            + ["--port", str(port), "--log-level", "warning"],
            cwd=tmp_path,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_until(lambda: server.poll() is not None or healthy(), 60, 0.5, what="/health")
        assert server.poll() is None, log.read_text()
    finally:
        server.terminate()
        server.wait(15)
    assert not healthy(), "the check must fail when nothing answers"


def test_worker_runs_from_the_runtime_install(
    runtime_install: RuntimeInstall, tmp_path: Path, redis_url: str
) -> None:
    name = f"ecgtest-{uuid.uuid4().hex[:8]}"
    started = time.monotonic()
    done = run(
        runtime_install,
        tmp_path,
        "ecg-render",
        "worker",
        "--burst",
        timeout=120,
        REDIS_URL=redis_url,
        REDIS_PREFIX=name,
        QUEUE_NAME=name,
        STORAGE_DIR=str(tmp_path / "data"),
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert time.monotonic() - started < 120


def test_linked_libraries_come_from_the_runtime_packages(
    runtime_install: RuntimeInstall,
) -> None:
    """Every shared library that a compiled module of the install links to is bundled in its
    wheel or shipped by deploy/apt-runtime.txt's packages or the base image (what an image
    built from that list holds): `import skia` cannot fail in the container for lack of one."""
    listed = (REPO_ROOT / "deploy" / "apt-runtime.txt").read_text().splitlines()
    runtime = {line.partition("#")[0].strip() for line in listed} - {""}
    image = debian.closure(runtime) | debian.base_image()
    site = runtime_install.venv / "lib"
    libraries: dict[str, str] = {}
    for module in sorted(site.rglob("*.so*")):
        if not module.is_file():
            continue
        ldd = subprocess.run(["ldd", str(module)], capture_output=True, text=True, check=False)
        for line in ldd.stdout.splitlines():
            name, arrow, target = line.strip().partition(" => ")
            if not arrow:
                continue
            path = target.split(" (")[0].strip()
            assert path != "not found", f"{module.name} needs {name}: not found"
            if not Path(path).is_relative_to(runtime_install.venv):
                libraries.setdefault(path, module.name)
    assert any("libEGL" in lib for lib in libraries), "skia-python's system libraries not seen"
    outside = {}
    for library, needed_by in sorted(libraries.items()):
        package = debian.owner(library)
        if package is None or package not in image:
            outside[library] = f"{package or 'no package'} (needed by {needed_by})"
    assert not outside, f"libraries outside the runtime packages: {outside}"
