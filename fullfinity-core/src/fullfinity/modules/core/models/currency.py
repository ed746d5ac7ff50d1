"""Currencies and countries (reference data)."""

from __future__ import annotations

from fullfinity.engine.base import Boolean, Char, Integer, Model


class Currency(Model):
    _rec_name = "code"
    _order = "code ASC"

    code = Char(max_length=3, required=True, unique=True)
    name = Char(max_length=80, required=True)
    symbol = Char(max_length=8)
    decimal_places = Integer(default=2)
    active = Boolean(default=True)


class Country(Model):
    _order = "name ASC"

    name = Char(max_length=120, required=True)
    code = Char(max_length=2, required=True, unique=True)
