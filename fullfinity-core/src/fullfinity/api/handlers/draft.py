"""Unsaved drafts: default-get and onchange (api.md 4.8, 4.9), and the wizard records of execute.

A draft is an in-memory record: the stored values of ``id`` (when it edits a stored
record) overlaid with the client's values, converted by their fields. x-to-many values are
command lists applied in memory (``N`` makes a draft line, ``W`` overlays a line). Computed
fields are then computed on it exactly as on stored records, after the relations their
declared dependencies walk through are loaded. Nothing is written; every read obeys the
user's access rules.

Onchange also runs the model's ``@Model.onchange`` methods for the fields the user just changed:
``changed`` names fields of the record (``partner``) or of one line of an x-to-many field, by its
position in that field's command list (``lines.2.product``). What those methods assign is sent
back with the computed fields, which are computed after them.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, cast

from fullfinity.api.bodies import DefaultGetBody, OnchangeBody
from fullfinity.api.decode import parse_context
from fullfinity.api.encode import record_encoder
from fullfinity.api.handlers.records import records_by_id, with_archived
from fullfinity.api.hydrate import default_tree
from fullfinity.engine.fields.base import FieldValueError
from fullfinity.engine.fields.relational import ManyToOne, X2ManyField, normalise_commands, record_slot
from fullfinity.engine.records.computed import compute_fields
from fullfinity.engine.records.prefetch import fetch_related
from fullfinity.engine.records.validation import unknown_fields_error
from fullfinity.exceptions import BadRequest, ValidationError

if TYPE_CHECKING:
    from fullfinity.engine.env import Environment
    from fullfinity.engine.models import Model

__all__ = ["Draft", "build_draft", "compute_draft", "default_get", "onchange"]

Problems = list[dict[str, str]]


class Draft:
    """A draft record and, per x-to-many field given, the line drafts aligned with its N/W commands."""

    def __init__(self, record: Model) -> None:
        self.record = record
        self.lines: dict[str, list[Draft | None]] = {}
        #: Fields assigned by the model's ``@Model.onchange`` methods (sent back to the form).
        self.assigned: list[str] = []


async def _load(env: Environment, model: type[Model], ids: Iterable[int]) -> dict[int, Model]:
    """Visible records by id with their readable stored fields and display name (one query)."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    names = ["display_name", *default_tree(env, model, x2many=False)]
    return {r.id: r for r in await with_archived(model, wanted).with_fields(*names)}


async def build_draft(
    env: Environment, model: type[Model], values: Mapping[str, Any], *, record_id: int | None, prefix: str
) -> Draft:
    """The draft of ``values`` over record ``record_id`` (or a new record with its defaults); 422 naming every
    bad value."""
    unknown = [name for name in values if name not in model._fields]
    if unknown:
        raise unknown_fields_error(model, unknown, prefix)
    if record_id is not None:
        record = (await records_by_id(model, [record_id], where="id", fields=list(_stored_names(env, model))))[0]
    else:
        record = model()
        values = {**await model._default_get(env.context), **values}  # a new record starts from its defaults
    draft = Draft(record)
    problems: Problems = []
    await _overlay(env, draft, values, prefix, problems)
    if problems:
        raise ValidationError(f"{len(problems)} draft value(s) are invalid.", details=problems)
    return draft


def _stored_names(env: Environment, model: type[Model]) -> list[str]:
    return list(default_tree(env, model, x2many=False))


