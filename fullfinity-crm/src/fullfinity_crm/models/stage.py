"""Pipeline stages: the columns of the board, in ``sequence`` order.

A stage with ``is_won`` closes the opportunities that reach it as won; a stage with a ``team``
belongs to that team's pipeline only (no team: shared by every team). Turning ``is_won`` on or
off settles the leads already in the stage (won with probability 100, or reopened), and the
won/lost history the automatic probability learns from is rebuilt.
"""

from __future__ import annotations

from typing import Any

from fullfinity.engine.base import Boolean, Char, Integer, ManyToOne, Model, Text


class CrmStage(Model):
    _verbose_name = "Stage"
    _order = "sequence ASC, id ASC"

    name = Char(max_length=120, required=True)
    sequence = Integer(default=1, hint="Order of the stages in the pipeline (lowest first).")
    fold = Boolean(description="Folded in the pipeline", hint="The column starts folded on the board.")
    is_won = Boolean(description="Won stage", hint="Opportunities reaching this stage are won.")
    requirements = Text(hint="What must be true before an opportunity moves to this stage.")
    team = ManyToOne("CrmTeam", related_name="stages", on_delete="SET NULL", description="Sales team",
                     hint="Empty: the stage is shared by every team.")  # fmt: skip

    async def save(self, *args: Any, **kwargs: Any) -> None:
        changed = [rec.id for rec in self if rec.id is not None and "is_won" in (rec._changes or {})]
        await super().save(*args, **kwargs)
        if changed:
            from ._stage_settle import settle_stages

            await settle_stages(changed)
