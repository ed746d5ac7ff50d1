"""Defaults and guards of transfers written through the ORM (the form, the API, data files)."""

from __future__ import annotations

import contextvars
from typing import Any

from fullfinity_inventory.exceptions import WrongState

__all__ = [
    "PREFILLED",
    "create_moves",
    "fill_transfer_defaults",
    "prefill_transfers",
    "refuse_delete",
    "refuse_done_changes",
    "split_moves",
    "take_number",
]

#: Fields of a done or cancelled transfer that may still change (notes).
_WRITABLE_WHEN_CLOSED = frozenset({"note", "origin"})


async def take_number(env: Any, operation_type: int) -> str:
    """The next number of ``operation_type`` (``WH/IN/00001``), under the type's row lock."""
    row = await env.fetchrow(
        "UPDATE operation_type SET next_number = next_number + 1 WHERE id = $1 RETURNING prefix, next_number - 1 AS n",
        operation_type,
    )
    return f"{row['prefix']}{row['n']:05d}"


def _type_id(value: Any) -> int | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    found = getattr(value, "id", None)
    return found if isinstance(found, int) else None


#: True while ``Transfer.create``/``bulk_create`` write rows whose defaults ``prefill_transfers`` filled
#: (``save`` then leaves them alone).
PREFILLED: contextvars.ContextVar[bool] = contextvars.ContextVar("inventory_prefilled_transfers", default=False)


async def prefill_transfers(env: Any, rows: list[dict[str, Any]]) -> list[str | None]:
    """New transfers get, when missing, their operation type's locations; returns their numbers
    (taken once per operation type, types locked in id order), written with the rows."""
    wanted: dict[int, list[dict[str, Any]]] = {}
    numbers: dict[int, str] = {}
    for row in rows:
        type_id = _type_id(row.get("operation_type"))
        if type_id is not None:
            wanted.setdefault(type_id, []).append(row)
    for type_id in sorted(wanted):
        batch = wanted[type_id]
        need = [row for row in batch if not row.get("number")]
        found = await env.fetchrow(
            "UPDATE operation_type SET next_number = next_number + $2 WHERE id = $1 "
            "RETURNING prefix, next_number - $2 AS first, default_source_id, default_destination_id",
            type_id,
            len(need),
        )
        if found is None:
            continue  # the ORM reports the unknown operation type
        for offset, row in enumerate(need):
            numbers[id(row)] = f"{found['prefix']}{found['first'] + offset:05d}"
        for row in batch:
            if row.get("source") is None and found["default_source_id"] is not None:
                row["source"] = found["default_source_id"]
            if row.get("destination") is None and found["default_destination_id"] is not None:
                row["destination"] = found["default_destination_id"]
    return [numbers.get(id(row)) or row.get("number") for row in rows]


def split_moves(values: dict[str, Any]) -> list[dict[str, Any]]:
    """Take the moves out of a transfer's values when they are all ``N`` commands (created in bulk
    afterwards); other commands stay for the ORM."""
    commands = values.get("moves")
    if not isinstance(commands, list) or not commands:
        return []
    if not all(
        isinstance(c, list | tuple) and len(c) == 2 and c[0] == "N" and isinstance(c[1], dict) for c in commands
    ):
        return []
    del values["moves"]
    return [dict(c[1]) for c in commands]


async def create_moves(env: Any, moves: list[tuple[int, list[dict[str, Any]]]]) -> None:
    """Create the moves of these transfers (transfer id, move values) with one ``bulk_create``."""
    rows = [{**move, "transfer": transfer_id} for transfer_id, batch in moves for move in batch]
    if rows:
        await env.get_model("StockMove").bulk_create(rows)


async def fill_transfer_defaults(transfer: Any) -> None:
    """A new transfer gets its number and, when missing, the locations of its operation type."""
    if transfer.operation_type is None:
        return  # the ORM reports the missing required field
    type_id = transfer.operation_type.id
    row = await transfer.env.fetchrow(
        "SELECT default_source_id, default_destination_id FROM operation_type WHERE id = $1", type_id
    )
    if row is None:
        return
    if transfer.source is None and row["default_source_id"] is not None:
        transfer.source = row["default_source_id"]
    if transfer.destination is None and row["default_destination_id"] is not None:
        transfer.destination = row["default_destination_id"]
    if not transfer.number:
        transfer.number = await take_number(transfer.env, type_id)


async def refuse_done_changes(transfers: Any) -> None:
    """Done and cancelled transfers keep their content (business.md: a done document is immutable)."""
    ids = [rec.id for rec in transfers if rec.id is not None and set(rec._changes or {}) - _WRITABLE_WHEN_CLOSED]
    if not ids:
        return
    row = await transfers.env.fetchrow(
        "SELECT id, number, state FROM transfer WHERE id = ANY($1::bigint[]) AND state IN ('done', 'cancelled') "
        "ORDER BY id LIMIT 1",
        ids,
    )
    if row is not None:
        raise WrongState(
            f"Transfer {row['number'] or row['id']} is {row['state']}: it cannot be changed. "
            "Return it (done) or create a new transfer."
        )


async def refuse_delete(transfers: Any) -> None:
    row = await transfers.env.fetchrow(
        "SELECT id, number, state FROM transfer WHERE id = ANY($1::bigint[]) AND state NOT IN ('draft', 'cancelled') "
        "ORDER BY id LIMIT 1",
        transfers.ids,
    )
    if row is not None:
        raise WrongState(
            f"Transfer {row['number'] or row['id']} is {row['state']}: only draft or cancelled transfers can be "
            "deleted. Cancel it first (a done transfer stays: return it instead)."
        )
