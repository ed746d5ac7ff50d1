"""``Model``: the base class of every model, and the record-set behaviour of its instances.

A model class is declared once (``class HelpdeskTicket(Model)``) and extended by other
modules (``__inherit__ = "HelpdeskTicket"``). Neither is used directly at run time: each
tenant's registry *composes* a class from the definition and the extensions of the
modules installed there (``fullfinity.engine.records.composition``). Class-level entry points
called on a definition (``HelpdeskTicket.filter(...)``) are forwarded to the composed
class of the current environment.

An instance is a **record set**: zero, one or many records of one model. A singleton
holds its loaded values in slots (one per field, see ``fields/base.py``); a set holds a
list of singletons in ``_recs``.
"""

from __future__ import annotations

import inspect
import weakref
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar, Self, TypeVar, cast, overload

from fullfinity.engine.context import current_env
from fullfinity.engine.fields.base import Field
from fullfinity.engine.fields.relational import RecordSet
from fullfinity.engine.records.definitions import record_class
from fullfinity.exceptions import FieldNotLoadedError

if TYPE_CHECKING:
    from fullfinity.engine.records.environment import Environment
    from fullfinity.engine.records.queryset import QuerySet

__all__ = ["AUTOMATIC_FIELDS", "RESERVED_NAMES", "Model", "ModelMeta", "RecordGroup"]

F = TypeVar("F", bound=Callable[..., Any])

AUTOMATIC_FIELDS = ("id", "created_date", "updated_date", "create_uid", "write_uid", "display_name")
RESERVED_NAMES = frozenset(
    {
        "save",
        "delete",
        "filter",
        "exclude",
        "copy",
        "refresh",
        "fetch_related",
        "ids",
        "create",
        "bulk_create",
        "get",
        "get_or_create",
        "with_fields",
        "order_by",
        "ensure_one",
        "env",
        "read_file",
        "browse",
        "all",
    }
)
_INTERNAL = frozenset({"_recs", "_grp", "_changes"})


def _declared_fields(cls: type, namespace: Mapping[str, Any]) -> dict[str, Field[Any]]:
    """Fields declared in a class body plus those of plain mixin bases (not Model subclasses)."""
    found: dict[str, Field[Any]] = {}
    for base in reversed(cls.__mro__[1:]):
        if isinstance(base, ModelMeta) or base is object:
            continue
        for key, value in vars(base).items():
            if isinstance(value, Field):
                found[key] = value
    for key, value in namespace.items():
        if isinstance(value, Field):
            found[key] = value
    return found


class RecordGroup(list):  # type: ignore[type-arg]
    """The records of one result, shared by its members (weakly) for batched prefetch.

    Records point at their group through a weak reference (``record._grp()``), so a result
    never forms a reference cycle and is freed by reference counting once dropped.
    ``joined`` keeps alive the groups of the to-one records read in the same statement.
    """

    __slots__ = ("__weakref__", "joined")


class ModelMeta(type):
    """Registers model classes as they are imported; promotes ``cls``-first methods to classmethods."""

    def __new__(mcs, name: str, bases: tuple[type, ...], namespace: dict[str, Any], **kwargs: Any) -> ModelMeta:
        if namespace.get("_composed") or namespace.get("_abstract_base"):
            return super().__new__(mcs, name, bases, namespace, **kwargs)
        for key, value in list(namespace.items()):
            if inspect.isfunction(value) and not (key.startswith("__") and key.endswith("__")):
                params = list(inspect.signature(value).parameters)
                if params and params[0] == "cls":
                    namespace[key] = classmethod(value)
        inherit = namespace.get("__inherit__")
        if inherit is not None and not isinstance(inherit, str):
            raise TypeError(f"{name}.__inherit__ must be the name of the model to extend, got {inherit!r}")
        cls = super().__new__(mcs, name, bases, namespace, **kwargs)
        cls._name = inherit or name  # type: ignore[attr-defined]
        cls._declared = _declared_fields(cls, namespace)  # type: ignore[attr-defined]
        for field_name in cls._declared:  # type: ignore[attr-defined]
            _check_field_name(cls, field_name)
        record_class(cast("type[Model]", cls), cls._name, inherit)  # type: ignore[attr-defined]
        return cls

    def __repr__(cls) -> str:
        kind = "composed" if cls.__dict__.get("_composed") else "definition"
        return f"<model {cls.__dict__.get('_name', cls.__name__)} ({kind})>"


