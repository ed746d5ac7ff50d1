"""Payment terms: installments whose amounts sum to the total exactly (the balance line takes the rest)."""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from fullfinity.engine.base import (
    Boolean,
    Char,
    Integer,
    ManyToOne,
    Model,
    Numeric,
    OneToMany,
    Selection,
    Text,
    UserError,
)

VALUES = [("percent", "Percent of the total"), ("fixed", "Fixed amount"), ("balance", "Balance (the rest)")]


class PaymentTerm(Model):
    _verbose_name = "Payment Term"
    _order = "sequence ASC, name ASC"

    name = Char(max_length=120, required=True)
    note = Text(description="Text on documents")
    lines = OneToMany("PaymentTermLine", related_name="term")
    sequence = Integer(default=10)
    active = Boolean(default=True)


class PaymentTermLine(Model):
    _verbose_name = "Payment Term Line"
    _order = "term ASC, sequence ASC, id ASC"

    term = ManyToOne("PaymentTerm", related_name="lines", required=True, on_delete="CASCADE")
    sequence = Integer(default=10)
    value = Selection(choices=VALUES, required=True, default="balance")
    value_amount = Numeric(digits=(16, 4), default=Decimal(0), hint="Percent (0-100) or fixed amount")
    days = Integer(default=0, hint="Days after the invoice date")
    end_of_month = Boolean(hint="Then move the due date to the end of its month")


@dataclass(frozen=True)
class TermLine:
    value: str
    value_amount: Decimal
    days: int
    end_of_month: bool


def due_date(start: dt.date, days: int, end_of_month: bool) -> dt.date:
    date = start + dt.timedelta(days=days)
    if end_of_month:
        date = date.replace(day=calendar.monthrange(date.year, date.month)[1])
    return date


def installments(
    lines: Sequence[TermLine], total: Decimal, start: dt.date, places: int
) -> list[tuple[dt.date, Decimal]]:
    """(due date, amount) of each installment of ``total``: percent and fixed lines in order, the
    balance line (there is one, last; a term without lines is "immediately") the exact remainder.
    Installments of the same date are merged; zero installments are dropped (one stays for a zero total)."""
    q = Decimal(1).scaleb(-places)
    if not lines:
        return [(start, total)]
    if sum(1 for ln in lines if ln.value == "balance") != 1 or lines[-1].value != "balance":
        raise UserError("A payment term needs exactly one 'balance' line, and it must come last (it takes the rest).")
    sign = Decimal(-1) if total < 0 else Decimal(1)
    out: list[tuple[dt.date, Decimal]] = []
    rest = total
    for ln in lines:
        if ln.value == "percent":
            amount = (total * ln.value_amount / 100).quantize(q, rounding=ROUND_HALF_UP)
        elif ln.value == "fixed":
            amount = sign * ln.value_amount.quantize(q, rounding=ROUND_HALF_UP)
        else:
            amount = rest
        if ln.value != "balance":
            rest -= amount
        if sign * rest < 0:
            raise UserError(
                f"The payment term's installments exceed the total {total}: lower the percentages or fixed amounts."
            )
        out.append((due_date(start, ln.days, ln.end_of_month), amount))
    merged: dict[dt.date, Decimal] = {}
    for date, amount in out:
        merged[date] = merged.get(date, Decimal(0)) + amount
    result = [(d, a) for d, a in sorted(merged.items()) if a != 0]
    return result or [(max(merged), Decimal(0).quantize(q))]
