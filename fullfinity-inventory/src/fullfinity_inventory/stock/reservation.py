"""Reservation: moves take what their source location (and its sublocations) holds, never more.

The candidate quants are locked ``FOR UPDATE`` in key order (product, location, lot: the order the ledger uses) and read
after the lock, so the available quantity (quantity - reserved) is the committed one: twenty
concurrent one-unit reservations against ten units reserve exactly ten; the others wait in line
and find nothing left. Oldest quants (``in_date``) are taken first; a move that asks for a lot
(``StockMove.lot``) takes only that lot's quants (what is missing stays to reserve: partially
available, or waiting).

Lines filled in before reservation (a ``StockMoveLine`` with a ``lot`` and a ``quantity``, nothing
reserved yet: the user picked the lots) are served first, each from its own lot: the line gets
what that lot holds, up to its quantity (more lines when the lot lies in several locations), and
only the rest of the demand is reserved from other quants.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

__all__ = ["reserve"]

ZERO = Decimal(0)

_MOVES = """
SELECT m.id, m.product_id, m.demand, m.reserved, m.destination_id, m.lot_id, p.storable, l.usage, l.parent_path
  FROM stock_move m JOIN product p ON p.id = m.product_id JOIN location l ON l.id = m.source_id
  LEFT JOIN transfer t ON t.id = m.transfer_id
 WHERE m.id = ANY($1::bigint[]) AND m.state IN ('confirmed', 'partially_available')
 ORDER BY t.scheduled_date NULLS LAST, m.id
"""

#: Lines the user gave a lot before reservation (nothing reserved on them yet).
_ASKED_LINES = """
SELECT id, move_id, lot_id, quantity FROM stock_move_line
 WHERE move_id = ANY($1::bigint[]) AND state NOT IN ('done', 'cancelled') AND reserved = 0
   AND lot_id IS NOT NULL AND quantity > 0
 ORDER BY move_id, id
"""

_QUANTS = """
SELECT q.id, q.product_id, q.location_id, q.lot_id, q.quantity, q.reserved, q.in_date, l.parent_path
  FROM quant q JOIN location l ON l.id = q.location_id
 WHERE l.usage = 'internal' AND q.quantity > q.reserved
   AND EXISTS (SELECT 1 FROM unnest($1::bigint[], $2::text[]) AS k(p, path)
                WHERE k.p = q.product_id AND l.parent_path LIKE k.path || '%')
 ORDER BY q.product_id, q.location_id, coalesce(q.lot_id, 0) FOR UPDATE OF q
"""


async def reserve(env: Any, move_ids: Sequence[int]) -> None:
    """Reserve the confirmed or partially available moves ``move_ids`` (as much as is available)."""
    if not move_ids:
        return
    moves = await env.fetch(_MOVES, list(move_ids))
    immediate = [m["id"] for m in moves if not m["storable"] or m["usage"] != "internal"]
    if immediate:  # nothing to reserve: goods from a vendor, a customer, or not tracked in stock
        await env.execute(
            "UPDATE stock_move SET state = 'assigned', quantity = CASE WHEN quantity = 0 THEN demand ELSE quantity END "
            "WHERE id = ANY($1::bigint[])",
            immediate,
        )
    stocked = [m for m in moves if m["storable"] and m["usage"] == "internal"]
    if not stocked:
        env.written.add("StockMove")
        return
    pairs = sorted({(m["product_id"], m["parent_path"]) for m in stocked})
    quants = await env.fetch(_QUANTS, [p[0] for p in pairs], [p[1] for p in pairs])
    by_product: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for q in sorted(quants, key=lambda q: (q["in_date"] is None, q["in_date"], q["id"])):
        by_product[q["product_id"]].append(dict(q))
    asked: dict[int, list[Any]] = defaultdict(list)
    for line in await env.fetch(_ASKED_LINES, [m["id"] for m in stocked]):
        asked[line["move_id"]].append(line)
    uid = env.uid
    lines: list[tuple[Any, ...]] = []
    served: list[tuple[int, Decimal, int, int, int]] = []  # asked line: id, reserved, location, product, destination
    taken: dict[int, Decimal] = defaultdict(Decimal)
    move_ids_out, move_reserved, move_states = [], [], []

    def take_from(m: Any, want: Decimal, lot: int | None, any_lot: bool) -> list[tuple[Any, Decimal]]:
        """Quants of move ``m``'s scope giving up to ``want`` (of ``lot`` unless ``any_lot``)."""
        out: list[tuple[Any, Decimal]] = []
        got = ZERO
        for q in by_product.get(m["product_id"], ()):
            if want <= got:
                break
            if not q["parent_path"].startswith(m["parent_path"]) or (not any_lot and q["lot_id"] != lot):
                continue
            available = q["quantity"] - q["reserved"]
            if available <= 0:
                continue
            take = min(available, want - got)
            q["reserved"] += take
            taken[q["id"]] += take
            got += take
            out.append((q, take))
        return out

    for m in stocked:
        need = m["demand"] - m["reserved"]
        got = ZERO
        for line in asked.get(m["id"], ()):  # the lots the user picked, each from its own quants
            want = min(line["quantity"], need)
            need -= want
            for i, (q, take) in enumerate(take_from(m, want, line["lot_id"], any_lot=False)):
                got += take
                if i == 0:
                    served.append((line["id"], take, q["location_id"], m["product_id"], m["destination_id"]))
                else:
                    lines.append((m["id"], m["product_id"], q["lot_id"], q["location_id"], m["destination_id"], take,
                                  take, "assigned", uid, uid))  # fmt: skip
        # the rest: the lot the move asks for, else any, oldest first
        for q, take in take_from(m, need, m["lot_id"], any_lot=m["lot_id"] is None):
            got += take
            lines.append((m["id"], m["product_id"], q["lot_id"], q["location_id"], m["destination_id"], take, take,
                          "assigned", uid, uid))  # fmt: skip
        total = m["reserved"] + got
        move_ids_out.append(m["id"])
        move_reserved.append(total)
        move_states.append("assigned" if total >= m["demand"] else "partially_available" if total > 0 else "confirmed")
    if lines:
        await env.copy_records(
            "stock_move_line",
            ("move_id", "product_id", "lot_id", "source_id", "destination_id", "quantity", "reserved", "state",
             "create_uid", "write_uid"),
            lines,
        )  # fmt: skip
    if served:
        await env.execute(
            "UPDATE stock_move_line l SET reserved = v.r, source_id = v.s, state = 'assigned', "
            "product_id = coalesce(l.product_id, v.p), destination_id = coalesce(l.destination_id, v.d) "
            "FROM unnest($1::bigint[], $2::numeric[], $3::bigint[], $4::bigint[], $5::bigint[]) AS v(id, r, s, p, d) "
            "WHERE l.id = v.id",
            *zip(*served, strict=True),
        )
    if taken:
        await env.execute(
            "UPDATE quant q SET reserved = q.reserved + v.r FROM unnest($1::bigint[], $2::numeric[]) AS v(id, r) "
            "WHERE q.id = v.id",
            list(taken),
            list(taken.values()),
        )
    await env.execute(
        "UPDATE stock_move m SET reserved = v.r, quantity = greatest(m.quantity, v.r), state = v.s "
        "FROM unnest($1::bigint[], $2::numeric[], $3::text[]) AS v(id, r, s) WHERE m.id = v.id",
        move_ids_out,
        move_reserved,
        move_states,
    )
    env.written.update({"StockMove", "StockMoveLine", "Quant"})
