"""Applying data-file records to a tenant, in batches (modules.md 7.2-7.5).

A module's records are written with few statements whatever their number: one query reads
the identifier registry, new records are created per model with ``bulk_create`` (records whose
required references are not created yet wait for the next round), identifiers are bound in one
statement per round, and existing records are read per model and saved only when a value in
the file differs. References that are not known yet (forward references) and x-to-many values
are applied once all the module's records exist.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from fullfinity.engine.fields.base import FieldValueError
from fullfinity.engine.fields.relational import ManyToMany
from fullfinity.engine.query import ident
from fullfinity.engine.records.computed import mark_changed
from fullfinity.engine.records.identifiers import TABLE as IDENTIFIERS
from fullfinity.exceptions import FullfinityError, ValidationError
from fullfinity.installer.data_values import Pending, Ref, prepare_record
from fullfinity.installer.exceptions import DataFileError, data_error

if TYPE_CHECKING:
    from fullfinity.engine.env import Environment
    from fullfinity.engine.models import Model
    from fullfinity.installer.data_files import DataFile
    from fullfinity.installer.report import OperationReport

__all__ = ["DataLoader", "Known"]

Known = dict[str, tuple[str, int]]


@dataclass
class _Deferred:
    """A value applied after the module's records exist: a ManyToOne or an x-to-many field."""

    pending: Pending
    record_id: int
    field: str
    value: Any  # Ref for a ManyToOne, commands for an x-to-many
    creating: bool


