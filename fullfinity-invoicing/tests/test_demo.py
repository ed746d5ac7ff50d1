"""A demo tenant shows posted, paid, partially paid and unpaid invoices, a credit note and bills,
dated relative to today, whose entries balance."""

import datetime as dt
import uuid

import pytest_asyncio

from fullfinity.scripting import tenant_env


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def demo_tenant(ff_runtime):
    from fullfinity.tenancy.service import create_tenant, drop_tenant

    info = await create_tenant(
        ff_runtime.db, ff_runtime.catalog, f"invdemo-{uuid.uuid4().hex[:6]}", modules=["invoicing"], demo=True
    )
    try:
        yield info
    finally:
        await drop_tenant(ff_runtime.db, ff_runtime.catalog, info.name)


async def test_the_demo_has_every_kind_of_document(ff_runtime, demo_tenant):
    async with tenant_env(demo_tenant.name, runtime=ff_runtime) as env:
        invoices = await env["Invoice"].filter()
    states = {(i.move_type, i.state, i.payment_state) for i in invoices}

    assert ("out_invoice", "posted", "paid") in states
    assert ("out_invoice", "posted", "partial") in states
    assert ("out_invoice", "posted", "not_paid") in states
    assert ("out_invoice", "posted", "reversed") in states
    assert ("out_refund", "posted", "paid") in states
    assert ("in_invoice", "posted", "paid") in states
    assert any(i.state == "draft" for i in invoices)


async def test_the_demo_dates_are_relative_to_today(ff_runtime, demo_tenant):
    async with tenant_env(demo_tenant.name, runtime=ff_runtime) as env:
        dates = [i.invoice_date for i in await env["Invoice"].filter(state="posted")]

    assert max(dates) <= dt.date.today() and min(dates) >= dt.date.today() - dt.timedelta(days=90)


async def test_the_demo_entries_balance(ff_runtime, demo_tenant):
    async with tenant_env(demo_tenant.name, runtime=ff_runtime) as env:
        rows = await env.fetch(
            "SELECT e.id, sum(i.debit) d, sum(i.credit) c FROM journal_entry e "
            "JOIN journal_item i ON i.entry_id = e.id "
            "WHERE e.state = 'posted' GROUP BY e.id"
        )

    assert len(rows) >= 8 and all(r["d"] == r["c"] for r in rows)


async def test_administrators_and_the_demo_user_can_open_invoicing(ff_runtime, demo_tenant):
    async with tenant_env(demo_tenant.name, runtime=ff_runtime) as env:
        rows = await env.fetch(
            'SELECT u.email, g.name FROM "user" u JOIN user__groups ug ON ug.source_id = u.id '
            "JOIN \"group\" g ON g.id = ug.target_id WHERE g.category = 'Invoicing'"
        )

    assert ("admin@example.com", "Accountant") in {(r["email"], r["name"]) for r in rows}
    assert ("user@demo.example.com", "Billing") in {(r["email"], r["name"]) for r in rows}
