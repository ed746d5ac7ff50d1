"""Writing records: insert, update, delete, refresh, copy, bulk create.

Every write validates first (all problems at once), sends as few statements as the
operation allows, and keeps the in-memory records in step with what was written.
``updated_date`` strictly increases on every write of a row (even two writes in the same
microsecond), which is what optimistic concurrency compares.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import orjson

from fullfinity.engine.access.control import check_field, check_model, check_rule
from fullfinity.engine.context import current_env
from fullfinity.engine.database.filestore import store_file
from fullfinity.engine.fields.base import Field
from fullfinity.engine.fields.relational import ManyToMany, X2ManyField
from fullfinity.engine.query.sql import ident
from fullfinity.engine.records.computed import compute_local, mark_changed
from fullfinity.engine.records.models import Model as _Model
from fullfinity.engine.records.models import RecordGroup
from fullfinity.engine.records.validation import (
    check_values,
    convert_values,
    default_values,
    raise_if_problems,
    row_converter,
    run_validators,
)
from fullfinity.engine.records.x2many import apply_commands, apply_on_delete
from fullfinity.exceptions import AccessError, ConcurrencyError, IntegrityError, MissingError, ValidationError

if TYPE_CHECKING:
    from fullfinity.engine.records.environment import Environment
    from fullfinity.engine.records.models import Model

__all__ = [
    "NEXT_UPDATED_DATE",
    "bulk_create",
    "copy_record",
    "delete_records",
    "get_or_create",
    "refresh_records",
    "run_constraints",
    "save_records",
]

NEXT_UPDATED_DATE = "GREATEST(clock_timestamp(), {alias}\"updated_date\" + interval '1 microsecond')"
RETURNED = ("id", "created_date", "updated_date", "create_uid", "write_uid")
_MISSING = object()
# Types that binary COPY cannot carry with Fullfinity's text codecs: those tables use INSERT ... unnest.
_NO_COPY = {"jsonb"}


def _slot(name: str) -> str:
    return "_f_" + name


async def save_records(rs: Model, *, check_concurrency: bool = False) -> None:
    recs = rs._recs
    if recs is not None:
        for rec in recs:
            await rec.save(check_concurrency=check_concurrency)
        return
    if getattr(rs, "_f_id", None) is None:
        await _insert(rs)
    else:
        await _update(rs, check_concurrency)


async def _prepare_files(env: Environment, model: type[Model], values: dict[str, Any]) -> None:
    for name, value in values.items():
        if model._fields[name].type_name == "File" and value is not None and "content" in value:
            values[name] = await store_file(env, value)


async def _run_setters(rec: Model) -> None:
    """Computed fields with ``setter=`` that were assigned: call their inverse, which writes stored fields."""
    cls = type(rec)
    for name in list(rec._changes or {}):
        field = cls._fields[name]
        if field.calculate is not None and field.setter:
            await getattr(rec, field.setter)()
            if field.column is None and rec._changes is not None:
                rec._changes.pop(name, None)


def _old_parents(cls: type[Model], changes: Mapping[str, Any]) -> dict[str, set[int]]:
    """Previous ids of changed ManyToOne fields (their old parents need recomputing too)."""
    out: dict[str, set[int]] = {}
    for name, old in changes.items():
        field = cls._fields.get(name)
        if field is not None and field.relational and not getattr(field, "many", True) and isinstance(old, int):
            out[name] = {old}
    return out


async def _insert(rec: Model) -> None:
    cls = type(rec)
    env = current_env()
    check_model(env, cls, "create")
    for name in rec._changes or {}:
        check_field(env, cls, cls._fields[name], "write")
    await _run_setters(rec)
    given = {name: getattr(rec, _slot(name), None) for name in (rec._changes or {})}
    defaults = await default_values(cls, env.context, rec, skip=given)
    values = {**defaults, **given}
    converted, problems = await check_values(cls, values, record=rec, creating=True)
    raise_if_problems(cls, problems)
    for field in cls._stored:
        if not field.automatic:
            setattr(rec, field.slot, converted.get(field.name, field.empty_value()))
    rec._changes = {}
    for name in await compute_local(rec, None):
        converted[name] = getattr(rec, _slot(name))
    if cls._transient:
        await run_constraints(rec, None)
        return
    await _prepare_files(env, cls, converted)
    names = [n for n in converted if cls._fields[n].column is not None]
    columns = [ident(cls._fields[n].column or n) for n in names] + ['"create_uid"', '"write_uid"']
    params = [cls._fields[n].to_db(converted[n]) for n in names] + [env.real_uid, env.real_uid]
    markers = ", ".join(f"${i}" for i in range(1, len(params) + 1))
    sql = (
        f"INSERT INTO {ident(cls._table)} ({', '.join(columns)}) VALUES ({markers}) "
        f"RETURNING {', '.join(ident(c) for c in RETURNED)}"
    )
    row = await env.fetchrow(sql, *params)
    assert row is not None
    if not env.is_elevated and env.access is not None and env.access.rule(cls._name, "create") is not None:
        try:
            await check_rule(env, cls, [row["id"]], "create")
        except (AccessError, MissingError):
            await env.execute(f'DELETE FROM {ident(cls._table)} WHERE "id" = $1', row["id"])  # no partial write
            raise
    env.written.add(cls._name)
    for name in RETURNED:
        setattr(rec, _slot(name), row[name])
    for name in names:
        setattr(rec, _slot(name), converted[name])
    await mark_changed(cls, [rec.id], None)
    await _write_x2many(rec, converted)
    await run_constraints(rec, None)


async def _update(rec: Model, check_concurrency: bool) -> None:
    cls = type(rec)
    changes = rec._changes
    if not changes:
        return
    env = current_env()
    check_model(env, cls, "write")
    for name in changes:
        check_field(env, cls, cls._fields[name], "write")
    await check_rule(env, cls, [rec.id], "write")
    await _run_setters(rec)
    changes = rec._changes or {}
    values = {name: getattr(rec, _slot(name), None) for name in changes}
    converted, problems = await check_values(cls, values, record=rec, creating=False)
    raise_if_problems(cls, problems)
    for name, value in converted.items():
        setattr(rec, _slot(name), value)
    for name in await compute_local(rec, set(converted)):
        converted[name] = getattr(rec, _slot(name))
    if cls._transient:
        for name, value in converted.items():
            setattr(rec, _slot(name), value)
        rec._changes = {}
        await run_constraints(rec, set(converted))
        return
    await _prepare_files(env, cls, converted)
    names = [n for n in converted if cls._fields[n].column is not None]
    if not names:  # only x-to-many changes: the row itself is untouched
        rec._changes = {}
        await mark_changed(cls, [rec.id], set(converted))
        await _write_x2many(rec, converted)
        await run_constraints(rec, set(converted))
        return
    params: list[Any] = [cls._fields[n].to_db(converted[n]) for n in names]
    sets = [f"{ident(cls._fields[n].column or n)} = ${i}" for i, n in enumerate(names, 1)]
    params.append(env.real_uid)
    sets.append(f'"write_uid" = ${len(params)}')
    sets.append('"updated_date" = ' + NEXT_UPDATED_DATE.format(alias=""))
    params.append(rec.id)
    where = f'"id" = ${len(params)}'
    if check_concurrency:
        loaded = getattr(rec, "_f_updated_date", _MISSING)
        if loaded is _MISSING:
            raise ValidationError(
                f"save(check_concurrency=True) on {cls._name}({rec.id}) needs the updated_date read with the record; "
                f"include 'updated_date' in with_fields(...)."
            )
        params.append(loaded)
        where += f' AND "updated_date" = ${len(params)}'
    sql = f'UPDATE {ident(cls._table)} SET {", ".join(sets)} WHERE {where} RETURNING "updated_date"'
    row = await env.fetchrow(sql, *params)
    env.written.add(cls._name)
    if row is None:
        exists = await env.fetchval(f'SELECT EXISTS (SELECT 1 FROM {ident(cls._table)} WHERE "id" = $1)', rec.id)
        if exists and check_concurrency:
            raise ConcurrencyError(
                f"{cls._name}({rec.id}) was modified by someone else since it was read (updated_date differs). "
                f"Reload it and apply your change again."
            )
        raise MissingError(f"{cls._name}({rec.id}) does not exist (it may have been deleted).")
    rec._f_updated_date = row["updated_date"]  # type: ignore[attr-defined]
    rec._f_write_uid = env.real_uid  # type: ignore[attr-defined]
    old_parents = _old_parents(cls, changes)
    rec._changes = {}
    await mark_changed(cls, [rec.id], set(converted), old_parents=old_parents)
    await _write_x2many(rec, converted)
    await run_constraints(rec, set(converted))


async def _write_x2many(rec: Model, converted: dict[str, Any]) -> None:
    """Apply x-to-many command lists after the record's own row is written; the field then reads as unloaded."""
    for name, value in converted.items():
        field = type(rec)._fields[name]
        if isinstance(field, X2ManyField):
            await apply_commands(rec, field, value)
            if hasattr(rec, field.slot):
                delattr(rec, field.slot)


