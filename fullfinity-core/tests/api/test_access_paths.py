"""ModelAccess and record rules hold for the guest (public) user and a portal user on every read and
write path over HTTP: the generic API (portal; the guest gets 401 there) and a custom
``@route(auth="public")`` controller (guest), plus tokens and API keys confined to their tenant.

What each user may do (on top of conftest.py):

- portal (pat): reads ApiTicket (own or unassigned) and ApiTeam, writes own tickets only, deletes
  nothing; reads only own ApiTask lines.
- guest: reads urgent and low ApiTicket records and the Red ApiTeam only; writes nothing.
"""

from __future__ import annotations

import pytest
import pytest_asyncio

from fullfinity.auth.api_keys import create_api_key
from fullfinity.tenancy.service import create_tenant, drop_tenant
from fullfinity.testing.auth import on


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def ids(api):
    async with api.env(api.app.state.test_runtime) as env:
        portal = (await env["Group"].filter(name="Portal").first()).id
        public = (await env["Group"].filter(name="Public").first()).id
        access = env["ModelAccess"]
        await access.create(name="ApiTicket portal write", model="ApiTicket", group=portal, write_perm=True)
        await access.create(name="ApiTask portal", model="ApiTask", group=portal, read_perm=True)
        await access.create(name="ApiTicket public", model="ApiTicket", group=public, read_perm=True)
        await access.create(name="ApiTeam public", model="ApiTeam", group=public, read_perm=True)
        rule = env["RecordRule"]
        write = {"write_perm": False, "create_perm": False, "delete_perm": False}
        await rule.create(
            name="portal: own or unassigned", model="ApiTicket", groups=[portal],
            rule="Q(assignee__id__eq=uid) | Q(assignee__isnull=True)", **write,
        )  # fmt: skip
        await rule.create(
            name="portal: write own", model="ApiTicket", groups=[portal], rule="Q(assignee__id__eq=uid)",
            read_perm=False, create_perm=False, delete_perm=False,
        )  # fmt: skip
        await rule.create(name="portal: own tasks", model="ApiTask", groups=[portal], rule="Q(assignee__id__eq=uid)")
        await rule.create(
            name="public: some", model="ApiTicket", groups=[public], rule="Q(priority__in=['urgent', 'low'])"
        )
        await rule.create(name="public: red", model="ApiTeam", groups=[public], rule="Q(code='R')")
        pat = api.users["pat"]
        mine = await env["ApiTicket"].create(name="Pat's ticket", priority="urgent", team=api.ids["red"], assignee=pat)
        await env["ApiTask"].create(name="Pat's task", ticket=mine.id, assignee=pat)
        await env["ApiTask"].create(name="Internal task", ticket=mine.id, assignee=api.users["bob"])
    return {**api.ids, "mine": mine.id}


async def portal_names(api, body) -> list[str]:
    response = await api.post("/api/query/ApiTicket", {"fields": ["name"], **body}, user="pat")
    assert response.status_code == 200, response.text
    return [r["name"] for r in response.json()["data"]]


async def probe(api, **body):
    return await api.post("/apit/probe", body, user=None)


# -- portal user over the generic API: reads ------------------------------------------------------------


async def test_portal_query_returns_only_rule_allowed_records(api, ids):
    assert sorted(await portal_names(api, {})) == ["Pat's ticket", "Unassigned"]


async def test_portal_total_counts_only_rule_allowed_records(api, ids):
    response = await api.post("/api/query/ApiTicket", {"limit": 0, "total": "exact"}, user="pat")
    assert response.json()["total"] == 2


async def test_portal_fetch_of_a_hidden_record_is_404_and_of_a_visible_one_200(api, ids):
    assert (await api.post(f"/api/fetch/ApiTicket/{ids['a1']}", {}, user="pat")).status_code == 404
    assert (await api.post(f"/api/fetch/ApiTicket/{ids['mine']}", {}, user="pat")).status_code == 200


async def test_portal_related_read_drops_hidden_lines(api, ids):
    response = await api.post(f"/api/fetch/ApiTicket/{ids['mine']}", {"related": ["tasks"]}, user="pat")
    assert response.status_code == 200, response.text
    assert [t["name"] for t in response.json()["tasks"]] == ["Pat's task"]


