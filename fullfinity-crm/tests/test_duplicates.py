"""Potential duplicates: same company e-mail domain (or same address on a public mail service),
same contact, same company name; counted for a whole page at once, only among readable leads."""

from __future__ import annotations

import uuid


async def counts(env, ids):
    rows = await env["CrmLead"].with_fields("name", "duplicate_count").filter(id__in=ids).order_by("id")
    return {r.name: r.duplicate_count for r in rows}


def tag() -> str:
    return uuid.uuid4().hex[:6]


async def test_leads_of_one_company_domain_are_duplicates_whatever_the_address_case(crm):
    domain = f"{tag()}.example"
    async with crm.env() as env:
        a = await env["CrmLead"].create(name="a", email=f"ann@{domain}")
        b = await env["CrmLead"].create(name="b", email=f"BOB@{domain.upper()}")
        c = await env["CrmLead"].create(name="c", email=f"carl@other-{domain}")
        found = await counts(env, [a.id, b.id, c.id])
    assert found == {"a": 1, "b": 1, "c": 0}


async def test_on_a_public_mail_service_only_the_same_address_is_a_duplicate(crm):
    user = tag()
    async with crm.env() as env:
        a = await env["CrmLead"].create(name="a", email=f"{user}@gmail.com")
        b = await env["CrmLead"].create(name="b", email=f" {user}@Gmail.com ")
        c = await env["CrmLead"].create(name="c", email=f"other{user}@gmail.com")
        found = await counts(env, [a.id, b.id, c.id])
    assert found == {"a": 1, "b": 1, "c": 0}


async def test_the_same_contact_or_company_name_makes_duplicates(crm):
    company = f"Globex {tag()}"
    async with crm.env() as env:
        person = await env["Contact"].create(name="Chen")
        a = await env["CrmLead"].create(name="a", contact=person.id)
        b = await env["CrmLead"].create(name="b", contact=person.id, company_name=company)
        c = await env["CrmLead"].create(name="c", company_name=f"  {company.upper()} ")
        found = await counts(env, [a.id, b.id, c.id])
    assert found == {"a": 1, "b": 2, "c": 1}


async def test_lost_leads_count_as_duplicates(crm):
    company = f"Lost Corp {tag()}"
    async with crm.env() as env:
        a = await env["CrmLead"].create(name="a", company_name=company)
        b = await env["CrmLead"].create(name="b", company_name=company)
        await b.action_set_lost()
        found = await counts(env, [a.id])
    assert found == {"a": 1}


async def test_the_count_of_a_page_takes_one_query_whatever_its_size(crm):
    async with crm.env() as env:
        ids = [(await env["CrmLead"].create(name=f"p{i}", company_name=f"Page {tag()}")).id for i in range(30)]
        with env.count_queries() as counter:
            await counts(env, ids)
    assert counter.total == 2  # the page, then the candidates of all its leads


async def test_a_salesperson_is_not_told_about_duplicates_they_cannot_read(crm):
    await crm.user("dup_ann")
    bob = await crm.user("dup_bob")
    company = f"Secret {tag()}"
    async with crm.env() as env:
        mine = await env["CrmLead"].create(name="mine", company_name=company, salesperson=crm.users["dup_ann@crm.test"])
        await env["CrmLead"].create(name="bob's", company_name=company, salesperson=bob)
    answer = await crm.call(
        "POST", "/api/query/CrmLead", "dup_ann", {"fields": ["duplicate_count"], "q_filter": f"Q(id={mine.id})"}
    )
    assert answer.json()["data"][0]["duplicate_count"] == 0
    async with crm.env() as env:
        assert (await counts(env, [mine.id]))["mine"] == 1


async def test_the_duplicates_button_opens_the_lead_with_its_duplicates(crm):
    company = f"Button {tag()}"
    async with crm.env() as env:
        a = await env["CrmLead"].create(name="a", company_name=company)
        b = await env["CrmLead"].create(name="b", company_name=company)
        action = await a.action_view_duplicates()
    assert action["type"] == "action" and action["model"] == "CrmLead"
    assert action["q_filter"] == f"Q(id__in={sorted([a.id, b.id])})"
