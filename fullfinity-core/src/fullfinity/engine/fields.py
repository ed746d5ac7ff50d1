"""Field types, one family a file; this module gathers them (orm.md section 7)."""

from __future__ import annotations

from fullfinity.engine.fields_base import Field, FieldValueError
from fullfinity.engine.fields_binary import JSON, Binary, File
from fullfinity.engine.fields_relational import ManyToMany, ManyToOne, OneToMany, OneToOne
from fullfinity.engine.fields_scalar import Boolean, Char, Float, Integer, Monetary, Numeric, Selection, Text
from fullfinity.engine.fields_temporal import Date, Datetime

__all__ = [
    "JSON",
    "Binary",
    "Boolean",
    "Char",
    "Date",
    "Datetime",
    "Field",
    "FieldValueError",
    "File",
    "Float",
    "Integer",
    "ManyToMany",
    "ManyToOne",
    "Monetary",
    "Numeric",
    "OneToMany",
    "OneToOne",
    "Selection",
    "Text",
]
