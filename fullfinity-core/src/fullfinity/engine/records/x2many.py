"""Writing x-to-many fields with command lists, and what deleting a record does to others.

Commands (orm.md 9.5): ``L`` link, ``U`` unlink, ``S`` replace, ``C`` clear, ``N`` create and
link, ``W`` update a linked record, ``D`` delete a linked record. OneToMany links are the
children's ManyToOne (unlinking a child whose ManyToOne is required deletes it);
ManyToMany links are rows of the join table. Every change of a related record goes
through the ORM (validation, overrides, recomputation).

Deleting records applies ``on_delete`` of every ManyToOne pointing at them, in the ORM
(CASCADE deletes, SET NULL clears, RESTRICT refuses with an ``IntegrityError``); cascades
run elevated. The database foreign keys are a safety net.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fullfinity.engine.context import current_env
from fullfinity.engine.fields.relational import ManyToMany, ManyToOne, X2ManyField
from fullfinity.engine.query.sql import ident
from fullfinity.exceptions import IntegrityError, MissingError, ValidationError

if TYPE_CHECKING:
    from fullfinity.engine.records.models import Model

__all__ = ["apply_commands", "apply_on_delete"]


def _prefixed(exc: ValidationError, prefix: str) -> ValidationError:
    details = [
        {"path": f"{prefix}.{d['path']}" if d["path"] else prefix, "message": d["message"]} for d in exc.details
    ] or [{"path": prefix, "message": exc.message}]
    return type(exc)(exc.message, details=details)


async def apply_commands(record: Model, field: X2ManyField, commands: list[list[Any]]) -> None:
    """Apply normalised commands to ``record``'s x-to-many ``field`` (the record is saved)."""
    target = field.target_model
    for index, command in enumerate(commands):
        letter = command[0]
        try:
            if letter == "N":
                values = dict(command[1])
                if not isinstance(field, ManyToMany):
                    values[str(field.related_name)] = record.id
                    await target.create(**values)
                else:
                    created = await target.create(**values)
                    await _link(record, field, [created.id])
            elif letter == "W":
                child = await target.get(command[1])
                if not await _is_linked(record, field, child.id):
                    raise MissingError(
                        f"{target._name}({command[1]}) is not linked to {record!r} through {field.name}."
                    )
                for key, value in command[2].items():
                    setattr(child, key, value)
                await child.save()
            elif letter == "D":
                if not await _is_linked(record, field, command[1]):
                    raise MissingError(
                        f"{target._name}({command[1]}) is not linked to {record!r} through {field.name}."
                    )
                await target.browse(command[1]).delete()
            elif letter == "L":
                await _link(record, field, [command[1]])
            elif letter == "U":
                await _unlink(record, field, [command[1]])
            elif letter == "C":
                await _unlink(record, field, None)
            elif letter == "S":
                wanted = list(dict.fromkeys(command[1]))
                current = await _linked_ids(record, field)
                await _unlink(record, field, [i for i in current if i not in set(wanted)])
                await _link(record, field, [i for i in wanted if i not in set(current)])
        except ValidationError as exc:
            raise _prefixed(exc, f"{field.name}.{index}") from None


async def _linked_ids(record: Model, field: X2ManyField) -> list[int]:
    env = current_env()
    if isinstance(field, ManyToMany):
        assert field.relation is not None
        table, this_col, other_col = field.relation
        rows = await env.fetch(
            f"SELECT {ident(other_col)} AS v FROM {ident(table)} WHERE {ident(this_col)} = $1", record.id
        )
        return [r["v"] for r in rows]
    with env.with_context(active_test=False):
        return await field.target_model.filter(**{str(field.related_name): record.id}).distinct_values("id")


async def _is_linked(record: Model, field: X2ManyField, child_id: int) -> bool:
    return child_id in await _linked_ids(record, field)


async def _link(record: Model, field: X2ManyField, ids: list[int]) -> None:
    if not ids:
        return
    env = current_env()
    if isinstance(field, ManyToMany):
        assert field.relation is not None
        table, this_col, other_col = field.relation
        await env.execute(
            f"INSERT INTO {ident(table)} ({ident(this_col)}, {ident(other_col)}) "
            f"SELECT $1, unnest($2::bigint[]) ON CONFLICT DO NOTHING",
            record.id,
            ids,
        )
        env.written.add(type(record)._name)
        env.written.add(field.target_model._name)
        return
    target = field.target_model
    found = await target.filter(id__in=ids).order_by().distinct_values("id")
    missing = sorted(set(ids) - set(found))
    if missing:
        raise ValidationError(
            f"{target._name} record(s) {missing} do not exist.",
            details=[{"path": "", "message": f"unknown ids {missing}"}],
        )
    with env.with_context(active_test=False):
        await target.filter(id__in=ids).update(**{str(field.related_name): record.id})


async def _unlink(record: Model, field: X2ManyField, ids: list[int] | None) -> None:
    env = current_env()
    if isinstance(field, ManyToMany):
        assert field.relation is not None
        table, this_col, other_col = field.relation
        if ids is None:
            await env.execute(f"DELETE FROM {ident(table)} WHERE {ident(this_col)} = $1", record.id)
        elif ids:
            await env.execute(
                f"DELETE FROM {ident(table)} WHERE {ident(this_col)} = $1 AND {ident(other_col)} = ANY($2::bigint[])",
                record.id,
                ids,
            )
        env.written.add(type(record)._name)
        return
    if ids == []:
        return
    target = field.target_model
    inverse = target._fields[str(field.related_name)]
    lookups: dict[str, Any] = {inverse.name: record.id}
    if ids is not None:
        lookups["id__in"] = ids
    with env.with_context(active_test=False):
        queryset = target.filter(**lookups)
        if inverse.required:
            await queryset.delete()
        else:
            await queryset.update(**{inverse.name: None})


async def apply_on_delete(model: type[Model], ids: list[int]) -> None:
    """Before deleting ``ids`` of ``model``: CASCADE, SET NULL or refuse (RESTRICT) for each inbound ManyToOne."""
    env = current_env()
    deleting: set[tuple[str, int]] = env.__dict__.setdefault("_deleting", set())
    for other in env.registry:
        if other._transient:  # a wizard's draft is never stored: no row of it can refer to ids
            continue
        for field in other._fields.values():
            if not isinstance(field, ManyToOne) or field.related_model != model._name or field.column is None:
                continue
            with env.sudo(), env.with_context(active_test=False):
                queryset = other.filter(**{f"{field.name}__in": ids})
                if other is model:
                    queryset = queryset.exclude(id__in=ids)
                if field.on_delete == "RESTRICT":
                    if await queryset.exists():
                        raise IntegrityError(
                            f"Cannot delete {model._name} record(s) {ids[:10]}: {other._name} records still refer to "
                            f"them through {field.name} (on_delete=RESTRICT). Delete or reassign those first.",
                            details=[{"path": field.name, "message": f"still referenced by {other._name}"}],
                        )
                elif field.on_delete == "CASCADE":
                    children = [c for c in await queryset.with_fields("id") if (other._name, c.id) not in deleting]
                    if children:
                        deleting.update((other._name, c.id) for c in children)
                        await other._make_set(children).delete()
                else:
                    await queryset.update(**{field.name: None})
