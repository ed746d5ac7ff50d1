"""Concurrent steps on the same leads from several connections: the states and the won/lost
history stay consistent, and a step that lost the race is refused like any step from a wrong state."""

from __future__ import annotations

import asyncio

from fullfinity.engine.base import UserError

HISTORY = "SELECT variable, value, won_count, lost_count FROM crm_lead_scoring_frequency"


async def history(env):
    return {(r[0], r[1]): (r[2], r[3]) for r in await env.fetch(HISTORY) if r[2] or r[3]}


async def test_won_and_lost_at_once_one_wins_the_other_is_refused_and_the_history_counts_one(crm):
    from fullfinity_crm.models._scoring import rebuild_history

    async with crm.env() as env:
        ids = [(await env["CrmLead"].create(name=f"race {i}", lead_type="opportunity")).id for i in range(6)]
    started = asyncio.Event()

    async def step(lead_id, method):
        async with crm.env() as env:
            lead = await env["CrmLead"].get(lead_id)
            await started.wait()
            try:
                await getattr(lead, method)()
            except UserError as refused:
                return str(refused)
            return "done"

    tasks = [asyncio.create_task(step(i, m)) for i in ids for m in ("action_set_won", "action_set_lost")]
    await asyncio.sleep(0.05)
    started.set()
    outcomes = await asyncio.gather(*tasks)
    async with crm.env() as env:
        with env.with_context(active_test=False):
            states = [r.won_status for r in await env["CrmLead"].filter(id__in=ids)]
        kept = await history(env)
        await rebuild_history(env)
        recounted = await history(env)
    assert outcomes.count("done") == 6 and all("only open leads" in o for o in outcomes if o != "done")
    assert sorted(states) != [] and set(states) <= {"won", "lost"}
    assert kept == recounted
