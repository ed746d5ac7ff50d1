"""Backorders: what a validation did not pick waits in a new transfer (``backorder_of``)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from fullfinity_inventory.stock.documents import take_number
from fullfinity_inventory.stock.reservation import reserve

__all__ = ["create_backorders"]


async def create_backorders(env: Any, short: list[Any]) -> None:
    """The not-picked rest of the short moves waits in one new transfer per validated transfer."""
    by_transfer: dict[int, list[Any]] = defaultdict(list)
    for m in short:
        by_transfer[m["transfer_id"]].append(m)
    heads = {
        r["id"]: r
        for r in await env.fetch(
            "SELECT id, operation_type_id, partner_id, source_id, destination_id, scheduled_date, origin, number "
            "FROM transfer WHERE id = ANY($1::bigint[])",
            list(by_transfer),
        )
    }
    uid = env.uid
    new_moves: list[int] = []
    created: list[int] = []
    for tid, moves in sorted(by_transfer.items()):
        head = heads[tid]
        number = await take_number(env, head["operation_type_id"])
        new_id = await env.fetchval(
            "INSERT INTO transfer (number, operation_type_id, partner_id, source_id, destination_id, scheduled_date, "
            "origin, state, backorder_of_id, create_uid, write_uid) VALUES ($1, $2, $3, $4, $5, $6, $7, 'confirmed', "
            "$8, $9, $9) RETURNING id",
            number, head["operation_type_id"], head["partner_id"], head["source_id"], head["destination_id"],
            head["scheduled_date"], head["origin"] or head["number"], tid, uid,
        )  # fmt: skip
        created.append(new_id)
        for m in moves:
            if m["quantity"] == 0:  # nothing picked: the move itself waits in the backorder
                await env.execute(
                    "UPDATE stock_move SET transfer_id = $2, reserved = 0, quantity = 0, "
                    "state = CASE WHEN state = 'waiting' THEN 'waiting' ELSE 'confirmed' END, "
                    "reference = $3 WHERE id = $1",
                    m["id"], new_id, number,
                )  # fmt: skip
                new_moves.append(m["id"])
            else:
                new_moves.append(
                    await env.fetchval(
                        "INSERT INTO stock_move (transfer_id, product_id, name, demand, quantity, reserved, uom_id, "
                        "source_id, destination_id, state, unit_cost, origin_return_id, reference, create_uid, "
                        "write_uid, lot_id) VALUES ($1, $2, $3, $4, 0, 0, $5, $6, $7, 'confirmed', $8, $9, $10, $11, "
                        "$11, $12) RETURNING id",
                        new_id,
                        m["product_id"],
                        m["name"],
                        m["demand"] - m["quantity"],
                        m["uom_id"],
                        m["source_id"],
                        m["destination_id"],
                        m["unit_cost"],
                        m["origin_return_id"],
                        number,
                        uid,
                        m["lot_id"],
                    )
                )
    await reserve(env, new_moves)
    from fullfinity_inventory.stock.operations import refresh_states

    await refresh_states(env, created)