async def _overlay(env: Environment, draft: Draft, values: Mapping[str, Any], prefix: str, problems: Problems) -> None:
    record = draft.record
    model = type(record)
    targets: dict[str, int] = {}
    for name, value in values.items():
        field = model._fields[name]
        if field.automatic or (field.calculate is not None and field.setter is None):
            continue  # recomputed or server-set: what the form shows is not an input
        if isinstance(field, X2ManyField):
            await _apply_lines(env, draft, field, value, f"{prefix}{name}", problems)
            continue
        try:
            converted = field.convert(value)
        except FieldValueError as exc:
            problems.append({"path": prefix + name, "message": str(exc)})
            continue
        object.__setattr__(record, field.slot, converted)
        if isinstance(field, ManyToOne):
            with contextlib.suppress(AttributeError):
                object.__delattr__(record, record_slot(name))
            if converted is not None:
                targets[name] = converted
    for name, target_id in targets.items():  # a reference must name a record the user can see
        target = cast(Any, model._fields[name]).target_model
        found = await _load(env, target, [target_id])
        if target_id not in found:
            problems.append(
                {"path": prefix + name, "message": f"{target._name}({target_id}) does not exist or is hidden"}
            )
        else:
            object.__setattr__(record, record_slot(name), found[target_id])


async def _apply_lines(
    env: Environment, draft: Draft, field: X2ManyField, value: Any, where: str, problems: Problems
) -> None:
    try:
        commands = normalise_commands(value)
    except FieldValueError as exc:
        problems.append({"path": where, "message": str(exc)})
        return
    record = draft.record
    target = field.target_model
    current: dict[int, Model] = {}
    if record.id is not None:
        await fetch_related(record, [field.name])
        existing = object.__getattribute__(record, field.slot)
        current = {r.id: r for r in ([] if existing is None else existing)}
    aligned: list[Draft | None] = []
    for index, command in enumerate(commands):
        letter, here = command[0], f"{where}.{index}"
        if letter in ("L", "S"):
            ids = [command[1]] if letter == "L" else command[1]
            found = await _load(env, target, ids)
            missing = [i for i in ids if i not in found]
            if missing:
                problems.append(
                    {"path": here, "message": f"{target._name} record(s) {missing} do not exist or are hidden"}
                )
            if letter == "S":
                current = {}
            current.update({i: found[i] for i in ids if i in found})
        elif letter in ("U", "D"):
            current.pop(command[1], None)
        elif letter == "C":
            current = {}
        elif letter == "N":
            line = await build_draft(env, target, command[1], record_id=None, prefix=f"{here}.1.")
            _attach(line.record, field, record)
            current[-(index + 1)] = line.record  # new lines have no id: negative keys keep them apart
            aligned.append(line)
            continue
        elif letter == "W":
            child = current.get(command[1])
            if child is None:
                problems.append({"path": here, "message": f"{target._name}({command[1]}) is not a line of this record"})
            else:
                line = Draft(child)
                await _overlay(env, line, command[2], f"{here}.2.", problems)
                aligned.append(line)
                continue
        aligned.append(None)
    object.__setattr__(record, field.slot, target._make_set(list(current.values())))
    draft.lines[field.name] = aligned


def _attach(line: Model, field: X2ManyField, parent: Model) -> None:
    """Point a new OneToMany line at its (possibly unsaved) parent, so computations can walk up."""
    inverse = type(line)._fields.get(field.related_name or "")
    if isinstance(inverse, ManyToOne):
        object.__setattr__(line, inverse.slot, parent.id)
        object.__setattr__(line, record_slot(inverse.name), parent)


async def _prime(env: Environment, records: Sequence[Model], deps: Iterable[str]) -> None:
    """Load the relations that ``deps`` walk through, for stored records and drafts alike."""
    for dep in deps:
        level = list(records)
        for segment in dep.split("__"):
            if not level:
                break
            field: Any = type(level[0])._fields.get(segment)
            if field is None or not field.relational:
                break
            if isinstance(field, ManyToOne):
                rslot = record_slot(segment)
                todo = [r for r in level if not hasattr(r, rslot)]
                found = await _load(env, field.target_model, [i for r in todo if (i := getattr(r, field.slot, None))])
                for r in todo:
                    target_id = getattr(r, field.slot, None)
                    if target_id is None or target_id in found:  # a hidden target stays a stub (its id only)
                        object.__setattr__(r, rslot, found.get(target_id) if target_id is not None else None)
                level = [t for r in level if (t := getattr(r, rslot, None)) is not None]
            else:
                stored = [r for r in level if r.id is not None and not hasattr(r, field.slot)]
                if stored:
                    await fetch_related(type(level[0])._make_set(stored), [segment])
                for r in level:
                    if not hasattr(r, field.slot):
                        object.__setattr__(r, field.slot, field.target_model._make_set([]))
                level = [c for r in level for c in (getattr(r, field.slot) or [])]


