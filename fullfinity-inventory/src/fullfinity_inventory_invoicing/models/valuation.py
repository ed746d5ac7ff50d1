"""Real-time valuation: one posted journal entry per valuation layer, in the same transaction."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from fullfinity.engine.base import ManyToOne, Model, UserError, env_ctx

#: The accounts and journal of each product's valuation entries.
_ACCOUNTS = """
SELECT p.id, p.name AS product,
       coalesce(c.stock_valuation_account_id, cfg.inventory_valuation_account_id) AS valuation,
       coalesce(c.stock_input_account_id, cfg.inventory_input_account_id) AS input,
       coalesce(c.stock_output_account_id, cfg.inventory_output_account_id) AS output,
       cfg.inventory_valuation_journal_id AS journal
  FROM product p LEFT JOIN product_category c ON c.id = p.category_id
 CROSS JOIN (SELECT * FROM configuration ORDER BY id LIMIT 1) cfg
 WHERE p.id = ANY($1::bigint[])
"""


class ValuationLayer(Model):
    __inherit__ = "ValuationLayer"

    journal_entry = ManyToOne("JournalEntry", on_delete="RESTRICT", readonly=True, index=True)

    @classmethod
    async def layer_columns(cls, layers: list[dict[str, Any]]) -> dict[str, list[Any]]:
        columns: dict[str, list[Any]] = await super().layer_columns(layers)  # type: ignore[misc]
        entries = await entries_for_layers(env_ctx.get(), layers)
        if entries is not None:
            columns["journal_entry_id"] = entries
        return columns


async def post_valuation_entries(env: Any, layer_ids: list[int]) -> list[int]:
    """Post the entries of these existing layers (made before the glue was installed) and link them.
    Returns the entry ids."""
    layers = [
        dict(r)
        for r in await env.fetch(
            "SELECT id, product_id, value, description FROM valuation_layer WHERE id = ANY($1::bigint[]) ORDER BY id",
            layer_ids,
        )
    ]
    entries = await entries_for_layers(env, layers)
    pairs = [(layer["id"], entry) for layer, entry in zip(layers, entries or [], strict=False) if entry is not None]
    if pairs:
        await env.execute(
            "UPDATE valuation_layer v SET journal_entry_id = u.e FROM unnest($1::bigint[], $2::bigint[]) AS u(id, e) "
            "WHERE v.id = u.id",
            [p[0] for p in pairs],
            [p[1] for p in pairs],
        )
    return [p[1] for p in pairs]


async def entries_for_layers(env: Any, layers: list[dict[str, Any]]) -> list[int | None] | None:
    """Post one entry per layer of non-zero value (``product_id``, ``value``, ``description``):
    value > 0 debits valuation / credits input; < 0 debits output / credits valuation. Returns each
    layer's entry id (``None`` for a zero value), or ``None`` when there is no valuation journal yet."""
    from fullfinity_invoicing.models._numbering import Numbered, take_numbers
    from fullfinity_invoicing.models._writer import EntryDraft, ItemDraft, post_entries, write_entries
    from fullfinity_invoicing.models.currency import company_currency

    if not layers:
        return []
    info = {r["id"]: r for r in await env.fetch(_ACCOUNTS, sorted({layer["product_id"] for layer in layers}))}
    valued = [layer for layer in layers if layer["value"] != 0]
    rows = [{**info[layer["product_id"]], "value": layer["value"], "description": layer["description"]}
            for layer in valued]  # fmt: skip
    if not rows:
        return [None] * len(layers)
    if rows[0]["journal"] is None:
        # No valuation journal yet: the glue is being installed together with the modules it joins
        # (their demo data values stock before the settings exist); its install hook posts the
        # entries of every layer without one, once the settings are there.
        return None
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
    await post_entries(env, entry_ids)
    by_layer = iter(entry_ids)
    return [next(by_layer) if layer["value"] != 0 else None for layer in layers]
