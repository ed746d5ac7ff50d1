"""Field types, one family a file; this module gathers them (orm.md section 7).

The fields room: ``base.py`` (``Field``: a property whose getter reads a slot), ``scalar.py``,
``temporal.py``, ``binary.py``, ``relational.py``. Fields import no other room (``context`` for
the user's timezone); they tell a record from an id through ``relational.RecordSet``, with
which ``Model`` registers itself.
"""

from __future__ import annotations

from fullfinity.engine.fields.base import Field, FieldValueError
from fullfinity.engine.fields.binary import JSON, Binary, File
from fullfinity.engine.fields.relational import ManyToMany, ManyToOne, OneToMany, OneToOne
from fullfinity.engine.fields.scalar import Boolean, Char, Float, Integer, Monetary, Numeric, Selection, Text
from fullfinity.engine.fields.temporal import Date, Datetime

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
