"""The glue's setting, on the CRM tab of the Configuration form."""

from __future__ import annotations

from fullfinity.engine.base import Boolean, Model


class Configuration(Model):
    __inherit__ = "Configuration"

    crm_invoicing_won_on_post = Boolean(
        default=False,
        description="Won on first invoice",
        hint="Posting the first customer invoice of an open opportunity marks the opportunity won.",
    )
