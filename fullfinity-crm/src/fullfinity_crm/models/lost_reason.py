"""Why opportunities are lost (chosen when marking one lost)."""

from __future__ import annotations

from fullfinity.engine.base import Boolean, Char, Model


class CrmLostReason(Model):
    _verbose_name = "Lost Reason"
    _order = "name ASC"

    name = Char(max_length=120, required=True)
    active = Boolean(default=True)
