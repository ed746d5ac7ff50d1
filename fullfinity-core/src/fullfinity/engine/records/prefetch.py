"""Batched loading of relations: ``await record.fetch_related("lines", "lines__product")``.

Records remember the result they came from (their *prefetch group*). Fetching a relation
on one record loads it for every record of that group that lacks it, in one query per
relation level (ManyToMany levels take two: the links, then the records); siblings are
then served from memory. Related records are loaded through querysets, so the related
model's own restrictions apply: x-to-many lists hide archived records, ManyToOne targets
are returned even when archived (a ManyToOne pointing at an unreadable record keeps its id
only).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from operator import attrgetter
from typing import TYPE_CHECKING, Any, cast

from fullfinity.engine.access.control import check_field
from fullfinity.engine.context import current_env
from fullfinity.engine.fields.relational import ManyToMany, ManyToOne, X2ManyField, record_slot
from fullfinity.engine.query.paths import unknown_field
from fullfinity.engine.query.sql import ident
from fullfinity.exceptions import BadRequest

if TYPE_CHECKING:
    from fullfinity.engine.records.models import Model

__all__ = ["fetch_related", "group_of"]


def group_of(records: Model) -> list[Model]:
    """The records a fetch on ``records`` should load for: its set, or a singleton's whole group."""
    recs = records._recs
    if recs is not None:
        return list(recs)
    ref = records._grp
    group = ref() if ref is not None else None
    return list(group) if group else [records]


def _has(record: Model, slot: str) -> bool:
    try:
        object.__getattribute__(record, slot)
    except AttributeError:
        return False
    return True


async def fetch_related(
    records: Model, paths: Iterable[str], *, leaf_fields: Mapping[str, Sequence[str]] | None = None, force: bool = False
) -> None:
    """Load ``paths`` for ``records`` and their prefetch group (see module docstring)."""
    base = group_of(records)
    if not base:
        return
    for path in paths:
        segments = path.replace(".", "__").split("__")
        current: list[Model] = [r for r in base if getattr(r, "_f_id", None) is not None]
        model = type(base[0])
        walked: list[str] = []
        for segment in segments:
            if not current:
                break
            field: Any = model._fields.get(segment)
            if field is None:
                raise unknown_field(model, segment, path)
            walked.append(segment)
            wanted = (leaf_fields or {}).get("__".join(walked))
            if isinstance(field, ManyToOne):
                current = await _load_many_to_one(current, field, wanted, force)
            elif isinstance(field, X2ManyField):
                current = await _load_x2many(current, field, wanted, force)
            elif field.calculate is not None and field.column is None:
                from fullfinity.engine.records.computed import compute_fields

                await compute_fields(current, [field.name])
                current = []
            else:
                await _load_columns(current, [field.name])
                current = []
            model = field.target_model if field.relational else model


async def _load_columns(records: list[Model], names: Sequence[str]) -> None:
    """Load stored fields missing on ``records`` (one query)."""
    model = type(records[0])
    fields = [model._fields[n] for n in names]
    if all(isinstance(f, ManyToOne) for f in fields):
        # ManyToOne fields know their slot descriptors: read them directly, a miss never detours
        # through Model.__getattr__.
        members = [cast(ManyToOne, f).members[0] for f in fields]
        missing = [r for r in records if not _has_all(r, members)]
    else:
        slots = [f.slot for f in fields]
        if len(slots) == 1:  # the common case (a computed field's one dependency): no generator per record
            slot = slots[0]
            missing = [r for r in records if not hasattr(r, slot)]
        else:
            missing = [r for r in records if not all(hasattr(r, s) for s in slots)]
    if not missing:
        return
    env = current_env()
    if not env.is_elevated and env.access is not None:
        # For a user, through a queryset: record rules and field groups apply (browse() stubs included).
        for f in fields:
            check_field(env, model, f, "read")
        with env.with_context(active_test=False):
            found = {r.id: r for r in await model.filter(id__in=[r.id for r in missing]).with_fields(*names)}
        for record in missing:
            source = found.get(record.id)
            if source is not None:
                for f in fields:
                    setattr(record, f.slot, getattr(source, f.slot))
        return
    columns = ", ".join(f"{f.select_sql('t.' + ident(str(f.column)))} AS {ident(f.name)}" for f in fields)
    rows = await env.fetch(
        f'SELECT t."id", {columns} FROM {ident(model._table)} AS t WHERE t."id" = ANY($1::bigint[])',
        [r.id for r in missing],
    )
    by_id = {row["id"]: row for row in rows}
    for record in missing:
        row = by_id.get(record.id)
        if row is not None:
            for f in fields:
                setattr(record, f.slot, row[f.name])


