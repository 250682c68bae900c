"""The 18 official MotionText plugins, implemented natively from the behavioural spec (one
module per plugin). ``official_registry()`` registers every one under name and name@version."""

from __future__ import annotations

import importlib
import pkgutil

from ..plugin_host import PluginRegistry


def official_plugins() -> list:
    found = []
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        plugin = getattr(module, "PLUGIN", None)
        if plugin is not None:
            found.append(plugin)
    return found


def official_registry() -> PluginRegistry:
    registry = PluginRegistry()
    for plugin in official_plugins():
        registry.register(plugin)
    return registry
