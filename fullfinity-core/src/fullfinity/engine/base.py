"""What a module author imports: ``from fullfinity.engine.base import *``.

Models, every field class, ``Q`` and ``D``, ``get_model``, ``env_ctx`` and the ORM
exceptions. This list is part of the public contract (a test keeps it complete and
sorted).
"""

from fullfinity.engine.context import env_ctx
from fullfinity.engine.exceptions import (
    AccessError,
    ConcurrencyError,
    FieldNotLoadedError,
    IntegrityError,
    MissingError,
    UserError,
    ValidationError,
)
from fullfinity.engine.fields import (
    JSON,
    Binary,
    Boolean,
    Char,
    Date,
    Datetime,
    Field,
    File,
    Float,
    Integer,
    ManyToMany,
    ManyToOne,
    Monetary,
    Numeric,
    OneToMany,
    OneToOne,
    Selection,
    Text,
)
from fullfinity.engine.qlang.dates import D
from fullfinity.engine.qlang.q import Q
from fullfinity.engine.records.models import Model
from fullfinity.engine.records.registry import get_model

__all__ = [
    "JSON",
    "AccessError",
    "Binary",
    "Boolean",
    "Char",
    "ConcurrencyError",
    "D",
    "Date",
    "Datetime",
    "Field",
    "FieldNotLoadedError",
    "File",
    "Float",
    "Integer",
    "IntegrityError",
    "ManyToMany",
    "ManyToOne",
    "MissingError",
    "Model",
    "Monetary",
    "Numeric",
    "OneToMany",
    "OneToOne",
    "Q",
    "Selection",
    "Text",
    "UserError",
    "ValidationError",
    "env_ctx",
    "get_model",
]
