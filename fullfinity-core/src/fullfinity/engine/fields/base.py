"""``Field``: what every field type shares (options, binding to a model, conversion).

A field is declared in a model class body (``name = Char(max_length=200)``). When the
registry composes a model for a tenant, each field is *bound*: copied into the composed
class with a storage slot, so reading a loaded value is a C-level slot read (the field
subclasses ``property`` with ``operator.attrgetter`` as getter) and costs no Python
call. Reading a field that was not loaded falls through to ``Model.__getattr__``, which
raises ``FieldNotLoadedError`` with advice. On the class, ``Model.name`` returns the
field itself, for introspection.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from operator import attrgetter
from typing import TYPE_CHECKING, Any, ClassVar, Generic, Self, TypedDict, TypeVar, overload

from typing_extensions import Unpack

__all__ = ["Field", "FieldOptions", "FieldValueError", "slot_name"]

T = TypeVar("T")

COMMON_OPTIONS = (
    "required",
    "default",
    "description",
    "hint",
    "readonly",
    "index",
    "unique",
    "clone",
    "store",
    "calculate",
    "setter",
    "calculate_elevated",
    "company_scoped",
    "groups",
    "validators",
    "prefix_field",
    "suffix_field",
)


class FieldOptions(TypedDict, total=False):
    """Options common to every field (orm.md section 8)."""

    required: bool
    default: Any
    description: str | None
    hint: str | None
    readonly: bool
    index: bool
    unique: bool
    clone: bool
    store: bool
    calculate: str | None
    setter: str | None
    calculate_elevated: bool
    company_scoped: bool
    groups: Sequence[str]
    validators: Sequence[Callable[..., Any]]
    prefix_field: str | None
    suffix_field: str | None


_DEFAULTS: dict[str, Any] = {
    "required": False,
    "default": None,
    "description": None,
    "hint": None,
    "readonly": False,
    "index": False,
    "unique": False,
    "clone": True,
    "store": True,
    "calculate": None,
    "setter": None,
    "calculate_elevated": False,
    "company_scoped": False,
    "groups": (),
    "validators": (),
    "prefix_field": None,
    "suffix_field": None,
}


class FieldValueError(ValueError):
    """A value refused by a field's conversion; the ORM adds the field path."""


def slot_name(field_name: str) -> str:
    """The instance slot holding a field's loaded value."""
    return "_f_" + field_name


def _describe(name: str) -> str:
    return name.replace("_", " ").strip().capitalize()


