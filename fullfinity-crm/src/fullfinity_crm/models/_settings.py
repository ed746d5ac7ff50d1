"""The CRM settings and the defaults they give (read elevated, through the query cache)."""

from __future__ import annotations

from dataclasses import dataclass

from fullfinity.engine.base import Q
from fullfinity.engine.context import env_ctx

__all__ = ["CrmSettings", "crm_settings", "default_currency", "default_team"]


@dataclass(frozen=True)
class CrmSettings:
    use_leads: bool
    default_team: int | None
    lead_capture_rate: int
    company: int | None


async def crm_settings() -> CrmSettings:
    """The tenant's CRM settings (the single Configuration record)."""
    env = env_ctx.get()
    model = env.get_model("Configuration")
    with env.sudo():
        rows = (
            await model.with_fields("crm_use_leads", "crm_default_team", "crm_lead_capture_rate", "company")
            .order_by("id ASC")
            .cached()
        )
    if not rows:
        return CrmSettings(True, None, 5, None)
    row = rows[0]
    return CrmSettings(
        use_leads=bool(row.crm_use_leads),
        default_team=row.crm_default_team.id if row.crm_default_team else None,
        lead_capture_rate=int(row.crm_lead_capture_rate or 5),
        company=row.company.id if row.company else None,
    )


async def default_team() -> int | None:
    """The settings' default team; else a team the user leads or belongs to; else the first team."""
    env = env_ctx.get()
    settings = await crm_settings()
    if settings.default_team is not None:
        return settings.default_team
    model = env.get_model("CrmTeam")
    elevated = env.is_elevated
    with env.sudo():
        teams = await model.with_fields("leader").cached()
        if not elevated and teams:
            await teams.fetch_related("members")
    ids = [t.id for t in teams]
    if not elevated:
        for team in teams:
            if (team.leader and team.leader.id == env.uid) or env.uid in team.members.ids:
                return int(team.id)
    return int(ids[0]) if ids else None


async def default_currency() -> int | None:
    """The currency of the tenant's main company."""
    env = env_ctx.get()
    company_id = (await crm_settings()).company
    if company_id is None:
        return None
    with env.sudo():
        rows = await env.get_model("Company").with_fields("currency").filter(Q(id=company_id)).cached()
    return rows[0].currency.id if rows and rows[0].currency else None
