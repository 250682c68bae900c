"""The Compose files as data for the tests, and the names the service's settings answer to.

``load`` reads one file with PyYAML (anchors and ``<<`` merge keys resolved); ``merged``
applies override files as ``docker compose -f a -f b`` does for what these files use
(mappings merged key by key, anything else replaced). Settings names come from the
``Settings`` class at test time, so settings added later are known without editing this.
"""

from __future__ import annotations

import functools
import importlib.resources
import json
import shlex
from pathlib import Path
from typing import Any

import yaml
from pydantic import AliasChoices

from server.service.settings import Settings

REPO_ROOT = Path(__file__).resolve().parents[2]
COMPOSE = REPO_ROOT / "compose.yaml"
COMPOSE_GPU = REPO_ROOT / "compose.gpu.yaml"
COMPOSE_STANDALONE = REPO_ROOT / "compose.standalone.yaml"
COMPOSE_FILES = (COMPOSE, COMPOSE_GPU, COMPOSE_STANDALONE)
OUR_IMAGE = "ecg-render"

# Environment variables the deployment files may set that are not settings, and why.
NON_SETTINGS = {
    "NVIDIA_DRIVER_CAPABILITIES": "NVIDIA container runtime: which driver libraries to mount",
    "NVIDIA_VISIBLE_DEVICES": "NVIDIA container runtime: which GPUs the container sees",
    "PATH": "the image's virtual environment first",
    "LANG": "UTF-8 for Python and fontconfig in a locale-less image",
    "PYTHONUNBUFFERED": "log lines reach `docker logs` at once",
}


def load(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict), f"{path.name}: not a mapping"
    return data


def _merge(base: Any, override: Any) -> Any:
    if isinstance(base, dict) and isinstance(override, dict):
        out = dict(base)
        for key, value in override.items():
            out[key] = _merge(base[key], value) if key in base else value
        return out
    return override


def merged(*paths: Path) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for path in paths:
        result = _merge(result, load(path))
    return result


def services(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return data.get("services") or {}


def is_ours(service: dict[str, Any]) -> bool:
    """A service that runs this repository's image (built here or named ecg-render)."""
    image = str(service.get("image", ""))
    return "build" in service or image.split(":")[0] == OUR_IMAGE


def command_args(service: dict[str, Any]) -> list[str]:
    """The arguments given to the image's entry point (`ecg-render`)."""
    command = service.get("command")
    if isinstance(command, str):
        return shlex.split(command)
    assert isinstance(command, list), f"command {command!r}"
    return [str(arg) for arg in command]


def environment(service: dict[str, Any]) -> dict[str, str | None]:
    """The service's ``environment`` (mapping or list form); None = passed through unset."""
    env = service.get("environment") or {}
    if isinstance(env, list):
        pairs = [item.partition("=") for item in env]
        return {name: (value if sep else None) for name, sep, value in pairs}
    return {name: None if value is None else str(value) for name, value in env.items()}


def env_files(service: dict[str, Any]) -> list[str]:
    files = service.get("env_file") or []
    files = [files] if isinstance(files, str) else files
    return [item if isinstance(item, str) else item["path"] for item in files]


@functools.cache
def compose_schema() -> dict[str, Any]:
    """The Compose Specification's JSON schema (as vendored by check-jsonschema)."""
    vendor = importlib.resources.files("check_jsonschema.builtin_schemas.vendor")
    return json.loads(vendor.joinpath("compose-spec.json").read_text(encoding="utf-8"))


def setting_names() -> dict[str, str]:
    """Environment variable -> the ``Settings`` field it sets (aliases included)."""
    prefix = str(Settings.model_config.get("env_prefix") or "")
    names: dict[str, str] = {}
    for field_name, field in Settings.model_fields.items():
        alias = field.validation_alias
        if isinstance(alias, AliasChoices):
            choices = [c for c in alias.choices if isinstance(c, str)]
        elif isinstance(alias, str):
            choices = [alias]
        else:
            choices = [field.alias or field_name]
        for choice in choices:
            names[(prefix + choice).upper()] = field_name
    return names
