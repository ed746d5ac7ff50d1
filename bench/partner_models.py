"""The peer harness's two models (../shared/bench/peers: ``country`` and ``partner``) as Fullfinity
models: what bench/peers_adapter.py and bench/scale_bench.py read and write."""

from __future__ import annotations

from fullfinity.engine.base import Boolean, Char, Float, ManyToOne, Model, Text

__all__ = ["FULL", "Country", "Partner"]

#: The canonical fields a "full" read of a partner consumes.
FULL = ("name", "email", "phone", "active", "credit_limit", "notes", "country")


class Country(Model):
    name = Char(max_length=100, required=True)
    code = Char(max_length=3, required=True)


class Partner(Model):
    name = Char(max_length=200, required=True)
    email = Char(max_length=200)
    phone = Char(max_length=50)
    active = Boolean(default=True)
    credit_limit = Float()
    notes = Text()
    country = ManyToOne("Country", related_name="partners")
