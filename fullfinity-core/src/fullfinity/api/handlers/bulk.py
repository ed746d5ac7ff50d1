"""Bulk create, update and delete: all or nothing (api.md 4.6).

Each runs inside a savepoint, so a failure leaves nothing behind even when the caller's
transaction goes on; error paths start with ``records.<index>`` (create) or ``values.``
(update), and an unknown or hidden id fails the whole operation with a 404 naming it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fullfinity.api.bodies import BulkCreateBody, BulkDeleteBody, BulkUpdateBody
from fullfinity.api.decode import check_writable, parse_context, prefixed, raise_write_problems, write_problems
from fullfinity.api.handlers import refuse_transient
from fullfinity.api.handlers.records import check_updated_dates, records_by_id, with_archived
from fullfinity.engine.fields.relational import X2ManyField
from fullfinity.exceptions import BadRequest, ValidationError

if TYPE_CHECKING:
    from fullfinity.engine.env import Environment
    from fullfinity.engine.models import Model

__all__ = ["bulk_create", "bulk_delete", "bulk_update"]


async def bulk_create(env: Environment, model: type[Model], body: BulkCreateBody) -> dict[str, Any]:
    refuse_transient(model, "bulk-create")
    unknown: list[dict[str, str]] = []
    refused: list[dict[str, str]] = []
    for index, row in enumerate(body.records):
        u, r = write_problems(model, row, prefix=f"records.{index}.")
        unknown += u
        refused += r
    raise_write_problems(model, unknown, refused)
    per_record = any(isinstance(model._fields[n], X2ManyField) for row in body.records for n in row)
    with env.with_context(**parse_context(body.context)):
        async with env.transaction():
            if per_record:  # x-to-many command lists are applied record by record
                ids = []
                for index, row in enumerate(body.records):
                    try:
                        ids.append((await model.create(**row)).id)
                    except ValidationError as exc:
                        raise prefixed(exc, f"records.{index}.") from None
            else:
                try:
                    ids = (await model.bulk_create(body.records)).ids
                except ValidationError as exc:
                    raise prefixed(exc, "records.") from None
        names = {r.id: r.display_name for r in await with_archived(model, ids).with_fields("display_name")}
    return {"data": [{"id": i, "display_name": names.get(i)} for i in ids]}


async def bulk_update(env: Environment, model: type[Model], body: BulkUpdateBody) -> dict[str, Any]:
    refuse_transient(model, "bulk-update")
    check_writable(model, body.values, prefix="values.")
    expected: dict[int, Any] = {}
    for key, value in (body.updated_dates or {}).items():
        if not key.isdigit() or int(key) not in body.ids:
            raise BadRequest(
                f"updated_dates keys must be ids listed in ids; {key!r} is not.",
                details=[{"path": f"updated_dates.{key}", "message": "not one of ids"}],
            )
        expected[int(key)] = value
    with env.with_context(**parse_context(body.context)):
        await records_by_id(model, body.ids)
        async with env.transaction():
            if expected:
                await check_updated_dates(env, model, expected, lambda i: f"updated_dates.{i}")
            if body.values and body.ids:
                try:
                    await with_archived(model, body.ids).update(**body.values)
                except ValidationError as exc:
                    raise prefixed(exc, "values.") from None
    return {"updated": list(dict.fromkeys(body.ids))}


async def bulk_delete(env: Environment, model: type[Model], body: BulkDeleteBody) -> dict[str, Any]:
    refuse_transient(model, "bulk-delete")
    with env.with_context(**parse_context(body.context)):
        await records_by_id(model, body.ids)
        if body.ids:
            async with env.transaction():
                await with_archived(model, body.ids).delete()
    return {"deleted": list(dict.fromkeys(body.ids))}
