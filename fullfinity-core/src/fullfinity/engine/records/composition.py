"""Composing a model class from its definition and the extensions of installed modules.

``compose()`` builds a new class per registry: its bases are the extensions (latest
first) and the definition, so ``super()`` in an extension reaches the previous one; its
fields are the definition's, with extension redeclarations merged (keywords given in the
extension win) and new fields added, plus the automatic fields. Each field is *bound*
to a slot of the composed class. The imported classes are never modified.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any, cast

from fullfinity.engine.fields import Char, Datetime, Field, Integer, Selection
from fullfinity.engine.records.computed import COMPUTING
from fullfinity.engine.records.definitions import ClassEntry
from fullfinity.engine.records.models import AUTOMATIC_FIELDS, Model, ModelMeta
from fullfinity.exceptions import ModuleError, ValidationError

__all__ = ["compose", "table_name"]

_CAMEL_1 = re.compile(r"(.)([A-Z][a-z]+)")
_CAMEL_2 = re.compile(r"([a-z0-9])([A-Z])")


def table_name(model_name: str) -> str:
    """snake_case of the model name: ``HelpdeskTicket`` -> ``helpdesk_ticket``."""
    return _CAMEL_2.sub(r"\1_\2", _CAMEL_1.sub(r"\1_\2", model_name)).lower()


def _automatic_fields() -> dict[str, Field[Any]]:
    fields: dict[str, Field[Any]] = {
        "id": Integer(description="ID", readonly=True),
        "created_date": Datetime(description="Created on", readonly=True),
        "updated_date": Datetime(description="Last updated on", readonly=True),
        "create_uid": Integer(description="Created by", readonly=True),
        "write_uid": Integer(description="Last updated by", readonly=True),
        "display_name": Char(description="Display name", store=False, readonly=True),
    }
    for name, field in fields.items():
        field.name = name
        field.slot = "_f_" + name
        field.automatic = True
    return fields


def _slots(field: Field[Any]) -> tuple[str, ...]:
    slots = getattr(field, "slots", None)
    return tuple(slots()) if slots is not None else (field.slot,)


def _setter(field: Field[Any]) -> Callable[[Any, Any], None]:
    name, slot = field.name, field.slot
    record_slot = "_r_" + name if field.relational and not getattr(field, "many", True) else None

    if field.automatic:

        def refuse(obj: Any, value: Any) -> None:
            raise ValidationError(
                f"{type(obj)._name}.{name} is an automatic field and cannot be assigned.",
                details=[{"path": name, "message": "is read-only"}],
            )

        return refuse

    computed = field.calculate is not None

    def assign(obj: Any, value: Any) -> None:
        if computed and COMPUTING.get():
            setattr(obj, slot, value)  # a compute method storing its result: not a change
            return
        recs = obj._recs
        if recs is not None:
            for rec in recs:
                assign(rec, value)
            return
        changes = obj._changes
        if changes is None:
            changes = obj._changes = {}
        if name not in changes:
            changes[name] = getattr(obj, slot, None)
        if record_slot is not None:
            # A ManyToOne keeps the id in its slot and the record object (if given) beside it.
            if isinstance(value, Model) or value is None:
                setattr(obj, record_slot, value)
            elif hasattr(obj, record_slot):
                delattr(obj, record_slot)
            if isinstance(value, Model):
                value = value.ensure_one()._ids_repr()
                value = None if value in ("None", "?") else int(value)
        setattr(obj, slot, value)

    return assign


def merge_fields(name: str, definition: ClassEntry, extensions: Sequence[ClassEntry]) -> dict[str, Field[Any]]:
    """The declared fields of a model once its extensions are applied (copies, unbound)."""
    fields: dict[str, Field[Any]] = {}
    for field_name, field in definition.cls._declared.items():
        fields[field_name] = field.copy()
    for ext in extensions:
        for field_name, field in ext.cls._declared.items():
            if field_name in fields:
                try:
                    fields[field_name] = fields[field_name].merged(field)
                except TypeError as exc:
                    raise ModuleError(f"Module '{ext.owner}' ({ext.cls.__module__}): {exc}") from None
            else:
                fields[field_name] = field.copy()
    for entry in (definition, *extensions):
        for field_name, choices in (entry.cls.__dict__.get("_selection_add") or {}).items():
            target = fields.get(field_name)
            if not isinstance(target, Selection):
                raise ModuleError(
                    f"{entry.cls.__module__}.{entry.cls.__qualname__}._selection_add names '{field_name}', "
                    f"which is not a Selection field of {name}."
                )
            target.add_choices(choices)
    return fields


def compose(
    name: str, definition: ClassEntry, extensions: Sequence[ClassEntry], declared: dict[str, Field[Any]]
) -> type[Model]:
    """The composed class of model ``name`` for one registry, with ``declared`` fields (see ``merge_fields``)."""
    automatic = _automatic_fields()
    ordered: dict[str, Field[Any]] = {"id": automatic["id"]}
    ordered.update(declared)
    for auto_name in AUTOMATIC_FIELDS[1:]:
        if auto_name == "display_name" and "display_name" in declared:
            continue  # the model computes its own display_name
        ordered[auto_name] = automatic[auto_name]

    bound: dict[str, Field[Any]] = {}
    for field_name, field in ordered.items():
        field.name = field_name
        field.slot = "_f_" + field_name
        bound[field_name] = field.bind(name, field_name, _setter(field))

    bases = (*(ext.cls for ext in reversed(extensions)), definition.cls)
    namespace: dict[str, Any] = {
        "_composed": True,
        "__module__": definition.cls.__module__,
        "__qualname__": name,
        "__slots__": tuple(slot for f in bound.values() for slot in _slots(f)),
        "_name": name,
        "_table": table_name(name),
        "_fields": bound,
        **bound,
    }
    cls: Any = ModelMeta(name, bases, namespace)
    for f in bound.values():
        attach = getattr(f, "attach", None)
        if attach is not None:
            attach(cls)
    cls._stored = tuple(f for f in bound.values() if f.column is not None)
    cls._column_fields = {f.column: f.name for f in cls._stored if f.column}
    cls._has_active = "active" in bound and bound["active"].type_name == "Boolean"
    rec_name = cls._rec_name or ("name" if "name" in bound else None)
    cls._rec_name = rec_name
    if cls._verbose_name is None:
        cls._verbose_name = re.sub(r"(?<!^)(?=[A-Z])", " ", name)
    if cls._search_fields is None:
        cls._search_fields = [rec_name] if rec_name else []
    cls._constraints = _collect_marked(cls, "_constrain_fields")
    cls._onchanges = _collect_marked(cls, "_onchange_fields")
    _check_unique_together(cls)
    return cast("type[Model]", cls)


def _collect_marked(cls: type, mark: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """(method name, field names) of every method carrying ``mark`` (``@Model.constrain``,
    ``@Model.onchange``), the most derived definition of each name winning."""
    found: dict[str, tuple[str, ...]] = {}
    for klass in reversed(cls.__mro__):
        for attr, value in vars(klass).items():
            fields = getattr(value, mark, None)
            if fields is not None:
                found[attr] = fields
    return tuple(found.items())


def _check_unique_together(cls: Any) -> None:
    for combo in cls._unique_together:
        missing = [f for f in combo if f not in cls._fields or cls._fields[f].column is None]
        if missing:
            raise ModuleError(f"{cls._name}._unique_together names {missing}, which are not stored fields.")
