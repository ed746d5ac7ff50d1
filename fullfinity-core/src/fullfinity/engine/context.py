"""``env_ctx``: the environment bound to the current task (request, script, cron run)."""

from __future__ import annotations

from contextvars import ContextVar
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fullfinity.engine.env import Environment

__all__ = ["current_env", "env_ctx"]

env_ctx: ContextVar[Environment] = ContextVar("fullfinity_env")


def current_env() -> Environment:
    """The bound environment, or a RuntimeError saying how to get one."""
    try:
        return env_ctx.get()
    except LookupError:
        raise RuntimeError(
            "No Fullfinity environment is active. ORM calls need one: inside a request it is set for "
            "you; in scripts and tests use `async with fullfinity.tenant_env('<tenant>') as env:`."
        ) from None
