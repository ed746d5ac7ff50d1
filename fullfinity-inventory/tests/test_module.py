"""The inventory module passes the generic module checks (installs with its demo data, access rights,
actions and menus, idempotent upgrade, uninstall without orphans)."""

from fullfinity.testing import ModuleChecks


class TestInventoryModule(ModuleChecks):
    module = "inventory"


class TestInventoryInvoicingModule(ModuleChecks):
    module = "inventory_invoicing"
