"""On hand, reserved, incoming and outgoing quantities of many products in one query.

The scope is the context's ``location`` (it and its sublocations), or ``warehouse`` (everything under
its view location), or every internal location. Incoming: open moves into the scope from outside it;
outgoing: open moves from the scope to outside it (demand minus nothing: not done yet).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

__all__ = ["quantities", "scope_path"]

_SQL = """
WITH scope AS (
    SELECT id FROM location WHERE usage = 'internal' AND ($2::text IS NULL OR parent_path LIKE $2 || '%')
), stock AS (
    SELECT q.product_id, sum(q.quantity) AS on_hand, sum(q.reserved) AS reserved FROM quant q
     WHERE q.product_id = ANY($1::bigint[]) AND q.location_id IN (SELECT id FROM scope) GROUP BY q.product_id
), flows AS (
    SELECT m.product_id,
           sum(m.demand) FILTER (WHERE m.destination_id IN (SELECT id FROM scope)
                                   AND m.source_id NOT IN (SELECT id FROM scope)) AS incoming,
           sum(m.demand) FILTER (WHERE m.source_id IN (SELECT id FROM scope)
                                   AND m.destination_id NOT IN (SELECT id FROM scope)) AS outgoing
      FROM stock_move m
     WHERE m.product_id = ANY($1::bigint[]) AND m.state IN ('confirmed', 'partially_available', 'assigned')
     GROUP BY m.product_id
)
SELECT p.id, coalesce(s.on_hand, 0) AS on_hand, coalesce(s.reserved, 0) AS reserved,
       coalesce(f.incoming, 0) AS incoming, coalesce(f.outgoing, 0) AS outgoing
  FROM unnest($1::bigint[]) AS p(id) LEFT JOIN stock s ON s.product_id = p.id LEFT JOIN flows f ON f.product_id = p.id
"""


async def scope_path(env: Any, context: Mapping[str, Any]) -> str | None:
    """The ``parent_path`` prefix of the context's location or warehouse (``None``: everywhere)."""
    location = context.get("location")
    if location:
        return await env.fetchval("SELECT parent_path FROM location WHERE id = $1", int(location))  # type: ignore[no-any-return]
    warehouse = context.get("warehouse")
    if warehouse:
        return await env.fetchval(  # type: ignore[no-any-return]
            "SELECT l.parent_path FROM warehouse w JOIN location l ON l.id = w.view_location_id WHERE w.id = $1",
            int(warehouse),
        )
    return None


#: On hand and reserved only (the quants), the scope's path read in the same statement: $2 a
#: location, or $3 a warehouse (its view location), or neither (every internal location).
_STOCK_SQL = """
WITH scope AS (
    SELECT (SELECT parent_path FROM location WHERE id = $2::bigint) AS location_path,
           (SELECT l.parent_path FROM warehouse w JOIN location l ON l.id = w.view_location_id
             WHERE w.id = $3::bigint) AS warehouse_path
)
SELECT q.product_id AS id, sum(q.quantity) AS on_hand, sum(q.reserved) AS reserved, 0 AS incoming, 0 AS outgoing
  FROM quant q JOIN location l ON l.id = q.location_id CROSS JOIN scope s
 WHERE q.product_id = ANY($1::bigint[]) AND l.usage = 'internal'
   AND ($2::bigint IS NULL OR l.parent_path LIKE s.location_path || '%')
   AND ($2::bigint IS NOT NULL OR $3::bigint IS NULL OR l.parent_path LIKE s.warehouse_path || '%')
 GROUP BY q.product_id
"""


async def quantities(
    env: Any, product_ids: Sequence[int], context: Mapping[str, Any], *, flows: bool = True
) -> dict[int, tuple[Decimal, Decimal, Decimal, Decimal]]:
    """product id -> (on hand, reserved, incoming, outgoing) in the context's scope (without
    ``flows``, incoming and outgoing are 0 and only the quants are read)."""
    if not flows:
        location, warehouse = context.get("location"), context.get("warehouse")
        rows = await env.fetch(
            _STOCK_SQL, list(product_ids), int(location) if location else None, int(warehouse) if warehouse else None
        )
    else:
        rows = await env.fetch(_SQL, list(product_ids), await scope_path(env, context))
    return {r["id"]: (r["on_hand"], r["reserved"], r["incoming"], r["outgoing"]) for r in rows}
