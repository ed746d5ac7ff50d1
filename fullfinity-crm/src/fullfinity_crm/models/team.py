"""Sales teams: who works a share of the pipeline."""

from __future__ import annotations

from fullfinity.engine.base import Boolean, Char, Integer, ManyToMany, ManyToOne, Model


class CrmTeam(Model):
    _verbose_name = "Sales Team"
    _order = "sequence ASC, name ASC"

    name = Char(max_length=120, required=True)
    leader = ManyToOne("User", on_delete="SET NULL", description="Team leader")
    members = ManyToMany("User", related_name="crm_teams", description="Salespeople")
    sequence = Integer(default=10)
    active = Boolean(default=True)
