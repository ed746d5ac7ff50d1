"""Defaults: a line takes its product's description, price, taxes, account and unit (values given
in the same write win); a new product brings its defaults again; a document its journal and term."""

import datetime as dt
from decimal import Decimal


async def test_a_line_takes_its_products_defaults(books, env):
    vat = await books.tax()
    category = await env["ProductCategory"].create(name="Services", income_account=(await books.account("4100")).id)
    product = await books.product(price="75.00", taxes=[vat.id], category=category.id)

    invoice = await books.invoice(lines=[{"product": product.id, "quantity": Decimal(2)}])

    await invoice.fetch_related("lines")
    line = invoice.lines[0]
    await line.fetch_related("taxes", "account")
    assert (line.name, line.price_unit, line.account.code) == (product.name, Decimal("75.00"), "4100")
    assert [t.id for t in line.taxes] == [vat.id] and invoice.amount_total == Decimal("180.00")


async def test_values_given_with_the_product_win(books):
    product = await books.product(price="75.00")

    invoice = await books.invoice(lines=[{"product": product.id, "price_unit": Decimal("60.00"), "name": "Special"}])

    await invoice.fetch_related("lines")
    assert (invoice.lines[0].name, invoice.lines[0].price_unit) == ("Special", Decimal("60.00"))


async def test_changing_the_product_takes_the_new_products_defaults(books):
    first, second = await books.product(price="10.00"), await books.product(price="20.00")
    invoice = await books.invoice(lines=[{"product": first.id}])
    await invoice.fetch_related("lines")
    line = invoice.lines[0]

    line.product = second.id
    await line.save()

    await invoice.refresh()
    assert (line.name, line.price_unit, invoice.amount_untaxed) == (second.name, Decimal("20.00"), Decimal("20.00"))


async def test_a_bill_line_takes_the_cost_and_purchase_taxes(books, env):
    purchase_vat = await books.tax("VAT 20% (purchases)")
    product = await books.product(price="30.00", purchase_taxes=[purchase_vat.id])

    bill = await books.invoice(move_type="in_invoice", lines=[{"product": product.id}])

    await bill.fetch_related("lines")
    await bill.lines[0].fetch_related("account", "taxes")
    assert bill.lines[0].account.code == "5000" and [t.id for t in bill.lines[0].taxes] == [purchase_vat.id]


async def test_a_document_gets_its_journal_currency_and_the_partners_term(books, env):
    term = await env["PaymentTerm"].filter(name="30 days").get()
    partner = await env["Contact"].create(name="Termed customer", customer_payment_term=term.id)

    invoice = await books.invoice(partner=partner, invoice_date=dt.date(2026, 4, 1))

    await invoice.fetch_related("journal", "currency")
    assert (invoice.journal.code, invoice.currency.code) == ("INV", "EUR")
    assert invoice.payment_term.id == term.id and invoice.due_date == dt.date(2026, 5, 1)


async def test_sections_and_notes_carry_no_amount(books):
    invoice = await books.invoice(lines=[
        {"display_type": "section", "name": "Phase 1"},
        {"name": "Work", "price_unit": Decimal("10.00"), "taxes": []},
        {"display_type": "note", "name": "Thank you"},
    ])  # fmt: skip

    assert invoice.amount_total == Decimal("10.00")
