"""The tax engine: line amounts, document totals and tax lines, in exact decimals.

Pure functions (no database), used by invoices at every write, by posting and by the tests. Public
for modules that compute taxes of their own documents (a sales order uses exactly these rules).

Definitions, for one line of quantity ``q``, unit price ``p`` and discount ``d`` %:

- the gross amount is ``G = round(q x p x (1 - d/100))`` (the currency's places, half-up);
- taxes apply in ``(sequence, id)`` order, groups replaced by their children in place. The base of
  a tax is the line's tax-excluded amount plus the amounts of the earlier taxes that have
  ``include_base_amount``. ``percent`` gives ``base x rate``, ``division`` ``base x rate / (1 -
  rate)`` (the tax is ``rate`` of the tax-included price), ``fixed`` ``q x amount``;
- price-included taxes are part of ``G``: the tax-excluded amount ``B`` solves ``G = B + included
  taxes(B)``. Every tax amount is affine in ``B``, so the solution is exact. Included taxes are
  rounded on the line in both rounding modes and the line subtotal is ``G`` minus them, so
  ``subtotal + included taxes == G`` to the cent on every line (and the document total of
  tax-included prices is the sum of those prices);
- the other (price-excluded) taxes are computed on the rounded subtotal. ``per_line``: each line's
  amount is rounded and the document sums them. ``globally``: the exact amounts are summed per tax
  over the document, then rounded once. A one-line document gives the same totals in both modes.

The document's untaxed amount is the sum of the line subtotals, its tax the sum of its tax lines,
its total their sum: nothing is rounded twice, so list, form, API and entry agree.
"""

from __future__ import annotations

import decimal
import functools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

__all__ = [
    "DocumentAmounts",
    "LineAmounts",
    "LineInput",
    "TaxAmount",
    "TaxSpec",
    "compute_document",
    "compute_line",
    "flatten_taxes",
    "quantum",
]

ZERO = Decimal(0)
ONE = Decimal(1)
HUNDRED = Decimal(100)
#: Intermediate precision: far more than any amount needs, so only the final roundings matter.
_CTX = decimal.Context(prec=50, rounding=decimal.ROUND_HALF_UP)


def quantum(places: int) -> Decimal:
    """``Decimal("0.01")`` for 2 places."""
    return ONE.scaleb(-places)


def _round(value: Decimal, q: Decimal) -> Decimal:
    return value.quantize(q, rounding=decimal.ROUND_HALF_UP, context=_CTX)


@dataclass(frozen=True)
class TaxSpec:
    """What the engine needs of a tax (a ``Tax`` record reduced to values)."""

    id: int
    amount_type: str  # percent, fixed, division (groups are flattened before)
    amount: Decimal
    price_include: bool = False
    include_base_amount: bool = False
    sequence: int = 10
    tax_group: int | None = None
    account: int | None = None
    refund_account: int | None = None
    name: str = ""

    @property
    def rate(self) -> Decimal:
        return _CTX.divide(self.amount, HUNDRED)


def flatten_taxes(
    ids: Iterable[int], specs: Mapping[int, TaxSpec], children: Mapping[int, Sequence[int]]
) -> tuple[TaxSpec, ...]:
    """The taxes ``ids`` in application order, ``group`` taxes replaced by their children."""
    out: list[TaxSpec] = []
    seen: set[int] = set()

    def add(tax_id: int, depth: int) -> None:
        if depth > 8:
            raise ValueError(f"tax {tax_id}: groups nested too deeply (a group containing itself?)")
        spec = specs[tax_id]
        if spec.amount_type == "group":
            for child in sorted(children.get(tax_id, ()), key=lambda c: (specs[c].sequence, c)):
                add(child, depth + 1)
        elif tax_id not in seen:
            seen.add(tax_id)
            out.append(spec)

    for tax_id in sorted(set(ids), key=lambda t: (specs[t].sequence, t)):
        add(tax_id, 0)
    return tuple(out)


