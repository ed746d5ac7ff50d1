"""GET /api/file/{model}/{id}/{field}: a File or Binary value, with the access of reading the field."""

from __future__ import annotations

import hashlib

import pytest_asyncio

from fullfinity.engine.database.filestore import filestore_path

PDF = b"%PDF-1.4 quarterly report"


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def files(api):
    ann, bob = api.users["ann"], api.users["bob"]
    async with api.env(api.app.state.test_runtime) as env:
        ticket = env["ApiTicket"]
        mine = await ticket.create(
            name="With files",
            assignee=ann,
            scan={"name": "rapport été.pdf", "content": PDF, "mimetype": "application/pdf"},
            blob=b"\x00\x01raw",
            contract={"name": "contract.txt", "content": b"terms", "mimetype": "text/plain"},
        )
        page = await ticket.create(
            name="Page",
            assignee=ann,
            scan={"name": "page.html", "content": b"<script>1</script>", "mimetype": "text/html"},
        )
        empty = await ticket.create(name="No files", assignee=ann)
        hidden = await ticket.create(
            name="Bob's file", assignee=bob, scan={"name": "b.txt", "content": b"bob", "mimetype": "text/plain"}
        )
        archived = await ticket.create(
            name="Archived file",
            assignee=ann,
            active=False,
            scan={"name": "old.txt", "content": b"old", "mimetype": "text/plain"},
        )
        lost = await ticket.create(
            name="Lost file", assignee=ann, scan={"name": "lost.txt", "content": b"gone soon", "mimetype": "text/plain"}
        )
        forged = await ticket.create(name="Forged", assignee=ann)
    async with api.env(api.app.state.test_runtime) as env:
        await env.execute(  # a value no API write can produce: a path instead of a SHA-256
            "UPDATE api_ticket SET scan = $1::text::jsonb WHERE id = $2",
            '{"name": "passwd", "mimetype": "text/plain", "size": 1, "sha256": "../../../../etc/passwd"}',
            forged.id,
        )
    filestore_path(api.tenant, hashlib.sha256(b"gone soon").hexdigest()).unlink()
    return {
        "mine": mine.id,
        "page": page.id,
        "empty": empty.id,
        "hidden": hidden.id,
        "archived": archived.id,
        "lost": lost.id,
        "forged": forged.id,
    }


def error(response):
    return response.json()["error"]


async def get_with(api, path, **headers):
    return await api.client.get(path, headers={**api.headers("ann"), **headers})


async def test_a_file_is_sent_inline_with_its_mimetype_name_and_sha256_etag(api, files):
    record = (await api.post(f"/api/fetch/ApiTicket/{files['mine']}", {"fields": ["scan"]})).json()
    response = await api.get(record["scan"]["url"])
    assert response.status_code == 200, response.text
    assert response.content == PDF
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-length"] == str(len(PDF))
    assert response.headers["content-disposition"] == (
        "inline; filename=\"rapport _t_.pdf\"; filename*=UTF-8''rapport%20%C3%A9t%C3%A9.pdf"
    )
    assert response.headers["etag"] == f'"{hashlib.sha256(PDF).hexdigest()}"' == f'"{record["scan"]["sha256"]}"'
    assert response.headers["x-content-type-options"] == "nosniff"


async def test_head_gives_the_headers_without_the_content(api, files):
    path = f"/api/file/ApiTicket/{files['mine']}/scan"
    response = await api.client.head(path, headers=api.headers("ann"))
    assert response.status_code == 200 and response.content == b""
    assert response.headers["content-length"] == str(len(PDF))
    assert response.headers["etag"] == f'"{hashlib.sha256(PDF).hexdigest()}"'
    assert (await api.client.head(path, headers=api.headers(None))).status_code == 401


async def test_download_1_asks_for_an_attachment(api, files):
    response = await api.get(f"/api/file/ApiTicket/{files['archived']}/scan?download=1")
    assert response.status_code == 200, response.text
    assert response.headers["content-disposition"] == 'attachment; filename="old.txt"'
    assert response.headers["content-type"].startswith("text/plain")


async def test_if_none_match_with_the_current_etag_is_304_without_a_body(api, files):
    path = f"/api/file/ApiTicket/{files['mine']}/scan"
    etag = (await api.get(path)).headers["etag"]
    response = await get_with(api, path, **{"If-None-Match": etag})
    assert response.status_code == 304 and response.content == b""
    assert response.headers["etag"] == etag
    changed = await get_with(api, path, **{"If-None-Match": '"something-else"'})
    assert changed.status_code == 200 and changed.content == PDF


async def test_a_binary_value_is_sent_as_octet_stream_with_its_sha256(api, files):
    response = await api.get(f"/api/file/ApiTicket/{files['mine']}/blob?download=true")
    assert response.status_code == 200, response.text
    assert response.content == b"\x00\x01raw"
    assert response.headers["content-type"] == "application/octet-stream"
    assert response.headers["content-disposition"] == "attachment"
    digest = hashlib.sha256(b"\x00\x01raw").hexdigest()
    assert response.headers["etag"] == f'"{digest}"'