async def _load_many_to_one(
    records: list[Model], field: ManyToOne, wanted: Sequence[str] | None, force: bool
) -> list[Model]:
    await _load_columns(records, [field.name])
    rec_slot = record_slot(field.name)
    target = field.target_model
    probe = _probe_slot(target, wanted)
    rec_member = field.members[1]
    todo = records if force else _not_loaded(records, rec_member, probe)
    id_slot = field.slot
    ids = sorted({i for i in map(attrgetter(id_slot), todo) if i is not None})
    loaded: dict[int, Model] = {}
    if ids and _may_read(target):
        env = current_env()
        queryset = target.filter(id__in=ids).order_by()
        if wanted:
            queryset = queryset.with_fields(*wanted)
        with env.with_context(active_test=False):
            for rec in await queryset:
                loaded[rec.id] = rec
    put = rec_member.__set__
    get = rec_member.__get__
    for record, target_id in zip(todo, map(attrgetter(id_slot), todo), strict=True):
        if target_id is None:
            put(record, None)
            continue
        found = loaded.get(target_id)
        try:
            before = get(record)
        except AttributeError:
            before = None
        if found is not None and before is not None and before is not found and before.id == target_id:
            # A record partly loaded by another path (its display name only) keeps what it has and
            # gains the rest: replacing it would drop fields an earlier path loaded.
            _merge_slots(target, found, before)
            loaded[target_id] = before
            continue
        put(record, found if found is not None else target.browse(target_id))
    if len(todo) != len(records):  # some were loaded earlier: the next level continues from all of them
        for record in records:
            value = getattr(record, rec_slot, None)
            if value is not None and hasattr(value, probe):
                loaded.setdefault(value.id, value)
    return list(loaded.values())


def _merge_slots(model: type[Model], source: Model, into: Model) -> None:
    """Copy onto ``into`` the loaded field values of ``source`` it lacks (same record)."""
    for field in model._fields.values():
        slot = field.slot
        if _has(source, slot) and not _has(into, slot):
            object.__setattr__(into, slot, object.__getattribute__(source, slot))


def _may_read(target: type[Model]) -> bool:
    """Related records of a model the user may not read at all are left out (x-to-many) or stay stubs
    carrying their id (ManyToOne) instead of failing the whole read."""
    env = current_env()
    return env.is_elevated or env.access is None or env.access.can(target._name, "read")


def _probe_slot(target: type[Model], wanted: Sequence[str] | None) -> str:
    """A slot that a loaded (not stub) target record has: a wanted field's, else its first stored field's."""
    if wanted:
        return str(target._fields[wanted[0]].slot)
    for f in target._stored:
        if f.name != "id":
            return str(f.slot)
    return "_f_id"


def _not_loaded(records: list[Model], rec_member: Any, probe: str) -> list[Model]:
    """The records whose ManyToOne record object is absent or only a stub carrying its id.

    The slot's descriptor is read directly: a miss must not detour through ``Model.__getattr__``.
    """
    get = rec_member.__get__
    todo = []
    for record in records:
        try:
            value = get(record)
        except AttributeError:
            todo.append(record)
            continue
        if value is not None and not hasattr(value, probe):
            todo.append(record)
    return todo


