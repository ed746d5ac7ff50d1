"""Moves booked done at once, without a transfer: inventory adjustments and scrap."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from fullfinity_inventory.stock import ledger, valuation
from fullfinity_inventory.stock.ledger import LineSpec

__all__ = ["Booking", "book"]


@dataclass
class Booking:
    product: int
    lot: int | None
    source: int
    destination: int
    quantity: Decimal
    reference: str


async def book(env: Any, bookings: Sequence[Booking]) -> list[int]:
    """Create done moves (and their lines) for ``bookings``, move the stock, value them; the move ids."""
    if not bookings:
        return []
    uid = env.uid
    ids = [
        r["id"]
        for r in await env.fetch(
            "SELECT nextval(pg_get_serial_sequence('stock_move', 'id')) AS id FROM generate_series(1, $1)",
            len(bookings),
        )
    ]
    await ledger.apply(
        env,
        [
            LineSpec(i, b.product, b.lot, b.source, b.destination, b.quantity)
            for i, b in zip(ids, bookings, strict=True)
        ],
    )
    info = await env.fetch(
        "SELECT p.id, p.uom_id, p.name, p.storable FROM product p WHERE p.id = ANY($1::bigint[])",
        sorted({b.product for b in bookings}),
    )
    products = {r["id"]: r for r in info}
    usages = {
        r["id"]: r["usage"]
        for r in await env.fetch(
            "SELECT id, usage FROM location WHERE id = ANY($1::bigint[])",
            sorted({b.source for b in bookings} | {b.destination for b in bookings}),
        )
    }
    await env.copy_records(
        "stock_move",
        ("id", "product_id", "name", "demand", "quantity", "reserved", "uom_id", "source_id", "destination_id", "state",
         "reference", "create_uid", "write_uid"),
        [(i, b.product, products[b.product]["name"], b.quantity, b.quantity, Decimal(0), products[b.product]["uom_id"],
          b.source, b.destination, "assigned", b.reference, uid, uid) for i, b in zip(ids, bookings, strict=True)],
    )  # fmt: skip
    rows = [
        {"id": i, "product_id": b.product, "quantity": b.quantity, "source_usage": usages[b.source],
         "destination_usage": usages[b.destination], "unit_cost": None, "origin_return_id": None,
         "reference": b.reference, "name": b.reference, "storable": products[b.product]["storable"]}
        for i, b in zip(ids, bookings, strict=True)
    ]  # fmt: skip
    costs = await valuation.value_moves(env, rows)
    await env.copy_records(
        "stock_move_line",
        ("move_id", "product_id", "lot_id", "source_id", "destination_id", "quantity", "reserved", "state",
         "create_uid", "write_uid"),
        [(i, b.product, b.lot, b.source, b.destination, b.quantity, Decimal(0), "done", uid, uid)
         for i, b in zip(ids, bookings, strict=True)],
    )  # fmt: skip
    await env.execute(
        "UPDATE stock_move m SET state = 'done', date = now(), unit_cost = v.c "
        "FROM unnest($1::bigint[], $2::numeric[]) AS v(id, c) WHERE m.id = v.id",
        ids,
        [costs.get(i) for i in ids],
    )
    env.written.update({"StockMove", "StockMoveLine"})
    return ids
