"""ETag and If-Match on /api/fetch, /api/update and /api/delete: the header form of the body's
``updated_date`` precondition (api.md 4.4, orm.md 19)."""

from __future__ import annotations


async def create(api, name):
    response = await api.post("/api/create/ApiTicket", {"name": name})
    assert response.status_code == 200, response.text
    return response.json()


async def send(api, method, path, if_match, json=None, user="ann"):
    headers = {**api.headers(user), "If-Match": if_match}
    return await api.client.request(method, path, headers=headers, json=json)


async def fetch_priority(api, record_id):
    return (await api.post(f"/api/fetch/ApiTicket/{record_id}", {"fields": ["priority"]})).json()["priority"]


async def test_fetch_and_update_answer_with_the_updated_date_as_etag(api):
    created = await create(api, "ETag")
    fetched = await api.post(f"/api/fetch/ApiTicket/{created['id']}", {"fields": ["name"]})
    assert fetched.headers["etag"] == f'"{created["updated_date"]}"'
    updated = await api.put(f"/api/update/ApiTicket/{created['id']}", {"priority": "low"})
    assert updated.headers["etag"] == f'"{updated.json()["updated_date"]}"' != fetched.headers["etag"]


async def test_update_with_the_etag_in_if_match_succeeds_and_round_trips(api):
    created = await create(api, "Round trip")
    path = f"/api/update/ApiTicket/{created['id']}"
    etag = (await api.post(f"/api/fetch/ApiTicket/{created['id']}", {})).headers["etag"]
    first = await send(api, "PUT", path, etag, {"priority": "low"})
    assert first.status_code == 200, first.text
    second = await send(api, "PUT", path, first.headers["etag"], {"priority": "urgent"})
    assert second.status_code == 200, second.text
    assert await fetch_priority(api, created["id"]) == "urgent"


async def test_a_stale_if_match_is_the_same_409_as_a_stale_body_updated_date_and_writes_nothing(api):
    created = await create(api, "Stale header")
    path = f"/api/update/ApiTicket/{created['id']}"
    assert (await api.put(path, {"priority": "low"})).status_code == 200
    by_header = await send(api, "PUT", path, f'"{created["updated_date"]}"', {"priority": "urgent"})
    by_body = await api.put(path, {"priority": "urgent", "updated_date": created["updated_date"]})
    assert by_header.status_code == by_body.status_code == 409
    assert by_header.json() == by_body.json()
    assert by_header.json()["error"]["type"] == "ConcurrencyError"
    assert await fetch_priority(api, created["id"]) == "low"


async def test_if_match_is_accepted_without_its_double_quotes(api):
    created = await create(api, "Bare date")
    response = await send(api, "PUT", f"/api/update/ApiTicket/{created['id']}", created["updated_date"], {"notes": "x"})
    assert response.status_code == 200, response.text


async def test_a_weak_if_match_is_400_explaining_that_only_strong_validators_count(api):
    created = await create(api, "Weak")
    response = await send(api, "PUT", f"/api/update/ApiTicket/{created['id']}", f'W/"{created["updated_date"]}"', {})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["type"] == "BadRequest" and "strong validators only" in error["message"]
    assert error["details"] == [{"path": "If-Match", "message": "weak validators are not accepted"}]


async def test_an_if_match_that_is_not_an_updated_date_is_400_naming_the_header(api):
    created = await create(api, "Garbage")
    for value in ('"yesterday"', '"a", "b"', '"'):
        response = await send(api, "PUT", f"/api/update/ApiTicket/{created['id']}", value, {"notes": "x"})
        assert response.status_code == 400, value
        assert response.json()["error"]["details"][0]["path"] == "If-Match"


async def test_if_match_and_a_different_body_updated_date_are_400_naming_both(api):
    created = await create(api, "Both")
    path = f"/api/update/ApiTicket/{created['id']}"
    other = "2020-01-01T00:00:00.000000Z"
    response = await send(api, "PUT", path, f'"{created["updated_date"]}"', {"notes": "x", "updated_date": other})
    assert response.status_code == 400
    error = response.json()["error"]
    assert "If-Match" in error["message"] and "updated_date" in error["message"]
    assert {d["path"] for d in error["details"]} == {"If-Match", "updated_date"}
    same = await send(
        api, "PUT", path, f'"{created["updated_date"]}"', {"notes": "y", "updated_date": created["updated_date"]}
    )
    assert same.status_code == 200, same.text


async def test_if_match_star_only_requires_the_record_to_exist(api):
    created = await create(api, "Star")
    assert (await api.put(f"/api/update/ApiTicket/{created['id']}", {"notes": "moved on"})).status_code == 200
    response = await send(api, "PUT", f"/api/update/ApiTicket/{created['id']}", "*", {"notes": "star"})
    assert response.status_code == 200, response.text
    missing = await send(api, "PUT", "/api/update/ApiTicket/999999", "*", {"notes": "star"})
    hidden = await send(api, "PUT", f"/api/update/ApiTicket/{api.ids['b1']}", "*", {"notes": "star"})
    assert missing.status_code == hidden.status_code == 404


async def test_delete_with_a_stale_if_match_is_409_and_deletes_nothing(api):
    created = await create(api, "Delete stale")
    path = f"/api/delete/ApiTicket/{created['id']}"
    assert (await api.put(f"/api/update/ApiTicket/{created['id']}", {"notes": "changed"})).status_code == 200
    stale = await send(api, "DELETE", path, f'"{created["updated_date"]}"')
    assert stale.status_code == 409 and stale.json()["error"]["type"] == "ConcurrencyError"
    assert stale.json()["error"]["details"][0]["path"] == "updated_date"
    etag = (await api.post(f"/api/fetch/ApiTicket/{created['id']}", {})).headers["etag"]
    deleted = await send(api, "DELETE", path, etag)
    assert deleted.status_code == 200 and deleted.json() == {"deleted": [created["id"]]}


async def test_delete_with_if_match_star_of_a_missing_record_is_404(api):
    response = await send(api, "DELETE", "/api/delete/ApiTicket/999999", "*")
    assert response.status_code == 404 and response.json()["error"]["type"] == "MissingError"
