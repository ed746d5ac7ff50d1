"""The view layer's hook implementations (registered in ``fullfinity.plugins.DEFAULT_PLUGINS``).

- ``fullfinity_register_routers``: ``/api/views``, ``/api/action``, ``/api/menus``.
- ``fullfinity_post_install`` / ``fullfinity_post_upgrade``: once the data files of the operation are
  loaded, every view, action and menu of the tenant is validated against the new registry; a
  ``ViewValidationError`` listing every problem rolls the whole operation back.
"""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING, Any

from fullfinity.plugins import hookimpl

if TYPE_CHECKING:
    from fastapi import APIRouter

    from fullfinity.engine.env import Environment

# One validation per operation: the hooks run once per module, with the operation's environment.
_validated: weakref.WeakSet[Environment] = weakref.WeakSet()


@hookimpl
def fullfinity_register_routers() -> APIRouter:
    from fullfinity.views.router import router

    return router


async def _validate(env: Environment, what: str) -> None:
    if env in _validated:
        return
    _validated.add(env)
    from fullfinity.views.store import validate_views

    await validate_views(env, context=what)


@hookimpl
def fullfinity_post_install(env: Environment, module: str) -> Any:
    return _validate(env, f"Installing {module} in tenant '{env.tenant}' was refused")


@hookimpl
def fullfinity_post_upgrade(env: Environment, module: str, from_version: str, to_version: str) -> Any:
    return _validate(env, f"Upgrading {module} in tenant '{env.tenant}' was refused")
