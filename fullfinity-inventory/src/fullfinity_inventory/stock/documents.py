"""Defaults and guards of transfers written through the ORM (the form, the API, data files)."""

from __future__ import annotations

from typing import Any

from fullfinity_inventory.exceptions import WrongState

__all__ = ["fill_transfer_defaults", "refuse_delete", "refuse_done_changes", "take_number"]

#: Fields of a done or cancelled transfer that may still change (notes).
_WRITABLE_WHEN_CLOSED = frozenset({"note", "origin"})


async def take_number(env: Any, operation_type: int) -> str:
    """The next number of ``operation_type`` (``WH/IN/00001``), under the type's row lock."""
    row = await env.fetchrow(
        "UPDATE operation_type SET next_number = next_number + 1 WHERE id = $1 RETURNING prefix, next_number - 1 AS n",
        operation_type,
    )
    return f"{row['prefix']}{row['n']:05d}"


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