class DataLoader:
    """Loads the data files of the modules of one operation, in order, through one environment."""

    def __init__(self, env: Environment, report: OperationReport) -> None:
        self.env = env
        self.report = report
        self.known: Known = {}
        #: identifier -> label of the file defining it in this operation (duplicates are errors).
        self.defined: dict[str, str] = {}
        self.deferred: list[_Deferred] = []
        #: identifier -> owning module, for identifiers of other modules met in this operation.
        self.owners: dict[str, str] = {}

    # -- entry point ---------------------------------------------------------------------------
    async def load_module(self, module: str, files: list[DataFile]) -> set[str]:
        """Create or update the records of ``files``; returns the identifiers they define."""
        records = [r for f in files for r in f.records]
        for record in records:
            other = self.defined.get(record.identifier)
            if other is not None:
                raise data_error(
                    record.file.label,
                    record.identifier,
                    None,
                    f"the identifier is also defined in {other}; identifiers are global, so prefix them with the "
                    f"module ('{module}_...').",
                )
            self.defined[record.identifier] = record.file.label
        pending = [prepare_record(self.env.registry, r) for r in records]
        rows = await self.lookup([p.identifier for p in pending], _references(pending))
        new: list[Pending] = []
        existing: list[tuple[Pending, int]] = []
        for p in pending:
            row = rows.get(p.identifier)
            if row is None:
                new.append(p)
                continue
            if row["module"] != module:
                raise _owned_elsewhere(p, row["module"])
            if row["model"] != p.model._name:
                raise p.error(
                    "data_type", f"the identifier already names a {row['model']} record; it cannot change model"
                )
            existing.append((p, row["res_id"]))
        recreate = await self._update_existing(existing)
        await self._create(new + recreate, module)
        return {p.identifier for p in pending}

    # -- identifier registry ---------------------------------------------------------------------
    async def lookup(self, own: list[str], referenced: set[str]) -> dict[str, Any]:
        """Read the registry rows of ``own`` and ``referenced`` identifiers (one query); learn their ids."""
        wanted = sorted(set(own) | (referenced - set(self.known)))
        if not wanted:
            return {}
        found = await self.env.fetch(
            f"SELECT identifier, model, res_id, module, apply_once FROM {IDENTIFIERS} "
            f"WHERE identifier = ANY($1::text[])",
            wanted,
        )
        rows = {r["identifier"]: r for r in found}
        for r in found:
            self.known.setdefault(r["identifier"], (r["model"], r["res_id"]))
            self.owners[r["identifier"]] = r["module"]
        return {i: rows[i] for i in own if i in rows}

    async def _bind(self, created: list[tuple[Pending, int]], module: str) -> None:
        if not created:
            return
        await self.env.execute(
            f"INSERT INTO {IDENTIFIERS} (identifier, model, res_id, module, apply_once) "
            f"SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::text[], $5::bool[]) "
            f"ON CONFLICT (identifier) DO UPDATE SET model = EXCLUDED.model, res_id = EXCLUDED.res_id, "
            f"module = EXCLUDED.module, apply_once = EXCLUDED.apply_once",
            [p.identifier for p, _ in created],
            [p.model._name for p, _ in created],
            [i for _, i in created],
            [module] * len(created),
            [p.record.apply_once for p, _ in created],
        )
        for p, record_id in created:
            self.known[p.identifier] = (p.model._name, record_id)
            self.report.record(p.model._name, "created", p.identifier)

    def _resolve(self, p: Pending, field_name: str, ref: Ref) -> int | None:
        """The id ``ref`` stands for, or None while its identifier is unknown."""
        if ref.raw is not None:
            return ref.raw
        found = self.known.get(ref.identifier)
        if found is None:
            return None
        target: Any = p.model._fields[field_name.split(".")[0]]
        if found[0] != target.related_model:
            raise p.error(
                field_name,
                f"the identifier '{ref.identifier}' names a {found[0]} record, but the field refers to "
                f"{target.related_model} records",
            )
        return found[1]

    # -- creating ----------------------------------------------------------------------------
    async def _create(self, new: list[Pending], module: str) -> None:
        waiting = new
        while waiting:
            # A record waits for the records it refers to when they are created in this operation, so
            # that its references are written with it; optional references in a cycle are set afterwards.
            coming = {p.identifier for p in waiting}
            ready = [p for p in waiting if not self._blocked(p, coming)]
            if not ready:
                ready = [p for p in waiting if all(self._resolve(p, n, r) is not None for n, r in p.required_refs())]
            if not ready:
                p = waiting[0]
                name, ref = next((n, r) for n, r in p.required_refs() if self._resolve(p, n, r) is None)
                raise p.error(name, _unknown(ref.identifier))
            ready_ids = {id(p) for p in ready}
            waiting = [p for p in waiting if id(p) not in ready_ids]
            by_model: dict[str, list[Pending]] = {}
            for p in ready:
                by_model.setdefault(p.model._name, []).append(p)
            created: list[tuple[Pending, int]] = []
            for group in by_model.values():
                created.extend(await self._create_group(group))
            await self._bind(created, module)

    def _blocked(self, p: Pending, coming: set[str]) -> bool:
        for name, ref in p.many2one.items():
            if ref is None or ref.raw is not None or self._resolve(p, name, ref) is not None:
                continue
            if ref.identifier in coming or p.model._fields[name].required:
                return True
        return False

    def _create_values(self, p: Pending) -> dict[str, Any]:
        values = dict(p.plain)
        for name, ref in p.many2one.items():
            values[name] = None if ref is None else self._resolve(p, name, ref)
        return values

    async def _create_group(self, group: list[Pending]) -> list[tuple[Pending, int]]:
        model = group[0].model
        rows = [self._create_values(p) for p in group]
        try:
            async with self.env.transaction():
                ids = (await model.bulk_create(rows)).ids
        except ValidationError as exc:
            raise _located(exc, group) from None
        except FullfinityError:
            await self._diagnose(group, rows)
            raise
        out = list(zip(group, ids, strict=True))
        for p, record_id in out:
            for name, ref in p.many2one.items():
                if ref is not None and ref.raw is None and self.known.get(ref.identifier) is None:
                    self.deferred.append(_Deferred(p, record_id, name, ref, True))
            for name, commands in p.x2many.items():
                self.deferred.append(_Deferred(p, record_id, name, commands, True))
        return out

    async def _diagnose(self, group: list[Pending], rows: list[dict[str, Any]]) -> None:
        """A batch failed on the database: create the records one by one to name the culprit."""
        for p, row in zip(group, rows, strict=True):
            try:
                async with self.env.transaction():
                    await p.model.create(**row)
                    raise _Probe()
            except _Probe:
                continue
            except FullfinityError as exc:
                field = exc.details[0]["path"] if exc.details else None
                raise p.error(field, exc.message) from None

    # -- updating ----------------------------------------------------------------------------
    async def _update_existing(self, existing: list[tuple[Pending, int]]) -> list[Pending]:
        """Re-apply the values of records that exist; returns records to create again."""
        recreate: list[Pending] = []
        by_model: dict[str, list[tuple[Pending, int]]] = {}
        for p, record_id in existing:
            if not p.record.apply_once:
                by_model.setdefault(p.model._name, []).append((p, record_id))
            self.known[p.identifier] = (p.model._name, record_id)
        for group in by_model.values():
            model = group[0][0].model
            names = sorted({n for p, _ in group for n in [*p.plain, *p.many2one]})
            with self.env.with_context(active_test=False):
                found = await model.filter(id__in=[i for _, i in group]).with_fields(*names or ["id"])
            current = {rec.id: rec for rec in found}
            for p, record_id in group:
                rec = current.get(record_id)
                if rec is None:
                    recreate.append(p)  # deleted by a user; the file still defines it
                    continue
                if await self._apply_changes(p, rec):
                    self.report.record(p.model._name, "updated", p.identifier)
                for name, commands in p.x2many.items():
                    self.deferred.append(_Deferred(p, record_id, name, commands, False))
        return recreate

    async def _apply_changes(self, p: Pending, rec: Model) -> bool:
        changed = False
        for name, value in p.plain.items():
            f = p.model._fields[name]
            try:
                wanted = f.convert(value)
            except FieldValueError as exc:
                raise p.error(name, str(exc)) from None
            if not _same(f.type_name, getattr(rec, name), wanted):
                setattr(rec, name, wanted)
                changed = True
        for name, ref in p.many2one.items():
            target_id = None if ref is None else self._resolve(p, name, ref)
            if ref is not None and target_id is None:
                self.deferred.append(_Deferred(p, rec.id, name, ref, False))
                continue
            linked = getattr(rec, name)
            if (linked.id if linked else None) != target_id:
                setattr(rec, name, target_id)
                changed = True
        if changed:
            try:
                await rec.save()
            except ValidationError as exc:
                raise _located(exc, [p], indexed=False) from None
        return changed

    # -- deferred values -----------------------------------------------------------------------
    async def apply_deferred(self, *, final: bool) -> None:
        """Apply forward references and x-to-many values; with ``final``, unknown identifiers fail."""
        deferred, self.deferred = self.deferred, []
        refs = {ref.identifier for d in deferred for ref in _refs_in(d.value) if ref.raw is None}
        await self.lookup([], refs)
        later: list[_Deferred] = []
        batched: dict[tuple[str, str], list[tuple[int, int]]] = {}
        for d in deferred:
            missing = [r for r in _refs_in(d.value) if r.raw is None and r.identifier not in self.known]
            if missing:
                if final:
                    raise d.pending.error(d.field, _unknown(missing[0].identifier))
                later.append(d)
                continue
            if isinstance(d.value, Ref):
                rec = d.pending.model.browse(d.record_id)
                setattr(rec, d.field, self._resolve(d.pending, d.field, d.value))
                await self._save(d, rec)
                continue
            commands = self._commands(d)
            if not commands:
                continue
            if d.creating and self._batchable(d, commands):
                for target in commands[0][1]:
                    batched.setdefault((d.pending.model._name, d.field), []).append((d.record_id, target))
                continue
            rec = d.pending.model.browse(d.record_id)
            setattr(rec, d.field, commands)
            await self._save(d, rec)
        for (model_name, field_name), pairs in batched.items():
            await self._link_many(self.env.registry.get(model_name), field_name, pairs)
        self.deferred = later

    def _commands(self, d: _Deferred) -> list[list[Any]]:
        out: list[list[Any]] = []
        for index, command in enumerate(d.value):
            where = f"{d.field}.{index}"
            letter = command[0]
            if letter == "N":
                if d.creating:
                    out.append(["N", command[1]])
            elif letter == "S":
                out.append(["S", [self._resolve(d.pending, where, r) for r in command[1]]])
            elif letter in ("L", "U"):
                out.append([letter, self._resolve(d.pending, where, command[1])])
            else:
                out.append(["C"])
        return out

    def _batchable(self, d: _Deferred, commands: list[list[Any]]) -> bool:
        f = d.pending.model._fields[d.field]
        constrained = any(d.field in fields for _, fields in d.pending.model._constraints)
        return (
            isinstance(f, ManyToMany)
            and f.relation is not None
            and not constrained
            and len(commands) == 1
            and commands[0][0] == "S"
        )

    async def _link_many(self, model: type[Model], field_name: str, pairs: list[tuple[int, int]]) -> None:
        f: Any = model._fields[field_name]
        table, this_col, other_col = f.relation
        await self.env.execute(
            f"INSERT INTO {ident(table)} ({ident(this_col)}, {ident(other_col)}) "
            f"SELECT * FROM unnest($1::bigint[], $2::bigint[]) ON CONFLICT DO NOTHING",
            [a for a, _ in pairs],
            [b for _, b in pairs],
        )
        self.env.written.update({model._name, f.target_model._name})
        await mark_changed(model, sorted({a for a, _ in pairs}), {field_name})

    async def _save(self, d: _Deferred, rec: Model) -> None:
        try:
            await rec.save()
        except ValidationError as exc:
            raise _located(exc, [d.pending], indexed=False) from None