async def run_constraints(rec: Model, changed: set[str] | None) -> None:
    """Run ``@Model.constrain`` methods concerned by ``changed`` (all on create); report every violation."""
    cls = type(rec)
    problems: list[dict[str, str]] = []
    for method, fields in cls._constraints:
        if changed is not None and not changed.intersection(fields):
            continue
        missing = [f for f in fields if f in cls._fields and not hasattr(rec, _slot(f))]
        if missing and rec.id is not None:
            await _load_fields(rec, missing)
        try:
            await getattr(rec, method)()
        except ValidationError as exc:
            problems.extend(exc.details or [{"path": fields[0] if fields else "", "message": exc.message}])
    if problems:
        messages = "; ".join(p["message"] for p in problems)
        raise ValidationError(f"{cls._name}: {messages}", details=problems)


async def _load_fields(rec: Model, names: Sequence[str]) -> None:
    cls = type(rec)
    env = current_env()
    stored = [cls._fields[n] for n in names if cls._fields[n].column is not None]
    if not stored:
        return
    cols = ", ".join(f.select_sql(ident(f.column or f.name)) + f" AS {ident(f.name)}" for f in stored)
    row = await env.fetchrow(f'SELECT {cols} FROM {ident(cls._table)} WHERE "id" = $1', rec.id)
    if row is None:
        raise MissingError(f"{cls._name}({rec.id}) does not exist.")
    for f in stored:
        setattr(rec, f.slot, row[f.name])


