"""Modules and their categories, as each tenant sees them (modules.md 3 and 8.3).

One ``Module`` record per available module, kept in step by every module operation: the
tenant's installed modules and versions are read from here.
"""

from __future__ import annotations

from typing import Any

from fullfinity.engine.base import JSON, Boolean, Char, Integer, ManyToOne, Model, Selection, Text

MODULE_STATES = [("uninstalled", "Not installed"), ("installed", "Installed"), ("to_upgrade", "To upgrade")]


class ModuleCategory(Model):
    _verbose_name = "Module Category"
    _order = "sequence ASC, name ASC"

    name = Char(max_length=120, required=True)
    description = Text()
    sequence = Integer(default=10)


class Module(Model):
    _order = "identifier ASC"
    _rec_name = "name"

    identifier = Char(max_length=120, required=True, unique=True)
    name = Char(max_length=200, required=True)
    description = Text()
    category = ManyToOne("ModuleCategory", related_name="modules", on_delete="SET NULL")
    icon = Char(max_length=80)
    edition = Selection(choices=[("community", "Community"), ("enterprise", "Enterprise")], default="community")
    implicit = Boolean()
    dependencies = JSON()
    state = Selection(choices=MODULE_STATES, required=True, default="uninstalled", index=True)
    installed_version = Char(max_length=64)
    available_version = Char(max_length=64)

    @Model.expose(groups=["core_admin"])
    async def action_install(self, plan: bool = False) -> dict[str, Any]:
        """Install these modules (with missing dependencies) in the current tenant; ``plan``: only report."""
        from fullfinity.installer.actions import module_operation

        return await module_operation(self, "install", plan=plan)

    @Model.expose(groups=["core_admin"])
    async def action_upgrade(self, plan: bool = False) -> dict[str, Any]:
        """Upgrade these installed modules in the current tenant; ``plan``: only report."""
        from fullfinity.installer.actions import module_operation

        return await module_operation(self, "upgrade", plan=plan)

    @Model.expose(groups=["core_admin"])
    async def action_uninstall(self, plan: bool = False, drop_data: bool = False) -> dict[str, Any]:
        """Uninstall these modules; ``drop_data`` also drops their tables and columns; ``plan``: only report."""
        from fullfinity.installer.actions import module_operation

        return await module_operation(self, "uninstall", plan=plan, drop_data=drop_data)
