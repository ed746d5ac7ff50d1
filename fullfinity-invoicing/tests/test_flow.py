"""The basic workflow: draft amounts, posting, numbering, entry items, credit note, payment."""

import datetime as dt
from decimal import Decimal


async def test_a_draft_has_its_totals(books):
    invoice = await books.invoice()

    assert (invoice.amount_untaxed, invoice.amount_tax, invoice.amount_total) == (
        Decimal("100.00"),
        Decimal("20.00"),
        Decimal("120.00"),
    )
    assert invoice.state == "draft" and invoice.number is None


async def test_posting_numbers_and_books_a_balanced_entry(books):
    invoice = await books.posted()

    assert invoice.state == "posted" and invoice.number.startswith("INV/2026/")
    items = await books.items(invoice)
    assert sum(i.debit for i in items) == sum(i.credit for i in items) == Decimal("120.00")
    assert sorted((i.debit, i.credit) for i in items) == [
        (Decimal("0.00"), Decimal("20.00")),
        (Decimal("0.00"), Decimal("100.00")),
        (Decimal("120.00"), Decimal("0.00")),
    ]


async def test_a_full_payment_marks_the_invoice_paid(books, env):
    invoice = await books.posted()
    from fullfinity_invoicing.models._payments import register_payments

    await register_payments(
        env, [invoice.id], journal=None, date=dt.date(2026, 4, 1), amount=None, currency=None, memo=None, group=True
    )
    await invoice.refresh()
    assert invoice.payment_state == "paid" and invoice.amount_residual == 0


async def test_a_credit_note_reverses_the_invoice(books):
    invoice = await books.posted()

    await invoice.action_reverse(date=dt.date(2026, 3, 20))

    await invoice.refresh()
    assert invoice.payment_state == "reversed" and invoice.amount_residual == 0


async def test_lines_cannot_be_added_in_bulk_to_a_posted_invoice(books, env):
    import pytest

    from fullfinity.engine.base import UserError

    invoice = await books.posted()
    draft = await books.invoice()

    with pytest.raises(UserError, match="is posted: its lines cannot be added"):
        await env["InvoiceLine"].bulk_create([
            {"invoice": draft.id, "name": "fine", "price_unit": Decimal("1.00")},
            {"invoice": invoice.id, "name": "late", "price_unit": Decimal("1.00")},
        ])  # fmt: skip

    assert await env["InvoiceLine"].filter(invoice=draft.id, name="fine").count() == 0
