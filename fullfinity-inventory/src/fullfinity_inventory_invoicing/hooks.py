"""After installing the glue: the valuation journal and accounts become the settings' defaults
(journal STJ, 1300 Inventory, 2110 Goods received not invoiced, 5000 Cost of goods sold), and the
layers valued before (stock received before the glue was installed) get their entries."""

from __future__ import annotations

from typing import Any

from fullfinity.plugins import hookimpl

DEFAULTS = {
    "inventory_valuation_journal_id": ("journal", "STJ"),
    "inventory_valuation_account_id": ("account", "1300"),
    "inventory_input_account_id": ("account", "2110"),
    "inventory_output_account_id": ("account", "5000"),
}


@hookimpl
async def fullfinity_post_install(env: Any, module: str) -> None:
    if module != "inventory_invoicing":
        return
    # Shared accounting data, not records of this module: journal entries refer to them, so they
    # stay when the glue is uninstalled (as invoicing's currencies do).
    await env.execute(
        "INSERT INTO account (code, name, account_type, reconcile, active, create_uid, write_uid) "
        "VALUES ('2110', 'Goods received not invoiced', 'liability_current', false, true, 1, 1) "
        "ON CONFLICT (code) DO NOTHING"
    )
    await env.execute(
        "INSERT INTO journal (code, name, journal_type, sequence, active, create_uid, write_uid) "
        "VALUES ('STJ', 'Inventory valuation', 'general', 60, true, 1, 1) ON CONFLICT (code) DO NOTHING"
    )
    for column, (table, code) in DEFAULTS.items():
        await env.execute(
            f'UPDATE configuration SET "{column}" = (SELECT id FROM "{table}" WHERE code = $1) '
            f'WHERE "{column}" IS NULL',
            code,
        )
    from fullfinity_inventory_invoicing.models.valuation import post_valuation_entries

    missing = await env.fetch("SELECT id FROM valuation_layer WHERE journal_entry_id IS NULL ORDER BY id")
    await post_valuation_entries(env, [r["id"] for r in missing])
