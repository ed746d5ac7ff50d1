"""The glue ``crm_invoicing`` (business.md 4): installed by itself once crm and invoicing are,
invoices made from opportunities, the invoiced amount, and "won on first invoice"."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import httpx
import pytest_asyncio

from fullfinity.tenancy.service import create_tenant, drop_tenant, installed_modules
from fullfinity.testing import ModuleChecks
from fullfinity.testing.auth import add_user

from .conftest import Crm


class TestCrmInvoicingModule(ModuleChecks):
    module = "crm_invoicing"


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def sales(ff_runtime: Any, ff_app: Any) -> AsyncIterator[Crm]:
    """A tenant where crm and invoicing were asked for (the glue is not named)."""
    name = "crminv" + uuid.uuid4().hex[:8]
    info = await create_tenant(ff_runtime.db, ff_runtime.catalog, name, modules=["crm", "invoicing"])
    transport = httpx.ASGITransport(app=ff_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        try:
            yield Crm(ff_runtime, info, client)
        finally:
            await drop_tenant(ff_runtime.db, ff_runtime.catalog, info.name)


async def _opportunity(sales: Crm, **values: Any) -> int:
    async with sales.env() as env:
        if "contact" not in values:
            values["contact"] = (await env["Contact"].create(name="Customer " + uuid.uuid4().hex[:6])).id
        lead = await env["CrmLead"].create(
            name="Deal " + uuid.uuid4().hex[:6], lead_type="opportunity", expected_revenue=Decimal("1000"), **values
        )
        return int(lead.id)


async def _seller(sales: Crm, name: str) -> None:
    await sales.user(name, groups=("crm_user_all", "invoicing_user"))


async def _invoice_line(sales: Crm, invoice_id: int, price: str, quantity: str = "1") -> None:
    async with sales.env() as env:
        await env["InvoiceLine"].create(invoice=invoice_id, name="Consulting", quantity=Decimal(quantity),
                                        price_unit=Decimal(price), taxes=[])  # fmt: skip


async def _won_on_post(sales: Crm, value: bool) -> None:
    async with sales.env() as env:
        config = await env["Configuration"].filter().first()
        config.crm_invoicing_won_on_post = value
        await config.save()


async def test_the_glue_is_installed_by_itself_with_crm_and_invoicing(sales: Crm) -> None:
    states = await installed_modules(sales.runtime.db, sales.info)

    assert states["crm_invoicing"][0] == "installed"


async def test_the_glue_is_not_installed_without_invoicing(ff_runtime: Any) -> None:
    info = await create_tenant(ff_runtime.db, ff_runtime.catalog, "crmonly" + uuid.uuid4().hex[:8], modules=["crm"])
    try:
        assert "crm_invoicing" not in {m for m, (s, _) in (await installed_modules(ff_runtime.db, info)).items()
                                       if s == "installed"}  # fmt: skip
    finally:
        await drop_tenant(ff_runtime.db, ff_runtime.catalog, info.name)


async def test_a_new_invoice_from_an_opportunity_is_a_linked_draft_for_its_customer(sales: Crm) -> None:
    await _seller(sales, "ines")
    lead = await _opportunity(sales)

    response = await sales.execute("CrmLead", "action_new_invoice", "ines", ids=[lead])

    assert response.status_code == 200, response.text
    action = response.json()["result"]
    assert action["model"] == "Invoice" and action["view_types"] == ["Form"]
    async with sales.env() as env:
        invoices = env["Invoice"].with_fields("state", "move_type", "partner", "opportunity")
        invoice = await invoices.filter(id=action["res_id"]).first()
        contact = (await env["CrmLead"].with_fields("contact").filter(id=lead).first()).contact
    assert (invoice.state, invoice.move_type) == ("draft", "out_invoice")
    assert invoice.partner.id == contact.id and invoice.opportunity.id == lead


async def test_an_opportunity_without_customer_cannot_be_invoiced(sales: Crm) -> None:
    await _seller(sales, "ines")
    lead = await _opportunity(sales, contact=None)

    response = await sales.execute("CrmLead", "action_new_invoice", "ines", ids=[lead])

    assert response.status_code == 422 or response.status_code == 400, response.text
    assert "has no customer" in response.json()["error"]["message"]
    async with sales.env() as env:
        assert await env["Invoice"].filter(opportunity=lead).count() == 0


async def test_a_salesperson_without_invoicing_rights_cannot_make_invoices(sales: Crm) -> None:
    await sales.user("olaf", groups=("crm_user_all",))
    lead = await _opportunity(sales)

    response = await sales.execute("CrmLead", "action_new_invoice", "olaf", ids=[lead])

    assert response.status_code in (403, 404), response.text
    async with sales.env() as env:
        assert await env["Invoice"].filter(opportunity=lead).count() == 0


async def test_the_invoiced_amount_counts_posted_invoices_minus_credit_notes(sales: Crm) -> None:
    await _seller(sales, "ines")
    lead = await _opportunity(sales)
    first = (await sales.execute("CrmLead", "action_new_invoice", "ines", ids=[lead])).json()["result"]["res_id"]
    second = (await sales.execute("CrmLead", "action_new_invoice", "ines", ids=[lead])).json()["result"]["res_id"]
    await _invoice_line(sales, first, "300.00")
    await _invoice_line(sales, second, "45.50", quantity="2")

    async def invoiced() -> Decimal:
        response = await sales.call("POST", f"/api/fetch/CrmLead/{lead}", "ines", {"fields": ["invoiced_amount"]})
        assert response.status_code == 200, response.text
        amount = json.loads(response.text, parse_float=Decimal)["invoiced_amount"]  # exact JSON numbers
        return Decimal(amount)

    assert await invoiced() == Decimal("0")  # drafts count for nothing
    assert (await sales.execute("Invoice", "action_post", "ines", ids=[first])).status_code == 200
    assert await invoiced() == Decimal("300.00")
    assert (await sales.execute("Invoice", "action_post", "ines", ids=[second])).status_code == 200
    assert await invoiced() == Decimal("391.00")
    reversed_ = await sales.execute("Invoice", "action_reverse", "ines", ids=[second])
    assert reversed_.status_code == 200, reversed_.text
    async with sales.env() as env:
        credit = await env["Invoice"].with_fields("state", "opportunity").filter(reversed_invoice=second).first()
    assert credit is not None and credit.state == "posted"  # counted through the invoice it reverses
    assert await invoiced() == Decimal("300.00")


async def test_posting_the_first_invoice_wins_the_opportunity_when_the_setting_is_on(sales: Crm) -> None:
    await _seller(sales, "ines")
    await _won_on_post(sales, True)
    try:
        lead = await _opportunity(sales)
        invoice = (await sales.execute("CrmLead", "action_new_invoice", "ines", ids=[lead])).json()["result"]["res_id"]
        await _invoice_line(sales, invoice, "120.00")

        assert (await sales.execute("Invoice", "action_post", "ines", ids=[invoice])).status_code == 200

        async with sales.env() as env:
            won = await env["CrmLead"].with_fields("won_status", "probability", "date_closed").filter(id=lead).first()
        assert (won.won_status, won.probability) == ("won", 100)
        assert won.date_closed is not None
    finally:
        await _won_on_post(sales, False)


async def test_posting_leaves_the_opportunity_open_when_the_setting_is_off(sales: Crm) -> None:
    await _seller(sales, "ines")
    lead = await _opportunity(sales)
    invoice = (await sales.execute("CrmLead", "action_new_invoice", "ines", ids=[lead])).json()["result"]["res_id"]
    await _invoice_line(sales, invoice, "80.00")

    assert (await sales.execute("Invoice", "action_post", "ines", ids=[invoice])).status_code == 200

    async with sales.env() as env:
        assert (await env["CrmLead"].with_fields("won_status").filter(id=lead).first()).won_status == "pending"


async def test_an_accountant_without_crm_rights_can_post_an_invoice_that_wins_an_opportunity(sales: Crm) -> None:
    await _seller(sales, "ines")
    accountant = await add_user(sales.runtime, sales.tenant, "acc@crm.test", "x" * 16, groups=("invoicing_user",),
                                name="acc")  # fmt: skip
    await _won_on_post(sales, True)
    try:
        lead = await _opportunity(sales)
        invoice = (await sales.execute("CrmLead", "action_new_invoice", "ines", ids=[lead])).json()["result"]["res_id"]
        await _invoice_line(sales, invoice, "10.00")
        async with sales.env(user=accountant) as env:
            await env["Invoice"].browse([invoice]).action_post()
        async with sales.env() as env:
            assert (await env["CrmLead"].with_fields("won_status").filter(id=lead).first()).won_status == "won"
    finally:
        await _won_on_post(sales, False)
