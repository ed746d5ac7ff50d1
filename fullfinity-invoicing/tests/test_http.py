"""The workflow over HTTP: a billing user creates, posts, credits and pays; a portal user reads
their own posted invoices and nothing else of accounting (record rules on every path)."""

import datetime as dt
import json
import uuid
from decimal import Decimal

import pytest_asyncio

from fullfinity.scripting import tenant_env
from fullfinity.testing.auth import PASSWORD, add_user, login, on


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def world(ff_runtime, tenant):
    token = uuid.uuid4().hex[:6]
    await add_user(ff_runtime, tenant.name, f"bill-{token}@example.test", PASSWORD, ["invoicing_user"])
    portal = await add_user(ff_runtime, tenant.name, f"portal-{token}@example.test", PASSWORD, ["core_portal"])
    async with tenant_env(tenant.name, runtime=ff_runtime) as env:
        company = await env["Contact"].create(name=f"Portal Co {token}", is_company=True)
        person = await env["Contact"].create(name=f"Pat {token}", parent=company.id)
        other = await env["Contact"].create(name=f"Other {token}")
        user = await env["User"].get(portal)
        user.contact = person.id
        await user.save()
        line = {"name": "Work", "price_unit": 50}
        rows = [
            {"partner": p, "invoice_date": dt.date(2026, 2, 1), "lines": [["N", line]]}
            for p in (company.id, person.id, other.id, company.id)
        ]
        invoices = await env["Invoice"].bulk_create(rows)
        await invoices[:3].action_post()  # the fourth stays a draft
    return {"billing": f"bill-{token}@example.test", "portal": f"portal-{token}@example.test",
            "mine": invoices.ids[:2], "other": invoices.ids[2], "draft": invoices.ids[3]}  # fmt: skip


async def _headers(client, tenant, email):
    tokens = await login(client, tenant.name, email)
    return on(tenant.name, tokens["access_token"])


async def test_a_billing_user_creates_posts_credits_and_pays_over_the_api(ff_client, tenant, world):
    h = await _headers(ff_client, tenant, world["billing"])
    partner = (await ff_client.post("/api/create/Contact", json={"name": "API customer"}, headers=h)).json()["id"]
    created = await ff_client.post(
        "/api/create/Invoice",
        headers=h,
        json={
            "partner": partner,
            "invoice_date": "2026-02-10",
            "lines": [["N", {"name": "Consulting", "quantity": "3", "price_unit": "80.00"}]],
        },
    )
    assert created.status_code == 200, created.text
    invoice = created.json()["id"]

    posted = await ff_client.post("/api/execute/Invoice/action_post", json={"ids": [invoice]}, headers=h)
    assert posted.status_code == 200, posted.text
    read = (await ff_client.post(f"/api/fetch/Invoice/{invoice}", json={}, headers=h)).json()
    assert read["state"] == "posted" and read["amount_total"] == 288.0 and read["number"].startswith("INV/")

    wizard = await ff_client.post(
        "/api/execute/PaymentRegister/action_create_payments",
        headers=h,
        json={"values": {"invoices": [invoice], "amount": "100.00", "date": "2026-02-20"}},
    )
    assert wizard.status_code == 200, wizard.text
    read = (await ff_client.post(f"/api/fetch/Invoice/{invoice}", json={}, headers=h)).json()
    assert (read["payment_state"], read["amount_residual"]) == ("partial", 188.0)


async def test_a_posted_invoice_refuses_every_write_over_the_api(ff_client, tenant, world):
    h = await _headers(ff_client, tenant, world["billing"])
    invoice = world["mine"][0]

    for body in ({"narration": "edited"}, {"partner": None}, {"invoice_date": "2026-01-01"}, {"reference": "x"}):
        answer = await ff_client.put(f"/api/update/Invoice/{invoice}", json=body, headers=h)
        assert 400 <= answer.status_code < 500, (body, answer.text)
    for body in ({"amount_total": 1}, {"state": "draft"}, {"number": "X"}):
        answer = await ff_client.put(f"/api/update/Invoice/{invoice}", json=body, headers=h)
        assert answer.status_code == 422, (body, answer.text)  # read-only fields
    lines = (await ff_client.post(f"/api/fetch/Invoice/{invoice}", json={"fields": ["lines"]}, headers=h)).json()
    answer = await ff_client.put(f"/api/update/InvoiceLine/{lines['lines'][0]}", json={"quantity": 9}, headers=h)
    assert answer.status_code == 400, answer.text
    answer = await ff_client.delete(f"/api/delete/Invoice/{invoice}", headers=h)
    assert answer.status_code == 400, answer.text


