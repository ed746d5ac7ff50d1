"""A salesperson works a lead end to end over the API, as the web client does: menus, the pipeline
action and its views, a website request, picking it up, converting it, moving it on the board,
the board's column totals, winning it, the forecast; and the search filters of business.md 5."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest_asyncio

from fullfinity.testing.auth import on


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def sam(crm):
    return await crm.user("sam")


async def test_a_salesperson_works_a_website_request_into_a_won_opportunity(crm, sam):
    menus = (await crm.call("GET", "/api/menus", "sam")).json()["data"]
    crm_menu = next(m for m in menus if m["identifier"] == "crm_root")
    assert [c["identifier"] for c in crm_menu["children"]] == [
        "crm_pipeline_menu",
        "crm_leads_menu",
        "crm_forecast_menu",
        "crm_lost_menu",
    ]  # fmt: skip  (Configuration is for managers)
    action = (await crm.call("GET", "/api/action/crm_lead_pipeline_action", "sam")).json()
    assert [v["type"] for v in action["views"]] == ["Kanban", "List", "Calendar", "Form"]
    board = (await crm.call("GET", "/api/views/CrmLead?type=Kanban", "sam")).json()
    assert board["arch"][0]["drag_fields"] == ["stage"] and board["arch"][0]["fold_field"] == "fold"

    email = f"{uuid.uuid4().hex[:8]}@prospect.example"
    posted = await crm.client.post(
        "/crm/lead", json={"name": "Pat Prospect", "email": email, "company": "Prospect Ltd"}, headers=on(crm.tenant)
    )
    assert posted.json() == {"message": "received"}
    leads = await crm.call(
        "POST", "/api/query/CrmLead", "sam", {"fields": ["name", "salesperson"], "filters": ["unassigned"],
                                              "q_filter": f"Q(email='{email}')"},
    )  # fmt: skip
    (lead,) = leads.json()["data"]
    taken = await crm.call("PUT", f"/api/update/CrmLead/{lead['id']}", "sam", {"salesperson": sam})
    assert taken.status_code == 200, taken.text

    converted = await crm.execute("CrmLead", "action_convert", "sam", ids=[lead["id"]], contact_mode="create")
    assert converted.status_code == 200, converted.text
    stages = (await crm.call("POST", "/api/query/CrmStage", "sam", {"fields": ["name"]})).json()["data"]
    proposition = next(s["id"] for s in stages if s["name"] == "Proposition")
    deadline = (dt.date.today() + dt.timedelta(days=20)).isoformat()
    moved = await crm.call(
        "PUT", f"/api/update/CrmLead/{lead['id']}", "sam",
        {"stage": proposition, "expected_revenue": 12000, "date_deadline": deadline},
    )  # fmt: skip
    assert moved.status_code == 200, moved.text

    columns = await crm.call(
        "POST", "/api/query/CrmLead", "sam",
        {"group_by": ["stage"], "aggregates": ["expected_revenue:sum"], "filters": ["my_pipeline"]},
    )  # fmt: skip
    column = next(g for g in columns.json()["data"] if g["stage"]["id"] == proposition)
    assert column["__count"] >= 1 and column["expected_revenue:sum"] >= 12000

    forecast = await crm.call(
        "POST", "/api/query/CrmLead", "sam",
        {"group_by": ["date_deadline:month"], "aggregates": ["prorated_revenue:sum"],
         "q_filter": f"Q(id={lead['id']})"},
    )  # fmt: skip
    (month,) = forecast.json()["data"]
    fetched = (await crm.call("POST", f"/api/fetch/CrmLead/{lead['id']}", "sam", {})).json()
    assert month["prorated_revenue:sum"] == fetched["prorated_revenue"]
    assert fetched["prorated_revenue"] == round(12000 * fetched["probability"] / 100, 2)

    won = await crm.execute("CrmLead", "action_set_won", "sam", ids=[lead["id"]])
    assert won.json() == {"result": {"type": "reload"}}
    final = (await crm.call("POST", f"/api/fetch/CrmLead/{lead['id']}", "sam", {})).json()
    assert (final["won_status"], final["probability"], final["lead_type"]) == ("won", 100, "opportunity")
    assert final["contact"]["display_name"] == "Pat Prospect" and final["date_closed"] is not None


async def test_the_search_filters_select_what_their_names_say(crm, sam):
    other = await crm.user("sam_colleague")
    tag = uuid.uuid4().hex[:6]
    yesterday = (dt.date.today() - dt.timedelta(days=1)).isoformat()
    async with crm.env() as env:
        lead = env["CrmLead"]
        await lead.create(name=f"{tag} mine open overdue", salesperson=sam, date_deadline=yesterday)
        await lead.create(name=f"{tag} unassigned", salesperson=None)
        await lead.create(name=f"{tag} colleague", salesperson=other)
        await (await lead.create(name=f"{tag} mine won", salesperson=sam)).action_set_won()
        await (await lead.create(name=f"{tag} mine lost", salesperson=sam)).action_set_lost()

    async def found(*filters):
        body = {"fields": ["name"], "filters": list(filters), "q_filter": f"Q(name__startswith='{tag}')"}
        answer = await crm.call("POST", "/api/query/CrmLead", "sam", body)
        assert answer.status_code == 200, answer.text
        return sorted(r["name"].removeprefix(f"{tag} ") for r in answer.json()["data"])

    assert await found("my_pipeline") == ["mine open overdue", "mine won"]  # lost ones are archived
    assert await found("unassigned") == ["unassigned"]
    assert await found("open") == ["mine open overdue", "unassigned"]
    assert await found("won") == ["mine won"]
    assert await found("lost") == ["mine lost"]
    assert await found("overdue") == ["mine open overdue"]
    assert await found("won", "lost") == ["mine lost", "mine won"]  # one group: ORed


async def test_the_pipeline_lists_only_the_shared_stages_and_those_of_the_users_own_team(crm):
    sales_rep = await crm.user("sales_rep")
    enterprise_rep = await crm.user("enterprise_rep")
    async with crm.env() as env:
        sales = await env["CrmTeam"].create(name="Sales board team", members=[sales_rep])
        enterprise = await env["CrmTeam"].create(name="Enterprise board team", members=[enterprise_rep])
        await env["CrmStage"].create(name="Sales-only check", sequence=5, team=sales.id)
        await env["CrmStage"].create(name="Enterprise-only review", sequence=6, team=enterprise.id)
    board = (await crm.call("GET", "/api/views/CrmLead?type=Kanban", "sales_rep")).json()
    column_filter = board["arch"][0]["column_filter"]
    assert isinstance(column_filter, dict)  # sent as a Q tree, bound names left to the server

    async def columns(user: str) -> list[str]:
        answer = await crm.call("POST", "/api/query/CrmStage", user, {"fields": ["name"], "q_filter": column_filter})
        assert answer.status_code == 200, answer.text
        return [s["name"] for s in answer.json()["data"]]

    sales_columns = await columns("sales_rep")
    assert "Sales-only check" in sales_columns and "Enterprise-only review" not in sales_columns
    assert {"New", "Qualified", "Proposition", "Won"} <= set(sales_columns)  # shared by every team
    enterprise_columns = await columns("enterprise_rep")
    assert "Enterprise-only review" in enterprise_columns and "Sales-only check" not in enterprise_columns
