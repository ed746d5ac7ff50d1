"""Taxes and tax groups (business.md 2). The arithmetic is in ``fullfinity_invoicing.taxes``."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from fullfinity.engine.base import (
    Boolean,
    Char,
    Integer,
    ManyToMany,
    ManyToOne,
    Model,
    Numeric,
    Selection,
    ValidationError,
)
from fullfinity_invoicing.taxes import TaxSpec

TAX_USES = [("sale", "Sales"), ("purchase", "Purchases"), ("none", "None (only inside groups)")]
AMOUNT_TYPES = [
    ("percent", "Percentage of the price"),
    ("fixed", "Fixed amount per unit"),
    ("division", "Percentage of the tax-included price"),
    ("group", "Group of taxes"),
]
#: Fields whose change alters the amounts of documents using the tax.
COMPUTING_FIELDS = frozenset({"amount_type", "amount", "price_include", "include_base_amount", "sequence", "children"})


class TaxGroup(Model):
    _verbose_name = "Tax Group"
    _order = "sequence ASC, name ASC"

    name = Char(max_length=120, required=True)
    sequence = Integer(default=10)


class Tax(Model):
    _order = "sequence ASC, id ASC"
    _search_fields = ["name", "description"]

    name = Char(max_length=120, required=True)
    description = Char(max_length=120, description="Label on documents")
    type_tax_use = Selection(choices=TAX_USES, required=True, default="sale", description="Used on")
    amount_type = Selection(choices=AMOUNT_TYPES, required=True, default="percent", description="Computation")
    amount = Numeric(digits=(16, 4), required=True, default=Decimal(0), hint="Rate in % (fixed: amount per unit)")
    price_include = Boolean(description="Included in price", hint="Prices of lines with this tax include it.")
    include_base_amount = Boolean(
        description="Affects later taxes", hint="Its amount is added to the base of the taxes that follow it."
    )
    sequence = Integer(default=10, hint="Taxes of a line apply in this order.")
    tax_group = ManyToOne("TaxGroup", on_delete="RESTRICT", description="Tax group")
    account = ManyToOne("Account", on_delete="RESTRICT", hint="Where invoices book this tax.")
    refund_account = ManyToOne("Account", on_delete="RESTRICT", hint="Where credit notes book it (default: account).")
    children = ManyToMany("Tax", related_name="parent_groups", hint="The taxes of a group (group taxes only).")
    active = Boolean(default=True)

    _sql_constraints = [
        ("division_below_100", "amount_type <> 'division' OR amount < 100", "A division tax needs a rate below 100 %."),
    ]

    @Model.constrain("amount_type", "amount")
    async def _check_group(self) -> None:
        if self.amount_type == "group" and self.amount not in (None, 0):
            raise ValidationError({"amount": "a group tax has no rate of its own: its children have"})

    async def save(self, *, check_concurrency: bool = False) -> None:
        changed = [rec.id for rec in self if rec.id is not None and COMPUTING_FIELDS & set(rec._changes or {})]
        await super().save(check_concurrency=check_concurrency)
        if changed:  # draft documents using the tax get their amounts again
            from fullfinity_invoicing.models._amounts import refresh_drafts_using_taxes

            await refresh_drafts_using_taxes(self.env, changed)


async def tax_specs(env: Any, ids: Iterable[int]) -> tuple[dict[int, TaxSpec], dict[int, list[int]]]:
    """Specs of the taxes ``ids`` and of their children (one query per group level), and the
    children of each group tax."""
    specs: dict[int, TaxSpec] = {}
    children: dict[int, list[int]] = {}
    todo = sorted(set(ids))
    relation = env["Tax"]._fields["children"].relation
    while todo:
        rows = await env.fetch(
            "SELECT id, name, amount_type, amount, price_include, include_base_amount, sequence, tax_group_id, "
            "account_id, refund_account_id FROM tax WHERE id = ANY($1::bigint[])",
            todo,
        )
        for r in rows:
            specs[r["id"]] = TaxSpec(
                r["id"], r["amount_type"], r["amount"], r["price_include"], r["include_base_amount"], r["sequence"],
                r["tax_group_id"], r["account_id"], r["refund_account_id"], r["name"],
            )  # fmt: skip
        groups = [r["id"] for r in rows if r["amount_type"] == "group"]
        todo = []
        if groups and relation is not None:
            table, this_col, other_col = relation
            links = await env.fetch(
                f'SELECT "{this_col}" AS parent, "{other_col}" AS child FROM "{table}" '
                f'WHERE "{this_col}" = ANY($1::bigint[])',
                groups,
            )
            for link in links:
                children.setdefault(link["parent"], []).append(link["child"])
                if link["child"] not in specs:
                    todo.append(link["child"])
    return specs, children