def _check_field_name(cls: type, field_name: str) -> None:
    where = f"{cls.__module__}.{cls.__qualname__}.{field_name}"
    if field_name.startswith("_"):
        raise TypeError(f"Field {where}: field names must not start with '_'. Rename the field.")
    if field_name in AUTOMATIC_FIELDS and field_name != "display_name":
        raise TypeError(f"Field {where}: '{field_name}' is an automatic field every model has. Rename the field.")
    if field_name in RESERVED_NAMES:
        raise TypeError(f"Field {where}: '{field_name}' is an ORM method name. Rename the field.")
    if field_name != field_name.lower():
        raise TypeError(f"Field {where}: field names are lower-case snake_case.")


class Model(metaclass=ModelMeta):
    """Base class of every model. See orm.md for the full API."""

    _abstract_base = True
    # ``_grp`` is a slot (set on every loaded record); ``_recs`` and ``_changes`` are class-level
    # ``None`` defaults overridden per instance only by record sets and written records, so a
    # loaded singleton costs no store for them.
    __slots__ = ("__dict__", "_grp")
    _recs: list[Any] | None = None
    _changes: dict[str, Any] | None = None

    # Class attributes a model may set (orm.md section 3).
    _name: ClassVar[str]
    _verbose_name: ClassVar[str | None] = None
    _rec_name: ClassVar[str | None] = None
    _transient: ClassVar[bool] = False
    _order: ClassVar[str] = "id ASC"
    _selection_add: ClassVar[dict[str, list[Any]]] = {}
    _unique_together: ClassVar[list[tuple[str, ...]]] = []
    #: SQL CHECK constraints: ``[(name, "qty >= 0", "The quantity cannot be negative.")]``; the
    #: message is what a violation reports. The expression is the model author's SQL, not user input.
    _sql_constraints: ClassVar[list[tuple[str, str, str]]] = []
    _search_fields: ClassVar[list[str] | None] = None
    #: Set to True by a class that overrides ``save`` *and* ``bulk_create`` when its
    #: ``bulk_create`` applies to a set of new rows what its ``save`` applies to one new record:
    #: ``bulk_create`` then keeps the set-based path (one COPY) instead of creating row by row
    #: through ``save`` (orm.md 6.4). Each class of the composition overriding ``save`` must say
    #: so for itself: an extension's ``save`` without it routes bulk creation through ``save``.
    _bulk_create_does_save: ClassVar[bool] = False

    # Set on composed classes by the registry.
    _composed: ClassVar[bool] = False
    _table: ClassVar[str]
    _fields: ClassVar[dict[str, Field[Any]]]
    _stored: ClassVar[tuple[Field[Any], ...]]
    _column_fields: ClassVar[dict[str, str]]
    _has_active: ClassVar[bool]
    _constraints: ClassVar[tuple[tuple[str, tuple[str, ...]], ...]]
    _onchanges: ClassVar[tuple[tuple[str, tuple[str, ...]], ...]] = ()
    _declared: ClassVar[dict[str, Field[Any]]]

    _grp: weakref.ref[RecordGroup] | None

    if TYPE_CHECKING:
        id: int
        display_name: str | None

    # -- construction ------------------------------------------------------------------
    def __new__(cls, *args: Any, **kwargs: Any) -> Self:
        target = cls if cls.__dict__.get("_composed") else cls._composed_class()
        return object.__new__(target)

    def __init__(self, **values: Any) -> None:
        """A new, unsaved record with ``values`` assigned (validated on ``save()``)."""
        cls = type(self)
        self._recs = None
        self._grp = None
        self._changes = {}
        object.__setattr__(self, "_f_id", None)
        unknown = [key for key in values if key not in cls._fields]
        if unknown:
            from fullfinity.engine.records.validation import unknown_fields_error

            raise unknown_fields_error(cls, unknown)
        for key, value in values.items():
            setattr(self, key, value)

    @classmethod
    def _make_set(cls, records: Sequence[Any]) -> Self:
        rs = object.__new__(cls)
        rs._recs = list(records) if not isinstance(records, list) else records
        rs._grp = None
        rs._changes = None
        return rs

    @classmethod
    def browse(cls, ids: int | Sequence[int]) -> Self:
        """Records by id without reading them (only ``id`` is loaded)."""
        target = cls._composed_class()
        single = isinstance(ids, int)
        records = RecordGroup()
        group = weakref.ref(records)
        for record_id in [ids] if isinstance(ids, int) else list(ids):
            rec: Any = object.__new__(target)
            rec._f_id = record_id
            rec._grp = group
            records.append(rec)
        return cast(Self, records[0]) if single else target._make_set(records)

    # -- attribute access ----------------------------------------------------------------
    def __getattr__(self, name: str) -> Any:
        # Only reached when normal lookup fails: unset internal slots, unloaded fields, sets.
        if name in _INTERNAL:
            return None
        cls = type(self)
        fields = cls.__dict__.get("_fields") or {}
        field = fields.get(name)
        if field is None:
            raise AttributeError(f"'{cls.__name__}' object has no attribute '{name}'")
        recs = self._recs
        if recs is not None:
            if not recs:
                return field.empty_value()
            if len(recs) == 1:
                return getattr(recs[0], name)
            raise ValueError(
                f"expected a single record, got {len(recs)} {cls._name} records: iterate over the set, "
                f"or use rs[0].{name}"
            )
        if self._ids_repr() == "None":  # a new record: unassigned fields read as empty until saved
            return field.empty_value()
        raise FieldNotLoadedError(
            f"{cls._name}.{name} was not loaded on record {self._ids_repr()}. Add '{name}' to with_fields(...) "
            f"in the query that read it, or call `await record.refresh()` to reload every field."
        )

    def _ids_repr(self) -> str:
        try:
            return str(object.__getattribute__(self, "_f_id"))
        except AttributeError:
            return "?"

    # -- record-set behaviour ---------------------------------------------------------------
    def __len__(self) -> int:
        recs = self._recs
        return 1 if recs is None else len(recs)

    def __iter__(self) -> Iterator[Self]:
        recs = self._recs
        return iter((self,) if recs is None else recs)

    @overload
    def __getitem__(self, index: int) -> Self: ...

    @overload
    def __getitem__(self, index: slice) -> Self: ...

    def __getitem__(self, index: int | slice) -> Self:
        recs = self._recs
        items: list[Any] = [self] if recs is None else recs
        if isinstance(index, slice):
            return type(self)._make_set(items[index])
        return items[index]  # type: ignore[no-any-return]

    def __bool__(self) -> bool:
        recs = self._recs
        return recs is None or len(recs) > 0

    def __q_value__(self) -> int | None:
        """A record used as a filter value stands for its id."""
        return self.ensure_one().id

    @property
    def ids(self) -> list[int]:
        """The ids of the records, in order."""
        return [rec.id for rec in self]

    def ensure_one(self) -> Self:
        """Return the single record, or raise ``ValueError("expected a single record")``."""
        recs = self._recs
        if recs is None:
            return self
        if len(recs) != 1:
            raise ValueError(f"expected a single record, got {len(recs)} {type(self)._name} records")
        return cast(Self, recs[0])

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Model) or other._name != self._name:
            return NotImplemented
        if self._recs is None and other._recs is None:
            mine, theirs = self._ids_repr(), other._ids_repr()
            if mine == "None" or theirs == "None":
                return self is other
            return mine == theirs
        return self.ids == other.ids

    def __hash__(self) -> int:
        if self._recs is None and self.id is not None:
            return hash((self._name, self.id))
        return id(self)

    def __repr__(self) -> str:
        recs = self._recs
        if recs is None:
            return f"{self._name}({self._ids_repr()})"
        return f"{self._name}({', '.join(r._ids_repr() for r in recs)})"

    # -- environment -----------------------------------------------------------------------------
    @property
    def env(self) -> Environment:
        return current_env()

    @property
    def _ctx(self) -> dict[str, Any]:
        return current_env().context

    @classmethod
    def _composed_class(cls) -> type[Self]:
        if cls.__dict__.get("_composed"):
            return cls
        return current_env().get_model(cls._name)  # type: ignore[return-value]

    # -- querying (forwarded to the composed class) ---------------------------------------------
    @classmethod
    def _queryset(cls) -> QuerySet[Self]:
        from fullfinity.engine.records.queryset import QuerySet

        return QuerySet(cls._composed_class())

    @classmethod
    def filter(cls, *q: Any, **lookups: Any) -> QuerySet[Self]:
        """Records matching the Q objects / Q strings and lookups (lazy queryset)."""
        return cls._queryset().filter(*q, **lookups)

    @classmethod
    def exclude(cls, *q: Any, **lookups: Any) -> QuerySet[Self]:
        return cls._queryset().exclude(*q, **lookups)

    @classmethod
    def with_fields(cls, *names: str) -> QuerySet[Self]:
        return cls._queryset().with_fields(*names)

    @classmethod
    def order_by(cls, *specs: str) -> QuerySet[Self]:
        return cls._queryset().order_by(*specs)

    @classmethod
    async def get(cls, record_id: int) -> Self:
        """The record with this id (archived ones too); ``MissingError`` if absent or not visible."""
        env = current_env()
        with env.with_context(active_test=False):
            return await cls._queryset().filter(id=record_id)._get_by_id(record_id)

    @classmethod
    async def create(cls, **values: Any) -> Self:
        """Validate, insert and return a new record."""
        record = cls._composed_class()(**values)
        await record.save()
        await record._refresh_computed()
        return record

    async def _refresh_computed(self) -> None:
        """After a create: run pending recomputations and load this record's non-local stored computed fields."""
        env = current_env()
        model = type(self)
        names = [s.field for s in env.registry.compute_info.stored_by_model(model._name) if not s.local]
        if not names:
            return
        await env.flush()
        if self._recs is None and self._ids_repr() not in ("None", "?"):
            from fullfinity.engine.records.prefetch import _load_columns

            for name in names:
                slot = model._fields[name].slot
                if hasattr(self, slot):
                    delattr(self, slot)
            await _load_columns([self], names)

    @classmethod
    async def bulk_create(cls, rows: Sequence[Mapping[str, Any]]) -> Self:
        """Create many records atomically; returns them as a set in input order."""
        from fullfinity.engine.records.persistence import bulk_create

        return cast(Self, await bulk_create(cls._composed_class(), rows))

    @classmethod
    async def get_or_create(cls, defaults: Mapping[str, Any] | None = None, **lookups: Any) -> tuple[Self, bool]:
        """``(record, created)``; safe against a concurrent insert when the lookups are unique."""
        from fullfinity.engine.records.persistence import get_or_create

        record, created = await get_or_create(cls._composed_class(), defaults or {}, lookups)
        return cast(Self, record), created

    @classmethod
    async def _default_get(cls, context: Mapping[str, Any]) -> dict[str, Any]:
        """Default values for a new record: field defaults, then ``default_<field>`` context keys."""
        from fullfinity.engine.records.validation import default_values

        return await default_values(cls._composed_class(), context)

    # -- writing ------------------------------------------------------------------------------------
    async def save(self, *, check_concurrency: bool = False) -> None:
        """Insert (no id yet) or update the changed fields of every record of the set."""
        from fullfinity.engine.records.persistence import save_records

        await save_records(self, check_concurrency=check_concurrency)

    async def delete(self) -> None:
        """Delete the records of the set."""
        from fullfinity.engine.records.persistence import delete_records

        await delete_records(self)

    async def refresh(self) -> None:
        """Reload every stored field from the database, dropping unsaved changes."""
        from fullfinity.engine.records.persistence import refresh_records

        await refresh_records(self)

    async def copy(self, **overrides: Any) -> Self:
        """Insert a duplicate: ``clone=True`` fields copied, others defaulted, ``overrides`` win."""
        from fullfinity.engine.records.persistence import copy_record

        return cast(Self, await copy_record(self.ensure_one(), overrides))

    async def fetch_related(self, *paths: str) -> Self:
        """Load relations (``"lines"``, ``"lines__product"``), non-stored computed fields or missing
        stored fields, for these records and their whole prefetch group, one query per level."""
        from fullfinity.engine.records.prefetch import fetch_related

        await fetch_related(self, paths)
        return self

    async def read_file(self, field_name: str) -> bytes | None:
        """The bytes of a ``File`` field's file."""
        from fullfinity.engine.database.filestore import read_file

        return await read_file(self.ensure_one(), field_name)

    # -- decorators ---------------------------------------------------------------------------------
    @staticmethod
    def calculate(*paths: str, batch: bool = False) -> Callable[[F], F]:
        """Declare the dependencies of a compute method (orm.md section 13).

        ``batch=True``: the method is called once per batch with ``self`` holding every record
        being computed (iterate over it), instead of once per record; for values one query
        answers for a whole set (counts, totals over other models).
        """

        def mark(fn: F) -> F:
            fn._calculate_deps = tuple(paths)  # type: ignore[attr-defined]
            fn._calculate_batch = bool(batch)  # type: ignore[attr-defined]
            return fn

        return mark

    @staticmethod
    def constrain(*field_names: str) -> Callable[[F], F]:
        """A cross-field check run after create and after saves changing one of ``field_names``."""

        def mark(fn: F) -> F:
            fn._constrain_fields = tuple(field_names)  # type: ignore[attr-defined]
            return fn

        return mark

    @staticmethod
    def onchange(*field_names: str) -> Callable[[F], F]:
        """A method run on a form's draft when the user changes one of ``field_names`` (api.md 4.9).

        It runs only in ``POST /api/onchange`` (never on save), on an unsaved in-memory record, and
        may assign any writable field: what it assigns is sent back to the form, which shows it
        (a product chosen on a line filling its description, price and taxes). Computed fields are
        recomputed after it. Save-time defaults stay the job of ``save``.
        """

        def mark(fn: F) -> F:
            fn._onchange_fields = tuple(field_names)  # type: ignore[attr-defined]
            return fn

        return mark

    @overload
    @staticmethod
    def expose(fn: F, *, groups: Sequence[str] | None = None) -> F: ...

    @overload
    @staticmethod
    def expose(fn: None = None, *, groups: Sequence[str] | None = None) -> Callable[[F], F]: ...

    @staticmethod
    def expose(fn: F | None = None, *, groups: Sequence[str] | None = None) -> Any:
        """Mark a method callable through ``POST /api/execute/{model}/{method}``."""

        def mark(inner: F) -> F:
            inner._expose_groups = list(groups or [])  # type: ignore[attr-defined]
            return inner

        return mark(fn) if fn is not None else mark


RecordSet.register(Model)  # relational fields recognise records without importing this module

AsyncMethod = Callable[..., Awaitable[Any]]