async def test_a_portal_user_lists_only_their_posted_invoices(ff_client, tenant, world):
    h = await _headers(ff_client, tenant, world["portal"])

    found = await ff_client.post("/api/query/Invoice", json={"fields": ["name", "amount_total"]}, headers=h)

    assert found.status_code == 200, found.text
    assert sorted(r["id"] for r in found.json()["data"]) == sorted(world["mine"])


async def test_a_portal_user_cannot_fetch_a_draft_or_another_customers_invoice(ff_client, tenant, world):
    h = await _headers(ff_client, tenant, world["portal"])

    for invoice in (world["draft"], world["other"]):
        answer = await ff_client.post(f"/api/fetch/Invoice/{invoice}", json={}, headers=h)
        assert answer.status_code == 404, answer.text


async def test_a_portal_user_reads_only_the_lines_of_their_invoices(ff_client, tenant, world):
    h = await _headers(ff_client, tenant, world["portal"])

    found = await ff_client.post("/api/query/InvoiceLine", json={"fields": ["invoice", "price_subtotal"]}, headers=h)

    assert found.status_code == 200, found.text
    assert {r["invoice"]["id"] for r in found.json()["data"]} == set(world["mine"])


async def test_a_portal_user_cannot_group_or_filter_their_way_to_other_invoices(ff_client, tenant, world):
    h = await _headers(ff_client, tenant, world["portal"])

    body = {"group_by": ["state"], "aggregates": ["amount_total:sum"]}
    grouped = await ff_client.post("/api/query/Invoice", json=body, headers=h)
    filtered = await ff_client.post("/api/query/Invoice", json={"q_filter": f"Q(id={world['other']})"}, headers=h)

    assert [g["__count"] for g in grouped.json()["data"]] == [2]
    assert filtered.json()["data"] == []


async def test_a_portal_user_sees_nothing_else_of_accounting(ff_client, tenant, world):
    h = await _headers(ff_client, tenant, world["portal"])

    for model in ("JournalEntry", "JournalItem", "Payment", "Account", "Tax", "PartialReconcile"):
        answer = await ff_client.post(f"/api/query/{model}", json={}, headers=h)
        assert answer.status_code == 403, (model, answer.text)
    answer = await ff_client.post("/api/execute/Invoice/action_post", json={"ids": world["mine"]}, headers=h)
    assert answer.status_code in (403, 404), answer.text


async def test_a_billing_user_cannot_post_manual_entries(ff_client, tenant, world):
    h = await _headers(ff_client, tenant, world["billing"])

    answer = await ff_client.post("/api/create/JournalEntry", json={"journal": 1, "date": "2026-02-01"}, headers=h)

    assert answer.status_code == 403, answer.text


async def test_the_form_gets_live_totals_while_lines_are_edited(ff_client, tenant, world):
    h = await _headers(ff_client, tenant, world["billing"])
    vat = (await ff_client.post("/api/query/Tax", json={"q_filter": "Q(name='VAT 20%')"}, headers=h)).json()["data"][0]

    answer = await ff_client.post("/api/onchange/Invoice", headers=h, json={
        "values": {"lines": [["N", {"name": "a", "quantity": "2", "price_unit": "10.00", "taxes": [vat["id"]]}],
                             ["N", {"name": "b", "quantity": "1", "price_unit": "5.55", "taxes": [vat["id"]]}]]},
        "changed": ["lines"]})  # fmt: skip

    assert answer.status_code == 200, answer.text
    totals = answer.json()["values"]["tax_totals"]
    assert (totals["amount_untaxed"], totals["amount_tax"], totals["amount_total"]) == ("25.55", "5.11", "30.66")


async def test_picking_a_product_on_a_line_fills_it_live(ff_client, tenant, world, ff_runtime):
    h = await _headers(ff_client, tenant, world["billing"])
    async with tenant_env(tenant.name, runtime=ff_runtime) as env:
        vat = await env["Tax"].filter(name="VAT 20%").get()
        product = await env["Product"].create(name=f"Desk {uuid.uuid4().hex[:6]}", sale_price=Decimal("120.00"))
        product.sale_taxes = [vat.id]
        await product.save()

    answer = await ff_client.post("/api/onchange/Invoice", headers=h, json={
        "values": {"move_type": "out_invoice",
                   "lines": [["N", {"name": "kept", "quantity": "1", "price_unit": "5.00"}],
                             ["N", {"product": product.id, "quantity": "3"}]]},
        "changed": ["lines.1.product"]})  # fmt: skip

    assert answer.status_code == 200, answer.text
    values = json.loads(answer.text, parse_float=Decimal)["values"]  # Monetary: JSON numbers, exact digits
    first, second = values["lines"]
    assert "name" not in first  # a line nobody changed is not sent back: what was typed stays
    assert (second["name"], second["price_unit"]) == (product.name, Decimal("120.00"))
    assert [t["id"] for t in second["taxes"]] == [vat.id] and second["account"]["display_name"].startswith("4000")
    assert (second["price_subtotal"], second["price_total"]) == (Decimal("360.00"), Decimal("432.00"))
    assert values["tax_totals"]["amount_total"] == "437.00"  # 5.00 untaxed + 432.00


