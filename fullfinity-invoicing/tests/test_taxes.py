"""The tax engine (fullfinity_invoicing.taxes), on values alone: one rule per test."""

from decimal import Decimal as D

import pytest
from fullfinity_invoicing.taxes import LineInput, TaxSpec, compute_document, compute_line, flatten_taxes

VAT20 = TaxSpec(1, "percent", D("20"), tax_group=1)
VAT20_INCL = TaxSpec(2, "percent", D("20"), price_include=True, tax_group=1)
ECO = TaxSpec(3, "fixed", D("0.50"), include_base_amount=True, sequence=5, tax_group=2)
DIVISION10 = TaxSpec(4, "division", D("10"))


def test_a_percent_tax_applies_on_the_rounded_subtotal():
    line = compute_line(D(16), D("348.35"), D(4), [TaxSpec(9, "percent", D("22"))], 2)

    assert (line.subtotal, line.total) == (D("5350.66"), D("6527.81"))  # odoo #37896: 1177.15 of tax, not .14


def test_one_line_gives_the_same_totals_in_both_rounding_modes():
    lines = [LineInput(D(16), D("348.35"), D(4), (TaxSpec(9, "percent", D("22")),))]

    per_line, globally = compute_document(lines, 2, "per_line"), compute_document(lines, 2, "globally")

    assert (per_line.untaxed, per_line.tax, per_line.total) == (globally.untaxed, globally.tax, globally.total)


def test_global_rounding_rounds_each_tax_once_on_the_document():
    lines = [LineInput(D(1), D("0.13"), D(0), (VAT20,))] * 3  # 0.026 of tax per line

    assert compute_document(lines, 2, "per_line").tax == D("0.09")
    assert compute_document(lines, 2, "globally").tax == D("0.08")


def test_price_included_subtotal_plus_tax_is_the_price_on_every_line():
    line = compute_line(D(1), D("21.53"), D(0), [TaxSpec(5, "percent", D("21"), price_include=True)], 2)

    assert line.subtotal + line.taxes[0].rounded == D("21.53")


def test_price_included_document_total_is_the_sum_of_the_prices_globally_too():
    lines = [LineInput(D(1), D("1.10"), D(0), (TaxSpec(5, "percent", D("5"), price_include=True),))] * 3

    doc = compute_document(lines, 2, "globally")

    assert doc.total == D("3.30") and doc.untaxed + doc.tax == D("3.30")  # odoo #2594


def test_a_fixed_tax_affecting_the_base_is_taxed_by_the_next_tax():
    line = compute_line(D(2), D(10), D(0), flatten_taxes([3, 1], {1: VAT20, 3: ECO}, {}), 2)

    assert [t.rounded for t in line.taxes] == [D("1.00"), D("4.20")]  # 20 % of 20.00 + 1.00


def test_price_included_chain_solves_the_base_exactly():
    eco = TaxSpec(3, "fixed", D("0.50"), include_base_amount=True, sequence=5, price_include=True)
    line = compute_line(D(2), D("12.60"), D(0), [eco, VAT20_INCL], 2)

    assert line.subtotal == D("20.00") and line.total == D("25.20")


def test_a_division_tax_is_its_rate_of_the_tax_included_price():
    line = compute_line(D(1), D(90), D(0), [DIVISION10], 2)

    assert line.taxes[0].rounded == D("10.00") and line.total == D("100.00")


def test_a_group_tax_applies_its_children_in_order():
    group = TaxSpec(7, "group", D(0))

    flat = flatten_taxes([7], {7: group, 1: VAT20, 3: ECO}, {7: [1, 3]})

    assert [t.id for t in flat] == [3, 1]  # children by (sequence, id)


def test_a_discount_reduces_the_base():
    line = compute_line(D(3), D("10.00"), D("12.5"), [VAT20], 2)

    assert (line.subtotal, line.total) == (D("26.25"), D("31.50"))


def test_amounts_round_to_the_currency_places():
    line = compute_line(D(3), D("333"), D("0"), [TaxSpec(1, "percent", D("8"))], 0)

    assert (line.subtotal, line.total) == (D("999"), D("1079"))


def test_tax_lines_group_by_tax_and_account_and_sum_to_the_tax():
    lines = [LineInput(D(1), D(100), D(0), (VAT20,)), LineInput(D(2), D("7.77"), D(0), (VAT20, ECO))]

    doc = compute_document(lines, 2, "per_line")

    assert sum(t.amount for t in doc.tax_lines) == doc.tax
    assert doc.total == doc.untaxed + doc.tax == sum(ln.total for ln in doc.lines)


def test_an_unknown_rounding_mode_is_refused():
    with pytest.raises(ValueError, match="per_line"):
        compute_document([], 2, "weekly")
