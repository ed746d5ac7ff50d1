"""/api/fetch, /api/create, /api/update, /api/delete: values in and out, concurrency, access."""

from __future__ import annotations

import base64


async def test_fetch_returns_one_record_with_related_expanded_recursively(api):
    body = {"fields": ["name", "team", "tasks"], "related": ["team", "tasks.assignee"]}
    response = await api.post(f"/api/fetch/ApiTicket/{api.ids['a1']}", body)
    assert response.status_code == 200, response.text
    record = response.json()
    assert record["team"]["name"] == "Red" and record["team"]["code"] == "R"
    assert [t["name"] for t in record["tasks"]] == ["Call vendor", "Replace roller"]
    assert record["tasks"][0]["assignee"]["email"] == "bob@example.test"
    assert record["tasks"][1]["assignee"] is None


async def test_a_computed_field_reading_a_relation_keeps_its_display_name(api):
    body = {"fields": ["team", "team_code"]}
    record = (await api.post(f"/api/fetch/ApiTicket/{api.ids['a1']}", body)).json()

    assert record["team"] == {"id": record["team"]["id"], "display_name": "Red"}
    assert record["team_code"] == "R"


async def test_fetch_without_fields_gives_stored_fields_and_x2many_ids(api):
    record = (await api.post(f"/api/fetch/ApiTicket/{api.ids['a1']}", {})).json()
    assert record["name"] == "Printer jams" and len(record["tags"]) == 2 and len(record["tasks"]) == 2


async def test_fetch_of_a_hidden_or_missing_record_is_404(api):
    hidden = await api.post(f"/api/fetch/ApiTicket/{api.ids['b1']}", {})
    missing = await api.post("/api/fetch/ApiTicket/999999", {})
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json()["error"]["type"] == "MissingError"


async def test_fetch_rejects_a_related_path_that_is_not_a_relation(api):
    response = await api.post(f"/api/fetch/ApiTicket/{api.ids['a1']}", {"related": ["name"]})
    assert response.status_code == 400
    assert response.json()["error"]["details"] == [
        {"path": "related.0", "message": "'name' is not a relation of ApiTicket"}
    ]


async def test_create_returns_the_normalised_record_and_applies_commands(api):
    body = {
        "name": "New laptop",
        "team": api.ids["blue"],
        "priority": "urgent",
        "amount": "199.999",
        "tags": [["L", api.ids["network"]], ["N", {"name": "hardware"}]],
        "blob": base64.b64encode(b"\x00\x01binary").decode(),
        "scan": {"name": "scan.txt", "content": base64.b64encode(b"hello").decode(), "mimetype": "text/plain"},
        "__context": {"default_hours": 2.5},
    }
    response = await api.post("/api/create/ApiTicket", body)
    assert response.status_code == 200, response.text
    record = response.json()
    assert record["team"] == {"id": api.ids["blue"], "display_name": "Blue"}
    assert record["amount"] == 200.0 and '"amount":200.00' in response.text
    assert len(record["tags"]) == 2 and api.ids["network"] in record["tags"]
    assert base64.b64decode(record["blob"]) == b"\x00\x01binary"
    assert record["scan"]["name"] == "scan.txt" and record["scan"]["size"] == 5
    assert record["scan"]["url"] == f"/api/file/ApiTicket/{record['id']}/scan"
    fetched = (await api.post(f"/api/fetch/ApiTicket/{record['id']}", {"fields": ["hours"]})).json()
    assert fetched["hours"] == 2.5  # default_<field> from __context


async def test_create_reports_every_invalid_value_with_its_path(api):
    response = await api.post("/api/create/ApiTicket", {"priority": "someday", "deadline": "tomorrow"})
    assert response.status_code == 422
    paths = {d["path"] for d in response.json()["error"]["details"]}
    assert paths == {"priority", "deadline", "name"}


async def test_create_refuses_unknown_fields_400_and_read_only_fields_422(api):
    unknown = await api.post("/api/create/ApiTicket", {"name": "x", "nme": "y"})
    assert unknown.status_code == 400 and unknown.json()["error"]["details"][0]["path"] == "nme"
    computed = await api.post("/api/create/ApiTicket", {"name": "x", "is_urgent": True, "id": 5})
    assert computed.status_code == 422
    assert {d["path"] for d in computed.json()["error"]["details"]} == {"is_urgent", "id"}


