"""Inventory adjustments: load what a location holds, then book the counted quantities."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from fullfinity.engine.base import UserError
from fullfinity_inventory.exceptions import WrongState
from fullfinity_inventory.models.warehouse import virtual_location
from fullfinity_inventory.stock.booking import Booking, book
from fullfinity_inventory.stock.ledger import lock_quants
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


_ = Decimal
