"""Tenant-scoped hook calls: only modules installed in the tenant take part.

Module hook implementations are registered as plugins named ``module:<identifier>`` (see
``fullfinity.plugins``); core's own plugins (``DEFAULT_PLUGINS``) always take part.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

import pluggy

from fullfinity.plugins import await_me_maybe

__all__ = ["call_tenant_hook", "tenant_hook"]

MODULE_PLUGIN_PREFIX = "module:"


def tenant_hook(pm: pluggy.PluginManager, name: str, modules: Collection[str]) -> Any:
    """The hook ``name`` restricted to core's plugins and the hooks of ``modules``."""
    excluded = [
        plugin
        for plugin_name, plugin in pm.list_name_plugin()
        if plugin_name.startswith(MODULE_PLUGIN_PREFIX) and plugin_name[len(MODULE_PLUGIN_PREFIX) :] not in modules
    ]
    if not excluded:
        return getattr(pm.hook, name)
    return pm.subset_hook_caller(name, remove_plugins=excluded)


async def call_tenant_hook(pm: pluggy.PluginManager, name: str, modules: Collection[str], **kwargs: Any) -> list[Any]:
    """Call ``name`` for the tenant's modules, awaiting results that are awaitable."""
    return [await await_me_maybe(result) for result in tenant_hook(pm, name, modules)(**kwargs)]
