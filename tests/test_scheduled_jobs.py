"""Modules' scheduled jobs come from their data files and run: CRM's probability recompute and
inventory's replenishment from reorder rules, next to core's session purge."""

from __future__ import annotations

import uuid

from fullfinity.cron import Scheduler
from fullfinity.tenancy.service import create_tenant, drop_tenant


async def test_the_jobs_of_core_crm_and_inventory_are_declared_and_run(ff_runtime):
    name = "cron" + uuid.uuid4().hex[:8]
    info = await create_tenant(ff_runtime.db, ff_runtime.catalog, name, modules=["crm", "inventory"])
    try:
        outcomes = [o for o in await Scheduler(ff_runtime).run_once() if o.tenant == name]
        async with ff_runtime.db.connection(info.server, info.database) as conn:
            jobs = await conn.fetch("SELECT model, method, last_error, next_run > last_run AS later FROM cron_job")
    finally:
        await drop_tenant(ff_runtime.db, ff_runtime.catalog, name)

    by_method = {row["method"]: row for row in jobs}
    assert set(by_method) == {"cron_purge_sessions", "recompute_probabilities", "cron_replenish"}
    assert {(o.job, o.ok) for o in outcomes} == {
        ("Purge expired and revoked login sessions", True),
        ("Recompute lead probabilities from the won/lost history", True),
        ("Replenish from reorder rules", True),
    }, [o.error for o in outcomes if not o.ok]
    assert all(row["last_error"] is None and row["later"] for row in jobs)


async def test_a_job_belongs_to_the_module_declaring_it_and_uninstalling_the_module_removes_its_jobs(ff_runtime):
    from fullfinity.installer import uninstall_modules
    from fullfinity.scripting import tenant_env

    name = "cronmod" + uuid.uuid4().hex[:8]
    info = await create_tenant(ff_runtime.db, ff_runtime.catalog, name, modules=["crm"])
    try:
        async with tenant_env(name, runtime=ff_runtime) as env:
            owners = {job.method: job.module for job in await env["CronJob"].with_fields("method", "module")}
            # Made by hand (no module): one calls a CRM model, one a core model.
            await env["CronJob"].create(name="Hand-made CRM job", model="CrmLead", method="recompute_probabilities")
            await env["CronJob"].create(name="Hand-made core job", model="AuthSession", method="cron_purge_sessions")
        await uninstall_modules(ff_runtime.db, info, ["crm"], with_dependents=True)
        async with tenant_env(name, runtime=ff_runtime) as env:
            left = sorted(job.name for job in await env["CronJob"].with_fields("name"))
    finally:
        await drop_tenant(ff_runtime.db, ff_runtime.catalog, name)

    assert owners == {"cron_purge_sessions": "core", "recompute_probabilities": "crm"}
    assert left == ["Hand-made core job", "Purge expired and revoked login sessions"]