async def delete_records(rs: Model) -> None:
    cls = type(rs)
    ids = [rec.id for rec in rs if rec.id is not None]
    if not ids or cls._transient:
        return
    env = current_env()

    check_model(env, cls, "delete")
    await check_rule(env, cls, ids, "delete")
    await mark_changed(cls, ids, None)
    await apply_on_delete(cls, ids)
    await env.execute(f'DELETE FROM {ident(cls._table)} WHERE "id" = ANY($1::bigint[])', ids)
    env.written.add(cls._name)


async def refresh_records(rs: Model) -> None:
    cls = type(rs)
    recs = [rec for rec in rs if rec.id is not None]
    if not recs:
        return
    env = current_env()
    stored = list(cls._stored)
    if not env.is_elevated and env.access is not None:
        # For a user: only records the read rules show, only fields their groups may read.
        stored = [f for f in stored if env.access.sees(f)]
        with env.with_context(active_test=False):
            visible = {
                r.id: r for r in await cls.filter(id__in=[r.id for r in recs]).with_fields(*(f.name for f in stored))
            }
        hidden = [r.id for r in recs if r.id not in visible]
        if hidden:
            raise MissingError(f"{cls._name} record(s) {hidden[:10]} do not exist or are not visible to you.")
        for rec in recs:
            for f in stored:
                setattr(rec, f.slot, getattr(visible[rec.id], f.slot))
            rec._changes = {}
        return
    cols = ", ".join(f.select_sql(ident(f.column or f.name)) + f" AS {ident(f.name)}" for f in stored)
    rows = await env.fetch(
        f'SELECT {cols} FROM {ident(cls._table)} WHERE "id" = ANY($1::bigint[])', [r.id for r in recs]
    )
    by_id = {row["id"]: row for row in rows}
    for rec in recs:
        row = by_id.get(rec.id)
        if row is None:
            raise MissingError(f"{cls._name}({rec.id}) does not exist (it may have been deleted).")
        for f in cls._stored:
            setattr(rec, f.slot, row[f.name])
        rec._changes = {}


