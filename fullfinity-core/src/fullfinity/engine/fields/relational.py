"""Relational fields: ManyToOne, OneToOne, OneToMany, ManyToMany (orm.md section 9).

A ManyToOne keeps the target's id in a ``<name>_id`` BIGINT column with a foreign key;
reading it gives a record: the loaded one when ``fetch_related`` loaded it, else a stub
that carries only its ``id``. OneToMany and ManyToMany have no column: they read as record
sets once fetched (``await record.fetch_related("lines")``) and are written with command
lists (``["L", id]``, ``["U", id]``, ``["S", [ids]]``, ``["C"]``, ``["N", {values}]``,
``["W", id, {values}]``, ``["D", id]``; a plain list of ids means ``S``).
"""

from __future__ import annotations

import abc
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any, cast

from typing_extensions import Unpack

from fullfinity.engine.fields.base import Field, FieldOptions, FieldValueError, slot_name

if TYPE_CHECKING:
    from fullfinity.engine.records.models import Model

__all__ = [
    "COMMANDS",
    "ManyToMany",
    "ManyToOne",
    "OneToMany",
    "OneToOne",
    "RecordSet",
    "RelationalField",
    "X2ManyField",
    "normalise_commands",
]

ON_DELETE = ("CASCADE", "SET NULL", "RESTRICT")
COMMANDS = {"L": 2, "U": 2, "S": 2, "C": 1, "N": 2, "W": 3, "D": 2}


class RecordSet(abc.ABC):  # noqa: B024 - a marker: Model registers itself, nothing to implement
    """What relational fields take for records: ``Model`` registers itself here (``records/models.py``).

    Fields sit below the records room and never import it; ``isinstance(value, RecordSet)``
    is how a field tells a record (or record set) from an id.
    """


def record_slot(name: str) -> str:
    """The slot caching the related record object of a ManyToOne."""
    return "_r_" + name


def _id_of(value: Any, what: str) -> int:
    """An id from an int, a record or ``{"id": n}``; FieldValueError otherwise."""
    if isinstance(value, bool):
        raise FieldValueError(f"{what} must be a record id, got bool")
    if isinstance(value, int):
        return value
    if isinstance(value, RecordSet):
        record = cast("Model", value).ensure_one()
        record_id = record._ids_repr()
        if record_id in ("None", "?"):
            raise FieldValueError(f"{what} refers to an unsaved {record._name} record; save it first")
        return int(record_id)
    if isinstance(value, dict) and isinstance(value.get("id"), int) and not isinstance(value.get("id"), bool):
        return int(value["id"])
    raise FieldValueError(f"{what} must be a record id, a record or {{'id': n}}, got {type(value).__name__}")


class RelationalField(Field[Any]):
    """Base of relational fields: the target model, resolved per registry."""

    relational = True
    #: The composed target class, set when the registry is built.
    target: type[Model] | None

    def __init__(
        self,
        target: str | None = None,
        *,
        related_model: str | None = None,
        related_name: str | None = None,
        q_filter: str | None = None,
        **options: Unpack[FieldOptions],
    ) -> None:
        super().__init__(**options)
        model = target or related_model
        if not model or not isinstance(model, str):
            raise TypeError(
                f"{type(self).__name__}() needs the target model name, e.g. {type(self).__name__}('Partner')"
            )
        self.related_model = model
        self.related_name = related_name
        self.q_filter = q_filter
        self.target = None
        for key, value in (("related_name", related_name), ("q_filter", q_filter)):
            if value is not None:
                self._given[key] = value

    @classmethod
    def _type_option_names(cls) -> str:
        return ", related_model, related_name, q_filter"

    def _type_options(self) -> dict[str, Any]:
        return {"related_model": self.related_model, "related_name": self.related_name, "q_filter": self.q_filter}

    @property
    def target_model(self) -> type[Model]:
        if self.target is None:
            raise RuntimeError(f"{self!r}: target model {self.related_model} is not resolved (not in a registry)")
        return self.target


