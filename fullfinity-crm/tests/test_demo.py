"""A demo tenant's CRM: two teams, six stages, about forty leads and opportunities with recent
dates, some won and some lost, probabilities learnt from them, salespeople who can log in."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest_asyncio

from fullfinity.scripting import tenant_env
from fullfinity.tenancy.service import create_tenant, drop_tenant
from fullfinity.testing.auth import login


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def demo(ff_runtime):
    info = await create_tenant(
        ff_runtime.db, ff_runtime.catalog, "crmdemo" + uuid.uuid4().hex[:8], modules=["crm"], demo=True
    )
    try:
        yield info
    finally:
        await drop_tenant(ff_runtime.db, ff_runtime.catalog, info.name)


async def test_the_demo_has_two_teams_six_stages_and_a_pipeline_with_won_and_lost_deals(ff_runtime, demo):
    async with tenant_env(demo.name, runtime=ff_runtime) as env:
        teams = await env["CrmTeam"].filter().count()
        stages = await env["CrmStage"].filter().count()
        with env.with_context(active_test=False):
            status = {g["won_status"]: g["__count"] for g in await env["CrmLead"].filter().group_by("won_status")}
            kinds = {g["lead_type"]: g["__count"] for g in await env["CrmLead"].filter().group_by("lead_type")}
    assert (teams, stages) == (2, 6)
    assert 35 <= sum(status.values()) <= 45 and status["won"] >= 5 and status["lost"] >= 5 and status["pending"] >= 20
    assert kinds["lead"] >= 5 and kinds["opportunity"] >= 20


async def test_demo_dates_are_relative_to_the_day_it_was_loaded(ff_runtime, demo):
    today = dt.datetime.now(dt.UTC).date()
    async with tenant_env(demo.name, runtime=ff_runtime) as env:
        with env.with_context(active_test=False):
            leads = await env["CrmLead"].with_fields("date_deadline", "date_closed", "won_status")
    deadlines = [lead.date_deadline for lead in leads if lead.date_deadline]
    closed = [lead.date_closed.date() for lead in leads if lead.won_status != "pending"]
    assert deadlines and all(abs((d - today).days) <= 120 for d in deadlines)
    assert any(d > today for d in deadlines) and any(d < today for d in deadlines)
    assert closed and all(0 <= (today - d).days <= 120 for d in closed)


async def test_demo_probabilities_are_learnt_from_the_demo_history(ff_runtime, demo):
    async with tenant_env(demo.name, runtime=ff_runtime) as env:
        open_leads = (
            await env["CrmLead"].with_fields("probability", "automated_probability").filter(won_status="pending")
        )
    assert all(0 < lead.probability < 100 and lead.probability == lead.automated_probability for lead in open_leads)
    assert len({lead.probability for lead in open_leads}) > 3


async def test_demo_salespeople_log_in_and_see_their_own_pipeline(ff_runtime, ff_client, demo):
    from fullfinity.testing.auth import on

    token = (await login(ff_client, demo.name, "sam.seller@demo.example.com", "demo-sales-password"))["access_token"]
    answer = await ff_client.post(
        "/api/query/CrmLead", json={"fields": ["salesperson"], "limit": 200}, headers=on(demo.name, token)
    )
    owners = {(r["salesperson"] or {}).get("display_name") for r in answer.json()["data"]}
    assert owners == {"Sam Seller", None}
    manager = await login(ff_client, demo.name, "mona.manager@demo.example.com", "demo-manager-password")
    assert manager["access_token"]


async def test_the_demo_administrator_has_open_opportunities_in_several_stages(ff_runtime, demo):
    """The Pipeline opens on "My pipeline": the administrator who logs in first sees a board."""
    async with tenant_env(demo.name, runtime=ff_runtime) as env:
        mine = (
            await env["CrmLead"]
            .with_fields("stage.name")
            .filter(salesperson__name="Administrator", lead_type="opportunity", won_status="pending")
        )
    assert len(mine) >= 3
    assert len({lead.stage.name for lead in mine}) >= 3
