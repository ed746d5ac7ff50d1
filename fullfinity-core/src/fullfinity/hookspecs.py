"""Every hook specification of Fullfinity, in one place.

Hooks are pluggy hooks of the project ``fullfinity``. A module implements them in a
``hooks.py`` file of its import package, decorating functions with
``fullfinity.hookimpl``; core's own features implement the same hooks (see
``fullfinity.plugins.DEFAULT_PLUGINS``), so there is no private shortcut.

Families (as in Datasette):

- ``fullfinity_register_*`` hooks return things to add (routers, CLI commands).
- lifecycle hooks are named after the event (``fullfinity_tenant_created``).

pluggy is synchronous. Hooks marked *may be async* are called through
``fullfinity.plugins.await_me_maybe``: an implementation may return a value or an
awaitable, and the caller awaits it. Unless a docstring says ``firstresult``, every
implementation is called and the caller receives the list of their non-``None`` results.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    import typer
    from fastapi import APIRouter, FastAPI

    from fullfinity.engine.env import Environment
    from fullfinity.tenancy.catalog import TenantInfo

hookspec = pluggy.HookspecMarker("fullfinity")

__all__ = ["hookspec"]


@hookspec
def fullfinity_register_routers() -> list[APIRouter] | APIRouter | None:
    """Return FastAPI routers to mount on the application.

    Called once per process while :func:`fullfinity.main.create_app` builds the app.
    Each implementation returns one ``APIRouter``, a list of them, or ``None``.
    Routers returned here are process-wide: mounted once, behind tenant resolution
    (the request's tenant is in ``request.state.tenant``, except on ``/health``).
    Core's ``/health`` endpoint is contributed through this hook.
    """


@hookspec
def fullfinity_register_commands(cli: typer.Typer) -> None:
    """Add sub-commands to the ``fullfinity`` command line.

    Called once when the CLI starts, with the root ``typer.Typer`` application.
    Implementations call ``cli.command()`` / ``cli.add_typer()`` on it and return
    nothing. Every core command (``serve``, ``tenant``, ``module``, ...) is added this way.
    """


@hookspec
def fullfinity_app_startup(app: FastAPI) -> Any:
    """The application process is starting (may be async).

    Called in the FastAPI lifespan after the database manager is ready and before the
    first request is served, with the application object (``app.state.fullfinity``
    holds the runtime). The return value is ignored.
    """


@hookspec
def fullfinity_app_shutdown(app: FastAPI) -> Any:
    """The application process is stopping (may be async).

    Called in the FastAPI lifespan after the last request, before database pools are
    closed. The return value is ignored.
    """


@hookspec
def fullfinity_tenant_created(tenant: TenantInfo) -> Any:
    """A tenant database was created and recorded as ``active`` (may be async).

    Called by ``fullfinity tenant create`` (and the tenancy service) after the catalog
    entry is committed, with the tenant's catalog record. Raising does not undo the
    creation. The return value is ignored.
    """


@hookspec
def fullfinity_tenant_dropped(tenant: TenantInfo) -> Any:
    """A tenant database was dropped and removed from the catalog (may be async).

    Called after ``DROP DATABASE`` succeeded, with the catalog record the tenant had.
    The return value is ignored.
    """


@hookspec
def fullfinity_tenant_neutralized(env: Environment) -> Any:
    """A copy of a tenant is being neutralized for staging or tests (may be async).

    Called by ``fullfinity tenant clone SOURCE NAME --neutralize`` (``--neutralize`` of
    restore too) once the copy's database and files are in place and before it becomes
    ``active``, so no request or scheduler reaches it yet. ``env`` is elevated, in one transaction
    on the copy, bound to its registry; only the modules installed in the copy take part. Turn
    off what would reach the outside world or hold production secrets: scheduled jobs, outgoing
    mail servers, payment providers, webhooks, API keys. Return a line (or a list of lines) saying
    what was turned off, for the command's output; raising removes the copy.
    """


# -- module lifecycle (called inside the operation's transaction) -----------------------------
# Only implementations of modules installed in the tenant take part (core's own plugins always
# do); for install and upgrade that is the module set after the operation, for uninstall the
# set before it. A hook raising makes the whole operation roll back.


@hookspec
def fullfinity_pre_install(env: Environment, module: str) -> Any:
    """Module ``module`` is about to be installed in ``env.tenant`` (may be async).

    Called once per module being installed, in install order, after the new registry is built
    and before the schema is synced: ``env`` (elevated, bound to the new registry) can read
    existing tables but the module's own tables may not exist yet. The return value is ignored.
    """


@hookspec
def fullfinity_post_install(env: Environment, module: str) -> Any:
    """Module ``module`` was installed in ``env.tenant`` (may be async).

    Called once per installed module, in install order, after the schema sync, the data files of
    every module of the operation and the module state are written, before the commit. ``env``
    is elevated and bound to the new registry. The return value is ignored.
    """


@hookspec
def fullfinity_pre_upgrade(env: Environment, module: str, from_version: str, to_version: str) -> Any:
    """Module ``module`` is about to be upgraded from ``from_version`` to ``to_version`` (may be async).

    Called once per upgraded module, in install order, before the schema sync, with an elevated
    ``env`` bound to the new registry. ``from_version`` may equal ``to_version`` (``upgrade all``).
    The return value is ignored.
    """


@hookspec
def fullfinity_post_upgrade(env: Environment, module: str, from_version: str, to_version: str) -> Any:
    """Module ``module`` was upgraded from ``from_version`` to ``to_version`` (may be async).

    Called once per upgraded module, in install order, after the schema sync, the re-applied
    data files and the new versions are written, before the commit. The return value is ignored.
    """


@hookspec
def fullfinity_pre_uninstall(env: Environment, module: str) -> Any:
    """Module ``module`` is about to be uninstalled from ``env.tenant`` (may be async).

    Called once per module being uninstalled, dependents first, before its data records are
    removed; ``env`` is elevated and bound to the registry the tenant had before the operation,
    so the module's models are still there. The return value is ignored.
    """


@hookspec
def fullfinity_post_uninstall(env: Environment, module: str) -> Any:
    """Module ``module`` was uninstalled from ``env.tenant`` (may be async).

    Called once per uninstalled module, dependents first, after its records were removed and the
    module state written, before the commit; ``env`` is bound to the new registry (without the
    module's models). The return value is ignored.
    """
