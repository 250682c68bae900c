"""The Compose files, checked without a container runtime: they are valid Compose (the
specification's JSON schema), every command parses with the real `ecg-render` parser, every
environment variable is a known setting whose value the settings accept, the stack is wired
as documented (Redis with deploy/redis.conf and an AOF volume, API, scalable workers sharing
the output volume, a GPU overlay, a standalone variant), and Redis really starts with the
stack's arguments."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from server.cli import build_parser
from server.service.settings import Settings
from tests.deploy.compose import (
    COMPOSE,
    COMPOSE_FILES,
    COMPOSE_GPU,
    COMPOSE_STANDALONE,
    NON_SETTINGS,
    REPO_ROOT,
    command_args,
    compose_schema,
    env_files,
    environment,
    is_ours,
    load,
    merged,
    services,
    setting_names,
)
from tests.deploy.dockerfile import read_dockerfile
from tests.requirements_check import require_redis_server
from tests.server.conftest import free_port, redis_process

VARIANTS = {
    "rq": (COMPOSE,),
    "rq+gpu": (COMPOSE, COMPOSE_GPU),
    "standalone": (COMPOSE_STANDALONE,),
}


def parse_command(args: list[str]) -> argparse.Namespace:
    try:
        return build_parser().parse_args(args)
    except SystemExit as exc:  # argparse's way of saying no
        raise AssertionError(f"`ecg-render {' '.join(args)}` does not parse") from exc


def our_services(files: tuple[Path, ...]) -> dict[str, dict[str, Any]]:
    found = {n: s for n, s in services(merged(*files)).items() if is_ours(s)}
    assert found, f"no service runs the ecg-render image in {[f.name for f in files]}"
    return found


@pytest.mark.parametrize("path", COMPOSE_FILES, ids=lambda p: p.name)
def test_file_is_valid_compose(path: Path) -> None:
    jsonschema.validate(load(path), compose_schema())


@pytest.mark.parametrize("files", VARIANTS.values(), ids=VARIANTS.keys())
def test_merged_variant_is_valid_compose(files: tuple[Path, ...]) -> None:
    data = merged(*files)
    jsonschema.validate(data, compose_schema())
    for name, service in services(data).items():
        assert "image" in service or "build" in service, f"{name}: neither image nor build"


def test_the_schema_check_can_fail() -> None:
    bad = {"services": {"api": {"image": "x", "command": 3, "deploy": {"replicas": "many"}}}}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, compose_schema())


@pytest.mark.parametrize("files", VARIANTS.values(), ids=VARIANTS.keys())
def test_every_command_parses_with_the_real_parser(files: tuple[Path, ...]) -> None:
    for name, service in our_services(files).items():
        args = parse_command(command_args(service))
        assert callable(args.run), name


@pytest.mark.parametrize("files", VARIANTS.values(), ids=VARIANTS.keys())
def test_every_variable_is_a_setting_and_valid(
    files: tuple[Path, ...], monkeypatch: pytest.MonkeyPatch
) -> None:
    known = setting_names()
    for name, service in our_services(files).items():
        env = environment(service)
        unknown = sorted(set(env) - set(known) - set(NON_SETTINGS))
        assert not unknown, f"{name} sets {unknown}: neither settings nor in NON_SETTINGS"
        assert env_files(service) == [".env"], f"{name}: settings must come from .env"
        for variable in known:
            monkeypatch.delenv(variable, raising=False)
        for variable, value in env.items():
            if variable in known and value is not None:
                monkeypatch.setenv(variable, value)
        settings = Settings(_env_file=None)  # type: ignore[call-arg]
        assert settings.storage_dir == Path("/data"), name
        mounts = [str(v).split(":") for v in service.get("volumes", [])]
        assert any(target == "/data" for _, target, *_ in mounts), f"{name}: /data not a volume"


def test_non_settings_are_not_settings() -> None:
    assert not set(NON_SETTINGS) & set(setting_names())


def test_env_example_lists_every_setting_and_nothing_else() -> None:
    """.env.example (what .env is copied from) names every setting, as ``NAME=value`` or
    commented out, and nothing else but boto3's own credential variables."""
    known = setting_names()
    listed = set()
    for line in (REPO_ROOT / ".env.example").read_text(encoding="utf-8").splitlines():
        name, sep, _ = line.strip().lstrip("# ").partition("=")
        if sep and name.isidentifier() and name.isupper():
            listed.add(name)
    credentials = {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"}
    unknown = listed - set(known) - credentials
    assert not unknown, f".env.example names {sorted(unknown)}: not settings"
    missing = set(known.values()) - {known[name] for name in listed if name in known}
    assert not missing, f".env.example lacks the settings {sorted(missing)}"


def test_rq_stack_redis_api_and_scalable_workers() -> None:
    stack = services(load(COMPOSE))
    assert set(stack) == {"redis", "api", "worker"}

    redis = stack["redis"]
    assert str(redis["image"]).startswith("redis:7"), "the official image redis.conf is tested on"
    command = command_args(redis)
    config_path = command[1]
    mounts = {target: source for source, target, *_ in (v.split(":") for v in redis["volumes"])}
    assert mounts[config_path] == "./deploy/redis.conf"
    data_dir = command[command.index("--dir") + 1]
    assert data_dir in mounts and not mounts[data_dir].startswith("."), "AOF on a named volume"
    assert mounts[data_dir] in load(COMPOSE)["volumes"]

    api, worker = stack["api"], stack["worker"]
    api_args = parse_command(command_args(api))
    assert (api_args.command, api_args.mode, api_args.port) == ("serve", "rq", 8090)
    assert any(str(p).endswith(":8090") for p in api["ports"])
    assert parse_command(command_args(worker)).command == "worker"
    assert "ports" not in worker and "container_name" not in worker, "--scale needs neither"
    assert worker["healthcheck"] == {"disable": True}, "workers have no /health to probe"
    for service in (api, worker):
        env = environment(service)
        assert env["REDIS_URL"] == "redis://redis:6379/0"
        assert service["depends_on"]["redis"]["condition"] == "service_healthy"
        assert service["volumes"] == api["volumes"], "API and workers share the output volume"


def test_gpu_overlay_reserves_nvidia_devices_for_workers() -> None:
    worker = services(merged(COMPOSE, COMPOSE_GPU))["worker"]
    (device,) = worker["deploy"]["resources"]["reservations"]["devices"]
    assert device["driver"] == "nvidia"
    assert {"gpu", "compute", "video", "utility"} <= set(device["capabilities"])
    capabilities = set(environment(worker)["NVIDIA_DRIVER_CAPABILITIES"].split(","))
    assert capabilities == {"compute", "video", "utility"}
    assert worker["build"]["args"]["EXTRAS"] == "gpu"
    assert worker["image"] != services(load(COMPOSE))["api"]["image"], "a tag of its own"
    assert parse_command(command_args(worker)).command == "worker"


def test_standalone_variant_has_no_redis() -> None:
    stack = services(load(COMPOSE_STANDALONE))
    assert list(stack) == ["api"]
    api = stack["api"]
    args = parse_command(command_args(api))
    assert (args.command, args.mode) == ("serve", "standalone")
    assert "REDIS_URL" not in environment(api) and "depends_on" not in api


def test_build_arguments_exist_in_the_dockerfile() -> None:
    dockerfile = read_dockerfile()
    declared = {i.arguments.partition("=")[0] for s in dockerfile.stages for i in s.all("ARG")}
    for files in VARIANTS.values():
        for name, service in our_services(files).items():
            build = service["build"]
            assert build.get("context", ".") == "." and "dockerfile" not in build, name
            assert set(build.get("args", {})) <= declared, f"{name}: unknown build args"


def test_redis_starts_with_the_stack_arguments(tmp_path: Path) -> None:
    """redis-server runs deploy/redis.conf with compose.yaml's arguments (loopback here)."""
    import redis as redis_client

    command = command_args(services(load(COMPOSE))["redis"])
    options = command[2:]
    options[options.index("--bind") + 1] = "127.0.0.1"
    options[options.index("--dir") + 1] = str(tmp_path)
    port = free_port()
    config = REPO_ROOT / "deploy" / "redis.conf"
    with redis_process(require_redis_server(), port, tmp_path, *options, config=config):
        client = redis_client.Redis(port=port, decode_responses=True)
        try:
            assert client.config_get("appendonly") == {"appendonly": "yes"}
            assert client.config_get("protected-mode") == {"protected-mode": "no"}
            assert client.config_get("dir") == {"dir": str(tmp_path)}
            assert client.config_get("maxmemory-policy")["maxmemory-policy"] == "noeviction"
        finally:
            client.close()
