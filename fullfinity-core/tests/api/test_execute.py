"""/api/execute calls exposed methods only; /api/default-get and /api/onchange compute drafts."""

from __future__ import annotations


async def test_an_exposed_instance_method_receives_the_records_of_ids(api):
    created = (await api.post("/api/bulk-create/ApiTicket", {"records": [{"name": "E1"}, {"name": "E2"}]})).json()
    ids = [r["id"] for r in created["data"]]
    response = await api.post("/api/execute/ApiTicket/action_escalate", {"ids": ids, "kwargs": {"reason": "dup"}})
    assert response.status_code == 200, response.text
    assert response.json() == {"result": {"type": "reload", "count": 2, "reason": "dup"}}
    query = {"q_filter": f"Q(id__in={ids}, priority='urgent')", "limit": 0}
    assert (await api.post("/api/query/ApiTicket", query)).json()["total"] == 2


async def test_an_exposed_classmethod_takes_no_ids(api):
    ok = await api.post("/api/execute/ApiTicket/count_urgent", {})
    assert ok.status_code == 200 and isinstance(ok.json()["result"], int)
    refused = await api.post("/api/execute/ApiTicket/count_urgent", {"ids": [1]})
    assert refused.status_code == 400 and "class method" in refused.json()["error"]["message"]


async def test_instance_methods_need_ids_and_every_id_must_be_readable(api):
    missing = await api.post("/api/execute/ApiTicket/action_escalate", {})
    assert missing.status_code == 400
    hidden = await api.post("/api/execute/ApiTicket/action_escalate", {"ids": [api.ids["b1"]]})
    assert hidden.status_code == 404


async def test_non_exposed_and_private_methods_are_404(api):
    for name in ("action_hidden", "_default_get", "save", "delete", "no_such_method"):
        response = await api.post(f"/api/execute/ApiTicket/{name}", {"ids": []})
        assert response.status_code == 404, name
        assert response.json()["error"]["type"] == "NotFound"
        assert "@Model.expose" in response.json()["error"]["message"]


async def test_a_method_exposed_to_a_group_is_403_for_others_and_returns_records(api):
    created = (await api.post("/api/create/ApiTicket", {"name": "Archive me"})).json()
    denied = await api.post("/api/execute/ApiTicket/action_archive", {"ids": [created["id"]]})
    assert denied.status_code == 403
    allowed = await api.post("/api/execute/ApiTicket/action_archive", {"ids": [created["id"]]}, user="boss")
    assert allowed.json() == {"result": [{"id": created["id"], "display_name": "Archive me"}]}


async def test_bad_arguments_are_400_and_user_errors_400(api):
    bad = await api.post("/api/execute/ApiTicket/action_escalate", {"ids": [], "kwargs": {"nope": 1}})
    assert bad.status_code == 400 and "Bad arguments" in bad.json()["error"]["message"]
    refused = await api.post("/api/execute/ApiTicket/refuse", {})
    assert refused.status_code == 400 and refused.json()["error"]["type"] == "UserError"


async def test_a_statement_timeout_is_a_clear_503(api):
    response = await api.post("/api/execute/ApiTicket/sleep", {"kwargs": {"seconds": 2}})
    assert response.status_code == 503
    assert "statement timeout" in response.json()["error"]["message"]


async def test_a_transient_wizard_runs_on_a_draft_built_from_values(api):
    body = {"values": {"reason": "merge"}, "context": {"active_ids": [5]}}
    response = await api.post("/api/execute/ApiWizard/action_apply", body)
    assert response.status_code == 200, response.text
    assert response.json()["result"] == {
        "type": "close",
        "reload": True,
        "reason": "merge",
        "count": 3,
        "active_ids": [5],
    }


async def test_default_get_applies_field_defaults_and_context_defaults(api):
    body = {"fields": ["priority", "team", "deadline", "active"], "context": {"default_team": api.ids["red"]}}
    response = await api.post("/api/default-get/ApiTicket", body)
    assert response.status_code == 200, response.text
    assert response.json() == {
        "values": {
            "priority": "normal",
            "team": {"id": api.ids["red"], "display_name": "Red"},
            "deadline": None,
            "active": True,
        }
    }


