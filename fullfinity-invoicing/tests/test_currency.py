"""Foreign currencies: company amounts at the document's rate, both residuals, exchange differences."""

import datetime as dt
from decimal import Decimal

from fullfinity_invoicing.models._payments import register_payments


async def _usd(env, rates):
    usd = await env["Currency"].filter(code="USD").get()
    for day, rate in rates:
        await env["CurrencyRate"].create(currency=usd.id, date=day, rate=Decimal(rate))
    return usd


async def test_a_foreign_invoice_books_company_amounts_at_its_rate(books, env):
    usd = await _usd(env, [(dt.date(2026, 7, 1), "1.25")])
    invoice = await books.posted(currency=usd.id, invoice_date=dt.date(2026, 7, 2))  # 120.00 USD

    items = await books.items(invoice)
    receivable = next(i for i in items if i.account_type == "asset_receivable")
    assert (receivable.debit, receivable.amount_currency) == (Decimal("96.00"), Decimal("120.00"))
    assert sum(i.debit for i in items) == sum(i.credit for i in items)


async def test_a_rate_change_at_payment_books_an_exchange_difference(books, env):
    usd = await _usd(env, [(dt.date(2026, 8, 1), "1.25"), (dt.date(2026, 8, 20), "1.20")])
    invoice = await books.posted(currency=usd.id, invoice_date=dt.date(2026, 8, 2))  # 120 USD = 96.00 EUR

    await register_payments(
        env, [invoice.id], journal=None, date=dt.date(2026, 8, 21), amount=None, currency=usd.id, memo=None, group=True
    )  # 120 USD = 100.00 EUR

    await invoice.refresh()
    assert (invoice.payment_state, invoice.amount_residual) == ("paid", 0)
    gain = await env["Account"].filter(code="4900").get()
    booked = await env["JournalItem"].filter(account=gain.id, parent_state="posted")
    assert sum(i.credit - i.debit for i in booked) == Decimal("4.00")
    open_items = await env["JournalItem"].filter(account_type="asset_receivable", partner=invoice.partner.id)
    assert all(i.amount_residual == 0 and i.amount_residual_currency == 0 for i in open_items)


async def test_a_partial_foreign_payment_keeps_both_residuals_proportional(books, env):
    usd = await _usd(env, [(dt.date(2026, 9, 1), "2")])
    invoice = await books.posted(currency=usd.id, invoice_date=dt.date(2026, 9, 2))  # 120 USD = 60.00 EUR

    await register_payments(
        env,
        [invoice.id],
        journal=None,
        date=dt.date(2026, 9, 3),
        amount=Decimal("30.00"),
        currency=usd.id,
        memo=None,
        group=True,
    )

    await invoice.refresh()
    receivable = next(i for i in await books.items(invoice) if i.account_type == "asset_receivable")
    assert invoice.amount_residual == Decimal("90.00")
    assert (receivable.amount_residual_currency, receivable.amount_residual) == (Decimal("90.00"), Decimal("45.00"))
