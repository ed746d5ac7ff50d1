"""Scheduled jobs: core's job, runs recorded, failures rolled back and stored, stuck jobs reset,
the scheduler inside the server, and three scheduler processes running each due time once."""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import os
import signal
import subprocess
import sys
import uuid
from pathlib import Path

import pytest_asyncio
from tests.reliability.conftest import running_site

from fullfinity.cron import Scheduler
from fullfinity.scripting import registry_for_tenant, tenant_env

FULLFINITY_SCRIPT = Path(sys.executable).with_name("fullfinity")
PURGE = "core_cron_purge_sessions"


@pytest_asyncio.fixture(loop_scope="session")
async def tenant_site(rel_settings):
    async with running_site(rel_settings) as site:
        yield site


async def _sql(site, query: str, *args):
    info = await site.runtime.catalog.get(site.tenant)
    async with site.runtime.db.connection(info.server, info.database) as conn:
        return await conn.fetch(query, *args)


async def _job(site, name: str):
    rows = await _sql(
        site,
        "SELECT j.* FROM cron_job j JOIN ff_identifier i ON i.res_id = j.id AND i.model = 'CronJob' "
        "WHERE i.identifier = $1",
        name,
    )
    return rows[0]


async def test_core_purges_expired_sessions_on_its_schedule_and_records_the_run(tenant_site):
    site = tenant_site
    uid = (await _sql(site, "SELECT id FROM \"user\" WHERE email = 'boss@example.test'"))[0]["id"]
    old = dt.datetime.now(dt.UTC) - dt.timedelta(days=3)
    async with tenant_env(site.tenant, runtime=site.runtime) as env:
        await env["AuthSession"].create(user=uid, family="old-" + uuid.uuid4().hex, refresh_jti="x", expires_at=old)
    before = await _job(site, PURGE)
    assert before["status"] == "Scheduled" and before["next_run"] is None and before["frequency_unit"] == "Hours"

    outcomes = await Scheduler(site.runtime).run_once()

    assert any(o.tenant == site.tenant and o.job == before["name"] and o.ok for o in outcomes)
    assert await _sql(site, "SELECT id FROM auth_session WHERE family LIKE 'old-%'") == []
    after = await _job(site, PURGE)
    assert after["status"] == "Scheduled" and after["last_error"] is None
    assert after["next_run"] - after["last_run"] == dt.timedelta(hours=1)
    runs = await _sql(site, "SELECT state, worker FROM cron_run WHERE job_id = $1", after["id"])
    assert [r["state"] for r in runs] == ["done"] and runs[0]["worker"].endswith(f":{os.getpid()}")
    assert await Scheduler(site.runtime).run_once() == []  # not due again for an hour


async def test_a_failing_job_rolls_back_its_work_stores_the_error_and_still_advances(tenant_site):
    site = tenant_site
    info = await site.runtime.catalog.get(site.tenant)
    contact = (await registry_for_tenant(site.runtime, info)).get("Contact")

    async def cron_explode(cls):
        await cls.create(name="written by a failing job")
        raise RuntimeError("the job broke half-way")

    contact.cron_explode = classmethod(cron_explode)
    try:
        async with tenant_env(site.tenant, runtime=site.runtime) as env:
            job = await env["CronJob"].create(
                name="Explode", model="Contact", method="cron_explode", frequency=5, frequency_unit="Minutes"
            )
        outcomes = await Scheduler(site.runtime).run_once()
    finally:
        del contact.cron_explode
    assert [o.ok for o in outcomes if o.job == "Explode"] == [False]
    assert await _sql(site, "SELECT id FROM contact WHERE name = 'written by a failing job'") == []
    row = (await _sql(site, "SELECT * FROM cron_job WHERE id = $1", job.id))[0]
    assert "RuntimeError: the job broke half-way" in row["last_error"]
    assert row["status"] == "Scheduled" and row["next_run"] - row["last_run"] == dt.timedelta(minutes=5)
    run = (await _sql(site, "SELECT state, error FROM cron_run WHERE job_id = $1", job.id))[0]
    assert run["state"] == "failed" and "the job broke half-way" in run["error"]


async def test_a_job_naming_a_missing_method_fails_with_a_message_saying_what_to_define(tenant_site):
    site = tenant_site
    async with tenant_env(site.tenant, runtime=site.runtime) as env:
        job = await env["CronJob"].create(name="Typo", model="Contact", method="cron_nothing")
    await Scheduler(site.runtime).run_once()
    row = (await _sql(site, "SELECT last_error FROM cron_job WHERE id = $1", job.id))[0]
    assert "model Contact has no method 'cron_nothing'" in row["last_error"]
    assert "async def cron_nothing(cls)" in row["last_error"]