async def copy_record(rec: Model, overrides: Mapping[str, Any]) -> Model:
    cls = type(rec)
    await refresh_records(rec)
    values: dict[str, Any] = {}
    for field in cls._stored:
        if field.automatic or field.name in overrides:
            continue
        if field.clone:
            values[field.name] = getattr(rec, field.slot)
    defaults = await default_values(cls, current_env().context)
    for field in cls._stored:
        if not field.clone and not field.automatic and field.name in defaults:
            values[field.name] = defaults[field.name]
    values.update(overrides)
    return await cls.create(**values)


async def _sequence_name(env: Environment, table: str) -> str:
    cache: dict[str, str] = env.registry.__dict__.setdefault("_sequences", {})
    name = cache.get(table)
    if name is None:
        name = await env.fetchval("SELECT pg_get_serial_sequence($1, 'id')", ident(table))
        cache[table] = name
    return str(name)


async def bulk_create(cls: type[Model], rows: Sequence[Mapping[str, Any]]) -> Model:
    """Validate every row, reserve ids, then one COPY (or one INSERT ... unnest) for all rows."""
    env = current_env()
    check_model(env, cls, "create")
    if not rows:
        return cls._make_set([])
    problems: list[dict[str, str]] = []
    static_defaults = {
        n: f.default
        for n, f in cls._fields.items()
        if f.default is not None and not callable(f.default) and f.column is not None and not f.automatic
    }
    context_defaults = {k[8:]: v for k, v in env.context.items() if k.startswith("default_") and k[8:] in cls._fields}
    callables = [f for f in cls._fields.values() if callable(f.default) and f.column is not None]
    validated = any(f.validators for f in cls._fields.values())
    defaults = {**static_defaults, **context_defaults}
    prepared: list[dict[str, Any]] = []
    records = RecordGroup()
    new = object.__new__
    last_keys: tuple[str, ...] | None = None
    convert: Callable[..., dict[str, Any]] | None = None
    for index, row in enumerate(rows):
        if type(row) is not dict and not isinstance(row, Mapping):  # API callers may send anything
            problems.append(
                {"path": str(index), "message": f"must be a mapping of field values, got {type(row).__name__}"}
            )
            continue
        rec: Any = new(cls)
        rec._f_id = None
        if callables:
            values = dict(defaults)
            for field in callables:
                if field.name not in row:
                    values[field.name] = await default_values_for(field, rec)
            values.update(row)
        else:
            values = {**defaults, **row}
        keys = tuple(values)
        if keys != last_keys:  # the rows of one batch usually share their keys
            last_keys, convert = keys, row_converter(cls, keys)
        if convert is not None:  # generated once per (model, keys): the usual case of a bulk insert
            converted = convert(values, index, problems)
        else:
            prefix = f"{index}."
            converted = convert_values(cls, values, record=rec, creating=True, prefix=prefix, problems=problems)
        if validated:  # the async pass only when some field has validators
            await run_validators(cls, converted, record=rec, prefix=f"{index}.", problems=problems)
        prepared.append(converted)
        records.append(rec)
    raise_if_problems(cls, problems)
    if not cls._transient and not _bulk_path_allowed(cls):
        return await _create_through_save(cls, rows)
    if env.registry.compute_info.stored_by_model(cls._name):
        for rec, values in zip(records, prepared, strict=True):
            for field in cls._stored:
                if not field.automatic:
                    setattr(rec, field.slot, values.get(field.name, field.empty_value()))
            for name in await compute_local(rec, None):
                values[name] = getattr(rec, _slot(name))
    if not cls._transient:
        if any(f.type_name == "File" for f in cls._stored):
            for values in prepared:
                await _prepare_files(env, cls, values)
        names = [f.name for f in cls._stored if not f.automatic and any(f.name in v for v in prepared)]
        if names and any(cls._fields[n].param_type in _NO_COPY for n in names):
            ids = await _insert_unnest(env, cls, names, prepared)
        else:
            seq = await _sequence_name(env, cls._table)
            ids = [
                r[0]
                for r in await env.fetch("SELECT nextval($1::regclass) FROM generate_series(1, $2)", seq, len(prepared))
            ]
            columns = ["id", *[cls._fields[n].column or n for n in names], "create_uid", "write_uid"]
            uid = env.real_uid
            # Column-wise: one pass per field, then rows are zipped together (no per-value lookups).
            fields = [cls._fields[n] for n in names]
            value_columns = []
            for f in fields:
                empty, to_db, name = f.empty_value(), f.to_db, f.name
                if type(f).to_db is Field.to_db:  # the identity: no call per value
                    value_columns.append([empty if (v := row.get(name)) is None else v for row in prepared])
                else:
                    value_columns.append([empty if (v := row.get(name)) is None else to_db(v) for row in prepared])
            data = list(zip(ids, *value_columns, [uid] * len(ids), [uid] * len(ids), strict=True))
            await env.copy_records(cls._table, columns, data)
        env.written.add(cls._name)
    else:
        ids = [None] * len(prepared)  # type: ignore[list-item]  # transient: never stored
    _record_filler(cls)(records, ids, prepared, weakref.ref(records))
    if not cls._transient:
        stored_ids = [i for i in ids if i is not None]
        if not env.is_elevated and env.access is not None and env.access.rule(cls._name, "create") is not None:
            try:
                await check_rule(env, cls, stored_ids, "create")
            except (AccessError, MissingError):
                await env.execute(f'DELETE FROM {ident(cls._table)} WHERE "id" = ANY($1::bigint[])', stored_ids)
                raise
        await mark_changed(cls, stored_ids, None)
        await _write_bulk_x2many(cls, records, prepared)
    if cls._constraints:
        for rec in records:
            await run_constraints(rec, None)
    return cls._make_set(records)


