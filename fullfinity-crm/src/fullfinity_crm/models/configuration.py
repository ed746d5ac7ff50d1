"""The CRM's settings: the CRM tab of the tenant's Configuration form."""

from __future__ import annotations

from fullfinity.engine.base import Boolean, Integer, ManyToOne, Model, ValidationError


def _positive(value: int | None) -> None:
    if value is not None and value < 1:
        raise ValidationError("must be at least 1")


class Configuration(Model):
    __inherit__ = "Configuration"

    crm_use_leads = Boolean(
        default=True,
        description="Leads",
        hint="Qualify incoming requests as leads before they become opportunities; off: they go straight to the "
        "pipeline as opportunities.",
    )
    crm_default_team = ManyToOne(
        "CrmTeam", on_delete="SET NULL", description="Default sales team", hint="Team of leads from the website form"
    )
    crm_lead_capture_rate = Integer(
        required=True,
        default=5,
        validators=[_positive],
        description="Website form posts per minute",
        hint="Lead-capture posts accepted per minute from one address; more are refused with 429.",
    )
