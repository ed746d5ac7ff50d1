"""Inventory adjustments: load what a location holds, then book the counted quantities.

A count below what transfers have reserved on a quant first takes the difference back from those
reservations, the transfers scheduled last losing theirs first (their moves become partially
available or wait for stock again), then those moves reserve again from what is left elsewhere
(another lot or location in their scope), as Odoo does: the count is what the shelf holds, and a
reservation of units that are not there would promise a delivery that cannot happen.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from fullfinity.engine.base import UserError
from fullfinity_inventory.exceptions import WrongState
from fullfinity_inventory.models.warehouse import virtual_location
from fullfinity_inventory.stock import ledger
from fullfinity_inventory.stock.booking import Booking, book
from fullfinity_inventory.stock.ledger import Key, lock_quants
from fullfinity_inventory.stock.operations import refresh_states
from fullfinity_inventory.stock.reservation import reserve
from fullfinity_inventory.stock.retry import retrying

__all__ = ["apply_adjustments", "load_lines"]


async def load_lines(env: Any, ids: Sequence[int]) -> None:
    """Each draft adjustment gets one line per product and lot its location (and sublocations) holds
    that it does not count yet, counted = theoretical = on hand."""
    await env.execute(
        "INSERT INTO inventory_adjustment_line (adjustment_id, product_id, lot_id, location_id, counted, theoretical, "
        "difference, create_uid, write_uid) "
        "SELECT a.id, q.product_id, q.lot_id, q.location_id, q.quantity, q.quantity, 0, $2, $2 "
        "FROM inventory_adjustment a JOIN location al ON al.id = a.location_id "
        "JOIN location l ON l.parent_path LIKE al.parent_path || '%' AND l.usage = 'internal' "
        "JOIN quant q ON q.location_id = l.id AND q.quantity <> 0 "
        "WHERE a.id = ANY($1::bigint[]) AND a.state = 'draft' "
        "AND NOT EXISTS (SELECT 1 FROM inventory_adjustment_line x WHERE x.adjustment_id = a.id "
        "AND x.product_id = q.product_id AND coalesce(x.lot_id, 0) = coalesce(q.lot_id, 0) "
        "AND coalesce(x.location_id, a.location_id) = q.location_id) ORDER BY q.location_id, q.product_id, q.lot_id",
        list(ids),
        env.uid,
    )
    env.written.add("InventoryAdjustmentLine")


async def apply_adjustments(env: Any, ids: Sequence[int]) -> None:
    await retrying(env, lambda: _apply(env, ids))


async def _apply(env: Any, ids: Sequence[int]) -> None:
    heads = await env.fetch(
        "SELECT id, name, state FROM inventory_adjustment WHERE id = ANY($1::bigint[]) ORDER BY id FOR UPDATE",
        list(ids),
    )
    if not heads:
        raise UserError("Select the adjustments to apply.")
    for h in heads:
        if h["state"] != "draft":
            raise WrongState(f"Inventory adjustment '{h['name']}' is {h['state']}: it was applied already.")
    lines = await env.fetch(
        "SELECT x.id, x.product_id, x.lot_id, coalesce(x.location_id, a.location_id) AS location_id, x.counted, "
        "a.name, l.usage, p.storable, p.name AS product FROM inventory_adjustment_line x "
        "JOIN inventory_adjustment a ON a.id = x.adjustment_id "
        "JOIN location l ON l.id = coalesce(x.location_id, a.location_id) JOIN product p ON p.id = x.product_id "
        "WHERE a.id = ANY($1::bigint[]) ORDER BY x.id",
        [h["id"] for h in heads],
    )
    for line in lines:
        if line["usage"] != "internal" or not line["storable"]:
            raise UserError(
                f"Adjustment '{line['name']}': {line['product']} is counted in a location that is not internal or is "
                "not a storable product; count storable products in stock locations."
            )
        if line["counted"] < 0:
            raise UserError(f"Adjustment '{line['name']}': the counted quantity of {line['product']} is negative.")
    loss = await virtual_location(env, "inventory")
    quants = await lock_quants(env, [(ln["product_id"], ln["location_id"], ln["lot_id"]) for ln in lines])
    short_moves, short_transfers = await _release_over_count(env, lines, quants)
    bookings = []
    theoretical = []
    for line in lines:
        on_hand = quants[(line["product_id"], line["location_id"], line["lot_id"])]["quantity"]
        theoretical.append(on_hand)
        difference = line["counted"] - on_hand
        if difference > 0:
            bookings.append(
                Booking(line["product_id"], line["lot_id"], loss, line["location_id"], difference, line["name"])
            )
        elif difference < 0:
            bookings.append(
                Booking(line["product_id"], line["lot_id"], line["location_id"], loss, -difference, line["name"])
            )
    await book(env, bookings)
    if short_moves:  # what the count took back, reserved again from what is left elsewhere
        await reserve(env, short_moves)
        await refresh_states(env, short_transfers)
    await env.execute(
        "UPDATE inventory_adjustment_line x SET theoretical = v.t, difference = x.counted - v.t "
        "FROM unnest($1::bigint[], $2::numeric[]) AS v(id, t) WHERE x.id = v.id",
        [ln["id"] for ln in lines],
        theoretical,
    )
    await env.execute(
        "UPDATE inventory_adjustment SET state = 'done', date_done = now() WHERE id = ANY($1::bigint[])",
        [h["id"] for h in heads],
    )
    env.written.update({"InventoryAdjustment", "InventoryAdjustmentLine"})


#: The open reservations on one quant, the transfers scheduled last first.
_RESERVING_LINES = """
SELECT l.id, l.move_id, l.reserved, l.quantity, m.transfer_id FROM stock_move_line l
  JOIN stock_move m ON m.id = l.move_id LEFT JOIN transfer t ON t.id = m.transfer_id
 WHERE l.product_id = $1 AND l.source_id = $2 AND coalesce(l.lot_id, 0) = coalesce($3::bigint, 0)
   AND l.reserved > 0 AND l.state NOT IN ('done', 'cancelled') AND m.state IN ('partially_available', 'assigned')
 ORDER BY t.scheduled_date DESC NULLS FIRST, l.id DESC FOR UPDATE OF l, m