_fillers: dict[type[Model], Callable[..., None]] = {}


def _record_filler(cls: type[Model]) -> Callable[..., None]:
    """``fill(records, ids, prepared, group)``: the new records' slots from their converted values,
    generated once per class (one slot store per field instead of a ``setattr`` call)."""
    fill = _fillers.get(cls)
    if fill is None:
        stored = [f for f in cls._stored if not f.automatic and f.name != "id"]
        namespace: dict[str, Any] = {f"e{i}": f.empty_value() for i, f in enumerate(stored)}
        lines = [
            "def fill(records, ids, prepared, group):",
            "    for rec, rec_id, values in zip(records, ids, prepared, strict=True):",
            "        get = values.get",
            "        rec._f_id = rec_id",
            *(f"        rec.{f.slot} = get({f.name!r}, e{i})" for i, f in enumerate(stored)),
            "        rec._grp = group",
        ]
        exec(compile("\n".join(lines) + "\n", f"<record filler {cls.__name__}>", "exec"), namespace)
        fill = _fillers[cls] = namespace["fill"]
    return fill


def _bulk_path_allowed(cls: type[Model]) -> bool:
    """Whether every ``save`` override of the composition is covered by its class's own
    ``bulk_create`` (``_bulk_create_does_save``), so rows may skip ``save``."""
    for klass in cls.__mro__:
        if klass is _Model:
            return True
        namespace = vars(klass)
        if "save" in namespace and not (namespace.get("_bulk_create_does_save") and "bulk_create" in namespace):
            return False
    return True


async def _create_through_save(cls: type[Model], rows: Sequence[Mapping[str, Any]]) -> Model:
    """A model (or an extension) overriding ``save``: each row goes through it, in input order
    (orm.md 6.4), all or nothing; error paths start with the row's index, as on the fast path."""
    env = current_env()
    records = RecordGroup()
    async with env.transaction():
        for index, row in enumerate(rows):
            try:
                records.append(await cls.create(**row))
            except ValidationError as exc:
                exc.details = [
                    {**d, "path": f"{index}.{d['path']}" if d.get("path") else str(index)} for d in exc.details
                ]
                raise
    group = weakref.ref(records)
    for rec in records:
        rec._grp = group
    return cls._make_set(records)


