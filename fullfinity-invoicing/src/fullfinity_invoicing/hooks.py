"""Module lifecycle hooks of invoicing (registered automatically; called in tenants holding it).

- after any install or upgrade in the tenant: the database invariants are (re)created;
- after installing invoicing: administrators get the Accountant group, the settings get their
  defaults (journals, accounts, taxes of the shipped chart, found by their codes) and the company a
  currency (EUR when it has none); in a demo
  tenant, the demo invoices, bills, payments and credit note are created (dates relative to today);
- around any uninstall: the database invariants are dropped first and rebuilt afterwards from the
  remaining models (not when invoicing itself goes).
"""

from __future__ import annotations

from typing import Any

from fullfinity.engine.base import Q
from fullfinity.plugins import hookimpl
from fullfinity_invoicing.database import drop_invariants, install_invariants

#: Settings field -> (model table, natural key column, value) of the shipped chart.
DEFAULTS = {
    "invoicing_sale_journal_id": ("journal", "code", "INV"),
    "invoicing_purchase_journal_id": ("journal", "code", "BILL"),
    "invoicing_general_journal_id": ("journal", "code", "MISC"),
    "invoicing_bank_journal_id": ("journal", "code", "BNK"),
    "invoicing_exchange_journal_id": ("journal", "code", "EXCH"),
    "invoicing_receivable_account_id": ("account", "code", "1200"),
    "invoicing_payable_account_id": ("account", "code", "2100"),
    "invoicing_income_account_id": ("account", "code", "4000"),
    "invoicing_expense_account_id": ("account", "code", "5000"),
    "invoicing_exchange_gain_account_id": ("account", "code", "4900"),
    "invoicing_exchange_loss_account_id": ("account", "code", "6900"),
}


#: Currencies every tenant gets (code, name, symbol, decimal places, units per euro on 2026-01-01).
#: Shared reference data, not records of this module: they stay when it is uninstalled.
CURRENCIES = [
    ("EUR", "Euro", "€", 2, None),
    ("USD", "US Dollar", "$", 2, "1.0850"),
    ("GBP", "Pound Sterling", "£", 2, "0.8420"),
    ("CHF", "Swiss Franc", "CHF", 2, "0.9410"),
    ("JPY", "Japanese Yen", "¥", 0, "158.20"),
    ("CAD", "Canadian Dollar", "CA$", 2, "1.4730"),
]


async def _currencies(env: Any) -> None:
    await env.execute(
        "INSERT INTO currency (code, name, symbol, decimal_places, active) "
        "SELECT c, n, s, d, true FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[]) AS v(c, n, s, d) "
        "ON CONFLICT (code) DO NOTHING",
        [c[0] for c in CURRENCIES],
        [c[1] for c in CURRENCIES],
        [c[2] for c in CURRENCIES],
        [c[3] for c in CURRENCIES],
    )
    rated = [c for c in CURRENCIES if c[4]]
    # Reference rates against the euro; meaningless when the company currency is another one.
    await env.execute(
        "INSERT INTO currency_rate (currency_id, date, rate) SELECT cur.id, DATE '2026-01-01', v.r::numeric "
        "FROM unnest($1::text[], $2::text[]) AS v(c, r) JOIN currency cur ON cur.code = v.c "
        "WHERE (SELECT cur2.code FROM company co JOIN currency cur2 ON cur2.id = co.currency_id "
        "ORDER BY co.id LIMIT 1) IS NOT DISTINCT FROM 'EUR' ON CONFLICT DO NOTHING",
        [c[0] for c in rated],
        [c[4] for c in rated],
    )


async def _defaults(env: Any) -> None:
    for column, (table, key, value) in DEFAULTS.items():
        await env.execute(
            f'UPDATE configuration SET "{column}" = (SELECT id FROM "{table}" WHERE "{key}" = $1) '
            f'WHERE "{column}" IS NULL',
            value,
        )
    await env.execute(
        "UPDATE configuration SET invoicing_sale_tax_id = (SELECT id FROM tax WHERE name = 'VAT 20%' "
        "AND type_tax_use = 'sale' ORDER BY id LIMIT 1) WHERE invoicing_sale_tax_id IS NULL"
    )
    await env.execute(
        "UPDATE configuration SET invoicing_purchase_tax_id = (SELECT id FROM tax WHERE name = 'VAT 20% (purchases)' "
        "ORDER BY id LIMIT 1) WHERE invoicing_purchase_tax_id IS NULL"
    )
    await env.execute(
        "UPDATE company SET currency_id = (SELECT id FROM currency WHERE code = 'EUR') WHERE currency_id IS NULL"
    )


async def _administrators_are_accountants(env: Any) -> None:
    """The tenant's administrators get the Accountant group (they could not open Invoicing otherwise);
    in a demo tenant, the demo internal user gets Billing."""
    groups = {
        r["name"]: r["id"] for r in await env.fetch("SELECT id, name FROM \"group\" WHERE category = 'Invoicing'")
    }
    admin = await env.fetchval("SELECT id FROM \"group\" WHERE name = 'Administrator' AND category = 'Administration'")
    users = env["User"]
    if admin is not None and "Accountant" in groups:
        for user in await users.filter(groups__id=admin).filter(groups__none=Q(category="Invoicing")):
            user.groups = [["L", groups["Accountant"]]]
            await user.save()
    if "Billing" in groups:
        for user in await users.filter(email="user@demo.example.com").filter(groups__none=Q(category="Invoicing")):
            user.groups = [["L", groups["Billing"]]]
            await user.save()


@hookimpl
async def fullfinity_post_install(env: Any, module: str) -> None:
    await install_invariants(env)
    if module == "invoicing":
        await _currencies(env)
        await _defaults(env)
        await _currencies(env)  # the rates, once the company currency is known
        await _administrators_are_accountants(env)
        from fullfinity_invoicing.demo import create_demo

        await create_demo(env)


@hookimpl
async def fullfinity_post_upgrade(env: Any, module: str, from_version: str, to_version: str) -> None:
    await install_invariants(env)


@hookimpl
async def fullfinity_pre_uninstall(env: Any, module: str) -> None:
    # The row guards name every column of the guarded tables: dropped first, so that a module's
    # columns can go with it (drop_data), and rebuilt afterwards for the models that remain.
    await drop_invariants(env)


@hookimpl
async def fullfinity_post_uninstall(env: Any, module: str) -> None:
    if module != "invoicing" and "Invoice" in env.registry:
        await install_invariants(env)
