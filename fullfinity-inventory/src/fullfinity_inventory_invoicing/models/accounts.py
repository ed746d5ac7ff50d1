"""Valuation accounts: on the product category (optional) and in the Inventory settings (defaults)."""

from __future__ import annotations

from fullfinity.engine.base import ManyToOne, Model


class ProductCategory(Model):
    __inherit__ = "ProductCategory"

    stock_valuation_account = ManyToOne("Account", on_delete="RESTRICT", hint="Default: the settings'")
    stock_input_account = ManyToOne("Account", on_delete="RESTRICT", hint="Goods received; default: the settings'")
    stock_output_account = ManyToOne("Account", on_delete="RESTRICT", hint="Goods delivered; default: the settings'")


class Configuration(Model):
    __inherit__ = "Configuration"

    inventory_valuation_journal = ManyToOne("Journal", on_delete="SET NULL", description="Stock valuation journal")
    inventory_valuation_account = ManyToOne("Account", on_delete="SET NULL", description="Stock valuation account")
    inventory_input_account = ManyToOne("Account", on_delete="SET NULL", description="Stock input account")
    inventory_output_account = ManyToOne("Account", on_delete="SET NULL", description="Stock output account")
