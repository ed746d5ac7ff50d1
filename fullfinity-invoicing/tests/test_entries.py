"""Manual entries, the lock date and the reports."""

import datetime as dt
from decimal import Decimal

import pytest

from fullfinity.engine.base import UserError, ValidationError


async def _entry(env, debit="100", credit="100", day=dt.date(2026, 5, 1), code="MISC"):
    journal = await env["Journal"].filter(code=code).get()
    cash, capital = [await env["Account"].filter(code=c).get() for c in ("1000", "3000")]
    return await env["JournalEntry"].create(
        journal=journal.id,
        date=day,
        items=[
            ["N", {"account": cash.id, "debit": Decimal(debit)}],
            ["N", {"account": capital.id, "credit": Decimal(credit)}],
        ],
    )


async def test_a_balanced_manual_entry_is_posted_and_numbered(env):
    entry = await _entry(env)

    await entry.action_post()

    assert entry.state == "posted" and entry.number.startswith("MISC/2026/")


async def test_an_unbalanced_manual_entry_is_refused_naming_the_difference(env):
    entry = await _entry(env, credit="90")

    with pytest.raises(UserError, match="differ by 10"):
        await entry.action_post()


async def test_manual_entries_go_in_a_general_journal(env):
    with pytest.raises(ValidationError, match="general"):
        await _entry(env, code="INV")


async def test_nothing_is_posted_on_or_before_the_lock_date(books, env):
    config = await env["Configuration"].filter().first()
    config.invoicing_lock_date = dt.date(2026, 3, 31)
    await config.save()

    with pytest.raises(UserError, match="lock date"):
        await books.posted(invoice_date=dt.date(2026, 3, 31))
    with pytest.raises(UserError, match="lock date"):
        await (await _entry(env, day=dt.date(2026, 1, 5))).action_post()


async def test_the_database_refuses_posting_in_a_locked_period(env):
    import asyncpg

    entry = await _entry(env, day=dt.date(2026, 2, 1))
    await env.execute("UPDATE configuration SET invoicing_lock_date = '2026-02-28'")

    with pytest.raises(asyncpg.CheckViolationError, match="lock date"):
        async with env.conn.transaction():
            await env.conn.execute("UPDATE journal_entry SET state = 'posted' WHERE id = $1", entry.id)


async def test_the_trial_balance_balances(books, env):
    await books.posted()
    await (await _entry(env)).action_post()

    report = await env["Account"].trial_balance("2026-01-01", "2026-12-31")

    assert report["totals"]["debit"] == report["totals"]["credit"] > 0
    assert report["totals"]["balance"] == 0


async def test_the_general_ledger_runs_the_balance(books, env):
    await books.posted()
    await books.posted()
    receivable = await env["Account"].filter(code="1200").get()

    ledger = await env["Account"].general_ledger([receivable.id], "2026-01-01", "2026-12-31")

    lines = ledger["data"][0]["lines"]
    assert [ln["balance"] for ln in lines] == [Decimal("120.00"), Decimal("240.00")]


async def test_the_aged_receivable_puts_amounts_in_their_bucket(books, env):
    invoice = await books.posted(invoice_date=dt.date(2026, 1, 10))  # due the same day

    aged = await env["Contact"].aged_balance("receivable", "2026-03-01")  # 50 days later

    row = next(r for r in aged["data"] if r["id"] == invoice.partner.id)
    assert (row["31_60"], row["total"]) == (Decimal("120.00"), Decimal("120.00"))


async def test_a_partner_total_due_is_its_open_receivable(books, env):
    invoice = await books.posted()
    partner = await env["Contact"].with_fields("total_due").filter(id=invoice.partner.id).get()

    assert partner.total_due == Decimal("120.00")
