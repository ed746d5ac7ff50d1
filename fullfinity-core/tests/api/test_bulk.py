"""Bulk create, update and delete are all or nothing, with error paths into the body."""

from __future__ import annotations


async def _count(api, q: str, user: str = "boss") -> int:
    return (await api.post("/api/query/ApiTicket", {"q_filter": q, "limit": 0}, user=user)).json()["total"]


async def test_bulk_create_returns_ids_and_display_names_in_input_order(api):
    body = {"records": [{"name": "Bulk A"}, {"name": "Bulk B", "priority": "low"}]}
    response = await api.post("/api/bulk-create/ApiTicket", body)
    assert response.status_code == 200, response.text
    assert [r["display_name"] for r in response.json()["data"]] == ["Bulk A", "Bulk B"]


async def test_bulk_create_with_one_bad_record_creates_nothing_and_names_it(api):
    body = {"records": [{"name": "Atomic ok"}, {"name": "Atomic bad", "priority": "someday"}, {"priority": "low"}]}
    response = await api.post("/api/bulk-create/ApiTicket", body)
    assert response.status_code == 422
    assert {d["path"] for d in response.json()["error"]["details"]} == {"records.1.priority", "records.2.name"}
    assert await _count(api, "Q(name__startswith='Atomic')") == 0


async def test_bulk_create_with_commands_goes_record_by_record_and_stays_atomic(api):
    body = {
        "records": [
            {"name": "Cmd ok", "tags": [["L", api.ids["printer"]]]},
            {"name": "Cmd bad", "tags": [["L", 999999]]},
        ]
    }
    response = await api.post("/api/bulk-create/ApiTicket", body)
    assert response.status_code in (404, 422), response.text
    assert all(d["path"].startswith("records.1") for d in response.json()["error"]["details"])
    assert await _count(api, "Q(name__startswith='Cmd ')") == 0


async def test_bulk_create_unknown_field_is_400_with_its_path(api):
    response = await api.post("/api/bulk-create/ApiTicket", {"records": [{"name": "x"}, {"nam": "y"}]})
    assert response.status_code == 400
    assert response.json()["error"]["details"][0]["path"] == "records.1.nam"


async def test_bulk_update_changes_every_record(api):
    created = (await api.post("/api/bulk-create/ApiTicket", {"records": [{"name": "BU1"}, {"name": "BU2"}]})).json()
    ids = [r["id"] for r in created["data"]]
    response = await api.put("/api/bulk-update/ApiTicket", {"ids": ids, "values": {"priority": "urgent"}})
    assert response.json() == {"updated": ids}
    assert await _count(api, f"Q(id__in={ids}, priority='urgent')") == 2


async def test_bulk_update_with_a_hidden_id_fails_whole_with_404_naming_it(api):
    created = (await api.post("/api/create/ApiTicket", {"name": "BU visible"})).json()
    ids = [created["id"], api.ids["b1"], 999999]
    response = await api.put("/api/bulk-update/ApiTicket", {"ids": ids, "values": {"notes": "x"}})
    assert response.status_code == 404
    message = response.json()["error"]["message"]
    assert str(api.ids["b1"]) in message and "999999" in message
    after = (await api.post(f"/api/fetch/ApiTicket/{created['id']}", {"fields": ["notes"]})).json()
    assert after["notes"] is None


async def test_bulk_update_invalid_value_paths_start_with_values(api):
    response = await api.put("/api/bulk-update/ApiTicket", {"ids": [api.ids["a2"]], "values": {"priority": "x"}})
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["path"] == "values.priority"


async def test_bulk_update_detects_a_stale_updated_date_and_writes_nothing(api):
    created = (await api.post("/api/bulk-create/ApiTicket", {"records": [{"name": "BC1"}, {"name": "BC2"}]})).json()
    ids = [r["id"] for r in created["data"]]
    first = (await api.post(f"/api/fetch/ApiTicket/{ids[0]}", {"fields": ["name"]})).json()
    await api.put(f"/api/update/ApiTicket/{ids[0]}", {"notes": "someone else"})
    body = {"ids": ids, "values": {"priority": "low"}, "updated_dates": {str(ids[0]): first["updated_date"]}}
    response = await api.put("/api/bulk-update/ApiTicket", body)
    assert response.status_code == 409
    assert response.json()["error"]["details"][0]["path"] == f"updated_dates.{ids[0]}"
    assert await _count(api, f"Q(id__in={ids}, priority='low')") == 0


async def test_bulk_delete_deletes_all_or_nothing(api):
    created = (await api.post("/api/bulk-create/ApiTicket", {"records": [{"name": "BD1"}, {"name": "BD2"}]})).json()
    ids = [r["id"] for r in created["data"]]
    refused = await api.delete("/api/bulk-delete/ApiTicket", {"ids": [*ids, api.ids["b1"]]})
    assert refused.status_code == 404
    assert await _count(api, f"Q(id__in={ids})") == 2
    done = await api.delete("/api/bulk-delete/ApiTicket", {"ids": ids})
    assert done.json() == {"deleted": ids}
    assert await _count(api, f"Q(id__in={ids})") == 0