class _Probe(Exception):
    """Raised to roll a successful probe back to its savepoint."""


def _refs_in(value: Any) -> list[Ref]:
    if isinstance(value, Ref):
        return [value]
    out: list[Ref] = []
    for command in value:
        if command[0] in ("L", "U"):
            out.append(command[1])
        elif command[0] == "S":
            out.extend(command[1])
    return out


def _references(pending: list[Pending]) -> set[str]:
    refs: set[str] = set()
    for p in pending:
        for ref in p.many2one.values():
            if ref is not None and ref.raw is None:
                refs.add(ref.identifier)
        for commands in p.x2many.values():
            refs.update(r.identifier for r in _refs_in(commands) if r.raw is None)
    return refs


def _unknown(identifier: str) -> str:
    return (
        f"refers to the identifier '{identifier}', which no file of this module or of an installed module defines. "
        f"Check the spelling, or add the module defining it to the manifest's dependencies."
    )


def _owned_elsewhere(p: Pending, other: str) -> DataFileError:
    from fullfinity.engine.module_registry import discover_modules
    from fullfinity.installer.data_files import module_data_files

    where = f"module '{other}'"
    info = discover_modules().get(other)
    if info is not None:
        for data_file in module_data_files(other, info.path, demo=True):
            if any(r.identifier == p.identifier for r in data_file.records):
                where = data_file.label
                break
    return data_error(
        p.label,
        p.identifier,
        None,
        f"the identifier is already defined in {where}; identifiers are global, so prefix them with the module.",
    )


def _same(type_name: str, current: Any, wanted: Any) -> bool:
    if type_name == "File" and isinstance(wanted, dict) and "content" in wanted:
        digest = hashlib.sha256(wanted["content"]).hexdigest()
        return isinstance(current, dict) and current.get("sha256") == digest and current.get("name") == wanted["name"]
    return bool(current == wanted)


def _located(exc: ValidationError, group: list[Pending], *, indexed: bool = True) -> DataFileError:
    """A validation error of a batch, pinned to the file, record and field it comes from."""
    detail = exc.details[0] if exc.details else {"path": "", "message": exc.message}
    path = detail["path"]
    p = group[0]
    if indexed and path.split(".")[0].isdigit():
        index, _, path = path.partition(".")
        p = group[int(index)]
    return data_error(p.label, p.identifier, path or None, detail["message"])
