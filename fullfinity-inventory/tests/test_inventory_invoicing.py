"""The glue inventory_invoicing: valuation entries that balance and equal the layer values; transfers
from posted invoices and bills, delivered quantities on the lines, never put in a transfer twice."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import pytest
import pytest_asyncio

pytest.importorskip("fullfinity_invoicing")


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def tenant(ff_runtime: Any) -> AsyncIterator[Any]:
    from fullfinity.tenancy.service import create_tenant, drop_tenant

    info = await create_tenant(
        ff_runtime.db, ff_runtime.catalog, f"stki-{uuid.uuid4().hex[:8]}", modules=["inventory", "invoicing"]
    )
    try:
        yield info
    finally:
        await drop_tenant(ff_runtime.db, ff_runtime.catalog, info.name)


async def test_the_glue_is_installed_with_both_modules(env):
    assert await env.fetchval("SELECT state FROM module WHERE identifier = 'inventory_invoicing'") == "installed"


async def test_every_valuation_layer_posts_a_balanced_entry_of_its_value(stock, env):
    product = await stock.product(cost_method="fifo")
    await stock.receive(product, 4, unit_cost=Decimal("12.50"))
    await stock.deliver(product, 3)
    rows = await env.fetch(
        "SELECT v.value, e.state, sum(i.debit) AS debit, sum(i.credit) AS credit, "
        "sum(i.balance) FILTER (WHERE a.code = '1300') AS stock FROM valuation_layer v "
        "JOIN journal_entry e ON e.id = v.journal_entry_id JOIN journal_item i ON i.entry_id = e.id "
        "JOIN account a ON a.id = i.account_id WHERE v.product_id = $1 GROUP BY v.id, v.value, e.state ORDER BY v.id",
        product.id,
    )
    assert [(r["value"], r["state"]) for r in rows] == [(Decimal("50.00"), "posted"), (Decimal("-37.50"), "posted")]
    assert all(r["debit"] == r["credit"] == abs(r["value"]) and r["stock"] == r["value"] for r in rows)


async def test_a_posted_invoice_creates_its_delivery_once_and_shows_what_was_delivered(stock, env):
    product = await stock.product()
    await stock.receive(product, 10)
    customer = await env["Contact"].create(name=f"Customer {uuid.uuid4().hex[:6]}")
    invoice = await env["Invoice"].create(
        partner=customer.id, lines=[["N", {"product": product.id, "quantity": Decimal(6), "price_unit": Decimal(20)}]]
    )
    await invoice.action_post()
    answer = await invoice.action_create_transfer()
    (delivery,) = await env["Transfer"].filter(answer["q_filter"])
    (move,) = await stock.moves(delivery)
    assert move.demand == Decimal(6) and delivery.origin == invoice.number
    again = await invoice.action_create_transfer()
    assert again["q_filter"] == "Q(id__in=[])"  # nothing is put in a transfer twice
    await delivery.action_validate()
    line = await env["InvoiceLine"].with_fields("qty_delivered").filter(invoice=invoice.id).get()
    assert line.qty_delivered == Decimal(6)
