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
import re
from collections.abc import Awaitable, Callable
from functools import lru_cache
from typing import Any, TypeVar

import pluggy

from fullfinity import hookspecs

__all__ = [
    "DEFAULT_PLUGINS",
    "await_me_maybe",
    "build_plugin_manager",
    "get_plugin_manager",
    "hookimpl",
    "hooks_markdown",
]

T = TypeVar("T")

hookimpl = pluggy.HookimplMarker("fullfinity")

# Core features registered exactly like a third-party module's hooks.py.
DEFAULT_PLUGINS: tuple[str, ...] = (
    "fullfinity.web.health",
    "fullfinity.web.auth",
    "fullfinity.web.profile",
    "fullfinity.views.plugin",
    "fullfinity.api.plugin",
    "fullfinity.cli.serve",
    "fullfinity.cli.tenant",
    "fullfinity.cli.module",
    "fullfinity.cli.license",
    "fullfinity.cli.settings",
    "fullfinity.cli.shell",
    "fullfinity.cli.user",
    "fullfinity.cli.apikey",
    "fullfinity.cli.scaffold",
    "fullfinity.cron.plugin",
    "fullfinity.cron.ownership",
    "fullfinity.tenancy.neutralize",
)


async def await_me_maybe(value: T | Awaitable[T]) -> T:
    """Await ``value`` if it is awaitable, else return it (hook results may be either)."""
    if inspect.isawaitable(value):
        return await value
    return value


def _module_hook_packages() -> list[tuple[str, str]]:
    """(module identifier, '<package>.hooks') for every discovered module shipping hooks."""
    from fullfinity.engine.module_registry import discover_modules

    return [
        (info.identifier, f"{info.package}.hooks")
        for info in discover_modules().values()
        if _has_submodule(info.package, "hooks")
    ]


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
            name = f"module:{identifier}"
            if pm.get_plugin(name) is None:
                pm.register(importlib.import_module(dotted), name=name)
    pm.check_pending()
    return pm


@lru_cache(maxsize=1)
def get_plugin_manager() -> pluggy.PluginManager:
    """The process-wide plugin manager."""
    return build_plugin_manager()


def _hookspec_functions() -> list[Callable[..., Any]]:
    """The hook specifications in the order ``hookspecs.py`` declares them."""
    marker = "fullfinity_spec"  # set by pluggy's HookspecMarker("fullfinity")
    return [obj for obj in vars(hookspecs).values() if callable(obj) and hasattr(obj, marker)]


def _signature(func: Callable[..., Any]) -> str:
    # hookspecs.py uses postponed annotations: the raw strings read as written there.
    sig = inspect.signature(func)
    params = ", ".join(
        f"{p.name}: {p.annotation}" if p.annotation is not inspect.Parameter.empty else p.name
        for p in sig.parameters.values()
    )
    returns = "" if sig.return_annotation is inspect.Signature.empty else f" -> {sig.return_annotation}"
    return f"{func.__name__}({params}){returns}"


def hooks_markdown() -> str:
    """The hooks reference (the generated part of docs/hooks.md): every hookspec, in file order."""
    parts: list[str] = []
    for func in _hookspec_functions():
        options = getattr(func, "fullfinity_spec", {})
        flags = [name for name in ("firstresult", "historic") if options.get(name)]
        parts.append(f"### `{func.__name__}`\n")
        parts.append(f"```python\n{_signature(func)}\n```\n")
        if flags:
            parts.append(f"Options: {', '.join(f'`{f}`' for f in flags)}.\n")
        doc = inspect.cleandoc(func.__doc__ or "*Undocumented.*")
        parts.append(re.sub(r":\w+:`([^`]+)`", r"`\1`", doc) + "\n")  # Sphinx roles -> code spans
    return "\n".join(parts)
