"""Converting leads into opportunities with each contact mode; won or archived leads do not convert."""

from __future__ import annotations

import pytest

from fullfinity.engine.base import UserError, ValidationError

STATE = (
    "name", "lead_type", "contact", "salesperson", "stage", "probability", "active", "date_conversion", "won_status",
)  # fmt: skip


async def snapshot(env, lead_id):
    with env.with_context(active_test=False):
        record = await env["CrmLead"].with_fields(*STATE, "updated_date").filter(id=lead_id).get()
    return {name: getattr(record, name) for name in (*STATE, "updated_date")}


async def test_create_mode_makes_a_person_under_a_new_company_and_links_it(crm):
    async with crm.env() as env:
        lead = await env["CrmLead"].create(
            name="Request", lead_type="lead", contact_name="Ann Lee", company_name="Lee & Co",
            email="ann@leeco.example", phone="+1 555 0111",
        )  # fmt: skip
        await lead.action_convert(contact_mode="create")
        done = await env["CrmLead"].get(lead.id)
        person = await env["Contact"].get(done.contact.id)
        company = await env["Contact"].get(person.parent.id)
    assert (done.lead_type, done.date_conversion is not None) == ("opportunity", True)
    assert (person.name, person.email, person.phone) == ("Ann Lee", "ann@leeco.example", "+1 555 0111")
    assert (company.name, company.is_company) == ("Lee & Co", True)


async def test_link_mode_links_the_given_contact(crm):
    async with crm.env() as env:
        contact = await env["Contact"].create(name="Existing Customer")
        lead = await env["CrmLead"].create(name="Request", lead_type="lead", contact_name="Someone")
        count = await env["Contact"].filter().count()
        await lead.action_convert(contact_mode="link", contact=contact.id)
        done = await env["CrmLead"].get(lead.id)
        assert await env["Contact"].filter().count() == count
    assert (done.lead_type, done.contact.id) == ("opportunity", contact.id)


async def test_none_mode_converts_without_a_contact(crm):
    async with crm.env() as env:
        lead = await env["CrmLead"].create(name="Anonymous", lead_type="lead")
        await lead.action_convert(contact_mode="none")
        done = await env["CrmLead"].get(lead.id)
    assert (done.lead_type, done.contact) == ("opportunity", None)


async def test_link_mode_without_a_contact_names_the_field(crm):
    async with crm.env() as env:
        lead = await env["CrmLead"].create(name="Request", lead_type="lead")
        with pytest.raises(ValidationError) as refused:
            await lead.action_convert(contact_mode="link")
    assert refused.value.details[0]["path"] == "contact"


async def test_an_unknown_contact_mode_names_the_field(crm):
    async with crm.env() as env:
        lead = await env["CrmLead"].create(name="Request", lead_type="lead")
        with pytest.raises(ValidationError) as refused:
            await lead.action_convert(contact_mode="merge")
    assert refused.value.details[0]["path"] == "contact_mode"


@pytest.mark.parametrize("close", ["action_set_won", "action_set_lost"])
async def test_converting_a_won_or_archived_lead_is_refused_and_changes_nothing(crm, close):
    async with crm.env() as env:
        lead = await env["CrmLead"].create(name="Closed", lead_type="lead", contact_name="Ann")
        await getattr(lead, close)()
        before = await snapshot(env, lead.id)
        contacts = await env["Contact"].filter().count()
        with env.with_context(active_test=False):
            closed = await env["CrmLead"].get(lead.id)
        with pytest.raises(UserError, match=r"'Closed' \(id \d+\) is (won|lost); restore it before converting it"):
            await closed.action_convert(contact_mode="create")
        after = await snapshot(env, lead.id)
        assert await env["Contact"].filter().count() == contacts
    assert after == before


async def test_converting_an_opportunity_again_is_refused(crm):
    async with crm.env() as env:
        lead = await env["CrmLead"].create(name="Already", lead_type="opportunity")
        with pytest.raises(UserError, match="is already an opportunity"):
            await lead.action_convert(contact_mode="none")


async def test_a_salesperson_converting_an_unassigned_lead_takes_it_over_the_api(crm):
    uid = await crm.user("convert_sp")
    async with crm.env() as env:
        lead = await env["CrmLead"].create(name="Web request", lead_type="lead", email="bob@bobcorp.example")
    answer = await crm.execute("CrmLead", "action_convert", "convert_sp", ids=[lead.id], contact_mode="create")
    assert answer.status_code == 200, answer.text
    assert answer.json()["result"] == {"type": "action", "model": "CrmLead", "view_types": ["Form"], "res_id": lead.id}
    async with crm.env() as env:
        done = await env["CrmLead"].get(lead.id)
        contact = await env["Contact"].get(done.contact.id)
    assert (done.salesperson.id, done.lead_type, contact.email) == (uid, "opportunity", "bob@bobcorp.example")
