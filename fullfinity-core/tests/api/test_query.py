"""/api/query: fields and relation paths, filters, ordering, paging, totals, group_by, query strings."""

from __future__ import annotations

import pytest


async def test_query_returns_the_selected_fields_with_id_display_name_and_updated_date(api):
    response = await api.post("/api/query/ApiTicket", {"fields": ["name", "priority"], "order_by": ["id ASC"]})
    assert response.status_code == 200, response.text
    body = response.json()
    assert [r["name"] for r in body["data"]] == ["Printer jams", "VPN drops", "Unassigned"]
    first = body["data"][0]
    assert set(first) == {"id", "display_name", "updated_date", "name", "priority"}
    assert first["display_name"] == "Printer jams"
    assert first["updated_date"].endswith("Z") and len(first["updated_date"].split(".")[1]) == 7  # 6 digits + Z
    assert body["total"] == 3 and body["total_capped"] is False


async def test_record_rules_hide_other_users_records_and_managers_see_all(api):
    ann = (await api.post("/api/query/ApiTicket", {"fields": ["name"]})).json()
    boss = (await api.post("/api/query/ApiTicket", {"fields": ["name"]}, user="boss")).json()
    assert "Bob's secret" not in {r["name"] for r in ann["data"]}
    assert "Bob's secret" in {r["name"] for r in boss["data"]}
    assert boss["total"] == 4


async def test_a_filter_on_active_does_not_lift_record_rules(api):
    body = {"fields": ["name"], "q_filter": "Q(active__in=[True, False])"}
    names = {r["name"] for r in (await api.post("/api/query/ApiTicket", body)).json()["data"]}
    assert "Bob's secret" not in names and "Printer jams" in names


async def test_many_to_one_is_id_and_display_name_and_dotted_paths_expand_it(api):
    body = {"fields": ["team", "assignee.name", "assignee__email"], "q_filter": f"Q(id={api.ids['a1']})"}
    record = (await api.post("/api/query/ApiTicket", body)).json()["data"][0]
    assert record["team"] == {"id": api.ids["red"], "display_name": "Red"}
    assert record["assignee"] == {
        "id": api.users["ann"],
        "display_name": "ann",
        "name": "ann",
        "email": "ann@example.test",
    }


async def test_x2many_is_a_list_of_ids_and_expanded_paths_give_objects(api):
    body = {"fields": ["tags", "tasks.name"], "q_filter": f"Q(id={api.ids['a1']})"}
    record = (await api.post("/api/query/ApiTicket", body)).json()["data"][0]
    assert sorted(record["tags"]) == sorted([api.ids["network"], api.ids["printer"]])
    assert [t["name"] for t in record["tasks"]] == ["Call vendor", "Replace roller"]
    assert set(record["tasks"][0]) == {"id", "display_name", "name"}


async def test_monetary_is_an_exact_number_and_datetimes_are_utc_with_microseconds(api):
    body = {"fields": ["amount", "opened_at", "deadline"], "q_filter": f"Q(id={api.ids['a1']})"}
    response = await api.post("/api/query/ApiTicket", body)
    assert '"amount":12.30' in response.text
    record = response.json()["data"][0]
    assert record["opened_at"] == "2026-04-03T10:00:00.000000Z"
    assert record["deadline"] == "2026-05-05"


async def test_q_filter_accepts_a_q_string_or_a_json_tree(api):
    text = await api.post("/api/query/ApiTicket", {"fields": ["name"], "q_filter": "Q(priority='urgent')"})
    tree = {"path": "priority", "lookup": "eq", "value": "urgent"}
    json_form = await api.post("/api/query/ApiTicket", {"fields": ["name"], "q_filter": tree})
    assert [r["name"] for r in text.json()["data"]] == ["Printer jams"]
    assert json_form.json()["data"] == text.json()["data"]


async def test_order_limit_offset_and_total_ignoring_the_window(api):
    body = {"fields": ["name"], "order_by": ["name DESC"], "limit": 1, "offset": 1}
    page = (await api.post("/api/query/ApiTicket", body)).json()
    assert [r["name"] for r in page["data"]] == ["Unassigned"]
    assert page["total"] == 3


async def test_limit_zero_returns_only_the_total(api):
    page = (await api.post("/api/query/ApiTicket", {"limit": 0})).json()
    assert page == {"data": [], "total": 3, "total_capped": False}


async def test_total_can_be_skipped_or_exact(api):
    none = (await api.post("/api/query/ApiTicket", {"limit": 1, "total": "none"})).json()
    exact = (await api.post("/api/query/ApiTicket", {"limit": 1, "total": "exact"})).json()
    assert none["total"] is None and exact["total"] == 3


