"""The plugin manager: core's own features and every module's ``hooks.py``.

``get_plugin_manager()`` builds one pluggy ``PluginManager`` per process. It registers
the modules in ``DEFAULT_PLUGINS`` (core's features, through the same hooks as third
parties), then the ``hooks`` submodule of every discovered module that has one, then
calls ``check_pending()`` so a misspelled hook name fails at start-up.
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
from collections.abc import Awaitable
from functools import lru_cache
from typing import TypeVar

import pluggy

from fullfinity import hookspecs

__all__ = ["DEFAULT_PLUGINS", "await_me_maybe", "get_plugin_manager", "hookimpl"]

T = TypeVar("T")

hookimpl = pluggy.HookimplMarker("fullfinity")

# Core features registered exactly like a third-party module's hooks.py.
DEFAULT_PLUGINS: tuple[str, ...] = (
    "fullfinity.web.health",
    "fullfinity.cli.serve",
    "fullfinity.cli.tenant",
    "fullfinity.cli.module",
    "fullfinity.cli.settings",
)


async def await_me_maybe(value: T | Awaitable[T]) -> T:
    """Await ``value`` if it is awaitable, else return it (hook results may be either)."""
    if inspect.isawaitable(value):
        return await value
    return value


def _module_hook_packages() -> list[tuple[str, str]]:
    """(module identifier, '<package>.hooks') for every discovered module shipping hooks."""
    from fullfinity.engine.module_registry import discover_modules

    found = []
    for info in discover_modules().values():
        name = f"{info.package}.hooks"
        if importlib.util.find_spec(info.package) and _has_submodule(info.package, "hooks"):
            found.append((info.identifier, name))
    return found


def _has_submodule(package: str, sub: str) -> bool:
    try:
        return importlib.util.find_spec(f"{package}.{sub}") is not None
    except ModuleNotFoundError:
        return False


def build_plugin_manager(*, include_modules: bool = True) -> pluggy.PluginManager:
    """A fresh plugin manager (tests use this; the process uses ``get_plugin_manager``)."""
    pm = pluggy.PluginManager("fullfinity")
    pm.add_hookspecs(hookspecs)
    for dotted in DEFAULT_PLUGINS:
        pm.register(importlib.import_module(dotted), name=dotted)
    if include_modules:
        for identifier, dotted in _module_hook_packages():
            if pm.get_plugin(dotted) is None:
                pm.register(importlib.import_module(dotted), name=f"module:{identifier}")
    pm.check_pending()
    return pm


@lru_cache(maxsize=1)
def get_plugin_manager() -> pluggy.PluginManager:
    """The process-wide plugin manager."""
    return build_plugin_manager()
