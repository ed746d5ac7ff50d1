"""The tenant's settings record (one record, identifier ``core_configuration``)."""

from __future__ import annotations

from fullfinity.engine.base import Char, ManyToOne, Model


class Configuration(Model):
    _verbose_name = "Configuration"

    name = Char(max_length=120, required=True, default="Settings")
    company = ManyToOne("Company", on_delete="SET NULL", description="The tenant's main company.")
    lang = Char(max_length=16, default="en")
    tz = Char(max_length=64, default="UTC")