async def test_a_line_added_without_product_gets_the_default_account_and_tax_live(ff_client, tenant, world):
    h = await _headers(ff_client, tenant, world["billing"])
    vat = (await ff_client.post("/api/query/Tax", json={"q_filter": "Q(name='VAT 20%')"}, headers=h)).json()["data"][0]

    answer = await ff_client.post("/api/onchange/Invoice", headers=h, json={
        "values": {"move_type": "out_invoice",
                   "lines": [["N", {"name": "typed", "quantity": "1", "price_unit": "5.00", "taxes": []}],
                             ["N", {"name": "consulting", "quantity": "2", "price_unit": "50.00"}]]},
        "changed": ["lines.1"]})  # fmt: skip

    assert answer.status_code == 200, answer.text
    values = json.loads(answer.text, parse_float=Decimal)["values"]
    first, second = values["lines"]
    assert "taxes" not in first  # only the added line: the first one keeps its empty taxes
    assert [t["id"] for t in second["taxes"]] == [vat["id"]] and second["account"]["display_name"].startswith("4000")
    assert (second["price_subtotal"], second["price_total"]) == (Decimal("100.00"), Decimal("120.00"))
    assert values["tax_totals"]["amount_total"] == "125.00"  # what saving the draft would give


async def test_a_line_edited_on_a_form_gets_its_amounts_live(ff_client, tenant, world):
    h = await _headers(ff_client, tenant, world["billing"])

    answer = await ff_client.post("/api/onchange/Invoice", headers=h, json={
        "values": {"lines": [["N", {"name": "a", "quantity": "4", "price_unit": "2.50", "discount": "10"}]]},
        "changed": ["lines.0.discount"]})  # fmt: skip

    assert answer.status_code == 200, answer.text
    line = json.loads(answer.text, parse_float=Decimal)["values"]["lines"][0]
    assert (line["price_subtotal"], line["price_total"]) == (Decimal("9.00"), Decimal("9.00"))


async def test_a_line_path_naming_no_field_is_a_422(ff_client, tenant, world):
    h = await _headers(ff_client, tenant, world["billing"])

    answer = await ff_client.post("/api/onchange/Invoice", headers=h, json={
        "values": {"lines": [["N", {"name": "a"}]]}, "changed": ["lines.0.colour"]})  # fmt: skip

    assert answer.status_code == 422
    assert answer.json()["error"]["details"][0]["path"] == "changed.0"


async def test_a_new_bill_gets_the_purchase_journal_and_the_company_currency(ff_client, tenant, world):
    h = await _headers(ff_client, tenant, world["billing"])

    answer = await ff_client.post("/api/default-get/Invoice", headers=h, json={
        "fields": ["move_type", "journal", "currency", "state"],
        "context": {"default_move_type": "in_invoice"}})  # fmt: skip

    assert answer.status_code == 200, answer.text
    values = answer.json()["values"]
    assert (values["move_type"], values["state"]) == ("in_invoice", "draft")
    assert values["journal"]["display_name"] == "Vendor bills"
    assert values["currency"]["id"] is not None


async def test_switching_a_draft_to_a_bill_switches_its_journal(ff_client, tenant, world):
    h = await _headers(ff_client, tenant, world["billing"])
    sale = (await ff_client.post("/api/default-get/Invoice", headers=h, json={"fields": ["journal"]})).json()

    answer = await ff_client.post("/api/onchange/Invoice", headers=h, json={
        "values": {"move_type": "in_invoice", "journal": sale["values"]["journal"]["id"]},
        "changed": ["move_type"]})  # fmt: skip

    assert answer.status_code == 200, answer.text
    assert sale["values"]["journal"]["display_name"] == "Customer invoices"
    assert answer.json()["values"]["journal"]["display_name"] == "Vendor bills"
