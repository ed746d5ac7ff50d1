"""Record rules for two salespeople over HTTP: Ann never reaches Bob's lead, by any path (query,
count, fetch, related fields, filters, group_by, execute, writes); unassigned leads are hers to
read and pick up; crm_user_all and crm_manager see everything; the levels are exclusive."""

from __future__ import annotations

import pytest
import pytest_asyncio

from fullfinity.engine.base import ValidationError


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def world(crm):
    ann = await crm.user("ann")
    bob = await crm.user("bob")
    await crm.user("alice_all", groups=("crm_user_all",))
    await crm.user("mia_manager", groups=("crm_manager",))
    async with crm.env() as env:
        team = await env["CrmTeam"].create(name="Rule team")
        customer = await env["Contact"].create(name="Shared Customer")
        lead = env["CrmLead"]
        ids = {
            "ann": (await lead.create(name="Ann deal", salesperson=ann, team=team.id, contact=customer.id,
                                      expected_revenue="100", lead_type="opportunity")).id,
            "bob": (await lead.create(name="Bob secret", salesperson=bob, team=team.id, contact=customer.id,
                                      expected_revenue="7000", lead_type="opportunity")).id,
            "free": (await lead.create(name="Unassigned request", salesperson=None, team=team.id,
                                       expected_revenue="20", lead_type="opportunity")).id,
        }  # fmt: skip
    return {**ids, "team": team.id, "customer": customer.id, "ann_uid": ann, "bob_uid": bob}


async def names(crm, user, body=None):
    answer = await crm.call("POST", "/api/query/CrmLead", user, {"fields": ["name"], **(body or {})})
    assert answer.status_code == 200, answer.text
    return sorted(r["name"] for r in answer.json()["data"])


async def test_query_shows_own_and_unassigned_leads_only(crm, world):
    assert "Bob secret" not in await names(crm, "ann")
    assert {"Ann deal", "Unassigned request"} <= set(await names(crm, "ann"))


async def test_the_total_counts_only_readable_leads(crm, world):
    answer = await crm.call("POST", "/api/query/CrmLead", "ann", {"limit": 0, "total": "exact",
                                                                  "q_filter": f"Q(team={world['team']})"})  # fmt: skip
    assert answer.json()["total"] == 2


async def test_fetching_a_colleagues_lead_is_404_and_an_unassigned_one_200(crm, world):
    assert (await crm.call("POST", f"/api/fetch/CrmLead/{world['bob']}", "ann", {})).status_code == 404
    assert (await crm.call("POST", f"/api/fetch/CrmLead/{world['free']}", "ann", {})).status_code == 200


async def test_a_teams_leads_list_leaves_out_a_colleagues_lead(crm, world):
    answer = await crm.call(
        "POST", f"/api/fetch/CrmTeam/{world['team']}", "ann", {"fields": ["leads"], "related": ["leads"]}
    )
    assert answer.status_code == 200, answer.text
    assert sorted(r["name"] for r in answer.json()["leads"]) == ["Ann deal", "Unassigned request"]


async def test_a_contacts_opportunities_leave_out_a_colleagues_lead(crm, world):
    answer = await crm.call("POST", f"/api/fetch/Contact/{world['customer']}", "ann", {"fields": ["crm_leads"]})
    assert answer.status_code == 200, answer.text
    assert answer.json()["crm_leads"] == [world["ann"]]


async def test_filters_cannot_probe_a_colleagues_lead(crm, world):
    teams = await crm.call("POST", "/api/query/CrmTeam", "ann", {"q_filter": "Q(leads__name='Bob secret')"})
    probe = {"q_filter": "Q(crm_leads__expected_revenue__gt=5000)"}
    contacts = await crm.call("POST", "/api/query/Contact", "ann", probe)
    direct = await names(crm, "ann", {"q_filter": f"Q(id={world['bob']})"})
    assert teams.json()["data"] == [] and contacts.json()["data"] == [] and direct == []


async def test_group_by_aggregates_only_readable_leads(crm, world):
    answer = await crm.call(
        "POST",
        "/api/query/CrmLead",
        "ann",
        {"group_by": ["team"], "aggregates": ["expected_revenue:sum"], "q_filter": f"Q(team={world['team']})"},
    )
    (group,) = answer.json()["data"]
    assert (group["__count"], group["expected_revenue:sum"]) == (2, 120)


async def test_executing_an_action_on_a_colleagues_lead_is_404_and_changes_nothing(crm, world):
    answer = await crm.execute("CrmLead", "action_set_won", "ann", ids=[world["bob"]])
    assert answer.status_code == 404
    async with crm.env() as env:
        assert (await env["CrmLead"].get(world["bob"])).won_status == "pending"


async def test_updating_or_deleting_a_colleagues_lead_is_404(crm, world):
    update = await crm.call("PUT", f"/api/update/CrmLead/{world['bob']}", "ann", {"name": "mine now"})
    delete = await crm.call("DELETE", f"/api/delete/CrmLead/{world['bob']}", "ann")
    assert (update.status_code, delete.status_code) == (404, 404)


async def test_a_salesperson_picks_up_an_unassigned_lead_but_cannot_delete_it(crm, world):
    async with crm.env() as env:
        free = await env["CrmLead"].create(name="Up for grabs", salesperson=None)
    delete = await crm.call("DELETE", f"/api/delete/CrmLead/{free.id}", "ann")
    take = await crm.call("PUT", f"/api/update/CrmLead/{free.id}", "ann", {"salesperson": world["ann_uid"]})
    assert delete.status_code == 403 and take.status_code == 200
    assert take.json()["salesperson"]["id"] == world["ann_uid"]


async def test_a_salesperson_cannot_create_a_lead_for_a_colleague(crm, world):
    answer = await crm.call("POST", "/api/create/CrmLead", "ann", {"name": "For Bob", "salesperson": world["bob_uid"]})
    assert answer.status_code == 403
    async with crm.env() as env:
        assert await env["CrmLead"].filter(name="For Bob").count() == 0


async def test_a_lead_created_by_a_salesperson_is_theirs_by_default(crm, world):
    answer = await crm.call("POST", "/api/create/CrmLead", "ann", {"name": "My new deal"})
    assert answer.status_code == 200, answer.text
    async with crm.env() as env:
        lead = await env["CrmLead"].get(answer.json()["id"])
    assert lead.salesperson.id == world["ann_uid"] and lead.stage is not None


@pytest.mark.parametrize("user", ["alice_all", "mia_manager"])
async def test_all_leads_and_manager_levels_read_every_lead(crm, world, user):
    assert {"Ann deal", "Bob secret", "Unassigned request"} <= set(await names(crm, user))


async def test_configuration_models_are_read_only_for_salespeople(crm, world):
    create = await crm.call("POST", "/api/create/CrmStage", "ann", {"name": "My stage"})
    manager = await crm.call("POST", "/api/create/CrmStage", "mia_manager", {"name": "Manager stage", "sequence": 99})
    assert create.status_code == 403 and manager.status_code == 200


async def test_the_crm_levels_are_exclusive(crm, world):
    async with crm.env() as env:
        user = await env["User"].get(world["ann_uid"])
        manager = await env["Group"].filter(name="Sales manager").get()
        user.groups = [["L", manager.id]]
        with pytest.raises(ValidationError):
            await user.save()


async def test_the_first_administrator_is_a_sales_manager_from_the_install(crm, world):
    async with crm.env() as env:
        admin = await env["User"].filter(email="admin@example.com").get()
        await admin.fetch_related("groups")
    assert "Sales manager" in {g.name for g in admin.groups}