async def test_default_fields_are_the_readable_stored_fields(api):
    record = (await api.post("/api/query/ApiTicket", {"q_filter": f"Q(id={api.ids['a1']})"})).json()["data"][0]
    assert {"name", "priority", "team", "amount", "deadline", "created_date"} <= set(record)
    assert "secret_note" not in record  # restricted to a group ann lacks
    assert "is_urgent" not in record and "tags" not in record  # computed and x-to-many only when listed


async def test_non_stored_computed_fields_are_computed_when_listed(api):
    body = {"fields": ["is_urgent"], "order_by": ["id"]}
    data = (await api.post("/api/query/ApiTicket", body)).json()["data"]
    assert [r["is_urgent"] for r in data] == [True, False, False]


async def test_group_by_returns_counts_aggregates_and_a_drill_down_filter(api):
    body = {"group_by": ["team"], "aggregates": ["id:count"], "order_by": ["__count DESC"]}
    response = await api.post("/api/query/ApiTicket", body, user="boss")
    assert response.status_code == 200, response.text
    groups = response.json()
    assert groups["total"] == 2
    red = groups["data"][0]
    assert red["team"] == {"id": api.ids["red"], "display_name": "Red"} and red["__count"] == 2
    drill = await api.post("/api/query/ApiTicket", {"fields": ["name"], "q_filter": red["__q_filter"]}, user="boss")
    assert drill.json()["total"] == red["__count"]


async def test_group_by_date_buckets_drill_down_to_the_same_records(api):
    body = {"group_by": ["opened_at:month"], "q_filter": "Q(opened_at__isnull=False)"}
    groups = (await api.post("/api/query/ApiTicket", body)).json()["data"]
    assert [(g["opened_at:month"], g["__count"]) for g in groups] == [("2026-04-01", 1), ("2026-05-01", 1)]
    for group in groups:
        drill = await api.post("/api/query/ApiTicket", {"q_filter": group["__q_filter"]})
        assert drill.json()["total"] == group["__count"]


async def test_group_by_only_aggregates_visible_records(api):
    groups = (await api.post("/api/query/ApiTicket", {"group_by": ["team"]})).json()
    assert {g["team"]["display_name"]: g["__count"] for g in groups["data"]} == {"Red": 2, "Blue": 1}


async def test_get_with_query_string_parameters(api):
    params = {"fields": "name,team", "q_filter": "Q(priority='urgent')", "order_by": "name ASC", "limit": "5"}
    response = await api.get("/api/query/ApiTicket", params=params)
    assert response.status_code == 200, response.text
    assert [r["name"] for r in response.json()["data"]] == ["Printer jams"]


@pytest.mark.parametrize(
    ("body", "status", "needle"),
    [
        ({"fields": ["nope"]}, 400, "ApiTicket has no field 'nope'"),
        ({"fields": ["name.first"]}, 400, "no sub-field 'first'"),
        ({"q_filter": "Q(priority=="}, 400, "q_filter is not a valid Q expression"),
        ({"q_filter": "Q(nope=1)"}, 400, "no field 'nope'"),
        ({"q_filter": {"path": "name"}}, 400, "Q JSON"),
        ({"order_by": ["name SIDEWAYS"]}, 400, "Bad order_by"),
        ({"order_by": ["is_urgent"]}, 400, "is not stored"),
        ({"q_filter": "Q(is_urgent=True)"}, 400, "is not stored"),
        ({"limit": 10_001}, 400, "maximum page size"),
        ({"limit": -1}, 422, "greater than or equal to 0"),
        ({"group_by": ["name:month"]}, 400, "granularity"),
        ({"group_by": ["team"], "aggregates": ["name:sum"]}, 400, "numeric"),
        ({"fields": ["secret_note"]}, 403, "restricted to the groups apit_manager"),
        ({"q_fliter": "Q()"}, 422, "Extra inputs are not permitted"),
    ],
)
async def test_bad_queries_are_refused_with_a_precise_message(api, body, status, needle):
    response = await api.post("/api/query/ApiTicket", body)
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert needle in error["message"] + str(error["details"])


async def test_unknown_model_is_404_with_a_suggestion(api):
    response = await api.post("/api/query/ApiTickt", {})
    assert response.status_code == 404
    assert response.json()["error"]["type"] == "NotFound"
    assert "Did you mean ApiTicket" in response.json()["error"]["message"]


async def test_malformed_json_is_400(api):
    headers = {**api.headers("ann"), "content-type": "application/json"}
    response = await api.client.post("/api/query/ApiTicket", content=b"{not json", headers=headers)
    assert response.status_code == 400
    assert response.json()["error"]["type"] == "BadRequest"


async def test_requests_without_a_token_are_401(api):
    response = await api.post("/api/query/ApiTicket", {}, user=None)
    assert response.status_code == 401
    assert response.json()["error"]["type"] == "AuthenticationError"


async def test_a_portal_user_reads_only_what_rules_allow(api):
    response = await api.post("/api/query/ApiTicket", {"fields": ["name"]}, user="pat")
    assert response.status_code == 200
    assert response.json()["total"] == 0
