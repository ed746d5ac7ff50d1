"""business.md 2 invariant 4: numbers at posting only, per journal, type and year, contiguous, even
when many connections post at once; no document dated before the last numbered one."""

import asyncio
import datetime as dt
from decimal import Decimal

import pytest

from fullfinity.engine.base import UserError


def _suffix(number):
    return int(number.rsplit("/", 1)[1])


async def test_numbers_follow_each_other_in_date_order(books, env):
    a = await books.invoice(invoice_date=dt.date(2026, 6, 2))
    b = await books.invoice(invoice_date=dt.date(2026, 6, 1))

    await env["Invoice"].browse([a.id, b.id]).action_post()

    a, b = await env["Invoice"].get(a.id), await env["Invoice"].get(b.id)
    assert _suffix(a.number) == _suffix(b.number) + 1  # the earlier date gets the earlier number


async def test_credit_notes_and_bills_have_their_own_sequences(books):
    invoice = await books.posted(invoice_date=dt.date(2026, 6, 3))
    bill = await books.posted(move_type="in_invoice", invoice_date=dt.date(2026, 6, 3))
    note = await books.posted(move_type="out_refund", invoice_date=dt.date(2026, 6, 3))

    assert invoice.number.startswith("INV/2026/")
    assert bill.number.startswith("BILL/2026/")
    assert note.number.startswith("RINV/2026/")


async def test_a_new_year_starts_at_one(books):
    invoice = await books.posted(invoice_date=dt.date(2031, 1, 5))

    assert invoice.number == "INV/2031/0001"


async def test_a_draft_has_no_number(books):
    assert (await books.invoice()).number is None


async def test_a_document_cannot_be_dated_before_the_last_numbered_one(books):
    await books.posted(invoice_date=dt.date(2026, 9, 10))
    late = await books.invoice(invoice_date=dt.date(2026, 9, 9))

    with pytest.raises(UserError, match="before the last numbered"):
        await late.action_post()


async def test_a_failed_posting_takes_no_number(books):
    good = await books.invoice(invoice_date=dt.date(2026, 10, 1))
    bad = await books.invoice(invoice_date=dt.date(2026, 10, 1), lines=[])
    with pytest.raises(UserError, match="no product line"):
        await bad.env["Invoice"].browse([good.id, bad.id]).action_post()

    await good.action_post()
    other = await books.posted(invoice_date=dt.date(2026, 10, 2))
    assert _suffix(other.number) == _suffix(good.number) + 1


async def test_twenty_connections_posting_at_once_get_twenty_consecutive_numbers(ff_runtime, tenant):
    from fullfinity.engine.env import Environment
    from fullfinity.scripting import registry_for_tenant, tenant_env
    from fullfinity.testing.orm import connect

    async with tenant_env(tenant.name, runtime=ff_runtime) as env:
        partner = await env["Contact"].create(name="Concurrent customer")
        drafts = await env["Invoice"].bulk_create(
            [
                {
                    "partner": partner.id,
                    "invoice_date": dt.date(2027, 2, 1),
                    "lines": [["N", {"name": "x", "quantity": Decimal(1), "price_unit": Decimal(10)}]],
                }
                for _ in range(20)
            ]
        )
        ids = drafts.ids
    registry = await registry_for_tenant(ff_runtime, tenant)
    dsn = ff_runtime.db.dsn(tenant.server, tenant.database)
    connections = [await connect(dsn) for _ in ids]
    ready, go = asyncio.Barrier(len(ids)), asyncio.Event()
    errors = []

    async def post(conn, invoice_id):
        env = Environment(tenant=tenant.name, registry=registry, conn=conn)
        try:
            async with conn.transaction():
                with env.bind():
                    await env.fetchval("SELECT 1")
                    await ready.wait()
                    await go.wait()
                    await env["Invoice"].browse([invoice_id]).action_post()
        except Exception as exc:  # every failure is a finding
            errors.append(exc)

    tasks = [asyncio.create_task(post(c, i)) for c, i in zip(connections, ids, strict=True)]
    await asyncio.sleep(0.2)
    go.set()
    await asyncio.gather(*tasks)
    for conn in connections:
        await conn.close()
    async with tenant_env(tenant.name, runtime=ff_runtime) as env:
        numbers = sorted(_suffix(r.number) for r in await env["Invoice"].filter(id__in=ids))
    assert errors == []
    assert numbers == list(range(numbers[0], numbers[0] + 20)) and numbers[0] == 1  # first numbers of 2027
