"""Won, lost and restore, and the invariants of business.md 5 they keep (one behaviour per test)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from fullfinity.engine.base import UserError, ValidationError


async def stage_id(env, name: str) -> int:
    return int((await env["CrmStage"].filter(name=name).get()).id)


async def lead_in(env, **values):
    values.setdefault("name", "Deal")
    values.setdefault("lead_type", "opportunity")
    return await env["CrmLead"].create(**values)


async def reload(env, lead):
    return await env["CrmLead"].get(lead.id)


# -- won ------------------------------------------------------------------------------------------------


async def test_marking_won_moves_to_the_won_stage_with_probability_100_and_a_closing_date(crm):
    async with crm.env() as env:
        lead = await lead_in(env, expected_revenue="2000")
        await lead.action_set_won()
        won = await reload(env, lead)
        won_stage = await stage_id(env, "Won")
    assert won.stage.id == won_stage
    assert (won.won_status, won.probability, won.prorated_revenue) == ("won", 100.0, Decimal("2000.00"))
    assert won.date_closed is not None and won.date_closed <= dt.datetime.now(dt.UTC)


async def test_moving_a_card_into_the_won_stage_wins_it(crm):
    async with crm.env() as env:
        lead = await lead_in(env)
        lead.stage = await stage_id(env, "Won")
        await lead.save()
        won = await reload(env, lead)
    assert (won.won_status, won.probability) == ("won", 100.0) and won.date_closed is not None


async def test_a_won_lead_refuses_another_probability(crm):
    async with crm.env() as env:
        lead = await lead_in(env)
        await lead.action_set_won()
        won = await reload(env, lead)
        won.probability = 60
        with pytest.raises(ValidationError) as refused:
            await won.save()
    assert refused.value.details[0]["path"] == "probability"


async def test_an_open_lead_refuses_probability_100(crm):
    async with crm.env() as env:
        lead = await lead_in(env)
        lead.probability = 100
        with pytest.raises(ValidationError) as refused:
            await lead.save()
    assert refused.value.details == [{"path": "probability", "message": refused.value.details[0]["message"]}]
    assert "mark it won" in refused.value.details[0]["message"]


async def test_leaving_the_won_stage_reopens_without_closing_date(crm):
    async with crm.env() as env:
        lead = await lead_in(env)
        await lead.action_set_won()
        won = await reload(env, lead)
        won.stage = await stage_id(env, "Qualified")
        await won.save()
        reopened = await reload(env, lead)
    assert reopened.won_status == "pending" and reopened.date_closed is None
    assert reopened.probability < 100 and reopened.is_automated_probability


async def test_winning_a_lost_or_won_lead_is_refused_and_changes_nothing(crm):
    async with crm.env() as env:
        lost = await lead_in(env, name="Lost one")
        await lost.action_set_lost()
        with pytest.raises(UserError, match=r"'Lost one' \(id \d+\) is lost"):
            await (await reload(env, lost)).action_set_won()
        assert (await reload(env, lost)).won_status == "lost"


async def test_a_stage_that_becomes_a_won_stage_wins_the_leads_in_it_and_back(crm):
    async with crm.env() as env:
        stage = await env["CrmStage"].create(name="Signed", sequence=50)
        lead = await lead_in(env, stage=stage.id)
        stage.is_won = True
        await stage.save()
        won = await reload(env, lead)
        stage.is_won = False
        await stage.save()
        reopened = await reload(env, lead)
        await lead.delete()
        await stage.delete()
    assert (won.won_status, won.probability) == ("won", 100.0) and won.date_closed is not None
    assert (reopened.won_status, reopened.date_closed) == ("pending", None) and reopened.probability < 100


# -- lost -----------------------------------------------------------------------------------------------


async def test_marking_lost_archives_with_probability_0_and_the_reason(crm):
    async with crm.env() as env:
        reason = await env["CrmLostReason"].filter(name="Too expensive").get()
        lead = await lead_in(env, expected_revenue="500")
        await lead.action_set_lost(lost_reason=reason.id)
        lost = await reload(env, lead)
    assert (lost.active, lost.won_status, lost.probability) == (False, "lost", 0.0)
    assert lost.lost_reason.id == reason.id and lost.prorated_revenue == Decimal("0.00")
    assert lost.date_closed is not None


async def test_archiving_a_lead_is_losing_it(crm):
    async with crm.env() as env:
        lead = await lead_in(env)
        lead.active = False
        await lead.save()
        lost = await reload(env, lead)
    assert (lost.won_status, lost.probability) == ("lost", 0.0) and lost.date_closed is not None


async def test_a_lost_lead_refuses_a_probability_above_0(crm):
    async with crm.env() as env:
        lead = await lead_in(env)
        await lead.action_set_lost()
        lost = await reload(env, lead)
        lost.probability = 10
        with pytest.raises(ValidationError) as refused:
            await lost.save()
    assert refused.value.details[0]["path"] == "probability"


async def test_an_unknown_lost_reason_is_a_validation_error_naming_it(crm):
    async with crm.env() as env:
        lead = await lead_in(env)
        with pytest.raises(ValidationError) as refused:
            await lead.action_set_lost(lost_reason=999_999)
        assert (await reload(env, lead)).active is True
    assert refused.value.details == [{"path": "lost_reason", "message": "no lost reason with id 999999"}]


async def test_losing_a_won_lead_is_refused(crm):
    async with crm.env() as env:
        lead = await lead_in(env, name="Won one")
        await lead.action_set_won()
        with pytest.raises(UserError, match="is won; only open leads can be marked lost"):
            await (await reload(env, lead)).action_set_lost()


# -- restore and round trips ----------------------------------------------------------------------------


async def test_lost_then_restored_is_open_again_with_its_automatic_probability(crm):
    async with crm.env() as env:
        lead = await lead_in(env, stage=await stage_id(env, "Proposition"))
        before = await reload(env, lead)
        await lead.action_set_lost()
        await (await reload(env, lead)).action_restore()
        after = await reload(env, lead)
    assert (after.active, after.won_status, after.date_closed, after.lost_reason) == (True, "pending", None, None)
    assert after.stage.id == before.stage.id
    assert after.probability == after.automated_probability == before.automated_probability


async def test_won_then_restored_goes_back_to_the_last_open_stage(crm):
    async with crm.env() as env:
        lead = await lead_in(env, stage=await stage_id(env, "New"))
        await lead.action_set_won()
        await (await reload(env, lead)).action_restore()
        after = await reload(env, lead)
        last_open = await stage_id(env, "Proposition")
    assert after.stage.id == last_open
    assert (after.won_status, after.date_closed) == ("pending", None) and after.probability < 100


async def test_restoring_an_open_lead_is_refused(crm):
    async with crm.env() as env:
        lead = await lead_in(env, name="Fresh")
        with pytest.raises(UserError, match=r"'Fresh' \(id \d+\) is open; only won or lost leads can be restored"):
            await lead.action_restore()


async def test_a_manual_probability_stays_through_stage_changes_until_reset(crm):
    async with crm.env() as env:
        lead = await lead_in(env)
        lead.probability = 37
        await lead.save()
        moved = await reload(env, lead)
        moved.stage = await stage_id(env, "Proposition")
        await moved.save()
        kept = await reload(env, lead)
        await kept.action_reset_probability()
        reset = await reload(env, lead)
    assert (kept.probability, kept.is_automated_probability) == (37.0, False)
    assert reset.is_automated_probability and reset.probability == reset.automated_probability != 37.0


# -- prorated revenue and stage dates --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expected", "probability", "prorated"),
    [("1000", 33.33, "333.30"), ("2.50", 1, "0.03"), ("100.01", 50, "50.01"), ("0", 80, "0.00"), (None, 40, "0.00")],
)
async def test_prorated_revenue_is_expected_times_probability_rounded_half_up(crm, expected, probability, prorated):
    async with crm.env() as env:
        lead = await lead_in(env, expected_revenue=expected, probability=probability)
        stored = await reload(env, lead)
    assert stored.prorated_revenue == Decimal(prorated)


async def test_prorated_revenue_follows_a_new_expected_revenue_on_a_partly_read_lead(crm):
    async with crm.env() as env:
        lead = await lead_in(env, expected_revenue="100", probability=25)
        partial = await env["CrmLead"].with_fields("name").filter(id=lead.id).get()
        partial.expected_revenue = "400"
        await partial.save()
        stored = await reload(env, lead)
    assert stored.prorated_revenue == Decimal("100.00")


async def test_a_stage_change_stamps_the_last_stage_update(crm):
    async with crm.env() as env:
        lead = await lead_in(env)
        first = (await reload(env, lead)).date_last_stage_update
        lead.stage = await stage_id(env, "Qualified")
        await lead.save()
        second = (await reload(env, lead)).date_last_stage_update
        lead.description = "no stage change"
        await lead.save()
        third = (await reload(env, lead)).date_last_stage_update
    assert first is not None and second > first and third == second


async def test_assigning_a_salesperson_stamps_the_assignment_date(crm):
    uid = await crm.user("dates_sp")
    async with crm.env() as env:
        lead = await lead_in(env)
        assert (await reload(env, lead)).date_open is None
        lead.salesperson = uid
        await lead.save()
        assigned = await reload(env, lead)
    assert assigned.date_open is not None


async def test_an_opportunity_created_directly_carries_its_conversion_date_and_a_lead_none(crm):
    async with crm.env() as env:
        opportunity = await reload(env, await lead_in(env))
        lead = await reload(env, await lead_in(env, lead_type="lead"))
    assert opportunity.date_conversion is not None and lead.date_conversion is None


async def test_an_open_lead_cannot_be_given_a_closing_date(crm):
    async with crm.env() as env:
        with pytest.raises(ValidationError) as refused:
            await lead_in(env, date_closed=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    assert refused.value.details[0]["path"] == "date_closed"


async def test_probability_outside_0_to_100_is_refused(crm):
    async with crm.env() as env:
        with pytest.raises(ValidationError) as refused:
            await lead_in(env, probability=120)
    assert refused.value.details[0]["path"] == "probability"
    assert "between 0 and 100" in refused.value.details[0]["message"]


async def test_a_stage_holding_leads_cannot_be_deleted(crm):
    from fullfinity.engine.base import IntegrityError

    async with crm.env() as env:
        stage = await env["CrmStage"].create(name="Busy", sequence=60)
        await lead_in(env, stage=stage.id)
        with pytest.raises(IntegrityError):
            async with env.transaction():
                await stage.delete()
