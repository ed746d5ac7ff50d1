"""Accounting on products and categories: default taxes and accounts of invoice lines."""

from __future__ import annotations

from fullfinity.engine.base import ManyToMany, ManyToOne, Model


class Product(Model):
    __inherit__ = "Product"

    sale_taxes = ManyToMany("Tax", hint="Taxes of customer invoice lines of this product")
    purchase_taxes = ManyToMany("Tax", hint="Taxes of vendor bill lines of this product")
    income_account = ManyToOne("Account", on_delete="RESTRICT", hint="Default: the category's, then the settings'")
    expense_account = ManyToOne("Account", on_delete="RESTRICT", hint="Default: the category's, then the settings'")


class ProductCategory(Model):
    __inherit__ = "ProductCategory"

    income_account = ManyToOne("Account", on_delete="RESTRICT", hint="Default: the parent's, then the settings'")
    expense_account = ManyToOne("Account", on_delete="RESTRICT", hint="Default: the parent's, then the settings'")