async def test_default_get_computes_listed_computed_fields(api):
    response = await api.post("/api/default-get/ApiWizard", {"fields": ["count", "doubled"]})
    assert response.json() == {"values": {"count": 3, "doubled": 6}}


async def test_onchange_recomputes_a_new_draft_with_lines_and_writes_nothing(api):
    body = {"values": {"name": "Draft", "moves": [["N", {"weight": 300.0, "qty": 2}], ["N", {"weight": 500.0}]]}}
    response = await api.post("/api/onchange/ApiPicking", body)
    assert response.status_code == 200, response.text
    values = response.json()["values"]
    assert values["total_weight"] == 1100.0 and values["heavy"] is True
    assert values["moves"] == [{"subtotal_weight": 600.0}, {"subtotal_weight": 500.0}]
    count = await api.post("/api/query/ApiPicking", {"limit": 0})
    assert count.json()["total"] == 1


async def test_onchange_of_a_stored_record_overlays_its_values_and_edits_lines(api):
    body = {
        "id": api.ids["picking"],
        "values": {"moves": [["W", api.ids["move"], {"weight": 12.5}], ["N", {"weight": 3.0}]]},
        "changed": ["moves"],
    }
    response = await api.post("/api/onchange/ApiPicking", body)
    assert response.status_code == 200, response.text
    values = response.json()["values"]
    assert values["total_weight"] == 28.0  # 12.5 x 2 + 3.0 x 1
    assert values["moves"] == [{"id": api.ids["move"], "subtotal_weight": 25.0}, {"subtotal_weight": 3.0}]
    stored = await api.post(f"/api/fetch/ApiPicking/{api.ids['picking']}", {"fields": ["total_weight"]})
    assert stored.json()["total_weight"] == 800.0


async def test_onchange_only_returns_fields_depending_on_what_changed(api):
    response = await api.post("/api/onchange/ApiTicket", {"values": {"priority": "urgent"}, "changed": ["name"]})
    assert response.json() == {"values": {}}
    response = await api.post("/api/onchange/ApiTicket", {"values": {"priority": "urgent"}, "changed": ["priority"]})
    assert response.json() == {"values": {"is_urgent": True}}


async def test_onchange_runs_the_line_methods_of_the_changed_line_field_and_sends_back_what_they_set(api):
    lines = [["N", {"weight": 2000.0, "qty": 5}], ["N", {"weight": 50.0, "qty": 2}], ["N", {"weight": 3000.0}]]
    body = {"values": {"name": "Draft", "moves": lines}, "changed": ["moves.0.weight", "moves.1.weight"]}

    response = await api.post("/api/onchange/ApiPicking", body)

    assert response.status_code == 200, response.text
    values = response.json()["values"]
    assert values["moves"][0] == {"label": "heavy", "qty": 1, "subtotal_weight": 2000.0}  # qty set, then computed
    assert values["moves"][1] == {"label": "light", "subtotal_weight": 100.0}
    assert values["moves"][2] == {"subtotal_weight": 3000.0}  # its weight was not the change: untouched
    assert values["total_weight"] == 2000.0 + 100.0 + 3000.0


async def test_onchange_methods_do_not_run_for_fields_that_did_not_change(api):
    body = {"id": api.ids["picking"], "values": {"moves": [["W", api.ids["move"], {"weight": 500.0}]]},
            "changed": ["moves.0.qty"]}  # fmt: skip

    response = await api.post("/api/onchange/ApiPicking", body)

    assert response.status_code == 200, response.text
    assert "label" not in response.json()["values"]["moves"][0]


async def test_onchange_paths_that_name_no_line_field_are_a_422(api):
    for bad in ("moves.x.weight", "moves.0.nope", "name.0.weight", "nope"):
        response = await api.post("/api/onchange/ApiPicking", {"values": {}, "changed": [bad]})

        assert response.status_code == 422, (bad, response.text)
        assert response.json()["error"]["details"][0]["path"] == "changed.0"


async def test_onchange_reports_bad_values_and_hidden_references(api):
    body = {"values": {"priority": "x", "team": 999999}}
    response = await api.post("/api/onchange/ApiTicket", body)
    assert response.status_code == 422
    assert {d["path"] for d in response.json()["error"]["details"]} == {"values.priority", "values.team"}
