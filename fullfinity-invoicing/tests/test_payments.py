"""business.md 2 invariant 3: residuals and payment states follow the reconciled amounts."""

import datetime as dt
from decimal import Decimal

import pytest
from fullfinity_invoicing.models._payments import register_payments

from fullfinity.engine.base import UserError

DAY = dt.date(2026, 4, 1)


async def pay(env, ids, amount=None, group=True):
    return await register_payments(
        env, ids, journal=None, date=DAY, amount=amount, currency=None, memo=None, group=group
    )


async def test_a_partial_payment_leaves_the_rest_due(books, env):
    invoice = await books.posted()  # 120.00

    await pay(env, [invoice.id], Decimal("50.00"))

    await invoice.refresh()
    assert (invoice.payment_state, invoice.amount_residual) == ("partial", Decimal("70.00"))


async def test_two_partial_payments_pay_the_invoice(books, env):
    invoice = await books.posted()

    await pay(env, [invoice.id], Decimal("50.00"))
    await pay(env, [invoice.id], Decimal("70.00"))

    await invoice.refresh()
    assert (invoice.payment_state, invoice.amount_residual) == ("paid", Decimal("0.00"))


async def test_an_overpayment_pays_the_invoice_and_stays_open_on_the_partner(books, env):
    invoice = await books.posted()

    [payment_id] = await pay(env, [invoice.id], Decimal("150.00"))

    await invoice.refresh()
    assert invoice.amount_residual == 0 and invoice.payment_state == "paid"
    payment = await env["Payment"].get(payment_id)
    open_items = await env["JournalItem"].filter(entry=payment.entry.id, account_type="asset_receivable")
    assert [i.amount_residual for i in open_items] == [Decimal("-30.00")]


async def test_one_payment_pays_several_invoices_of_a_partner(books, env):
    partner = await books.customer()
    a, b = await books.posted(partner=partner), await books.posted(partner=partner)

    payments = await pay(env, [a.id, b.id])

    assert len(payments) == 1
    for invoice in (a, b):
        await invoice.refresh()
        assert invoice.payment_state == "paid"


async def test_ungrouped_payments_are_one_per_invoice(books, env):
    partner = await books.customer()
    a, b = await books.posted(partner=partner), await books.posted(partner=partner)

    assert len(await pay(env, [a.id, b.id], group=False)) == 2


async def test_the_residual_stays_between_zero_and_the_total(books, env):
    invoice = await books.posted()

    for amount in ("30.00", "30.00", "100.00"):
        if invoice.amount_residual:
            await pay(env, [invoice.id], Decimal(amount))
        await invoice.refresh()
        assert 0 <= invoice.amount_residual <= invoice.amount_total


async def test_a_paid_invoice_cannot_be_paid_again(books, env):
    invoice = await books.posted()
    await pay(env, [invoice.id])

    with pytest.raises(UserError, match="already paid"):
        await pay(env, [invoice.id])


async def test_cancelling_a_payment_reopens_the_invoice_and_reverses_the_entry(books, env):
    invoice = await books.posted()
    [payment_id] = await pay(env, [invoice.id])
    payment = await env["Payment"].get(payment_id)

    await payment.action_cancel()

    await invoice.refresh()
    assert (invoice.payment_state, invoice.amount_residual) == ("not_paid", invoice.amount_total)
    reversal = await env["JournalEntry"].filter(reversed_entry=payment.entry.id).get()
    assert reversal.state == "posted"


async def test_a_bill_is_paid_by_an_outbound_payment(books, env):
    bill = await books.posted(move_type="in_invoice")

    [payment_id] = await pay(env, [bill.id])

    payment = await env["Payment"].get(payment_id)
    await bill.refresh()
    assert payment.payment_type == "outbound" and bill.payment_state == "paid"


async def test_the_payment_wizard_pays_the_selected_invoices(books, env):
    invoice = await books.posted()
    register = env["PaymentRegister"]
    defaults = await register._default_get({"active_model": "Invoice", "active_ids": [invoice.id]})
    wizard = register(**defaults)
    await wizard.save()

    assert defaults["amount"] == Decimal("120.00")
    await wizard.action_create_payments()
    await invoice.refresh()
    assert invoice.payment_state == "paid"


async def test_installments_sum_to_the_total_and_book_one_receivable_item_each(books, env):
    term = await env["PaymentTerm"].filter(name="30% now, 70% in 60 days").get()
    invoice = await books.posted(
        payment_term=term.id, lines=[{"name": "x", "quantity": Decimal(1), "price_unit": Decimal("33.34")}]
    )

    items = [i for i in await books.items(invoice) if i.account_type == "asset_receivable"]
    assert invoice.amount_total == Decimal("40.01")  # the default sales tax applies to a line without product
    assert sorted(i.debit for i in items) == [Decimal("12.00"), Decimal("28.01")]
    assert sum(i.debit for i in items) == invoice.amount_total
    assert invoice.due_date == dt.date(2026, 5, 14)
