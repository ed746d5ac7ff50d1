"""The "Lots & serial numbers" setting (``Configuration.inventory_lots``), honoured everywhere.

Off, products are moved as if they had no tracking: validation asks no lot and no serial number,
and the screens hide lots. On again, tracking applies to what moves from then on; lots already
in stock keep their quants (nothing is rewritten).

Two pieces:

- ``TRACKING_SQL``: the tracking a product has for the stock operations, ``p.tracking`` while the
  setting is on and ``'none'`` while it is off, read in the same statement as the moves;
- the feature group ``inventory_lots``, implied by ``inventory_user`` exactly while the setting is
  on (``sync_lots_group``, run when the setting is saved and after install or upgrade). Lot fields,
  the tracking field and the Lots menu carry ``groups: [inventory_lots]``, so the server leaves
  them out of the views it sends (views.md section 5) for everybody while the setting is off.
"""

from __future__ import annotations

from typing import Any

__all__ = ["TRACKING_SQL", "lots_in_use", "sync_lots_group"]

#: ``Configuration.inventory_lots`` in SQL: true when no configuration row exists yet (the default).
LOTS_IN_USE_SQL = "coalesce((SELECT c.inventory_lots FROM configuration c ORDER BY c.id LIMIT 1), true)"

#: A product's tracking as the stock operations apply it (``p`` is the product's alias).
TRACKING_SQL = f"CASE WHEN {LOTS_IN_USE_SQL} THEN p.tracking ELSE 'none' END"


async def lots_in_use(env: Any) -> bool:
    return bool(await env.fetchval(f"SELECT {LOTS_IN_USE_SQL}"))


async def sync_lots_group(env: Any) -> None:
    """Link or unlink ``inventory_user`` -> ``inventory_lots`` to match the setting."""
    ids = {
        r["identifier"]: r["res_id"]
        for r in await env.fetch(
            "SELECT identifier, res_id FROM ff_identifier WHERE identifier IN ('inventory_user', 'inventory_lots') "
            "AND model = 'Group'"
        )
    }
    if len(ids) < 2:  # installing: the groups' data is not loaded yet
        return
    user, lots = ids["inventory_user"], ids["inventory_lots"]
    linked = await env.fetchval(
        "SELECT EXISTS (SELECT 1 FROM group__implied_groups WHERE source_id = $1 AND target_id = $2)", user, lots
    )
    wanted = await lots_in_use(env)
    if linked == wanted:
        return
    with env.sudo():  # a setting any inventory manager may change; group edits need core_admin
        group = await env["Group"].get(user)
        group.implied_groups = [["L" if wanted else "U", lots]]
        await group.save()
