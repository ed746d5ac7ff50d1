"""/api/meta, the per-tenant OpenAPI document and the request limits."""

from __future__ import annotations


async def test_meta_lists_fields_with_types_labels_options_and_the_users_rights(api):
    response = await api.get("/api/meta/ApiTicket")
    assert response.status_code == 200, response.text
    meta = response.json()
    assert meta["model"] == "ApiTicket" and meta["verbose_name"] == "Ticket" and meta["transient"] is False
    fields = meta["fields"]
    assert fields["name"]["type"] == "Char" and fields["name"]["required"] and fields["name"]["max_length"] == 200
    assert fields["priority"]["selection"] == [["low", "Low"], ["normal", "Normal"], ["urgent", "Urgent"]]
    assert fields["team"] | {"relation": "ApiTeam", "on_delete": "RESTRICT"} == fields["team"]
    assert fields["tags"]["type"] == "ManyToMany" and fields["tags"]["relation"] == "ApiTag"
    assert fields["is_urgent"]["computed"] and fields["is_urgent"]["readonly"]
    assert fields["id"]["readonly"]
    assert "secret_note" not in fields
    assert meta["access"] == {"read": True, "write": True, "create": True, "delete": True}


async def test_meta_flags_the_fields_an_onchange_method_watches(api):
    fields = (await api.get("/api/meta/ApiMove")).json()["fields"]

    assert fields["weight"]["onchange"] is True
    assert "onchange" not in fields["qty"]


async def test_meta_shows_restricted_fields_and_rights_per_user(api):
    boss = (await api.get("/api/meta/ApiTicket", user="boss")).json()
    pat = (await api.get("/api/meta/ApiTicket", user="pat")).json()
    assert "secret_note" in boss["fields"]
    assert pat["access"] == {"read": True, "write": False, "create": False, "delete": False}


async def test_openapi_has_a_record_and_write_schema_and_operations_per_installed_model(api):
    response = await api.get("/openapi.json", user=None)
    assert response.status_code == 200
    doc = response.json()
    schemas = doc["components"]["schemas"]
    ticket = schemas["ApiTicket"]["properties"]
    assert ticket["team"] == {
        "anyOf": [{"$ref": "#/components/schemas/RelatedRecord"}, {"type": "null"}],
        **{"description": ticket["team"]["description"]},
    }
    assert "is_urgent" not in schemas["ApiTicketWrite"]["properties"]
    assert "secret_note" not in ticket
    assert "/api/query/ApiTicket" in doc["paths"] and "/api/fetch/ApiTicket/{id}" in doc["paths"]
    assert "/api/execute/ApiTicket/action_escalate" in doc["paths"]
    assert "/api/execute/ApiTicket/action_hidden" not in doc["paths"]
    assert "/api/query/ApiWizard" not in doc["paths"] and "/api/onchange/ApiWizard" in doc["paths"]
    assert doc["paths"]["/api/query/ApiTicket"]["post"]["tags"] == ["ApiTicket"]
    assert "/auth/authenticate" in doc["paths"]  # the application's own routes are there too
    for path, verb in (("/api/update/ApiTicket/{id}", "put"), ("/api/delete/ApiTicket/{id}", "delete")):
        assert "If-Match" in {p["name"] for p in doc["paths"][path][verb]["parameters"]}
    generic = doc["paths"]["/api/query/{model}"]
    assert generic["post"]["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/QueryBody"
    }
    assert "model" in {p["name"] for p in generic["get"]["parameters"]}


async def test_swagger_ui_is_served(api):
    response = await api.get("/docs", user=None)
    assert response.status_code == 200 and "swagger" in response.text.lower()


async def test_a_body_over_the_size_cap_is_413_before_it_is_read(api, runtime):
    cap = runtime.settings.api_max_body_size
    response = await api.client.post(
        "/api/create/ApiTicket",
        content=b'{"name": "' + b"x" * cap + b'"}',
        headers={**api.headers("ann"), "content-type": "application/json"},
    )
    assert response.status_code == 413
    assert response.json()["error"]["type"] == "PayloadTooLarge"


async def test_a_chunked_body_over_the_size_cap_is_413(api, runtime):
    cap = runtime.settings.api_max_body_size

    async def chunks():
        yield b'{"name": "'
        for _ in range(cap // 65536 + 2):
            yield b"x" * 65536
        yield b'"}'

    response = await api.client.post(
        "/api/create/ApiTicket", content=chunks(), headers={**api.headers("ann"), "content-type": "application/json"}
    )
    assert response.status_code == 413


async def test_typescript_types_are_generated_from_the_tenants_document(api, tmp_path, run_cli):
    from fullfinity.api.typescript import typescript_from_openapi

    doc = (await api.get("/openapi.json", user=None)).json()
    text = typescript_from_openapi(doc)
    assert "export type ApiTicket = {" in text
    assert 'priority?: ("low" | "normal" | "urgent" | null);' in text
    assert "team?: (RelatedRecord | null);" in text
    assert "ApiTicket: { record: ApiTicket; write: ApiTicketWrite; update: ApiTicketUpdate };" in text
    source = tmp_path / "openapi.json"
    source.write_text((await api.get("/openapi.json", user=None)).text)
    result = run_cli("api", "typescript", "--from", str(source))
    assert result.returncode == 0, result.stderr
    assert result.stdout == text