def computed_names(env: Environment, model: type[Model], changed: Iterable[str] | None) -> list[str]:
    """Computed fields of ``model`` in dependency order; with ``changed``, only those depending on it."""
    info = env.registry.compute_info
    specs = sorted(
        (s for (m, _), s in info.specs.items() if m == model._name), key=lambda s: info.order.get((s.model, s.field), 0)
    )
    profile = None if env.is_elevated else env.access
    specs = [s for s in specs if profile is None or profile.sees(model._fields[s.field])]
    if changed is None:
        return [s.field for s in specs]
    touched = set(changed)
    out = []
    for spec in specs:
        if any(dep.split("__")[0] in touched for dep in spec.deps):
            touched.add(spec.field)
            out.append(spec.field)
    return out


async def compute_draft(env: Environment, records: Sequence[Model], names: Sequence[str]) -> None:
    """Compute ``names`` (in dependency order) on ``records``; nothing is written."""
    if not records or not names:
        return
    info = env.registry.compute_info
    model = type(records[0])
    await _prime(env, records, [d for n in names for d in info.specs[(model._name, n)].deps])
    for name in names:
        await compute_fields(records, [name])


async def default_get(env: Environment, model: type[Model], body: DefaultGetBody) -> dict[str, Any]:
    with env.with_context(**parse_context(body.context)):
        if body.fields is None:
            names = [n for n, f in model._fields.items() if f.writable]
        else:
            names = list(body.fields)
            unknown = [n for n in names if not isinstance(n, str) or n not in model._fields]
            if unknown:
                raise unknown_fields_error(model, [str(n) for n in unknown], "fields.")
        draft = await build_draft(env, model, {}, record_id=None, prefix="")
        # A new record is a change of every field: its onchange methods fill what depends on the
        # defaults (an invoice's journal for its type), as they would on a form.
        await run_onchanges(env, draft, set(model._fields))
        wanted = set(names)
        await compute_draft(env, [draft.record], [n for n in computed_names(env, model, None) if n in wanted])
        return {"values": record_encoder(model, _tree(model, names, draft.assigned), bare=True)(draft.record)}


def _split_changed(model: type[Model], changed: Sequence[str]) -> tuple[set[str], dict[tuple[str, int], set[str]]]:
    """``changed`` as record fields and, per (x-to-many field, command index), line fields; 422
    naming every entry that names no field."""
    top: set[str] = set()
    lines: dict[tuple[str, int], set[str]] = {}
    problems: Problems = []
    for index, entry in enumerate(changed):
        name, _, rest = entry.partition(".")
        field = model._fields.get(name)
        if field is None:
            problems.append({"path": f"changed.{index}", "message": f"{model._name} has no field '{name}'"})
            continue
        top.add(name)
        if not rest:
            continue
        position, dot, line_field = rest.partition(".")
        target = field.target_model if isinstance(field, X2ManyField) else None
        if target is None or not position.isdigit() or (dot and line_field not in target._fields):
            problems.append({
                "path": f"changed.{index}",
                "message": f"'{entry}' must be a field, '<x-to-many field>.<command index>.<field of its "
                "model>' for a line (e.g. 'lines.0.product'), or '<x-to-many field>.<command index>' for a "
                "line just added (e.g. 'lines.2')",
            })  # fmt: skip
            continue
        # A line just added is a change of every field, as a new record is for default-get.
        lines.setdefault((name, int(position)), set()).update([line_field] if dot else target._fields)
    if problems:
        raise ValidationError(f"{len(problems)} 'changed' entr(ies) name no field.", details=problems)
    return top, lines


