"""Moves asked in another unit than their product's are converted into the product's unit at
confirmation (the product module's exact ``convert_quantity``), so that quants, reservations and
valuation count in one unit. The asked unit and demand stay on the move (``asked_uom``,
``asked_demand``); the unit cost is converted too (per unit of the product, 6 decimals).

A conversion that does not fit the quantities' 4 decimals exactly (5 units of a product counted in
dozens: 0.41666... dozens), or between units of different categories, is refused naming the move,
the units and what to do: nothing is rounded silently.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from typing import Any

from fullfinity.engine.base import UserError
from fullfinity.modules.product.units import convert_quantity

__all__ = ["convert_moves"]

QUANTUM = Decimal("0.0001")
COST_QUANTUM = Decimal("0.000001")

_OTHER_UNIT = """
SELECT m.id, m.demand, m.quantity, m.unit_cost, t.number, p.name AS product, p.uom_id AS product_uom,
       a.name AS asked_name, a.category_id AS asked_category, a.ratio AS asked_ratio,
       b.name AS product_uom_name, b.category_id AS product_category, b.ratio AS product_ratio
  FROM stock_move m JOIN transfer t ON t.id = m.transfer_id JOIN product p ON p.id = m.product_id
  JOIN uom a ON a.id = m.uom_id JOIN uom b ON b.id = p.uom_id
 WHERE m.transfer_id = ANY($1::bigint[]) AND m.state = 'draft' AND m.uom_id <> p.uom_id
 ORDER BY m.id
"""


def _exact(value: Decimal, what: str, row: Any) -> Decimal:
    converted = convert_quantity(value, row["asked_ratio"], row["product_ratio"], None)
    fitted = converted.quantize(QUANTUM, rounding=ROUND_HALF_UP)
    if fitted != converted:
        raise UserError(
            f"{row['number'] or ''}: move of {row['product']}: {what} {value.normalize():f} {row['asked_name']} is "
            f"{converted.quantize(Decimal('1e-8'), rounding=ROUND_DOWN).normalize():f}... {row['product_uom_name']}, "
            "which does not fit the 4 decimals of a stock "
            f"quantity. Ask for a quantity that converts exactly, or use the product's unit "
            f"({row['product_uom_name']})."
        )
    return fitted


async def convert_moves(env: Any, transfer_ids: Sequence[int]) -> None:
    """Convert the draft moves of these transfers asked in another unit than their product's."""
    rows = await env.fetch(_OTHER_UNIT, list(transfer_ids))
    if not rows:
        return
    ids, demands, quantities, costs, asked_demands = [], [], [], [], []
    for row in rows:
        if row["asked_category"] != row["product_category"]:
            raise UserError(
                f"{row['number'] or ''}: move of {row['product']}: unit {row['asked_name']} cannot be converted into "
                f"the product's unit {row['product_uom_name']} (different unit categories). Choose a unit of the "
                f"same category as {row['product_uom_name']}."
            )
        ids.append(row["id"])
        demands.append(_exact(row["demand"], "a demand of", row))
        quantities.append(_exact(row["quantity"], "a quantity of", row) if row["quantity"] else row["quantity"])
        factor = row["product_ratio"] / row["asked_ratio"]  # asked units per product unit
        cost = row["unit_cost"]
        costs.append(None if cost is None else (cost * factor).quantize(COST_QUANTUM, rounding=ROUND_HALF_UP))
        asked_demands.append(row["demand"])
    await env.execute(
        "UPDATE stock_move m SET asked_uom_id = m.uom_id, asked_demand = v.ad, uom_id = p.uom_id, demand = v.d, "
        "quantity = v.q, unit_cost = v.c FROM unnest($1::bigint[], $2::numeric[], $3::numeric[], $4::numeric[], "
        "$5::numeric[]) AS v(id, d, q, c, ad), product p WHERE m.id = v.id AND p.id = m.product_id",
        ids,
        demands,
        quantities,
        costs,
        asked_demands,
    )
    env.written.add("StockMove")