async def test_portal_filter_through_a_relation_cannot_probe_hidden_records(api, ids):
    assert await portal_names(api, {"q_filter": "Q(tasks__name='Internal task')"}) == []
    assert await portal_names(api, {"q_filter": 'Q(tasks__name="Pat\'s task")'}) == ["Pat's ticket"]
    assert await portal_names(api, {"q_filter": "Q(team__code='B')"}) == ["Unassigned"]  # Bob's Blue one hidden


async def test_portal_order_by_a_relation_orders_only_allowed_records(api, ids):
    assert await portal_names(api, {"order_by": ["team.name ASC"]}) == ["Unassigned", "Pat's ticket"]
    assert await portal_names(api, {"order_by": ["team.name DESC"]}) == ["Pat's ticket", "Unassigned"]


async def test_portal_group_by_aggregates_only_allowed_records(api, ids):
    response = await api.post("/api/query/ApiTicket", {"group_by": ["team"]}, user="pat")
    groups = {g["team"]["display_name"]: g["__count"] for g in response.json()["data"]}
    assert groups == {"Blue": 1, "Red": 1}


# -- portal user over the generic API: writes -----------------------------------------------------------


async def test_portal_update_follows_the_write_rule(api, ids):
    assert (await api.put(f"/api/update/ApiTicket/{ids['mine']}", {"notes": "x"}, user="pat")).status_code == 200
    assert (await api.put(f"/api/update/ApiTicket/{ids['u1']}", {"notes": "x"}, user="pat")).status_code == 403
    assert (await api.put(f"/api/update/ApiTicket/{ids['a1']}", {"notes": "x"}, user="pat")).status_code == 404


async def test_portal_create_and_delete_are_refused_without_model_access(api, ids):
    assert (await api.post("/api/create/ApiTicket", {"name": "n"}, user="pat")).status_code == 403
    response = await api.delete(f"/api/delete/ApiTicket/{ids['mine']}", user="pat")
    assert response.status_code == 403 and response.json()["error"]["type"] == "AccessError"


async def test_portal_bulk_update_is_refused_whole_when_one_record_is_not_writable(api, ids):
    body = {"ids": [ids["mine"], ids["u1"]], "values": {"notes": "bulk"}}
    assert (await api.put("/api/bulk-update/ApiTicket", body, user="pat")).status_code == 403
    hidden = {"ids": [ids["mine"], ids["a1"]], "values": {"notes": "bulk"}}
    assert (await api.put("/api/bulk-update/ApiTicket", hidden, user="pat")).status_code == 404
    notes = await portal_names_notes(api)
    assert "bulk" not in notes


async def portal_names_notes(api) -> list[str | None]:
    response = await api.post("/api/query/ApiTicket", {"fields": ["notes"]}, user="pat")
    return [r["notes"] for r in response.json()["data"]]


async def test_portal_bulk_delete_is_refused_without_delete_access(api, ids):
    assert (await api.delete("/api/bulk-delete/ApiTicket", {"ids": [ids["mine"]]}, user="pat")).status_code == 403


async def test_portal_execute_needs_readable_records_and_runs_with_the_users_rights(api, ids):
    path = "/api/execute/ApiTicket/action_escalate"
    assert (await api.post(path, {"ids": [ids["a1"]]}, user="pat")).status_code == 404
    assert (await api.post(path, {"ids": [ids["u1"]]}, user="pat")).status_code == 403  # readable, not writable
    assert (await api.post(path, {"ids": [ids["mine"]]}, user="pat")).status_code == 200


# -- guest user over the generic API: no token, no entry ------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/api/query/ApiTicket"),
        ("GET", "/api/query/ApiTicket"),
        ("POST", "/api/fetch/ApiTicket/1"),
        ("PUT", "/api/update/ApiTicket/1"),
        ("DELETE", "/api/delete/ApiTicket/1"),
        ("PUT", "/api/bulk-update/ApiTicket"),
        ("DELETE", "/api/bulk-delete/ApiTicket"),
        ("POST", "/api/execute/ApiTicket/action_escalate"),
    ],
)
async def test_the_guest_gets_401_on_every_generic_api_path(api, ids, method, path):
    response = await api.call(method, path, user=None, json={})
    assert response.status_code == 401 and response.json()["error"]["type"] == "AuthenticationError"