async def run_onchanges(env: Environment, draft: Draft, changed: set[str]) -> None:
    """Run the ``@Model.onchange`` methods of the draft's model watching a field of ``changed``;
    note in ``draft.assigned`` the fields they assigned (references loaded as a form shows them)."""
    record = draft.record
    model = type(record)
    methods = [name for name, watched in model._onchanges if changed & set(watched)]
    if not methods:
        return
    before = set(record._changes or {})
    for name in methods:
        await getattr(record, name)()
    assigned = [n for n in (record._changes or {}) if n not in before and n in model._fields]
    for name in assigned:
        field: Any = model._fields[name]
        value = object.__getattribute__(record, field.slot) if hasattr(record, field.slot) else None
        if isinstance(field, ManyToOne) and isinstance(value, int) and not hasattr(record, record_slot(name)):
            found = await _load(env, field.target_model, [value])
            object.__setattr__(record, record_slot(name), found.get(value))
        elif isinstance(field, X2ManyField) and isinstance(value, (list, tuple)):
            ids = [v if isinstance(v, int) else v.id for v in value]
            found = await _load(env, field.target_model, ids)
            object.__setattr__(record, field.slot, field.target_model._make_set([found[i] for i in ids if i in found]))
    draft.assigned = [*draft.assigned, *(n for n in assigned if n not in draft.assigned)]


def _tree(model: type[Model], names: Sequence[str], assigned: Sequence[str]) -> dict[str, Any]:
    """What to encode: x-to-many fields an onchange assigned as ``{id, display_name}`` objects (a form
    shows them as it shows fetched ones), everything else as its plain value."""
    return {name: {} if name in assigned and isinstance(model._fields[name], X2ManyField) else None for name in names}


async def onchange(env: Environment, model: type[Model], body: OnchangeBody) -> dict[str, Any]:
    if body.id is not None and model._transient:
        raise BadRequest(f"{model._name} is a transient model: its drafts have no stored record to edit (drop 'id').")
    with env.with_context(**parse_context(body.context)):
        changed = body.changed
        line_changes: dict[tuple[str, int], set[str]] = {}
        if changed is not None:
            top, line_changes = _split_changed(model, changed)
            changed = sorted(top)
        draft = await build_draft(env, model, body.values, record_id=body.id, prefix="values.")
        for (name, position), fields in line_changes.items():
            lines = draft.lines.get(name, [])
            line = lines[position] if position < len(lines) else None
            if line is not None:
                await run_onchanges(env, line, fields)
        if changed:
            await run_onchanges(env, draft, set(changed))
        for name, lines in draft.lines.items():
            line_model = cast(Any, model._fields[name]).target_model
            line_records = [line.record for line in lines if line is not None]
            await compute_draft(env, line_records, computed_names(env, line_model, None))
        names = computed_names(env, model, None if changed is None else [*changed, *draft.assigned])
        await compute_draft(env, [draft.record], names)
        shown = [*draft.assigned, *(n for n in names if n not in draft.assigned)]
        out = record_encoder(model, _tree(model, shown, draft.assigned), bare=True)(draft.record)
        for name, lines in draft.lines.items():
            line_model = cast(Any, model._fields[name]).target_model
            line_names = computed_names(env, line_model, None)
            encoders: dict[tuple[str, ...], Any] = {}

            def encode(
                line: Draft,
                line_model: Any = line_model,
                line_names: list[str] = line_names,
                encoders: dict[tuple[str, ...], Any] = encoders,
            ) -> dict[str, Any]:
                key = tuple([*line.assigned, *(n for n in line_names if n not in line.assigned)])
                if key not in encoders:
                    encoders[key] = record_encoder(line_model, _tree(line_model, key, line.assigned), bare=True)
                return cast(dict[str, Any], encoders[key](line.record))

            out[name] = [
                None if line is None else ({"id": line.record.id} if line.record.id else {}) | encode(line)
                for line in lines
            ]
        return {"values": out}
