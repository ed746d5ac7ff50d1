"""Warehouses: each brings its view and stock locations and its three operation types.

Creating a warehouse (``Warehouse.create``, a data file, the API) creates ``<CODE>`` (a view location),
``<CODE>/Stock`` (internal) and the operation types Receipts (``<CODE>/IN/``), Delivery Orders
(``<CODE>/OUT/``) and Internal Transfers (``<CODE>/INT/``), wired to the tenant's virtual locations.
"""

from __future__ import annotations

from typing import Any

from fullfinity.engine.base import Char, ManyToOne, Model, UserError

#: identifier of the shipped virtual location -> its role
VIRTUAL = {
    "supplier": "inventory_location_vendors",
    "customer": "inventory_location_customers",
    "inventory": "inventory_location_inventory",
    "scrap": "inventory_location_scrap",
    "transit": "inventory_location_transit",
}


async def virtual_location(env: Any, usage: str) -> int:
    """The id of the tenant's virtual location of ``usage`` (vendors, customers, inventory, scrap...)."""
    found = await env.fetchval(
        "SELECT l.id FROM location l LEFT JOIN ff_identifier i ON i.res_id = l.id AND i.model = 'Location' "
        "AND i.identifier = $2 WHERE l.usage = $1 ORDER BY (i.identifier IS NULL), l.id LIMIT 1",
        usage,
        VIRTUAL.get(usage, ""),
    )
    if found is None:
        raise UserError(
            f"No {usage} location exists: the inventory module's data creates one; create a location with "
            f"Type = {usage} or upgrade the module."
        )
    return int(found)


class Warehouse(Model):
    _order = "name ASC, id ASC"
    _search_fields = ["name", "code"]

    name = Char(max_length=120, required=True)
    code = Char(max_length=8, required=True, unique=True, hint="Short name; prefixes locations and numbers (WH/IN/)")
    partner = ManyToOne("Contact", on_delete="SET NULL", description="Address")
    view_location = ManyToOne("Location", on_delete="RESTRICT", readonly=True)
    stock_location = ManyToOne("Location", on_delete="RESTRICT", readonly=True)
    receipt_type = ManyToOne("OperationType", on_delete="SET NULL", readonly=True)
    delivery_type = ManyToOne("OperationType", on_delete="SET NULL", readonly=True)
    internal_type = ManyToOne("OperationType", on_delete="SET NULL", readonly=True)

    async def save(self, *, check_concurrency: bool = False) -> None:
        new = [rec for rec in self if rec.id is None]
        await super().save(check_concurrency=check_concurrency)
        for rec in new:
            await _equip(rec)


async def _equip(warehouse: Any) -> None:
    """Create the locations and operation types of a new warehouse and link them to it."""
    env = warehouse.env
    locations = env.get_model("Location")
    types = env.get_model("OperationType")
    code = warehouse.code
    view = await locations.create(name=code, usage="view", warehouse=warehouse.id)
    stock = await locations.create(name="Stock", usage="internal", parent=view.id, warehouse=warehouse.id)
    vendors = await virtual_location(env, "supplier")
    customers = await virtual_location(env, "customer")
    made = {}
    for kind, name, prefix, source, destination, sequence in (
        ("incoming", "Receipts", f"{code}/IN/", vendors, stock.id, 10),
        ("outgoing", "Delivery Orders", f"{code}/OUT/", stock.id, customers, 20),
        ("internal", "Internal Transfers", f"{code}/INT/", stock.id, stock.id, 30),
    ):
        made[kind] = await types.create(
            name=name, code=kind, warehouse=warehouse.id, prefix=prefix, default_source=source,
            default_destination=destination, sequence=sequence,
        )  # fmt: skip
    await made["incoming"].update_return_type(made["outgoing"].id)
    await made["outgoing"].update_return_type(made["incoming"].id)
    warehouse.view_location = view.id
    warehouse.stock_location = stock.id
    warehouse.receipt_type = made["incoming"].id
    warehouse.delivery_type = made["outgoing"].id
    warehouse.internal_type = made["internal"].id
    await warehouse.save()
