"""The CRM's hook implementations (registered automatically for tenants where it is installed)."""

from __future__ import annotations

from fullfinity import hookimpl
from fullfinity.engine.env import Environment

from .models._scoring import recompute_all


@hookimpl
async def fullfinity_post_install(env: Environment, module: str) -> None:
    """Once the CRM's data (and demo data) is in, learn the probabilities from its history."""
    if module == "crm":
        await recompute_all(env)
