"""One record: fetch, create, update, delete (api.md 4.2-4.5), and what bulk operations share.

Records are looked up with archived ones included (as ``Model.get`` does): an id names a
record whatever its ``active`` flag. A record that does not exist or that the record
rules hide is a 404 ``MissingError`` naming the ids.

Optimistic concurrency (orm.md 19): an ``updated_date`` sent with an update is compared
with the stored value while the row is locked (``SELECT ... FOR UPDATE``), so a concurrent
writer cannot slip in between the check and the write; a mismatch is a 409. The same value
may come as an ``If-Match`` header instead (``fullfinity.api.conditional``), for deletes too.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from fullfinity.api.bodies import FetchBody
from fullfinity.api.conditional import expected_updated_date
from fullfinity.api.decode import FieldTree, check_writable, parse_context, parse_field_list, split_write_body
from fullfinity.api.encode import datetime_text, record_encoder
from fullfinity.api.handlers import refuse_transient
from fullfinity.api.hydrate import default_tree, expand_related, hydration_paths
from fullfinity.engine.fields.base import FieldValueError
from fullfinity.engine.query import ident
from fullfinity.exceptions import ConcurrencyError, MissingError, ValidationError

if TYPE_CHECKING:
    from fullfinity.engine.env import Environment
    from fullfinity.engine.models import Model
    from fullfinity.engine.records.queryset import QuerySet

__all__ = [
    "check_updated_dates",
    "create_one",
    "delete_one",
    "fetch_one",
    "read_one",
    "records_by_id",
    "update_one",
    "with_archived",
]


def with_archived(model: type[Model], ids: Sequence[int]) -> QuerySet[Any]:
    """The records ``ids``, archived ones included."""
    qs = model.filter(id__in=list(ids))
    return qs.filter(active__in=[True, False]) if model._has_active else qs


async def records_by_id(
    model: type[Model], ids: Sequence[int], *, where: str = "ids", fields: Sequence[str] = ("id",)
) -> Model:
    """The visible records ``ids`` in the given order; ``MissingError`` naming every missing id."""
    wanted = list(dict.fromkeys(ids))
    found = {r.id: r for r in await with_archived(model, wanted).with_fields(*fields)}
    missing = [i for i in wanted if i not in found]
    if missing:
        shown = ", ".join(map(str, missing[:20])) + (", ..." if len(missing) > 20 else "")
        raise MissingError(
            f"{model._name} record(s) {shown} do not exist or are not visible to you; nothing was changed.",
            details=[{"path": where, "message": f"unknown or hidden ids: {shown}"}],
        )
    return model._make_set([found[i] for i in wanted])


async def read_one(env: Environment, model: type[Model], record_id: int, tree: FieldTree) -> dict[str, Any]:
    """The record object of api.md 1.3 for ``tree`` (one query per relation level)."""
    qs = with_archived(model, [record_id]).with_fields(*hydration_paths(env, model, tree))
    record = await qs.first()
    if record is None:
        raise MissingError(f"{model._name}({record_id}) does not exist or is not visible to you.")
    return record_encoder(model, tree, top=True)(record)


async def fetch_one(env: Environment, model: type[Model], record_id: int, body: FetchBody) -> dict[str, Any]:
    refuse_transient(model, "fetch")
    with env.with_context(**parse_context(body.context)):
        if body.fields is not None:
            tree = parse_field_list(model, body.fields)
        else:
            tree = default_tree(env, model, x2many=True)
        expand_related(env, model, tree, body.related)
        return await read_one(env, model, record_id, tree)


def _written_tree(values: Mapping[str, Any]) -> FieldTree:
    return dict.fromkeys(values)


async def create_one(env: Environment, model: type[Model], body: dict[str, Any]) -> dict[str, Any]:
    refuse_transient(model, "create")
    values, context, updated_date = split_write_body(body)
    check_writable(model, values)
    if updated_date is not None:
        raise ValidationError(
            "updated_date is set by the server; send it only with an update (optimistic concurrency).",
            details=[{"path": "updated_date", "message": "is an automatic field; it cannot be written"}],
        )
    with env.with_context(**context):
        record = await model.create(**values)
        return await read_one(env, model, record.id, _written_tree(values))


async def update_one(
    env: Environment, model: type[Model], record_id: int, body: dict[str, Any], *, if_match: str | None = None
) -> dict[str, Any]:
    """``if_match``: the ``If-Match`` header, the alternative to the body's ``updated_date`` (api.md 4.4)."""
    refuse_transient(model, "update")
    values, context, body_date = split_write_body(body)
    updated_date = expected_updated_date(model, body_date, if_match)
    check_writable(model, values)
    with env.with_context(**context):
        record = (await records_by_id(model, [record_id], where="id"))[0]
        if updated_date is not None:
            await check_updated_dates(env, model, {record_id: updated_date}, lambda _: "updated_date")
        for name, value in values.items():
            setattr(record, name, value)
        await record.save()
        return await read_one(env, model, record_id, _written_tree(values))


async def delete_one(
    env: Environment, model: type[Model], record_id: int, *, if_match: str | None = None
) -> dict[str, Any]:
    """``if_match``: the ``If-Match`` header; a stale ``updated_date`` there is a 409 and nothing is deleted."""
    refuse_transient(model, "delete")
    updated_date = expected_updated_date(model, None, if_match)
    records = await records_by_id(model, [record_id], where="id")
    if updated_date is not None:
        await check_updated_dates(env, model, {record_id: updated_date}, lambda _: "updated_date")
    await records.delete()
    return {"deleted": [record_id]}


async def check_updated_dates(env: Environment, model: type[Model], expected: Mapping[int, Any], path: Any) -> None:
    """Lock the rows and compare their ``updated_date`` with the client's; 409 naming every stale record.

    ``path(id)`` is the body path of the id's value (``updated_date``, ``updated_dates.118``).
    """
    field = model._fields["updated_date"]
    parsed: dict[int, Any] = {}
    problems = []
    for record_id, raw in expected.items():
        try:
            parsed[record_id] = field.convert(raw)
        except FieldValueError as exc:
            problems.append({"path": path(record_id), "message": str(exc)})
        else:
            if parsed[record_id] is None:
                problems.append({"path": path(record_id), "message": "must be the updated_date read with the record"})
    if problems:
        raise ValidationError(f"{len(problems)} updated_date value(s) are invalid.", details=problems)
    rows = await env.fetch(
        f'SELECT "id", "updated_date" FROM {ident(model._table)} WHERE "id" = ANY($1::bigint[]) '
        'ORDER BY "id" FOR UPDATE',
        sorted(parsed),
    )
    stored = {row["id"]: row["updated_date"] for row in rows}
    stale = [i for i in parsed if stored.get(i) != parsed[i]]
    if stale:
        shown = ", ".join(map(str, stale[:20]))
        raise ConcurrencyError(
            f"{model._name} record(s) {shown} were modified by someone else since you read them (updated_date "
            f"differs); nothing was written. Reload and apply your change again.",
            details=[
                {
                    "path": path(i),
                    "message": f"stored updated_date is {datetime_text(stored[i]) if stored.get(i) else 'gone'}",
                }
                for i in stale
            ],
        )