class ManyToOne(RelationalField):
    """A reference to one record of another model: ``<name>_id BIGINT`` with a foreign key."""

    type_name = "ManyToOne"
    sql_type = "BIGINT"
    param_type = "bigint"
    many = False
    #: OneToOne sets it: the column gets a UNIQUE constraint unless ``unique=`` says otherwise.
    unique_by_default = False

    def __init__(
        self,
        target: str | None = None,
        *,
        related_model: str | None = None,
        related_name: str | None = None,
        on_delete: str | None = None,
        q_filter: str | None = None,
        **options: Unpack[FieldOptions],
    ) -> None:
        super().__init__(target, related_model=related_model, related_name=related_name, q_filter=q_filter, **options)
        if on_delete is not None:
            on_delete = on_delete.upper()
            if on_delete not in ON_DELETE:
                raise TypeError(f"on_delete must be one of {', '.join(ON_DELETE)}, got {on_delete!r}")
            self._given["on_delete"] = on_delete
        self._on_delete = on_delete
        if self.unique_by_default and "unique" not in options:
            self.unique = True

    @property
    def on_delete(self) -> str:
        if self._on_delete is not None:
            return self._on_delete
        return "RESTRICT" if self.required else "SET NULL"

    @classmethod
    def _type_option_names(cls) -> str:
        return ", related_model, related_name, on_delete, q_filter"

    def _type_options(self) -> dict[str, Any]:
        return {**super()._type_options(), "on_delete": self.on_delete}

    @property
    def column(self) -> str | None:
        return f"{self.name}_id" if self.store else None

    def slots(self) -> tuple[str, ...]:
        return (self.slot, record_slot(self.name))

    def attach(self, cls: type) -> None:
        """Called once the composed class exists: keep its slot descriptors for the getter."""
        self.members = (cls.__dict__[self.slot], cls.__dict__[record_slot(self.name)])

    def convert(self, value: Any) -> Any:
        if value is None or type(value) is int:
            return value
        return _id_of(value, "value")

    def convert_filter(self, value: Any) -> Any:
        return self.convert(value)

    def convert_filter_many(self, values: Iterable[Any]) -> list[Any]:
        items = list(values)
        if all(type(v) is int for v in items):
            return items
        return [self.convert(v) for v in items]

    def _make_getter(self, name: str) -> Callable[[Any], Any]:
        id_slot, rec_slot = slot_name(name), record_slot(name)
        field = self

        new = object.__new__
        del id_slot, rec_slot

        def get(obj: Any) -> Any:
            # The slots' member descriptors are used directly: a miss raises AttributeError
            # without detouring through Model.__getattr__ (this getter runs once per access).
            id_member, rec_member = field.members
            try:
                return rec_member.__get__(obj)
            except AttributeError:
                pass
            record_id = id_member.__get__(obj)  # AttributeError -> not loaded -> FieldNotLoadedError
            record: Any = None
            if record_id is not None:  # a stub carrying only its id (fetch_related loads the rest)
                record = new(field.target or field.target_model)  # the attribute: no property call
                record._f_id = record_id
            rec_member.__set__(obj, record)
            return record

        return get


class OneToOne(ManyToOne):
    """A ManyToOne with a UNIQUE constraint; its reverse is a single record, not a set."""

    type_name = "OneToOne"
    unique_by_default = True


class X2ManyField(RelationalField):
    """Base of fields whose value is a set of related records (no column on this model)."""

    sql_type = None
    many = True
    #: ``True`` for the reverse side of a OneToOne: reads as one record or None.
    single = False

    def convert(self, value: Any) -> Any:
        if value is None:
            return [["C"]]
        return normalise_commands(value)

    def empty_value(self) -> Any:
        target = self.target
        return target._make_set([]) if target is not None else None


class OneToMany(X2ManyField):
    """The records of another model whose ManyToOne ``related_name`` points at this record."""

    type_name = "OneToMany"


class OneToOneReverse(X2ManyField):
    """The reverse side of a OneToOne (created automatically): one record or None."""

    type_name = "OneToOne"
    single = True


class ManyToMany(X2ManyField):
    """Records linked through a join table (automatic, or ``through=`` an explicit join model)."""

    type_name = "ManyToMany"

    def __init__(
        self,
        target: str | None = None,
        *,
        related_model: str | None = None,
        related_name: str | None = None,
        through: str | None = None,
        q_filter: str | None = None,
        **options: Unpack[FieldOptions],
    ) -> None:
        super().__init__(target, related_model=related_model, related_name=related_name, q_filter=q_filter, **options)
        self.through = through
        #: Join table and its two columns (this side, the other side); set by the registry.
        self.relation: tuple[str, str, str] | None = None
        #: True on the side created from another field's related_name.
        self.reverse_of: str | None = None

    @classmethod
    def _type_option_names(cls) -> str:
        return ", related_model, related_name, through, q_filter"

    def _type_options(self) -> dict[str, Any]:
        return {**super()._type_options(), "through": self.through}


def normalise_commands(value: Any) -> list[list[Any]]:
    """Validate an x-to-many value; a plain list of ids/records means replace (``S``)."""
    if isinstance(value, RecordSet):
        return [["S", [_id_of(rec, "record") for rec in cast("Model", value)]]]
    if not isinstance(value, list | tuple):
        raise FieldValueError(f"must be a list of commands or of ids, got {type(value).__name__}")
    if all(not isinstance(item, list | tuple) for item in value):
        return [["S", [_id_of(item, f"item {i}") for i, item in enumerate(value)]]]
    out: list[list[Any]] = []
    for index, command in enumerate(value):
        if not isinstance(command, list | tuple) or not command or command[0] not in COMMANDS:
            raise FieldValueError(
                f"item {index} must be a command [letter, ...] with letter one of {', '.join(COMMANDS)}, "
                f"got {command!r}"
            )
        letter = command[0]
        if len(command) != COMMANDS[letter]:
            raise FieldValueError(
                f"command {index} ({letter}) takes {COMMANDS[letter] - 1} argument(s), got {list(command)!r}"
            )
        if letter in ("L", "U", "D"):
            out.append([letter, _id_of(command[1], f"command {index} ({letter})")])
        elif letter == "S":
            if type(command[1]) is not list and (not isinstance(command[1], Sequence) or isinstance(command[1], str)):
                raise FieldValueError(f"command {index} (S) takes a list of ids")
            out.append(["S", [_id_of(v, f"command {index} (S)") for v in command[1]]])
        elif letter == "C":
            out.append(["C"])
        elif letter == "N":
            if not isinstance(command[1], dict):
                raise FieldValueError(f"command {index} (N) takes a mapping of field values")
            out.append(["N", dict(command[1])])
        else:  # W
            if not isinstance(command[2], dict):
                raise FieldValueError(f"command {index} (W) takes an id and a mapping of field values")
            out.append(["W", _id_of(command[1], f"command {index} (W)"), dict(command[2])])
    return out
