"""When a stage becomes (or stops being) a won stage, the leads already in it follow."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fullfinity.engine.context import env_ctx

from . import _scoring

__all__ = ["settle_stages"]


async def settle_stages(stage_ids: Sequence[int]) -> None:
    """Re-apply the state rules to the active leads of these stages, then rebuild the history.

    Their state changed without their row changing (the stage's ``is_won`` did): rewriting
    ``stage`` with the same value runs ``CrmLead.save``'s rules on them. Elevated: a
    configuration change settles every lead, whoever may see it.
    """
    env = env_ctx.get()
    lead_model: Any = env.get_model("CrmLead")
    with env.sudo():
        leads = await lead_model.with_fields("stage").filter(stage__in=list(stage_ids), active=True)
        for lead in leads:
            lead.stage = lead.stage.id
            await lead.save()
        await _scoring.recompute_all(env)
