"""Property: for any invoice (quantities, prices, discounts, taxes including price-included ones,
both rounding modes), the stored totals, the tax lines and the posted entry agree exactly."""

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

CENT = Decimal("0.01")

amounts = st.decimals(min_value=Decimal("0.00"), max_value=Decimal("5000.00"), places=2)
quantities = st.decimals(min_value=Decimal("0.0001"), max_value=Decimal("500"), places=4)
discounts = st.one_of(st.just(Decimal(0)), st.decimals(min_value=Decimal(0), max_value=Decimal(100), places=2))
TAX_SETS = [
    (),
    ("VAT 20%",),
    ("VAT 10%",),
    ("VAT 20% (included in price)",),
    ("VAT 20% + eco fee",),
    ("VAT 0% (exempt)",),
    ("P incl 7.7",),
    ("P division 8",),
    ("P fixed 0.30",),
    ("P fixed 0.30", "VAT 10%"),
]
lines_st = st.lists(st.tuples(quantities, amounts, discounts, st.sampled_from(TAX_SETS)), min_size=1, max_size=6)


async def _taxes(env):
    taxes = {t.name: t.id for t in await env["Tax"].filter()}
    vat = await env["Account"].filter(code="2200").get()
    for name, kind, amount, incl, base in [("P incl 7.7", "percent", "7.7", True, False),
                                          ("P division 8", "division", "8", False, False),
                                          ("P fixed 0.30", "fixed", "0.30", False, True)]:  # fmt: skip
        if name not in taxes:
            tax = await env["Tax"].create(name=name, amount_type=kind, amount=Decimal(amount), price_include=incl,
                                          include_base_amount=base, sequence=1 if kind == "fixed" else 20,
                                          account=vat.id)  # fmt: skip
            taxes[name] = tax.id
    return taxes


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
@given(lines=lines_st, mode=st.sampled_from(["per_line", "globally"]))
async def test_totals_tax_lines_and_entries_agree_exactly(env, lines, mode):
    taxes = await _taxes(env)
    await env.execute("UPDATE configuration SET invoicing_tax_rounding = $1", mode)
    partner = await env["Contact"].create(name="Property customer")
    invoice = await env["Invoice"].create(partner=partner.id, invoice_date=dt.date(2026, 6, 30), lines=[
        ["N", {"name": "x", "quantity": q, "price_unit": p, "discount": d, "taxes": [taxes[n] for n in names]}]
        for q, p, d, names in lines])  # fmt: skip
    await invoice.fetch_related("lines")

    assert invoice.amount_untaxed == sum(ln.price_subtotal for ln in invoice.lines)
    assert invoice.amount_total == invoice.amount_untaxed + invoice.amount_tax
    assert invoice.amount_tax == sum(Decimal(t["amount"]) for t in invoice.tax_details)
    for line, (q, p, d, names) in zip(invoice.lines, lines, strict=True):
        gross = (q * p * (100 - d) / 100).quantize(CENT, rounding=ROUND_HALF_UP)
        if names and all("incl" in n for n in names):
            assert line.price_total == gross  # price-included: subtotal + tax = q x p - discount, to the cent
        if not names:
            assert line.price_subtotal == line.price_total == gross
    if mode == "per_line":
        assert invoice.amount_total == sum(ln.price_total for ln in invoice.lines)

    if invoice.amount_total >= 0:
        await invoice.action_post()
        items = await env["JournalItem"].filter(entry=invoice.entry.id)
        assert sum(i.debit for i in items) == sum(i.credit for i in items)
        receivable = sum(i.balance for i in items if i.account_type == "asset_receivable")
        assert receivable == invoice.amount_total and invoice.amount_residual == invoice.amount_total
