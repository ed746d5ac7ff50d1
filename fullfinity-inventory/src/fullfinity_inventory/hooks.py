"""Module lifecycle hooks of inventory (called in tenants holding it).

- after any install or upgrade: the database invariants (unique quants, immutable done moves),
  and the lots feature group in step with the "Lots & serial numbers" setting;
- after installing inventory: a first warehouse ``WH`` when there is none, administrators get
  the Inventory Administrator group; in a demo tenant, the demo stock and transfers;
- before uninstalling inventory: the invariants are dropped.
"""

from __future__ import annotations

from typing import Any

from fullfinity.engine.base import Q
from fullfinity.plugins import hookimpl
from fullfinity_inventory.stock.database import drop_invariants, install_invariants
from fullfinity_inventory.stock.lots_setting import sync_lots_group


async def _administrators(env: Any) -> None:
    group = await env.fetchval("SELECT res_id FROM ff_identifier WHERE identifier = 'inventory_manager'")
    user_group = await env.fetchval("SELECT res_id FROM ff_identifier WHERE identifier = 'inventory_user'")
    admin = await env.fetchval("SELECT id FROM \"group\" WHERE name = 'Administrator' AND category = 'Administration'")
    users = env["User"]
    if admin is not None and group is not None:
        for user in await users.filter(groups__id=admin).filter(groups__none=Q(category="Inventory")):
            user.groups = [["L", group]]
            await user.save()
    if user_group is not None:
        for user in await users.filter(email="user@demo.example.com").filter(groups__none=Q(category="Inventory")):
            user.groups = [["L", user_group]]
            await user.save()


@hookimpl
async def fullfinity_post_install(env: Any, module: str) -> None:
    if "Quant" not in env.registry:
        return
    await install_invariants(env)
    await sync_lots_group(env)
    if module == "inventory":
        if not await env.fetchval("SELECT EXISTS (SELECT 1 FROM warehouse)"):
            await env["Warehouse"].create(name="Main Warehouse", code="WH")
        await _administrators(env)
        from fullfinity_inventory.demo import create_demo

        await create_demo(env)


@hookimpl
async def fullfinity_post_upgrade(env: Any, module: str, from_version: str, to_version: str) -> None:
    if "Quant" in env.registry:
        await install_invariants(env)
        await sync_lots_group(env)


@hookimpl
async def fullfinity_pre_uninstall(env: Any, module: str) -> None:
    if module == "inventory":
        await drop_invariants(env)
