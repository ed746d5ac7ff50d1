"""Which module owns a scheduled job (``CronJob.module``), so that uninstalling it removes its jobs.

A job declared in a module's data file belongs to that module (its identifier records the module);
it is stamped after each install and upgrade. Before a module is uninstalled, its jobs are deleted,
and so are jobs without an owner that call a model the module defines (created by hand or by code):
once the module is gone they could only fail.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fullfinity.engine.records.definitions import all_entries
from fullfinity.engine.records.identifiers import TABLE as IDENTIFIERS
from fullfinity.plugins import hookimpl

if TYPE_CHECKING:
    from fullfinity.engine.env import Environment

_STAMP = f"""
UPDATE cron_job AS job SET module = ident.module
FROM {IDENTIFIERS} AS ident
WHERE ident.model = 'CronJob' AND ident.res_id = job.id AND job.module IS DISTINCT FROM ident.module
"""


async def stamp_owners(env: Environment) -> None:
    """Set ``module`` on every job declared in a data file to the module of that file."""
    if "CronJob" in env.registry:
        await env.flush()
        await env.execute(_STAMP)


async def remove_jobs_of(env: Environment, module: str) -> int:
    """Delete the jobs ``module`` owns, and the ownerless ones calling its models; how many."""
    if "CronJob" not in env.registry:
        return 0
    own_models = sorted({e.name for e in all_entries() if e.owner == module and e.inherit is None})
    jobs = env["CronJob"]
    with env.with_context(active_test=False):
        ids = set(await jobs.filter(module=module).order_by().distinct_values("id"))
        if own_models:
            ownerless = jobs.filter(module__isnull=True, model__in=own_models)
            ids.update(await ownerless.order_by().distinct_values("id"))
    if ids:
        await jobs.browse(sorted(ids)).delete()
    return len(ids)


@hookimpl
async def fullfinity_post_install(env: Environment, module: str) -> None:
    await stamp_owners(env)


@hookimpl
async def fullfinity_post_upgrade(env: Environment, module: str, from_version: str, to_version: str) -> None:
    await stamp_owners(env)


@hookimpl
async def fullfinity_pre_uninstall(env: Environment, module: str) -> Any:
    await remove_jobs_of(env, module)