async def test_a_job_stuck_in_running_is_reset_after_the_timeout_and_runs_again(tenant_site):
    site = tenant_site
    job = await _job(site, PURGE)
    await _sql(
        site,
        "UPDATE cron_job SET status = 'Running', started_at = now() - interval '2 hours', next_run = NULL "
        "WHERE id = $1",
        job["id"],
    )
    outcomes = await Scheduler(site.runtime, timeout=3600).run_once()
    assert [o.ok for o in outcomes if o.tenant == site.tenant and o.job == job["name"]] == [True]
    assert (await _job(site, PURGE))["status"] == "Scheduled"


async def test_the_scheduler_runs_inside_the_server_with_fullfinity_cron(rel_settings):
    async with running_site(rel_settings, cron=True, cron_interval=0.1) as site:
        for _ in range(100):
            if (await _job(site, PURGE))["last_run"] is not None:
                break
            await asyncio.sleep(0.05)
        assert (await _job(site, PURGE))["last_run"] is not None


async def test_three_scheduler_processes_run_a_job_due_every_second_once_per_due_time(
    tenant_site, rel_settings, tmp_path
):
    site = tenant_site
    job = await _job(site, PURGE)
    await _sql(site, "UPDATE cron_job SET active = false WHERE id = $1", job["id"])
    await _sql(site, "DELETE FROM cron_run WHERE job_id = $1", job["id"])
    env = {
        **os.environ,
        "FULLFINITY_DATABASE_URL": rel_settings.database_url,
        "FULLFINITY_CATALOG_DB": rel_settings.catalog_db,
        "FULLFINITY_DB_PREFIX": rel_settings.db_prefix,
        "FULLFINITY_DATA_DIR": str(rel_settings.data_dir),
    }
    logs = [tmp_path / f"cron-{i}.log" for i in range(3)]
    schedulers = []
    for log in logs:
        with log.open("w") as out:
            schedulers.append(
                subprocess.Popen(
                    [str(FULLFINITY_SCRIPT), "cron", "--interval", "0.1"],
                    env=env,
                    stdin=subprocess.DEVNULL,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                )
            )
    try:
        for _ in range(200):  # every process polling before the job becomes due
            if all("Scheduler polling" in log.read_text() for log in logs):
                break
            await asyncio.sleep(0.05)
        await _sql(
            site,
            "UPDATE cron_job SET active = true, frequency = 1, frequency_unit = 'Seconds', next_run = NULL, "
            "status = 'Scheduled' WHERE id = $1",
            job["id"],
        )
        await asyncio.sleep(6)
    finally:
        for process in schedulers:
            process.send_signal(signal.SIGTERM)
        codes = [await asyncio.to_thread(process.wait, 20) for process in schedulers]
    assert codes == [0, 0, 0], [log.read_text()[-2000:] for log in logs]
    runs = await _sql(
        site,
        "SELECT scheduled_for, started_at, finished_at, worker FROM cron_run WHERE job_id = $1 ORDER BY started_at",
        job["id"],
    )
    workers = len({r["worker"] for r in runs})
    print(f"\n3 schedulers, job due every second, 6 s: {len(runs)} runs by {workers} processes")
    assert 5 <= len(runs) <= 7
    due_times = [r["scheduled_for"] for r in runs]
    assert len(set(due_times)) == len(due_times), "a due time was run twice"
    for earlier, later in itertools.pairwise(runs):
        assert later["started_at"] >= earlier["finished_at"], "two runs of the job overlapped"
        assert later["started_at"] - earlier["started_at"] >= dt.timedelta(seconds=0.99)


async def test_a_slow_job_of_one_tenant_does_not_hold_back_the_jobs_of_another(tenant_site, rel_settings):
    slow_site = tenant_site
    info = await slow_site.runtime.catalog.get(slow_site.tenant)
    contact = (await registry_for_tenant(slow_site.runtime, info)).get("Contact")
    finished: list[str] = []

    async def cron_slow(cls):
        await asyncio.sleep(3)
        finished.append("slow")

    async def cron_quick(cls):
        finished.append("quick")

    contact.cron_slow, contact.cron_quick = classmethod(cron_slow), classmethod(cron_quick)
    try:
        async with running_site(rel_settings) as quick_site:
            for site, method, unit in ((slow_site, "cron_slow", "Hours"), (quick_site, "cron_quick", "Seconds")):
                async with tenant_env(site.tenant, runtime=site.runtime) as env:
                    await env["CronJob"].create(name=method, model="Contact", method=method, frequency_unit=unit)
            scheduler = Scheduler(slow_site.runtime, interval=0.1)
            running = asyncio.create_task(scheduler.run_forever())
            await asyncio.sleep(2.5)
            assert "slow" not in finished and finished.count("quick") >= 2, finished
            scheduler.stop()
            await asyncio.wait_for(running, 10)  # stopping waits for the slow job
            assert "slow" in finished
    finally:
        del contact.cron_slow, contact.cron_quick