"""


async def _release_over_count(env: Any, lines: Sequence[Any], quants: dict[Key, Any]) -> tuple[list[int], list[int]]:
    """Give back the reservations a count leaves without units (counted < reserved on its quant);
    returns the moves and transfers that lost some."""
    released: dict[Key, Decimal] = defaultdict(Decimal)
    taken: dict[int, Decimal] = {}  # move line -> quantity given back
    moves: dict[int, Decimal] = defaultdict(Decimal)
    transfers: set[int] = set()
    for line in lines:
        key = (line["product_id"], line["location_id"], line["lot_id"])
        excess = quants[key]["reserved"] - released[key] - line["counted"]
        if excess <= 0:
            continue
        for row in await env.fetch(_RESERVING_LINES, *key):
            if excess <= 0:
                break
            take = min(row["reserved"] - taken.get(row["id"], Decimal(0)), excess)
            if take <= 0:
                continue
            taken[row["id"]] = taken.get(row["id"], Decimal(0)) + take
            moves[row["move_id"]] += take
            if row["transfer_id"] is not None:
                transfers.add(row["transfer_id"])
            released[key] += take
            excess -= take
    if not taken:
        return [], []
    await ledger.apply(env, [], released)
    await env.execute(
        "UPDATE stock_move_line l SET reserved = l.reserved - v.t, quantity = greatest(l.quantity - v.t, 0) "
        "FROM unnest($1::bigint[], $2::numeric[]) AS v(id, t) WHERE l.id = v.id",
        list(taken),
        list(taken.values()),
    )
    await env.execute(
        "DELETE FROM stock_move_line WHERE id = ANY($1::bigint[]) AND reserved = 0 AND quantity = 0", list(taken)
    )
    await env.execute(
        "UPDATE stock_move m SET reserved = m.reserved - v.t, quantity = greatest(m.quantity - v.t, 0), "
        "state = CASE WHEN m.reserved - v.t > 0 THEN 'partially_available' ELSE 'confirmed' END "
        "FROM unnest($1::bigint[], $2::numeric[]) AS v(id, t) WHERE m.id = v.id",
        list(moves),
        list(moves.values()),
    )
    # A move that gave some back holds less than its demand (reserved <= demand): partially
    # available or confirmed, the states `reserve` takes up again after the booking.
    env.written.update({"StockMove", "StockMoveLine"})
    return sorted(moves), sorted(transfers)
