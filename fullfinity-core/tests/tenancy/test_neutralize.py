"""``fullfinity tenant clone SOURCE NAME --neutralize``: a staging copy that runs no scheduled job
and accepts none of the original's sessions or API keys; the original keeps all of them."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
import pytest_asyncio

from fullfinity.auth.api_keys import create_api_key
from fullfinity.scripting import tenant_env
from fullfinity.tenancy.service import create_tenant, drop_tenant
from fullfinity.testing.auth import PASSWORD, add_user


@pytest_asyncio.fixture(loop_scope="session")
async def source(ff_runtime):
    """A tenant with active scheduled jobs, an open login session and an API key."""
    info = await create_tenant(ff_runtime.db, ff_runtime.catalog, f"neu-{uuid.uuid4().hex[:8]}")
    uid = await add_user(ff_runtime, info.name, "boss@example.test", PASSWORD, ["core_admin"])
    async with tenant_env(info.name, runtime=ff_runtime) as env:
        await env["CronJob"].create(name="Send the newsletter", model="Contact", method="cron_newsletter")
        await env["AuthSession"].create(
            user=uid, family=uuid.uuid4().hex, refresh_jti=uuid.uuid4().hex,
            expires_at=dt.datetime.now(dt.UTC) + dt.timedelta(days=7),
        )  # fmt: skip
        await create_api_key(env, uid, "integration")
    names = [info.name]
    yield info, names
    for name in names:
        if await ff_runtime.catalog.get(name) is not None:
            await drop_tenant(ff_runtime.db, ff_runtime.catalog, name)


async def secrets_of(runtime, tenant: str) -> dict[str, object]:
    async with tenant_env(tenant, runtime=runtime) as env:
        return {
            "active_jobs": await env.fetchval("SELECT count(*) FROM cron_job WHERE active"),
            "jobs": await env.fetchval("SELECT count(*) FROM cron_job"),
            "live_sessions": await env.fetchval("SELECT count(*) FROM auth_session WHERE revoked IS NOT TRUE"),
            "live_keys": await env.fetchval(
                "SELECT count(*) FROM api_key WHERE expires_at IS NULL OR expires_at > now()"
            ),
        }


@pytest.mark.parametrize("fast", [False, True], ids=["dump-restore", "fast"])
async def test_a_neutralized_clone_runs_no_job_and_accepts_no_session_or_api_key_of_the_source(
    ff_runtime, source, run_cli, fast
):
    info, names = source
    copy = f"neu-{uuid.uuid4().hex[:8]}"
    names.append(copy)

    result = run_cli("tenant", "clone", info.name, copy, "--neutralize", *(["--fast"] if fast else []))

    assert result.returncode == 0, result.stderr + result.stdout
    # --fast terminated the source's connections, those of this process's pool too: open fresh ones.
    await ff_runtime.db.pools.close_pool(info.server, info.database)
    before = await secrets_of(ff_runtime, info.name)
    after = await secrets_of(ff_runtime, copy)
    assert before["active_jobs"] == before["jobs"] >= 2 and before["live_sessions"] == before["live_keys"] == 1
    assert after == {"active_jobs": 0, "jobs": before["jobs"], "live_sessions": 0, "live_keys": 0}
    assert f"Neutralized: {before['jobs']} scheduled job(s) deactivated" in result.stdout
    assert "Neutralized: 1 login session(s) revoked" in result.stdout
    assert "Neutralized: 1 API key(s) expired" in result.stdout


async def test_a_clone_without_neutralize_keeps_the_jobs_active(ff_runtime, source, run_cli):
    info, names = source
    copy = f"neu-{uuid.uuid4().hex[:8]}"
    names.append(copy)

    result = run_cli("tenant", "clone", info.name, copy, "--fast")

    assert result.returncode == 0, result.stderr + result.stdout
    assert (await secrets_of(ff_runtime, copy))["active_jobs"] >= 2
    assert "Neutralized" not in result.stdout