# -- guest user through a public controller route ------------------------------------------------------


async def test_guest_query_returns_only_rule_allowed_records(api, ids):
    response = await probe(api, op="query")
    assert response.status_code == 200, response.text
    assert sorted(response.json()["names"]) == ["Bob's secret", "Pat's ticket", "Printer jams", "Unassigned"]


async def test_guest_count_counts_only_rule_allowed_records(api, ids):
    assert (await probe(api, op="count")).json() == {"count": 4}


async def test_guest_fetch_of_a_hidden_record_is_404(api, ids):
    assert (await probe(api, op="related", id=ids["a2"])).status_code == 404


async def test_guest_related_read_of_a_hidden_many_to_one_keeps_only_its_id(api, ids):
    assert (await probe(api, op="related", id=ids["a1"])).json() == {"team": ids["red"], "team_name": "Red"}
    assert (await probe(api, op="related", id=ids["u1"])).json()["team_name"] is None


async def test_guest_joined_read_of_a_hidden_many_to_one_keeps_only_its_id(api, ids):
    assert (await probe(api, op="joined", id=ids["a1"])).json() == {"team": ids["red"], "team_name": "Red"}
    assert (await probe(api, op="joined", id=ids["u1"])).json() == {"team": ids["blue"], "team_name": None}


async def test_guest_filter_through_a_relation_cannot_probe_hidden_records(api, ids):
    assert (await probe(api, op="query", q="Q(team__code='B')")).json()["names"] == []
    assert sorted((await probe(api, op="query", q="Q(team__code='R')")).json()["names"]) == [
        "Pat's ticket",
        "Printer jams",
    ]


async def test_guest_order_by_a_relation_treats_hidden_values_as_null(api, ids):
    names = (await probe(api, op="query", order="team.name DESC")).json()["names"]
    assert set(names[2:]) == {"Pat's ticket", "Printer jams"}  # Red last: hidden Blue sorts as NULL first


async def test_guest_group_by_counts_only_rule_allowed_records(api, ids):
    groups = (await probe(api, op="group")).json()["groups"]
    assert sorted(count for _, count in groups) == [2, 2] and sum(c for _, c in groups) == 4


@pytest.mark.parametrize("op", ["update", "delete", "execute"])
async def test_guest_writes_are_refused_without_write_access(api, ids, op):
    response = await probe(api, op=op, id=ids["a1"])
    assert response.status_code == 403 and response.json()["error"]["type"] == "AccessError"


# -- tokens and API keys stay in their tenant ------------------------------------------------------------


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def other(api):
    """A second tenant. Not from the template: it is built once per run and must not list this module."""
    runtime = api.app.state.test_runtime
    name = f"api-other-{api.tenant[-8:]}"
    await create_tenant(runtime.db, runtime.catalog, name, use_template=False, pm=runtime.pm)
    yield name
    await drop_tenant(runtime.db, runtime.catalog, name, pm=runtime.pm)


async def test_a_portal_token_of_one_tenant_is_refused_by_another(api, ids, other):
    response = await api.client.post("/api/query/ApiTicket", json={}, headers=on(other, api.tokens["pat"]))
    assert response.status_code == 401 and "not issued for this tenant" in response.json()["error"]["message"]


async def test_an_api_key_of_one_tenant_is_refused_by_another(api, ids, other):
    async with api.env(api.app.state.test_runtime) as env:
        key = (await create_api_key(env, api.users["pat"], "cross-tenant")).key
    assert (await api.client.post("/api/query/ApiTicket", json={}, headers=on(api.tenant, key))).status_code == 200
    response = await api.client.post("/api/query/ApiTicket", json={}, headers=on(other, key))
    assert response.status_code == 401 and response.json()["error"]["type"] == "AuthenticationError"
