"""The automatic probability: the formula on the worked example of docs/crm.md, the history kept
by every write, the batch recompute and the recompute on a stage change."""

from __future__ import annotations

from decimal import Decimal

import pytest

from fullfinity_crm.models._scoring import History, probability

# The worked example (docs/crm.md): stages New(1) Qualified(2) Proposition(3); 4 won leads
# (team A: 3, team B: 1; 2 of them tagged vip), 4 lost ones (New: 2, Qualified: 1,
# Proposition: 1; team A: 1, team B: 3; none tagged vip).
NEW, QUALIFIED, PROPOSITION, A, B, VIP = 1, 2, 3, 10, 20, 30
EXAMPLE = History(
    won=4,
    lost=4,
    lost_in_stage={NEW: 2, QUALIFIED: 1, PROPOSITION: 1},
    teams={A: (3, 1), B: (1, 3)},
    tags={VIP: (2, 0)},
    stage_order={NEW: (1, NEW), QUALIFIED: (2, QUALIFIED), PROPOSITION: (3, PROPOSITION)},
)


@pytest.mark.parametrize(
    ("stage", "team", "tags", "expected"),
    [
        (QUALIFIED, A, [VIP], "90.91"),  # 60/66
        (NEW, None, [], "50.00"),  # every lost lead reached New: no information
        (PROPOSITION, B, [], "55.56"),  # 10/18
        (PROPOSITION, A, [VIP], "93.75"),  # 60/64
    ],
)
def test_the_formula_on_the_worked_example(stage, team, tags, expected):
    assert probability(EXAMPLE, stage, team, tags) == Decimal(expected)


def test_without_any_history_the_probability_is_50():
    assert probability(History(), None, None, []) == Decimal("50.00")


def test_an_automatic_probability_never_reaches_0_or_100():
    lopsided = History(won=10_000, lost=0, teams={A: (10_000, 0)}, stage_order={NEW: (1, NEW)})
    assert probability(lopsided, NEW, A, []) == Decimal("99.99")
    hopeless = History(
        won=0, lost=10_000, lost_in_stage={NEW: 10_000}, teams={A: (0, 10_000)}, stage_order={NEW: (1, NEW)}
    )
    assert probability(hopeless, NEW, A, []) == Decimal("0.01")


# -- on the database --------------------------------------------------------------------------------


async def example_world(env):
    """The worked example with real records; returns ids by role."""
    with env.with_context(active_test=False):
        await env["CrmLead"].filter().delete()
    stages = {s.name: s.id for s in await env["CrmStage"].filter()}
    team_a = (await env["CrmTeam"].create(name="Team A")).id
    team_b = (await env["CrmTeam"].create(name="Team B")).id
    vip = (await env["CrmTag"].get_or_create(name="vip-example"))[0].id
    lead = env["CrmLead"]
    for team, tags in [(team_a, [vip]), (team_a, [vip]), (team_a, []), (team_b, [])]:
        await (await lead.create(name="won", team=team, tags=tags, lead_type="opportunity")).action_set_won()
    for stage, team in [("New", team_a), ("New", team_b), ("Qualified", team_b), ("Proposition", team_b)]:
        await (await lead.create(name="lost", team=team, stage=stages[stage])).action_set_lost()
    return stages, team_a, team_b, vip


async def test_the_batch_recompute_gives_the_worked_example_figures(crm):
    async with crm.env() as env:
        stages, team_a, team_b, vip = await example_world(env)
        x = await env["CrmLead"].create(name="X", team=team_a, tags=[vip], stage=stages["Qualified"],
                                        expected_revenue="1000.05")  # fmt: skip
        y = await env["CrmLead"].create(name="Y", team=None, stage=stages["New"], expected_revenue="0.05")
        z = await env["CrmLead"].create(name="Z", team=team_b, stage=stages["Proposition"])
        await env.execute(
            "UPDATE crm_lead SET automated_probability = 1, probability = 1, prorated_revenue = 0 "
            "WHERE won_status = 'pending'"
        )
        assert await env["CrmLead"].recompute_probabilities() == {"updated": 3}
        found = {
            r.name: (r.probability, r.prorated_revenue) for r in await env["CrmLead"].filter(id__in=[x.id, y.id, z.id])
        }
    # prorated: 1000.05 x 90.91% = 909.145455 -> 909.15; 0.05 x 50% = 0.025 -> 0.03 (half up)
    assert found == {"X": (90.91, Decimal("909.15")), "Y": (50.0, Decimal("0.03")), "Z": (55.56, Decimal("0.00"))}


async def test_a_new_lead_and_a_stage_change_get_the_probability_at_once(crm):
    async with crm.env() as env:
        stages, team_a, _, vip = await example_world(env)
        x = await env["CrmLead"].create(name="X", team=team_a, tags=[vip], stage=stages["Qualified"])
        created = x.probability
        x.stage = stages["Proposition"]
        await x.save()
        moved = await env["CrmLead"].get(x.id)
    assert (created, moved.probability, moved.automated_probability) == (90.91, 93.75, 93.75)


async def test_the_batch_recompute_keeps_a_probability_set_by_hand(crm):
    async with crm.env() as env:
        stages, team_a, _, vip = await example_world(env)
        manual = await env["CrmLead"].create(name="M", team=team_a, tags=[vip], stage=stages["Qualified"])
        manual.probability = 12
        await manual.save()
        await env["CrmLead"].recompute_probabilities()
        after = await env["CrmLead"].get(manual.id)
    assert (after.probability, after.automated_probability, after.is_automated_probability) == (12.0, 90.91, False)
    assert after.prorated_revenue == Decimal("0.00")


async def test_the_history_kept_by_writes_equals_the_history_recounted_from_the_leads(crm):
    from fullfinity_crm.models._scoring import rebuild_history

    async with crm.env() as env:
        _, team_a, team_b, vip = await example_world(env)
        lead = env["CrmLead"]
        moving = await lead.create(name="moving", team=team_a, tags=[vip])
        await moving.action_set_won()
        await (await lead.get(moving.id)).action_restore()  # back out of the history
        edited = await lead.create(name="edited", team=team_b)
        await edited.action_set_lost()
        lost = await lead.get(edited.id)
        lost.team = team_a  # a closed lead changing team moves its counts
        lost.tags = [["L", vip]]
        await lost.save()
        await (await lead.filter(name="won").first()).delete()  # a deleted won lead leaves the history
        query = "SELECT variable, value, won_count, lost_count FROM crm_lead_scoring_frequency"
        kept = {(r[0], r[1]): (r[2], r[3]) for r in await env.fetch(query) if r[2] or r[3]}
        await rebuild_history(env)
        recounted = {(r[0], r[1]): (r[2], r[3]) for r in await env.fetch(query)}
    assert kept == recounted
    assert recounted[("all", 0)] == (3, 5) and recounted[("team", team_a)][1] == 2


async def test_recomputing_is_for_sales_managers_over_the_api(crm):
    await crm.user("prob_manager", groups=("crm_manager",))
    await crm.user("prob_seller")
    allowed = await crm.execute("CrmLead", "recompute_probabilities", "prob_manager")
    refused = await crm.execute("CrmLead", "recompute_probabilities", "prob_seller")
    assert allowed.status_code == 200 and set(allowed.json()["result"]) == {"updated"}
    assert refused.status_code in (403, 404)
