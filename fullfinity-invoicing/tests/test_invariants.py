"""business.md 2 invariants 1 and 5: posted entries balance and posted documents never change, in
the ORM (clear errors) and in the database itself (raw SQL is refused as well)."""

import datetime as dt
from decimal import Decimal

import asyncpg
import pytest

from fullfinity.engine.base import UserError, ValidationError


async def _raw(env, sql, *args):
    """Run SQL on the test's connection inside a savepoint, returning the raised asyncpg error, if any."""
    try:
        async with env.conn.transaction():
            await env.conn.execute(sql, *args)
    except asyncpg.PostgresError as exc:
        return exc
    return None


async def test_every_posted_entry_balances(books, env):
    await books.posted()
    await books.posted(lines=[{"name": "A", "quantity": Decimal("3.5"), "price_unit": Decimal("9.99")}])

    rows = await env.fetch(
        "SELECT e.id, sum(i.debit) d, sum(i.credit) c FROM journal_entry e JOIN journal_item i ON i.entry_id = e.id "
        "WHERE e.state = 'posted' GROUP BY e.id"
    )
    assert rows and all(r["d"] == r["c"] for r in rows)


async def test_the_database_refuses_to_post_an_unbalanced_entry(env):
    journal = await env["Journal"].filter(code="MISC").get()
    cash, sales = [await env["Account"].filter(code=c).get() for c in ("1000", "4000")]
    entry = await env["JournalEntry"].create(
        journal=journal.id,
        date=dt.date(2026, 5, 1),
        items=[["N", {"account": cash.id, "debit": Decimal(100)}], ["N", {"account": sales.id, "credit": Decimal(99)}]],
    )

    error = await _raw(env, "UPDATE journal_entry SET state = 'posted' WHERE id = $1", entry.id)

    assert isinstance(error, asyncpg.CheckViolationError) and "does not balance" in str(error)


async def test_the_database_refuses_an_item_added_to_a_posted_entry(books, env):
    invoice = await books.posted()
    cash = await env["Account"].filter(code="1000").get()

    error = await _raw(
        env,
        "INSERT INTO journal_item (entry_id, account_id, debit, credit, balance) VALUES ($1, $2, 0, 0, 0)",
        invoice.entry.id,
        cash.id,
    )

    assert isinstance(error, asyncpg.CheckViolationError) and "is posted" in str(error)


async def test_the_database_refuses_changing_a_posted_item(books, env):
    invoice = await books.posted()

    error = await _raw(
        env,
        "UPDATE journal_item SET debit = debit + 1, balance = balance + 1 WHERE entry_id = $1 AND debit > 0",
        invoice.entry.id,
    )

    assert isinstance(error, asyncpg.CheckViolationError) and "cannot be changed" in str(error)


async def test_the_database_refuses_deleting_a_posted_entry(books, env):
    invoice = await books.posted()

    error = await _raw(env, "DELETE FROM journal_item WHERE entry_id = $1", invoice.entry.id)

    assert isinstance(error, asyncpg.CheckViolationError)


async def test_an_item_is_a_debit_or_a_credit_never_both(env):
    journal = await env["Journal"].filter(code="MISC").get()
    cash = await env["Account"].filter(code="1000").get()

    with pytest.raises(ValidationError, match="not both"):
        await env["JournalEntry"].create(
            journal=journal.id,
            date=dt.date(2026, 5, 1),
            items=[["N", {"account": cash.id, "debit": Decimal(1), "credit": Decimal(1)}]],
        )


async def test_a_posted_invoice_refuses_every_write_through_the_orm(books):
    invoice = await books.posted()

    invoice.narration = "changed"
    with pytest.raises(UserError, match="is posted"):
        await invoice.save()


async def test_a_posted_invoice_refuses_raw_sql_writes(books, env):
    invoice = await books.posted()

    error = await _raw(env, "UPDATE invoice SET amount_total = 1 WHERE id = $1", invoice.id)

    assert isinstance(error, asyncpg.CheckViolationError)


async def test_reconciliation_may_still_update_a_posted_invoice_residual(books, env):
    invoice = await books.posted()

    assert await _raw(env, "UPDATE invoice SET payment_state = 'partial' WHERE id = $1", invoice.id) is None


async def test_the_lines_of_a_posted_invoice_never_change(books, env):
    invoice = await books.posted()
    await invoice.fetch_related("lines")
    line = invoice.lines[0]

    line.quantity = Decimal(2)
    with pytest.raises(UserError, match="is posted"):
        await line.save()
    assert isinstance(
        await _raw(env, "UPDATE invoice_line SET quantity = 5 WHERE id = $1", line.id), asyncpg.CheckViolationError
    )


async def test_a_posted_invoice_is_never_deleted(books, env):
    invoice = await books.posted()

    with pytest.raises(UserError, match="cannot be deleted"):
        await invoice.delete()
    assert isinstance(await _raw(env, "DELETE FROM invoice WHERE id = $1", invoice.id), asyncpg.CheckViolationError)


async def test_a_posted_payment_may_only_be_cancelled(books, env):
    invoice = await books.posted()
    from fullfinity_invoicing.models._payments import register_payments

    [payment_id] = await register_payments(
        env, [invoice.id], journal=None, date=dt.date(2026, 4, 1), amount=None, currency=None, memo=None, group=True
    )

    assert isinstance(
        await _raw(env, "UPDATE payment SET amount = 1 WHERE id = $1", payment_id), asyncpg.CheckViolationError
    )
    assert isinstance(
        await _raw(env, "UPDATE payment SET state = 'draft' WHERE id = $1", payment_id), asyncpg.CheckViolationError
    )


async def test_drafts_can_be_cancelled_and_posted_ones_cannot(books):
    draft, posted = await books.invoice(), await books.posted()

    await draft.action_cancel()

    assert draft.state == "cancelled"
    with pytest.raises(UserError, match="only draft"):
        await posted.action_cancel()
