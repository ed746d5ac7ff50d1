"""The invariants of business.md 5 hold after any sequence of workflow steps and writes
(property-based: hypothesis draws the sequences; every step runs against PostgreSQL):

- probability in [0, 100];
- won stage <=> probability 100 with date_closed set (and open => below 100, no date_closed);
- lost => probability 0 and archived;
- prorated revenue = round_half_up(expected x probability / 100, 2);
- the won/lost history kept by the writes equals the history recounted from the leads.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fullfinity.engine.base import UserError, ValidationError
from fullfinity_crm.models._scoring import rebuild_history

STEPS = st.lists(
    st.one_of(
        st.tuples(st.just("won")),
        st.tuples(st.just("lost")),
        st.tuples(st.just("restore")),
        st.tuples(st.just("stage"), st.sampled_from(["New", "Qualified", "Proposition", "Won"])),
        st.tuples(st.just("probability"), st.decimals(min_value=0, max_value=100, places=2)),
        st.tuples(st.just("revenue"), st.decimals(min_value=0, max_value=10**9, places=2)),
        st.tuples(st.just("archive"), st.booleans()),
        st.tuples(st.just("reset")),
    ),
    min_size=1,
    max_size=8,
)


async def check(env, lead_id):
    with env.with_context(active_test=False):
        lead = (
            await env["CrmLead"]
            .with_fields(
                "stage", "active", "probability", "date_closed", "expected_revenue", "prorated_revenue", "won_status"
            )
            .filter(id=lead_id)
            .get()
        )
        won_stage = (await env["CrmStage"].get(lead.stage.id)).is_won
    assert 0 <= lead.probability <= 100
    won = lead.active and won_stage
    assert won == (lead.probability == 100 and lead.date_closed is not None)
    if not lead.active:
        assert lead.probability == 0 and lead.date_closed is not None and lead.won_status == "lost"
    if lead.active and not won_stage:
        assert lead.probability < 100 and lead.date_closed is None and lead.won_status == "pending"
    expected = (Decimal(lead.expected_revenue or 0) * Decimal(repr(lead.probability)) / 100).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP
    )
    assert lead.prorated_revenue == expected


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=STEPS)
async def test_the_invariants_hold_after_any_sequence_of_steps(crm, steps):
    async with crm.env() as env:
        stages = {s.name: s.id for s in await env["CrmStage"].filter()}
        lead = await env["CrmLead"].create(name="property", lead_type="opportunity", expected_revenue="1000")
        for step in steps:
            with env.with_context(active_test=False):
                record = await env["CrmLead"].get(lead.id)
            try:
                async with env.transaction():
                    if step[0] == "won":
                        await record.action_set_won()
                    elif step[0] == "lost":
                        await record.action_set_lost()
                    elif step[0] == "restore":
                        await record.action_restore()
                    elif step[0] == "reset":
                        await record.action_reset_probability()
                    else:
                        name = {"stage": "stage", "probability": "probability", "revenue": "expected_revenue",
                                "archive": "active"}[step[0]]  # fmt: skip
                        value = stages[step[1]] if step[0] == "stage" else step[1]
                        setattr(record, name, float(value) if step[0] == "probability" else value)
                        await record.save()
            except (UserError, ValidationError):
                pass  # a refused step changes nothing; the invariants must still hold
            await check(env, lead.id)
        query = "SELECT variable, value, won_count, lost_count FROM crm_lead_scoring_frequency"
        kept = {(r[0], r[1]): (r[2], r[3]) for r in await env.fetch(query) if r[2] or r[3]}
        await rebuild_history(env)
        assert {(r[0], r[1]): (r[2], r[3]) for r in await env.fetch(query)} == kept
