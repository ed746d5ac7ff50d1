"""business.md 2 invariant 6: a credit note mirrors its origin; a paid invoice is not credited."""

import datetime as dt

import pytest
from fullfinity_invoicing.models._payments import register_payments

from fullfinity.engine.base import UserError


async def test_a_credit_note_mirrors_the_items_of_its_origin(books, env):
    invoice = await books.posted()

    await invoice.action_reverse(date=dt.date(2026, 3, 20))

    note = await env["Invoice"].filter(reversed_invoice=invoice.id).get()
    origin = sorted((i.account.id, i.debit, i.credit) for i in await books.items(invoice))
    mirror = sorted((i.account.id, i.credit, i.debit) for i in await books.items(note))
    assert origin == mirror
    assert note.move_type == "out_refund" and note.number.startswith("RINV/") and note.state == "posted"
    assert note.amount_total == invoice.amount_total


async def test_crediting_an_invoice_marks_it_reversed(books):
    invoice = await books.posted()

    await invoice.action_reverse()

    assert (invoice.payment_state, invoice.amount_residual) == ("reversed", 0)


async def test_a_paid_invoice_is_credited_only_once_its_payment_is_unreconciled(books, env):
    invoice = await books.posted()
    [payment_id] = await register_payments(
        env, [invoice.id], journal=None, date=dt.date(2026, 4, 1), amount=None, currency=None, memo=None, group=True
    )

    with pytest.raises(UserError, match="unreconcile"):
        await invoice.action_reverse()
    await (await env["Payment"].get(payment_id)).action_cancel()
    await invoice.action_reverse()
    assert invoice.payment_state == "reversed"


async def test_a_draft_cannot_be_credited(books):
    with pytest.raises(UserError, match="only posted"):
        await (await books.invoice()).action_reverse()
