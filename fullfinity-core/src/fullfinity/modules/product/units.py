"""Exact arithmetic on quantities and units of measure (what ``Uom.convert`` uses).

Public for other modules (inventory, invoicing): ``round_to_step`` rounds a Decimal half-up
to any step (``0.01``, ``0.5``, ``1``), ``convert_quantity`` converts between two units of one
category given their ratios. No binary float is involved anywhere.
"""

from __future__ import annotations

import decimal
from decimal import Decimal

__all__ = ["convert_quantity", "round_to_step"]

#: Enough digits for any ratio of two NUMERIC(20, 10) values before the final rounding.
_PRECISION = decimal.Context(prec=60, rounding=decimal.ROUND_HALF_UP)


def round_to_step(value: Decimal, step: Decimal) -> Decimal:
    """``value`` rounded half-up (away from zero on a tie) to a multiple of ``step``.

    ``round_to_step(Decimal("2.345"), Decimal("0.01")) == Decimal("2.35")``;
    ``round_to_step(Decimal("7.25"), Decimal("0.5")) == Decimal("7.5")``. The result carries the
    step's significant decimal places (``0.0100`` rounds to 2 places). A step of 0 (or less) means "no rounding".
    """
    if step <= 0:
        return value
    units = (value / step).quantize(Decimal(1), rounding=decimal.ROUND_HALF_UP, context=_PRECISION)
    # Whole steps (1, 10) give whole numbers; 0.0100000000 as stored in NUMERIC(20, 10) gives 2 places.
    places = Decimal(1) if step == step.to_integral_value() else step.normalize()
    return _PRECISION.multiply(units, step).quantize(places, context=_PRECISION)


def convert_quantity(quantity: Decimal, from_ratio: Decimal, to_ratio: Decimal, step: Decimal | None) -> Decimal:
    """``quantity`` of a unit whose ratio is ``from_ratio`` expressed in the unit of ``to_ratio``
    (ratios: reference units per unit, same category), rounded to ``step`` when given."""
    if to_ratio <= 0 or from_ratio <= 0:
        raise ValueError(f"unit ratios must be positive, got {from_ratio} and {to_ratio}")
    exact = _PRECISION.divide(_PRECISION.multiply(quantity, from_ratio), to_ratio)
    return round_to_step(exact, step) if step is not None else exact
