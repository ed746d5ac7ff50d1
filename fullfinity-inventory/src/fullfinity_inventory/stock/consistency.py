"""Recompute the stock from the move history and compare (business.md 3, invariants 1 to 5 and 7).

``problems(env)`` returns one sentence per difference, an empty list when the ledger is consistent:

1. every quant == done move lines in - done move lines out, for each (product, location, lot);
2. each product's quants sum to zero over all locations;
3. each quant's reserved == the reserved quantities of the open move lines holding it;
4. 0 <= reserved <= quantity, and no negative quantity unless the location allows it (internal);
5. a serial number holds at most one unit in internal locations;
7. per product, sum of layer values == sum of remaining values, and sum of remaining quantities ==
   the quantity in internal locations (products with layers).
"""

from __future__ import annotations

from typing import Any

__all__ = ["problems"]

_LEDGER = """
WITH flows AS (
    SELECT l.product_id, l.destination_id AS location_id, l.lot_id, l.quantity FROM stock_move_line l
      JOIN product p ON p.id = l.product_id AND p.storable WHERE l.state = 'done'
    UNION ALL
    SELECT l.product_id, l.source_id, l.lot_id, -l.quantity FROM stock_move_line l
      JOIN product p ON p.id = l.product_id AND p.storable WHERE l.state = 'done'
), expected AS (
    SELECT product_id, location_id, coalesce(lot_id, 0) AS lot, sum(quantity) AS quantity FROM flows GROUP BY 1, 2, 3
)
SELECT coalesce(e.product_id, q.product_id) AS product, coalesce(e.location_id, q.location_id) AS location,
       coalesce(e.lot, coalesce(q.lot_id, 0)) AS lot, coalesce(e.quantity, 0) AS expected,
       coalesce(q.quantity, 0) AS actual
  FROM expected e FULL JOIN quant q
    ON q.product_id = e.product_id AND q.location_id = e.location_id AND coalesce(q.lot_id, 0) = e.lot
 WHERE coalesce(e.quantity, 0) <> coalesce(q.quantity, 0)
 LIMIT 20
"""

_RESERVED = """
WITH held AS (
    SELECT l.product_id, l.source_id AS location_id, coalesce(l.lot_id, 0) AS lot, sum(l.reserved) AS reserved
      FROM stock_move_line l JOIN stock_move m ON m.id = l.move_id
     WHERE m.state IN ('partially_available', 'assigned', 'confirmed') AND l.state <> 'done' AND l.reserved <> 0
     GROUP BY 1, 2, 3
)
SELECT coalesce(h.product_id, q.product_id) AS product, coalesce(h.location_id, q.location_id) AS location,
       coalesce(h.reserved, 0) AS expected, coalesce(q.reserved, 0) AS actual
  FROM held h FULL JOIN quant q ON q.product_id = h.product_id AND q.location_id = h.location_id
       AND coalesce(q.lot_id, 0) = h.lot
 WHERE coalesce(h.reserved, 0) <> coalesce(q.reserved, 0)
 LIMIT 20
"""

_BOUNDS = """
SELECT q.id, q.product_id, q.location_id, q.quantity, q.reserved FROM quant q JOIN location l ON l.id = q.location_id
 WHERE l.usage = 'internal' AND ((q.quantity < 0 AND NOT l.allow_negative) OR q.reserved < 0
       OR (q.reserved > 0 AND q.reserved > q.quantity))
 LIMIT 20
"""

_SERIALS = """
SELECT q.lot_id, sum(q.quantity) AS held FROM quant q JOIN location l ON l.id = q.location_id AND l.usage = 'internal'
  JOIN product p ON p.id = q.product_id AND p.tracking = 'serial' WHERE q.lot_id IS NOT NULL
 GROUP BY q.lot_id HAVING sum(q.quantity) > 1 LIMIT 20
"""

_VALUATION = """
WITH layers AS (
    SELECT product_id, sum(value) AS value, sum(remaining_value) AS remaining_value, sum(remaining_qty) AS remaining_qty
      FROM valuation_layer GROUP BY product_id
), stock AS (
    SELECT q.product_id, sum(q.quantity) AS quantity FROM quant q JOIN location l ON l.id = q.location_id
     WHERE l.usage = 'internal' GROUP BY q.product_id
)
SELECT v.product_id, v.value, v.remaining_value, v.remaining_qty, coalesce(s.quantity, 0) AS on_hand
  FROM layers v LEFT JOIN stock s ON s.product_id = v.product_id
 WHERE v.value <> v.remaining_value OR v.remaining_qty <> coalesce(s.quantity, 0)
 LIMIT 20
"""


async def problems(env: Any) -> list[str]:
    """Every difference between the stored stock and the one the move history gives."""
    out = []
    for r in await env.fetch(_LEDGER):
        out.append(
            f"quant of product {r['product']} at location {r['location']} lot {r['lot']}: {r['actual']} stored, "
            f"{r['expected']} from the done moves"
        )
    for r in await env.fetch(
        "SELECT product_id, sum(quantity) AS total FROM quant GROUP BY 1 HAVING sum(quantity) <> 0"
    ):
        out.append(f"product {r['product_id']}: its quants sum to {r['total']} over all locations, not 0")
    for r in await env.fetch(_RESERVED):
        out.append(
            f"reserved of product {r['product']} at location {r['location']}: {r['actual']} stored, "
            f"{r['expected']} held by open moves"
        )
    for r in await env.fetch(_BOUNDS):
        out.append(
            f"quant {r['id']}: quantity {r['quantity']}, reserved {r['reserved']} break 0 <= reserved <= quantity"
        )
    for r in await env.fetch(_SERIALS):
        out.append(f"serial number {r['lot_id']} is held {r['held']} times in stock")
    for r in await env.fetch(_VALUATION):
        out.append(
            f"valuation of product {r['product_id']}: layer values {r['value']}, remaining values "
            f"{r['remaining_value']}, remaining quantity {r['remaining_qty']}, on hand {r['on_hand']}"
        )
    for r in await env.fetch(
        "SELECT id FROM stock_move_line WHERE state = 'done' AND source_id = destination_id LIMIT 20"
    ):
        out.append(f"move line {r['id']} is done from a location to the same one")
    return out
