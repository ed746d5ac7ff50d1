"""``fullfinity shell --tenant NAME``: an asyncio REPL with an environment bound.

Top-level ``await`` works. The session runs in one transaction: ``await commit()`` and
``await rollback()`` end it and start a new one; leaving the shell rolls back whatever was
not committed. Names available: ``env``, ``get_model``, ``Q``, ``D``, ``commit``, ``rollback``.
"""

from __future__ import annotations

import ast
import asyncio
import code
import inspect
import sys
import types
from typing import Annotated, Any

import typer

from fullfinity.cli._common import console, fail
from fullfinity.exceptions import FullfinityError
from fullfinity.plugins import hookimpl


class AsyncConsole(code.InteractiveConsole):
    """An InteractiveConsole that accepts top-level ``await`` and runs it on ``loop``."""

    def __init__(self, namespace: dict[str, Any], loop: asyncio.AbstractEventLoop) -> None:
        super().__init__(namespace)
        self.loop = loop
        self.compile.compiler.flags |= ast.PyCF_ALLOW_TOP_LEVEL_AWAIT

    def runcode(self, codeobj: types.CodeType) -> None:
        func = types.FunctionType(codeobj, self.locals)
        try:
            result = func()
            if inspect.iscoroutine(result):
                self.loop.run_until_complete(result)
        except SystemExit:
            raise
        except BaseException:
            self.showtraceback()


def shell(
    tenant: Annotated[str, typer.Option(help="Tenant to open.")],
    user: Annotated[int | None, typer.Option(help="Run as this user id (default: system, elevated).")] = None,
) -> None:
    """Open an asyncio Python shell with an environment on TENANT."""
    from fullfinity.engine.env import Environment
    from fullfinity.engine.Q import Q
    from fullfinity.engine.qlang.dates import D
    from fullfinity.exceptions import TenantNotFound
    from fullfinity.runtime import Runtime
    from fullfinity.scripting import registry_for_tenant

    runtime = Runtime()
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    try:
        runtime.start()
        info = loop.run_until_complete(runtime.catalog.get(tenant))
        if info is None:
            raise TenantNotFound(f"Tenant '{tenant}' does not exist. `fullfinity tenant list` shows the tenants.")
        registry = loop.run_until_complete(registry_for_tenant(runtime, info))
        conn = loop.run_until_complete(
            runtime.db.pools.acquire(info.server, info.database, runtime.db.dsn(info.server, info.database))
        )
        state: dict[str, Any] = {"tx": conn.transaction()}
        loop.run_until_complete(state["tx"].start())
        env = Environment(tenant=info.name, registry=registry, conn=conn, uid=user, cache=runtime.cache)
        loop.run_until_complete(env.load_access())

        async def commit() -> None:
            await env.flush()
            await state["tx"].commit()
            await env.committed()
            state["tx"] = conn.transaction()
            await state["tx"].start()
            console.print("committed")

        async def rollback() -> None:
            await state["tx"].rollback()
            env.rolled_back()
            state["tx"] = conn.transaction()
            await state["tx"].start()
            console.print("rolled back")

        namespace = {
            "env": env,
            "get_model": env.get_model,
            "Q": Q,
            "D": D,
            "commit": commit,
            "rollback": rollback,
            "asyncio": asyncio,
        }
        banner = (
            f"Fullfinity shell on tenant '{tenant}' ({len(registry)} models, modules: "
            f"{', '.join(registry.modules)}). Top-level await works; `await commit()` saves, "
            f"leaving rolls back. Ctrl-D to exit."
        )
        with env.bind():
            AsyncConsole(namespace, loop).interact(banner=banner, exitmsg="")
        if conn.is_in_transaction():
            loop.run_until_complete(state["tx"].rollback())
            console.print("Uncommitted changes rolled back.")
        loop.run_until_complete(runtime.db.pools.release(conn))
        loop.run_until_complete(runtime.close())
    except FullfinityError as exc:
        fail(exc)
    finally:
        loop.close()
        runtime.db.stop_embedded()
    sys.stdout.flush()


@hookimpl
def fullfinity_register_commands(cli: typer.Typer) -> None:
    cli.command("shell")(shell)
