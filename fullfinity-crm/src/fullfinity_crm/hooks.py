"""The CRM's hook implementations (registered automatically for tenants where it is installed)."""

from __future__ import annotations

from fullfinity import hookimpl
from fullfinity.engine.env import Environment

from .models._scoring import recompute_all

#: Room left in each page of the leads' table: a probability or stage update then writes the new
#: row version in the same page without touching the table's dozen indexes (a HOT update), which
#: makes the batch recompute of 70,000 open leads about four times faster (docs/benchmarks.md).
LEAD_FILLFACTOR = 70


async def _tune_tables(env: Environment) -> None:
    table = env.get_model("CrmLead")._table
    await env.execute(f'ALTER TABLE "{table}" SET (fillfactor = {LEAD_FILLFACTOR})')


@hookimpl
async def fullfinity_post_install(env: Environment, module: str) -> None:
    """Once the CRM's data (and demo data) is in: tune the leads' table, learn the probabilities."""
    if module == "crm":
        await _tune_tables(env)
        await recompute_all(env)


@hookimpl
async def fullfinity_post_upgrade(env: Environment, module: str, from_version: str, to_version: str) -> None:
    """Tenants installed before the table was tuned get it at their next upgrade."""
    if module == "crm":
        await _tune_tables(env)