class Field(property, Generic[T]):
    """Base of every field type. Options are those of orm.md section 8."""

    #: PostgreSQL column type (DDL); ``None`` for fields without a column.
    sql_type: ClassVar[str | None] = None
    #: Element type used for arrays/unnest casts of this field's values.
    param_type: ClassVar[str] = "text"
    #: Name shown in metadata and errors ("Char", "Integer", ...).
    type_name: ClassVar[str] = "Field"
    #: Fields that are relations override this.
    relational: ClassVar[bool] = False

    name: str
    model_name: str
    automatic: bool
    #: The instance slot holding the loaded value (``_f_<name>``), kept in step with ``name``.
    slot: str
    # Options (orm.md section 8), set from the constructor keywords.
    required: bool
    default: Any
    description: str | None
    hint: str | None
    readonly: bool
    index: bool
    unique: bool
    clone: bool
    store: bool
    calculate: str | None
    setter: str | None  # type: ignore[assignment]  # the option shadows property.setter, unused here
    calculate_elevated: bool
    company_scoped: bool
    groups: list[str]
    validators: list[Callable[..., Any]]
    prefix_field: str | None
    suffix_field: str | None

    def __init__(self, **options: Unpack[FieldOptions]) -> None:
        property.__init__(self)
        unknown = sorted(set(options) - set(COMMON_OPTIONS))
        if unknown:
            raise TypeError(
                f"{type(self).__name__}() got unknown option(s) {unknown}. Valid options: "
                f"{', '.join(COMMON_OPTIONS)}{self._type_option_names()}."
            )
        for key in COMMON_OPTIONS:
            value: Any = options.get(key, _DEFAULTS[key])
            if key in ("groups", "validators"):
                value = list(value)
            setattr(self, key, value)
        self.name = ""
        self.slot = ""
        self.model_name = ""
        self.automatic = False
        # Keywords given explicitly: an extension redeclaring a field merges only these.
        self._given: dict[str, Any] = dict(options)

    @classmethod
    def _type_option_names(cls) -> str:
        return ""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name
        self.slot = slot_name(name)
        if self.description is None:
            self.description = _describe(name)

    # -- typing: how static checkers see record.field -----------------------------------
    if TYPE_CHECKING:

        @overload
        def __get__(self, instance: None, owner: type | None = None, /) -> Self: ...

        @overload
        def __get__(self, instance: object, owner: type | None = None, /) -> T: ...

        def __get__(self, instance: object | None, owner: type | None = None, /) -> T | Self: ...

        def __set__(self, instance: object, value: T | None, /) -> None: ...

    # -- identity ---------------------------------------------------------------------
    @property
    def column(self) -> str | None:
        """The column name, or ``None`` when the field has no column."""
        return self.name if self.store and self.sql_type is not None else None

    @property
    def is_computed(self) -> bool:
        return self.calculate is not None

    @property
    def writable(self) -> bool:
        """Writable by API callers (server code may still assign read-only fields)."""
        return not self.automatic and not self.readonly and (self.calculate is None or self.setter is not None)

    # -- composition ------------------------------------------------------------------
    def options(self) -> dict[str, Any]:
        """Every constructor option with its current value."""
        return {key: getattr(self, key) for key in COMMON_OPTIONS} | self._type_options()

    def _type_options(self) -> dict[str, Any]:
        return {}

    def merged(self, other: Field[Any]) -> Field[Any]:
        """This field with the keywords explicitly given to ``other`` (an extension's redeclaration)."""
        if type(other) is not type(self):
            raise TypeError(
                f"Field {self.model_name}.{self.name} is a {self.type_name}; an extension redeclares it as "
                f"{other.type_name}. Changing a field's type is not allowed: redeclare it with the same class."
            )
        result = self.copy()
        for key, value in other._given.items():
            if key != "__args__":
                setattr(result, key, value)
        result._given = {**self._given, **other._given}
        return result

    def copy(self) -> Self:
        """An unbound copy with the same options."""
        clone = type(self).__new__(type(self))
        property.__init__(clone)
        clone.__dict__.update(self.__dict__)
        clone.validators = list(self.validators)
        clone.groups = list(self.groups)
        return clone

    def bind(self, model_name: str, name: str, setter: Callable[[Any, Any], None]) -> Self:
        """A copy installed on a composed model: C-level getter on the slot, ``setter`` for writes."""
        bound = type(self).__new__(type(self))
        bound.__dict__.update(self.__dict__)
        property.__init__(bound, bound._make_getter(name), setter)
        bound.name = name
        bound.slot = slot_name(name)
        bound.model_name = model_name
        if bound.description is None:
            bound.description = _describe(name)
        return bound

    def _make_getter(self, name: str) -> Callable[[Any], Any]:
        return attrgetter(slot_name(name))

    # -- values -------------------------------------------------------------------------
    def convert(self, value: Any) -> Any:
        """Check and convert a value assigned by code or the API; ``None`` is always accepted here."""
        return value

    def convert_filter(self, value: Any) -> Any:
        """Convert a value compared against this field in a filter (lenient: no length/choice checks)."""
        return self.convert(value)

    def convert_filter_many(self, values: Iterable[Any]) -> list[Any]:
        """``convert_filter`` of each value of an ``in`` list (fields with a cheaper batch form override it)."""
        return [self.convert_filter(v) for v in values]

    def to_db(self, value: Any) -> Any:
        """The value to send as a bind parameter."""
        return value

    def select_sql(self, qualified_column: str) -> str:
        """SQL expression that selects this field's value (casts happen here, not in Python)."""
        return qualified_column

    def check_sql(self) -> str | None:
        """A CHECK constraint expression on the column, if the type has one."""
        return None

    def empty_value(self) -> Any:
        """What a record reads when the value is NULL/absent (``False`` for Boolean)."""
        return None

    def is_empty(self, value: Any) -> bool:
        return value is None

    def __repr__(self) -> str:
        where = f"{self.model_name}.{self.name}" if self.model_name else self.name or "?"
        return f"<{self.type_name} {where}>"