async def _write_bulk_x2many(cls: type[Model], records: Sequence[Model], prepared: Sequence[dict[str, Any]]) -> None:
    """The x-to-many values of newly inserted rows: links of a ManyToMany given as ids (``S``/``L``,
    the usual case) in one INSERT for all rows; any other command list record by record, as ``create``."""
    env = current_env()
    for field in cls._fields.values():
        if not isinstance(field, X2ManyField) or not any(field.name in values for values in prepared):
            continue
        pairs: list[tuple[int, int]] = []
        for index, (rec, values) in enumerate(zip(records, prepared, strict=True)):
            commands = values.get(field.name)
            if not commands:
                continue
            if isinstance(field, ManyToMany) and all(c[0] in ("S", "L", "C") for c in commands):
                linked: list[int] = []
                for command in commands:  # on a new record: S replaces, L adds, C clears
                    if command[0] == "C":
                        linked = []
                    elif command[0] == "S":
                        linked = list(command[1])
                    else:
                        linked.append(command[1])
                pairs.extend((rec.id, target) for target in dict.fromkeys(linked))
                continue
            try:
                await apply_commands(rec, field, commands)
            except ValidationError as exc:
                details = [{"path": f"{index}.{d['path']}", "message": d["message"]} for d in exc.details]
                raise type(exc)(exc.message, details=details) from None
        if pairs:
            assert isinstance(field, ManyToMany) and field.relation is not None
            table, this_col, other_col = field.relation
            await env.execute(
                f"INSERT INTO {ident(table)} ({ident(this_col)}, {ident(other_col)}) "
                f"SELECT * FROM unnest($1::bigint[], $2::bigint[]) ON CONFLICT DO NOTHING",
                [p[0] for p in pairs],
                [p[1] for p in pairs],
            )
            env.written.add(cls._name)
            env.written.add(field.target_model._name)


async def default_values_for(field: Any, rec: Model) -> Any:
    import inspect

    value = field.default(rec)
    if inspect.isawaitable(value):
        value = await value
    return value


async def _insert_unnest(
    env: Environment, cls: type[Model], names: list[str], prepared: list[dict[str, Any]]
) -> list[int]:
    fields = [cls._fields[n] for n in names]
    arrays = [
        [f.to_db(v.get(f.name)) if v.get(f.name) is not None else f.empty_value() for v in prepared] for f in fields
    ]
    uid = env.real_uid
    columns = ", ".join([ident(f.column or f.name) for f in fields] + ['"create_uid"', '"write_uid"'])
    # JSON values go as text: a list value inside a jsonb[] parameter would read as a nested array.
    for i, f in enumerate(fields):
        if f.param_type == "jsonb":
            arrays[i] = [None if v is None else orjson.dumps(v).decode() for v in arrays[i]]
    unnest = ", ".join(
        f"${i}::text[]::jsonb[]" if f.param_type == "jsonb" else f"${i}::{f.param_type}[]"
        for i, f in enumerate(fields, 1)
    )
    n = len(fields)
    sql = (
        f"INSERT INTO {ident(cls._table)} ({columns}) "
        f'SELECT u.*, ${n + 1}::bigint, ${n + 1}::bigint FROM unnest({unnest}) AS u RETURNING "id"'
    )
    rows = await env.fetch(sql, *arrays, uid)
    return [r["id"] for r in rows]


async def get_or_create(
    cls: type[Model], defaults: Mapping[str, Any], lookups: Mapping[str, Any]
) -> tuple[Model, bool]:
    env = current_env()
    queryset = cls.filter(**lookups)
    found = await queryset.first()
    if found is not None:
        return found, False
    plain = {k: v for k, v in lookups.items() if "__" not in k}
    try:
        async with env.transaction():
            record = await cls.create(**{**plain, **defaults})
    except IntegrityError:
        found = await queryset.first()
        if found is None:
            raise
        return found, False
    return record, True