def _has_all(record: Model, members: list[Any]) -> bool:
    try:
        for member in members:
            member.__get__(record)
    except AttributeError:
        return False
    return True


async def _load_x2many(
    records: list[Model], field: X2ManyField, wanted: Sequence[str] | None, force: bool
) -> list[Model]:
    target = field.target_model
    todo = [r for r in records if force or not _has(r, field.slot) or isinstance(getattr(r, field.slot), list)]
    children: dict[int, list[Model]] = {r.id: [] for r in todo}
    loaded: list[Model] = []
    if todo and _may_read(target):
        parent_ids = sorted(children)
        if isinstance(field, ManyToMany):
            loaded = await _load_many_to_many(field, parent_ids, children, wanted)
        else:
            inverse = str(field.related_name)
            queryset = target.filter(**{f"{inverse}__in": parent_ids})
            if wanted:
                queryset = queryset.with_fields(inverse, *wanted)
            loaded = list(await queryset)
            slot = target._fields[inverse].slot
            for child in loaded:
                children[getattr(child, slot)].append(child)
    for record in todo:
        items = children[record.id]
        if field.single:
            setattr(record, field.slot, items[0] if items else None)
        else:
            setattr(record, field.slot, target._make_set(items))
    if not todo:
        seen: dict[int, Model] = {}
        for record in records:
            value = getattr(record, field.slot)
            for child in [] if value is None else value:
                seen.setdefault(child.id, child)
        if wanted and seen and _may_read(target):
            # Loaded by a shorter path (a parent's default fields): the children gain what this
            # path wants (their display name...) and keep what they have.
            slots = [target._fields[n].slot for n in wanted if n in target._fields and n != "id"]
            lacking = [child for child in seen.values() if not all(_has(child, slot) for slot in slots)]
            if lacking:
                with current_env().with_context(active_test=False):
                    fresh = await target.filter(id__in=sorted(c.id for c in lacking)).with_fields(*wanted)
                by_id = {rec.id: rec for rec in fresh}
                for child in lacking:
                    if child.id in by_id:
                        _merge_slots(target, by_id[child.id], child)
        return list(seen.values())
    return loaded


async def _load_many_to_many(
    field: ManyToMany, parent_ids: list[int], children: dict[int, list[Model]], wanted: Sequence[str] | None
) -> list[Model]:
    env = current_env()
    assert field.relation is not None
    table, this_col, other_col = field.relation
    links = await env.fetch(
        f"SELECT {ident(this_col)} AS src, {ident(other_col)} AS dst FROM {ident(table)} "
        f"WHERE {ident(this_col)} = ANY($1::bigint[])",
        parent_ids,
    )
    if not links:
        return []
    target = field.target_model
    queryset = target.filter(id__in=sorted({link["dst"] for link in links}))
    if wanted:
        queryset = queryset.with_fields(*wanted)
    loaded = list(await queryset)
    by_id = {rec.id: rec for rec in loaded}
    order = {rec.id: i for i, rec in enumerate(loaded)}
    for link in sorted(links, key=lambda lk: order.get(lk["dst"], 0)):
        rec = by_id.get(link["dst"])
        if rec is not None:
            children[link["src"]].append(rec)
    return loaded


def check_paths(model: type[Model], paths: Iterable[str]) -> None:
    """Raise ``BadRequest`` for a path that does not exist (before any query runs)."""
    for path in paths:
        current = model
        for segment in path.replace(".", "__").split("__"):
            field: Any = current._fields.get(segment)
            if field is None:
                raise unknown_field(current, segment, path)
            if not field.relational:
                break
            current = field.target_model
        else:
            continue
        if segment != path.replace(".", "__").split("__")[-1]:
            raise BadRequest(f"{path!r}: {segment} is not a relation; nothing can follow it.")