async def test_create_of_a_field_restricted_to_other_groups_is_403(api):
    response = await api.post("/api/create/ApiTicket", {"name": "x", "secret_note": "psst"})
    assert response.status_code == 403 and response.json()["error"]["type"] == "AccessError"


async def test_create_on_a_model_without_create_right_is_403(api):
    response = await api.post("/api/create/ApiTicket", {"name": "portal try"}, user="pat")
    assert response.status_code == 403


async def test_unique_violation_is_409_naming_the_field(api):
    response = await api.post("/api/create/ApiTeam", {"name": "Dup", "code": "R"})
    assert response.status_code == 409
    assert response.json()["error"]["details"][0]["path"] == "code"


async def test_update_with_the_read_updated_date_succeeds_and_a_stale_one_is_409(api):
    created = (await api.post("/api/create/ApiTicket", {"name": "Concurrency"})).json()
    path = f"/api/update/ApiTicket/{created['id']}"
    first = await api.put(path, {"priority": "low", "updated_date": created["updated_date"]})
    assert first.status_code == 200, first.text
    assert first.json()["priority"] == "low" and first.json()["updated_date"] != created["updated_date"]
    stale = await api.put(path, {"priority": "urgent", "updated_date": created["updated_date"]})
    assert stale.status_code == 409 and stale.json()["error"]["type"] == "ConcurrencyError"
    again = (await api.post(f"/api/fetch/ApiTicket/{created['id']}", {"fields": ["priority"]})).json()
    assert again["priority"] == "low"  # nothing written


async def test_update_without_updated_date_is_last_writer_wins(api):
    created = (await api.post("/api/create/ApiTicket", {"name": "LWW"})).json()
    response = await api.put(f"/api/update/ApiTicket/{created['id']}", {"notes": "first"})
    assert response.status_code == 200 and response.json()["notes"] == "first"


async def test_update_of_a_hidden_record_is_404_and_nothing_changes(api):
    response = await api.put(f"/api/update/ApiTicket/{api.ids['b1']}", {"name": "hijack"})
    assert response.status_code == 404
    boss = (await api.post(f"/api/fetch/ApiTicket/{api.ids['b1']}", {"fields": ["name"]}, user="boss")).json()
    assert boss["name"] == "Bob's secret"


async def test_update_with_an_unparsable_updated_date_is_422(api):
    response = await api.put(f"/api/update/ApiTicket/{api.ids['a2']}", {"updated_date": "yesterday"})
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["path"] == "updated_date"


async def test_delete_returns_the_id_and_restrict_is_409(api):
    created = (await api.post("/api/create/ApiTicket", {"name": "Delete me"})).json()
    response = await api.delete(f"/api/delete/ApiTicket/{created['id']}")
    assert response.json() == {"deleted": [created["id"]]}
    assert (await api.post(f"/api/fetch/ApiTicket/{created['id']}", {})).status_code == 404
    team = (await api.post("/api/create/ApiTeam", {"name": "Green"})).json()
    await api.post("/api/create/ApiTicket", {"name": "Keeps green", "team": team["id"]})
    blocked = await api.delete(f"/api/delete/ApiTeam/{team['id']}", user="boss")
    assert blocked.status_code in (403, 409)  # ApiTeam has no delete right for internal users


async def test_delete_blocked_by_restrict_is_409_integrity_error(api, runtime):
    async with api.env(runtime) as env:
        access = await env["ModelAccess"].filter(name="ApiTeam internal").first()
        access.delete_perm = True
        await access.save()
    team = (await api.post("/api/create/ApiTeam", {"name": "Yellow"})).json()
    await api.post("/api/create/ApiTicket", {"name": "Keeps yellow", "team": team["id"]})
    response = await api.delete(f"/api/delete/ApiTeam/{team['id']}")
    assert response.status_code == 409 and response.json()["error"]["type"] == "IntegrityError"


async def test_transient_models_refuse_crud(api):
    response = await api.post("/api/query/ApiWizard", {})
    assert response.status_code == 400 and "transient" in response.json()["error"]["message"]


async def test_non_integer_ids_in_the_path_are_422(api):
    assert (await api.post("/api/fetch/ApiTicket/abc", {})).status_code == 422
    assert (await api.post("/api/fetch/ApiTicket/0", {})).status_code == 422