async def test_an_html_file_shown_inline_is_sandboxed(api, files):
    response = await api.get(f"/api/file/ApiTicket/{files['page']}/scan")
    assert response.status_code == 200
    assert response.headers["content-security-policy"] == "sandbox"


async def test_an_archived_record_is_readable_as_with_fetch(api, files):
    response = await api.get(f"/api/file/ApiTicket/{files['archived']}/scan")
    assert response.status_code == 200 and response.content == b"old"


async def test_a_record_hidden_by_record_rules_or_missing_is_404_naming_model_and_id(api, files):
    hidden = await api.get(f"/api/file/ApiTicket/{files['hidden']}/scan")
    missing = await api.get("/api/file/ApiTicket/999999/scan")
    assert hidden.status_code == missing.status_code == 404
    assert error(hidden)["type"] == "MissingError"
    assert error(hidden)["message"] == f"ApiTicket({files['hidden']}) does not exist or is not visible to you."
    assert error(missing)["message"] == "ApiTicket(999999) does not exist or is not visible to you."
    boss = await api.get(f"/api/file/ApiTicket/{files['hidden']}/scan", user="boss")
    assert boss.status_code == 200 and boss.content == b"bob"


async def test_a_field_restricted_to_other_groups_is_403_as_when_fetching_it(api, files):
    response = await api.get(f"/api/file/ApiTicket/{files['mine']}/contract")
    fetch = await api.post(f"/api/fetch/ApiTicket/{files['mine']}", {"fields": ["contract"]})
    assert response.status_code == fetch.status_code == 403
    assert error(response) == error(fetch)
    assert "restricted to the groups apit_manager" in error(response)["message"]
    boss = await api.get(f"/api/file/ApiTicket/{files['mine']}/contract", user="boss")
    assert boss.status_code == 200 and boss.content == b"terms"


async def test_without_read_access_to_the_model_it_is_403(api, files):
    response = await api.get(f"/api/file/ApiTask/{files['mine']}/name", user="pat")
    assert response.status_code == 403 and error(response)["type"] == "AccessError"
    assert "not allowed to read ApiTask records" in error(response)["message"]


async def test_unknown_models_and_fields_get_the_apis_usual_errors(api, files):
    model = await api.get(f"/api/file/NoSuchModel/{files['mine']}/scan")
    assert model.status_code == 404 and error(model)["type"] == "NotFound"
    field = await api.get(f"/api/file/ApiTicket/{files['mine']}/scna")
    assert field.status_code == 400 and error(field)["type"] == "BadRequest"
    assert "ApiTicket has no field 'scna'" in error(field)["message"] and "Closest: scan" in error(field)["message"]
    assert error(field)["details"] == [{"path": "field", "message": "unknown field 'scna'"}]


async def test_a_field_that_is_neither_file_nor_binary_is_400_saying_which_types_download(api, files):
    response = await api.get(f"/api/file/ApiTicket/{files['mine']}/name")
    assert response.status_code == 400 and error(response)["type"] == "BadRequest"
    assert "ApiTicket.name is a Char field; only File and Binary fields can be downloaded" in error(response)["message"]


async def test_an_empty_value_is_404_saying_the_field_has_no_file(api, files):
    for name in ("scan", "blob"):
        response = await api.get(f"/api/file/ApiTicket/{files['empty']}/{name}")
        assert response.status_code == 404 and error(response)["type"] == "MissingError"
        assert error(response)["message"] == f"ApiTicket({files['empty']}).{name} has no file."


async def test_content_missing_from_the_filestore_is_a_clear_404(api, files):
    response = await api.get(f"/api/file/ApiTicket/{files['lost']}/scan")
    assert response.status_code == 404
    assert "is missing from the filestore" in error(response)["message"]


async def test_a_stored_value_that_is_not_a_sha256_never_reads_outside_the_filestore(api, files):
    response = await api.get(f"/api/file/ApiTicket/{files['forged']}/scan")
    assert response.status_code == 404
    assert "is missing from the filestore" in error(response)["message"]


async def test_the_api_refuses_a_file_value_whose_sha256_is_not_one(api, files):
    forged = {"name": "passwd", "size": 1, "sha256": "../../../../etc/passwd"}
    response = await api.put(f"/api/update/ApiTicket/{files['empty']}", {"scan": forged})
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["path"] == "scan"


async def test_transient_models_have_no_files(api, files):
    response = await api.get("/api/file/ApiWizard/1/reason")
    assert response.status_code == 400 and "transient" in error(response)["message"]


async def test_the_guest_gets_401(api, files):
    response = await api.get(f"/api/file/ApiTicket/{files['mine']}/scan", user=None)
    assert response.status_code == 401 and error(response)["type"] == "AuthenticationError"