@dataclass
class TaxAmount:
    """One tax on one line: its base and amount (``exact`` unrounded, ``rounded`` to the currency)."""

    tax: TaxSpec
    base: Decimal
    exact: Decimal
    rounded: Decimal


@dataclass
class LineAmounts:
    subtotal: Decimal
    total: Decimal
    taxes: list[TaxAmount] = field(default_factory=list)


@dataclass(frozen=True)
class LineInput:
    quantity: Decimal
    price_unit: Decimal
    discount: Decimal
    taxes: tuple[TaxSpec, ...]


def _amount(tax: TaxSpec, base: tuple[Decimal, Decimal], quantity: Decimal) -> tuple[Decimal, Decimal]:
    """The tax amount as an affine function ``a x B + c`` of the excluded base ``B``."""
    if tax.amount_type == "fixed":
        return ZERO, _CTX.multiply(quantity, tax.amount)
    rate = tax.rate
    if tax.amount_type == "division":
        if rate >= ONE:
            raise ValueError(f"tax {tax.name or tax.id}: a division tax needs a rate below 100 %")
        rate = _CTX.divide(rate, ONE - rate)
    elif tax.amount_type != "percent":
        raise ValueError(f"tax {tax.name or tax.id}: unknown amount type {tax.amount_type!r}")
    return _CTX.multiply(base[0], rate), _CTX.multiply(base[1], rate)


@functools.lru_cache(maxsize=1024)
def _simple_rates(taxes: tuple[TaxSpec, ...]) -> tuple[Decimal, ...] | None:
    """The rates of a tax combination made of plain percentages (excluded, not affecting later
    bases): then each tax is rate x subtotal, the common case computed without the general solver."""
    if all(t.amount_type == "percent" and not t.price_include and not t.include_base_amount for t in taxes):
        return tuple(t.rate for t in taxes)
    return None


def compute_line(
    quantity: Decimal,
    price_unit: Decimal,
    discount: Decimal,
    taxes: Sequence[TaxSpec],
    places: int,
    *,
    exact_excluded: bool = False,
) -> LineAmounts:
    """Subtotal, total and taxes of one line (see the module docstring).

    ``exact_excluded`` keeps the price-excluded taxes of the line unrounded in ``exact`` for the
    global rounding mode; ``rounded`` is always the line-rounded value (shown on the line).
    """
    q = quantum(places)
    if discount:
        gross_exact = _CTX.multiply(_CTX.multiply(quantity, price_unit), _CTX.divide(HUNDRED - discount, HUNDRED))
    else:
        gross_exact = _CTX.multiply(quantity, price_unit)
    gross = _round(gross_exact, q)
    if not taxes:
        return LineAmounts(gross, gross, [])
    rates = _simple_rates(taxes if isinstance(taxes, tuple) else tuple(taxes))
    if rates is not None:
        simple = []
        total = gross
        for tax, rate in zip(taxes, rates, strict=True):
            exact = _CTX.multiply(gross, rate)
            rounded = _round(exact, q)
            total += rounded
            simple.append(TaxAmount(tax, gross, exact if exact_excluded else rounded, rounded))
        return LineAmounts(gross, total, simple)
    if not any(t.price_include for t in taxes):
        subtotal = gross
        included: dict[int, Decimal] = {}
    else:
        # Solve G = B + included(B): every amount is affine in B.
        affecting = (ZERO, ZERO)
        inc_a, inc_c = ZERO, ZERO
        for tax in taxes:
            a, c = _amount(tax, (ONE + affecting[0], affecting[1]), quantity)
            if tax.price_include:
                inc_a, inc_c = inc_a + a, inc_c + c
            if tax.include_base_amount:
                affecting = (affecting[0] + a, affecting[1] + c)
        denominator = ONE + inc_a
        if denominator == 0:
            raise ValueError("the included taxes of this line cancel its base (rates summing to -100 %)")
        base_exact = _CTX.divide(gross - inc_c, denominator)
        included = {}
        affecting_value = ZERO
        for tax in taxes:
            a, c = _amount(tax, (ONE, affecting_value), quantity)
            value = _CTX.add(_CTX.multiply(a, base_exact), c)
            if tax.price_include:
                included[tax.id] = _round(value, q)
            if tax.include_base_amount:
                affecting_value += value
        subtotal = gross - sum(included.values(), ZERO)
    out: list[TaxAmount] = []
    affecting_rounded = ZERO
    affecting_exact = ZERO
    for tax in taxes:
        if tax.id in included:
            rounded = exact = included[tax.id]
            base = subtotal + affecting_rounded
        else:
            base = subtotal + (affecting_exact if exact_excluded else affecting_rounded)
            a, c = _amount(tax, (ONE, ZERO), quantity)
            exact = _CTX.add(_CTX.multiply(a, base), c)
            rounded = _round(exact, q)
        if tax.include_base_amount:
            affecting_rounded += rounded
            affecting_exact += exact
        out.append(TaxAmount(tax, _round(base, q), exact if exact_excluded else rounded, rounded))
    return LineAmounts(subtotal, subtotal + sum((t.rounded for t in out), ZERO), out)


