"""One record per model of the tenant: what ``model:`` references in data files name (modules.md 8.4)."""

from __future__ import annotations

from fullfinity.engine.base import Boolean, Char, Model


class ModelRegistry(Model):
    _verbose_name = "Model"
    _order = "name ASC"

    name = Char(max_length=120, required=True, unique=True)
    table_name = Char(max_length=120, required=True)
    verbose_name = Char(max_length=200)
    modules = Char(max_length=500, description="Modules defining or extending the model, in install order.")
    transient = Boolean()
