"""Tags on leads and opportunities (also a factor of the automatic probability)."""

from __future__ import annotations

from fullfinity.engine.base import Char, Model


class CrmTag(Model):
    _verbose_name = "Tag"
    _order = "name ASC"
    _unique_together = [("name",)]

    name = Char(max_length=80, required=True)
    color = Char(max_length=20, description="Colour", hint="A colour name (blue, teal...) or #rrggbb")