@dataclass
class TaxLine:
    """The document's amount of one tax on one account (what a tax journal item books)."""

    tax: TaxSpec
    account: int | None
    base: Decimal
    amount: Decimal


@dataclass
class DocumentAmounts:
    lines: list[LineAmounts]
    untaxed: Decimal
    tax: Decimal
    total: Decimal
    tax_lines: list[TaxLine]
    #: per tax group id (None: no group): (base, amount)
    groups: dict[int | None, tuple[Decimal, Decimal]]


def compute_document(lines: Sequence[LineInput], places: int, mode: str, *, refund: bool = False) -> DocumentAmounts:
    """Line amounts and document totals for ``mode`` ``"per_line"`` or ``"globally"``.

    ``refund`` books taxes on their ``refund_account`` (credit notes).
    """
    if mode not in ("per_line", "globally"):
        raise ValueError(f"tax rounding mode must be 'per_line' or 'globally', got {mode!r}")
    q = quantum(places)
    exact = mode == "globally"
    results = [
        compute_line(ln.quantity, ln.price_unit, ln.discount, ln.taxes, places, exact_excluded=exact) for ln in lines
    ]
    untaxed = sum((r.subtotal for r in results), ZERO)
    sums: dict[tuple[int, int | None], list[Decimal]] = {}
    specs: dict[int, TaxSpec] = {}
    groups: dict[int | None, list[Decimal]] = {}
    for result in results:
        seen_groups: set[int | None] = set()
        for t in result.taxes:
            account = (t.tax.refund_account or t.tax.account) if refund else t.tax.account
            key = (t.tax.id, account)
            specs[t.tax.id] = t.tax
            entry = sums.setdefault(key, [ZERO, ZERO])
            entry[0] += t.base
            entry[1] += t.exact
            group = groups.setdefault(t.tax.tax_group, [ZERO, ZERO])
            if t.tax.tax_group not in seen_groups:
                group[0] += t.base
                seen_groups.add(t.tax.tax_group)
    tax_lines: list[TaxLine] = []
    for (tax_id, account), (base, amount) in sums.items():
        spec = specs[tax_id]
        rounded = amount if not exact or spec.price_include else _round(amount, q)
        tax_lines.append(TaxLine(spec, account, base, _round(rounded, q)))
        groups[spec.tax_group][1] += _round(rounded, q)
    tax = sum((t.amount for t in tax_lines), ZERO)
    return DocumentAmounts(
        results, untaxed, tax, untaxed + tax, tax_lines, {g: (v[0], v[1]) for g, v in groups.items()}
    )
