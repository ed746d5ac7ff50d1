"""Returns: a new transfer moving back what a done transfer moved and was not returned yet.

The return goes the other way (its operation type's ``return_type``: a delivery comes back as a
receipt), each move pointing at the move it returns (``origin_return``: valued at that move's cost);
the lots of the original lines are given back on its lines. It is confirmed and reserved, ready to
validate.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from fullfinity.engine.base import UserError
from fullfinity_inventory.exceptions import WrongState
from fullfinity_inventory.stock.documents import take_number
from fullfinity_inventory.stock.reservation import reserve
from fullfinity_inventory.stock.retry import retrying

__all__ = ["create_return"]

ZERO = Decimal(0)


async def create_return(env: Any, transfer_id: int) -> int:
    return await retrying(env, lambda: _create_return(env, transfer_id))


async def _create_return(env: Any, transfer_id: int) -> int:
    head = await env.fetchrow(
        "SELECT t.id, t.number, t.state, t.partner_id, t.source_id, t.destination_id, t.operation_type_id, "
        "coalesce(o.return_type_id, o.id) AS return_type FROM transfer t JOIN operation_type o "
        "ON o.id = t.operation_type_id WHERE t.id = $1 FOR UPDATE OF t",
        transfer_id,
    )
    if head is None:
        raise UserError(f"Transfer {transfer_id} does not exist.")
    if head["state"] != "done":
        raise WrongState(f"Transfer {head['number']} is {head['state']}: only done transfers can be returned.")
    moves = await env.fetch(
        "SELECT m.id, m.product_id, m.name, m.quantity, m.uom_id, m.source_id, m.destination_id, m.unit_cost, "
        "coalesce((SELECT sum(CASE WHEN r.state = 'done' THEN r.quantity ELSE r.demand END) FROM stock_move r "
        "WHERE r.origin_return_id = m.id AND r.state <> 'cancelled'), 0) AS returned "
        "FROM stock_move m WHERE m.transfer_id = $1 AND m.state = 'done' ORDER BY m.id",
        transfer_id,
    )
    todo = [(m, m["quantity"] - m["returned"]) for m in moves if m["quantity"] - m["returned"] > 0]
    if not todo:
        raise UserError(f"Everything transfer {head['number']} moved has been returned already.")
    number = await take_number(env, head["return_type"])
    uid = env.uid
    new_id = await env.fetchval(
        "INSERT INTO transfer (number, operation_type_id, partner_id, source_id, destination_id, scheduled_date, "
        "origin, state, return_of_id, create_uid, write_uid) VALUES ($1, $2, $3, $4, $5, now(), $6, 'confirmed', $7, "
        "$8, $8) RETURNING id",
        number, head["return_type"], head["partner_id"], head["destination_id"], head["source_id"],
        f"Return of {head['number']}", transfer_id, uid,
    )  # fmt: skip
    lots: dict[int, list[Any]] = defaultdict(list)
    for line in await env.fetch(
        "SELECT move_id, lot_id, destination_id, source_id, quantity FROM stock_move_line "
        "WHERE move_id = ANY($1::bigint[]) AND lot_id IS NOT NULL ORDER BY id",
        [m["id"] for m, _ in todo],
    ):
        lots[line["move_id"]].append(line)
    new_moves = []
    for m, quantity in todo:
        move_id = await env.fetchval(
            "INSERT INTO stock_move (transfer_id, product_id, name, demand, quantity, reserved, uom_id, source_id, "
            "destination_id, state, unit_cost, origin_return_id, reference, create_uid, write_uid) "
            "VALUES ($1, $2, $3, $4, 0, 0, $5, $6, $7, 'confirmed', $8, $9, $10, $11, $11) RETURNING id",
            new_id, m["product_id"], m["name"], quantity, m["uom_id"], m["destination_id"], m["source_id"],
            m["unit_cost"], m["id"], number, uid,
        )  # fmt: skip
        new_moves.append(move_id)
        left = quantity
        for line in lots.get(m["id"], []):  # give the same lots back (from a customer: not reserved)
            if left <= 0:
                break
            take = min(line["quantity"], left)
            await env.execute(
                "INSERT INTO stock_move_line (move_id, product_id, lot_id, source_id, destination_id, quantity, "
                "reserved, state, create_uid, write_uid) SELECT $1, $2, $3, $4, $5, $6, 0, 'draft', $7, $7 "
                "FROM location s WHERE s.id = $4 AND s.usage <> 'internal'",
                move_id, m["product_id"], line["lot_id"], line["destination_id"], line["source_id"], take, uid,
            )  # fmt: skip
            left -= take
    await reserve(env, new_moves)
    from fullfinity_inventory.stock.operations import refresh_states

    await refresh_states(env, [new_id])
    env.written.update({"Transfer", "StockMove", "StockMoveLine"})
    return int(new_id)
