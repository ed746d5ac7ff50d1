"""The backorder wizard: less than the demand was picked; keep the rest waiting, or drop it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fullfinity.engine.base import ManyToMany, Model


class BackorderWizard(Model):
    _verbose_name = "Create Backorder?"
    _transient = True

    transfers = ManyToMany("Transfer")

    @classmethod
    async def _default_get(cls, context: Mapping[str, Any]) -> dict[str, Any]:
        values = await super()._default_get(context)
        if context.get("active_model", "Transfer") == "Transfer":
            values.setdefault("transfers", list(context.get("active_ids") or []))
        return values

    async def _validate(self, backorder: bool) -> dict[str, Any]:
        from fullfinity_inventory.stock import operations

        wizard = self.ensure_one()
        await wizard.fetch_related("transfers")
        await operations.validate(self.env, [t.id for t in wizard.transfers], backorder=backorder)
        return {"type": "close", "reload": True}

    @Model.expose(groups=["inventory_user"])
    async def action_create_backorder(self) -> dict[str, Any]:
        """Validate; what was not picked waits in a new transfer (the backorder)."""
        return await self._validate(True)

    @Model.expose(groups=["inventory_user"])
    async def action_no_backorder(self) -> dict[str, Any]:
        """Validate; what was not picked is dropped."""
        return await self._validate(False)
