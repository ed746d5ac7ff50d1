"""Real-time valuation: one posted journal entry per valuation layer, in the same transaction."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from fullfinity.engine.base import ManyToOne, Model, UserError, env_ctx

_LAYERS = """
SELECT v.id, v.value, v.description, p.name AS product,
       coalesce(c.stock_valuation_account_id, cfg.inventory_valuation_account_id) AS valuation,
       coalesce(c.stock_input_account_id, cfg.inventory_input_account_id) AS input,
       coalesce(c.stock_output_account_id, cfg.inventory_output_account_id) AS output,
       cfg.inventory_valuation_journal_id AS journal
  FROM valuation_layer v JOIN product p ON p.id = v.product_id LEFT JOIN product_category c ON c.id = p.category_id
 CROSS JOIN (SELECT * FROM configuration ORDER BY id LIMIT 1) cfg
 WHERE v.id = ANY($1::bigint[]) AND v.value <> 0
 ORDER BY v.id
"""


class ValuationLayer(Model):
    __inherit__ = "ValuationLayer"

    journal_entry = ManyToOne("JournalEntry", on_delete="RESTRICT", readonly=True, index=True)

    @classmethod
    async def layers_created(cls, layer_ids: list[int]) -> None:
        await super().layers_created(layer_ids)  # type: ignore[misc]
        await post_valuation_entries(env_ctx.get(), layer_ids)


async def post_valuation_entries(env: Any, layer_ids: list[int]) -> list[int]:
    """Post the entries of these layers: value > 0 debits valuation / credits input; < 0 debits
    output / credits valuation. Returns the entry ids."""
    from fullfinity_invoicing.models._numbering import Numbered, take_numbers
    from fullfinity_invoicing.models._writer import EntryDraft, ItemDraft, post_entries, write_entries
    from fullfinity_invoicing.models.currency import company_currency

    rows = await env.fetch(_LAYERS, layer_ids) if layer_ids else []
    if not rows:
        return []
    if rows[0]["journal"] is None:
        # No valuation journal yet: the glue is being installed together with the modules it joins
        # (their demo data values stock before the settings exist); its install hook posts the
        # entries of every layer without one, once the settings are there.
        return []
    currency, _ = await company_currency(env)
    accounts = {
        r["id"]: r["account_type"]
        for r in await env.fetch(
            "SELECT id, account_type FROM account WHERE id = ANY($1::bigint[])",
            sorted({a for r in rows for a in (r["valuation"], r["input"], r["output"]) if a}),
        )
    }
    journal = rows[0]["journal"]
    if journal is None or any(r["valuation"] is None or r["input"] is None or r["output"] is None for r in rows):
        raise UserError(
            "Stock valuation needs a journal and the valuation, input and output accounts: set them in "
            "Settings > Inventory (or on the product category)."
        )
    code = await env.fetchval("SELECT code FROM journal WHERE id = $1", journal)
    today = dt.date.today()
    entries = []
    for r in rows:
        value: Decimal = r["value"]
        debit, credit = (r["valuation"], r["input"]) if value > 0 else (r["output"], r["valuation"])
        amount = abs(value)
        label = f"{r['description'] or ''} - {r['product']}".strip(" -")
        entries.append(
            EntryDraft(
                journal=journal, date=today, currency=currency, ref=label,
                items=[
                    ItemDraft(account=debit, account_type=accounts[debit], balance=amount, amount_currency=amount,
                              currency=currency, name=label),
                    ItemDraft(account=credit, account_type=accounts[credit], balance=-amount, amount_currency=-amount,
                              currency=currency, name=label),
                ],
            )
        )  # fmt: skip
    # Numbered before they are written (in layer order), so that an entry is inserted with its number
    # and updated once, when posted.
    numbers = await take_numbers(env, [Numbered(i, f"Valuation entry {i}", journal, code, today)
                                       for i in range(len(entries))])  # fmt: skip
    for i, entry in enumerate(entries):
        entry.number = numbers[i]
    entry_ids = await write_entries(env, entries)
    await env.execute(
        "UPDATE valuation_layer v SET journal_entry_id = u.e FROM unnest($1::bigint[], $2::bigint[]) AS u(id, e) "
        "WHERE v.id = u.id",
        [r["id"] for r in rows],
        entry_ids,
    )
    await post_entries(env, entry_ids)
    return list(entry_ids)
