"""Defaults of documents and lines: journal, currency and payment term of an invoice; description,
price, taxes, account and unit of a line from its product (what a form fills when a product is picked).

A line takes its product's defaults when it is created with a product, and again when its product
changes; values given in the same write always win, and later edits are kept. The rules are applied
on every path (save, bulk create, data files), each in a few queries for a whole batch.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from fullfinity.engine.base import UserError
from fullfinity_invoicing.models.configuration import Settings, settings
from fullfinity_invoicing.models.currency import company_currency, rates_at

__all__ = [
    "draft_invoice_defaults",
    "draft_line_defaults",
    "fill_invoice_defaults",
    "fill_invoice_rows",
    "fill_line_defaults",
    "fill_line_rows",
    "refuse_rows_unless_draft",
    "refuse_unless_draft",
]

SALE_TYPES = frozenset({"out_invoice", "out_refund"})


def _ref(value: Any) -> int | None:
    """An id from an id, a record or ``{"id": ...}``."""
    if value is None or isinstance(value, int):
        return value
    if isinstance(value, dict):
        return value.get("id")
    return getattr(value, "id", None)


def _journal_for(config: Settings, move_type: str) -> int | None:
    return config.sale_journal if move_type in SALE_TYPES else config.purchase_journal


async def _partner_terms(env: Any, partner_ids: Sequence[int]) -> dict[int, tuple[int | None, int | None]]:
    if not partner_ids:
        return {}
    rows = await env.fetch(
        "SELECT id, customer_payment_term_id, supplier_payment_term_id FROM contact WHERE id = ANY($1::bigint[])",
        sorted(set(partner_ids)),
    )
    return {r["id"]: (r["customer_payment_term_id"], r["supplier_payment_term_id"]) for r in rows}


async def fill_invoice_rows(env: Any, rows: list[dict[str, Any]]) -> None:
    """Bulk creation: journal, currency and the partner's payment term where the row has none."""
    config = await settings(env)
    currency: int | None = None
    if any(isinstance(r, dict) and r.get("currency") is None for r in rows):
        currency = (await company_currency(env))[0]
    terms = await _partner_terms(
        env, [p for r in rows if isinstance(r, dict) and "payment_term" not in r and (p := _ref(r.get("partner")))]
    )
    for row in rows:
        if not isinstance(row, dict):
            continue
        move_type = row.get("move_type") or env.context.get("default_move_type") or "out_invoice"
        if row.get("journal") is None:
            row["journal"] = _journal_for(config, move_type)
        if row.get("currency") is None:
            row["currency"] = currency
        partner = _ref(row.get("partner"))
        if "payment_term" not in row and partner in terms:
            row["payment_term"] = terms[partner][0 if move_type in SALE_TYPES else 1]


async def fill_invoice_defaults(rec: Any) -> None:
    """One invoice being saved: the same defaults; a new partner brings its payment term."""
    changes = rec._changes or {}
    new = rec.id is None
    if not new and "partner" not in changes:
        return
    env = rec.env
    move_type = rec.move_type or env.context.get("default_move_type") or "out_invoice"
    if new:
        config = await settings(env)
        if rec.journal is None:
            rec.journal = _journal_for(config, move_type)
        if rec.currency is None:
            rec.currency = (await company_currency(env))[0]
    partner = rec.partner.id if rec.partner is not None else None
    if partner is not None and "payment_term" not in changes:
        terms = await _partner_terms(env, [partner])
        if partner in terms:
            term = terms[partner][0 if move_type in SALE_TYPES else 1]
            if term is not None or not new:
                rec.payment_term = term


async def refuse_unless_draft(lines: Any, *, deleting: bool = False) -> None:
    """Lines change only on draft documents (posted ones are immutable, cancelled ones dead)."""
    env = lines.env
    invoice_ids = {rec.invoice.id for rec in lines if rec.id is None and rec.invoice is not None}
    existing = [rec.id for rec in lines if rec.id is not None and (deleting or rec._changes)]
    query = (
        "SELECT i.state, coalesce(i.number, i.name) AS label FROM invoice i WHERE i.state <> 'draft' AND "
        "(i.id = ANY($1::bigint[]) OR i.id IN (SELECT invoice_id FROM invoice_line WHERE id = ANY($2::bigint[]))) "
        "LIMIT 1"
    )
    if not invoice_ids and not existing:
        return
    row = await env.fetchrow(query, sorted(invoice_ids), existing)
    if row is not None:
        raise UserError(
            f"{row['label']} is {row['state']}: its lines cannot be added, changed or deleted. "
            f"Correct a posted document with a credit note."
        )


async def refuse_rows_unless_draft(env: Any, rows: Sequence[Any]) -> None:
    """Lines created in bulk go only on draft documents (what ``refuse_unless_draft`` says for one)."""
    invoice_ids = sorted({i for r in rows if isinstance(r, dict) and isinstance(i := _ref(r.get("invoice")), int)})
    if not invoice_ids:
        return
    row = await env.fetchrow(
        "SELECT state, coalesce(number, name) AS label FROM invoice WHERE state <> 'draft' AND id = ANY($1::bigint[]) "
        "LIMIT 1",
        invoice_ids,
    )
    if row is not None:
        raise UserError(
            f"{row['label']} is {row['state']}: its lines cannot be added, changed or deleted. "
            f"Correct a posted document with a credit note."
        )


@dataclass(frozen=True)
class _ProductDefaults:
    name: str
    sale_price: Decimal
    cost: Decimal
    uom: int | None
    income_account: int | None
    expense_account: int | None
    sale_taxes: list[int]
    purchase_taxes: list[int]


async def _products(env: Any, ids: Sequence[int]) -> dict[int, _ProductDefaults]:
    if not ids:
        return {}
    model = env["Product"]
    sale_rel = model._fields["sale_taxes"].relation
    purchase_rel = model._fields["purchase_taxes"].relation
    rows = await env.fetch(
        f"""
        WITH RECURSIVE cat AS (
            SELECT c.id AS start, c.id, c.parent_id, c.income_account_id, c.expense_account_id, 0 AS depth
              FROM product_category c
             WHERE c.id IN (SELECT category_id FROM product WHERE id = ANY($1::bigint[]))
            UNION ALL
            SELECT cat.start, p.id, p.parent_id, p.income_account_id, p.expense_account_id, cat.depth + 1
              FROM product_category p JOIN cat ON p.id = cat.parent_id WHERE cat.depth < 32
        )
        SELECT p.id, p.name, p.sale_price, p.cost, p.uom_id,
               coalesce(p.income_account_id, (SELECT income_account_id FROM cat WHERE cat.start = p.category_id
                   AND income_account_id IS NOT NULL ORDER BY depth LIMIT 1)) AS income_account,
               coalesce(p.expense_account_id, (SELECT expense_account_id FROM cat WHERE cat.start = p.category_id
                   AND expense_account_id IS NOT NULL ORDER BY depth LIMIT 1)) AS expense_account,
               ARRAY(SELECT "{sale_rel[2]}" FROM "{sale_rel[0]}" WHERE "{sale_rel[1]}" = p.id) AS sale_taxes,
               ARRAY(SELECT "{purchase_rel[2]}" FROM "{purchase_rel[0]}" WHERE "{purchase_rel[1]}" = p.id)
                   AS purchase_taxes
          FROM product p WHERE p.id = ANY($1::bigint[])
        """,
        sorted(set(ids)),
    )
    return {
        r["id"]: _ProductDefaults(
            r["name"],
            r["sale_price"] or Decimal(0),
            r["cost"] or Decimal(0),
            r["uom_id"],
            r["income_account"],
            r["expense_account"],
            list(r["sale_taxes"]),
            list(r["purchase_taxes"]),
        )
        for r in rows
    }


@dataclass(frozen=True)
class _InvoiceFacts:
    move_type: str
    currency: int
    places: int
    date: dt.date | None


async def _invoices(env: Any, ids: Sequence[int]) -> dict[int, _InvoiceFacts]:
    if not ids:
        return {}
    rows = await env.fetch(
        "SELECT i.id, i.move_type, i.currency_id, coalesce(c.decimal_places, 2) AS places, i.invoice_date "
        "FROM invoice i LEFT JOIN currency c ON c.id = i.currency_id WHERE i.id = ANY($1::bigint[])",
        sorted(set(ids)),
    )
    return {r["id"]: _InvoiceFacts(r["move_type"], r["currency_id"], r["places"], r["invoice_date"]) for r in rows}


def _values_for(
    product: _ProductDefaults | None, invoice: _InvoiceFacts, config: Settings, rate: Decimal
) -> dict[str, Any]:
    """The defaults of a line of ``invoice`` for ``product`` (None: a line without product)."""
    sale = invoice.move_type in SALE_TYPES
    default_account = config.income_account if sale else config.expense_account
    if product is None:
        tax = config.sale_tax if sale else config.purchase_tax
        return {"account": default_account, "taxes": [tax] if tax else []}
    price = product.sale_price if sale else product.cost
    if rate != 1:
        price = (price * rate).quantize(Decimal(1).scaleb(-invoice.places), rounding=ROUND_HALF_UP)
    return {
        "name": product.name,
        "price_unit": price,
        "taxes": list(product.sale_taxes if sale else product.purchase_taxes),
        "account": (product.income_account if sale else product.expense_account) or default_account,
        "uom": product.uom,
    }


async def _rates(env: Any, invoices: dict[int, _InvoiceFacts]) -> dict[int, Decimal]:
    company, _ = await company_currency(env)
    today = dt.date.today()
    foreign = {i: f for i, f in invoices.items() if f.currency != company}
    if not foreign:
        return {i: Decimal(1) for i in invoices}
    try:
        found = await rates_at(env, {(f.currency, f.date or today) for f in foreign.values()}, company)
    except UserError:
        found = {}
    out = {i: Decimal(1) for i in invoices}
    for i, f in foreign.items():
        out[i] = found.get((f.currency, f.date or today), Decimal(1))
    return out


@dataclass(frozen=True)
class InvoiceFacts:
    """What line defaults need of their invoice (public name of ``_InvoiceFacts`` for callers)."""

    move_type: str
    currency: int
    places: int
    date: dt.date | None


async def facts_of_rows(env: Any, rows: Sequence[dict[str, Any]]) -> dict[int, _InvoiceFacts]:
    """Facts of invoices not created yet, keyed by the negative key ``-1 - index`` of their row."""
    currencies = sorted({c for c in (_ref(r.get("currency")) for r in rows) if c is not None})
    found = await env.fetch(
        "SELECT id, coalesce(decimal_places, 2) AS places FROM currency WHERE id = ANY($1::bigint[])", currencies
    )
    places = {r["id"]: r["places"] for r in found}
    out = {}
    for index, row in enumerate(rows):
        currency = _ref(row.get("currency"))
        if currency is None:
            continue
        move_type = row.get("move_type") or env.context.get("default_move_type") or "out_invoice"
        out[-1 - index] = _InvoiceFacts(move_type, currency, places.get(currency, 2), row.get("invoice_date"))
    return out


async def fill_line_rows(env: Any, rows: list[Any], known: dict[int, Any] | None = None) -> list[Any]:
    """Bulk creation of lines: each row gets the defaults of its product for the keys it lacks.
    ``known``: facts of invoices by (negative) key, for lines of invoices being created."""
    dicts = [r for r in rows if isinstance(r, dict)]
    for row in dicts:
        row["invoice"] = _ref(row.get("invoice"))
        if "product" in row:
            row["product"] = _ref(row["product"])
    invoices = await _invoices(env, [r["invoice"] for r in dicts if r.get("invoice") and r["invoice"] > 0])
    invoices.update(known or {})
    products = await _products(env, [r["product"] for r in dicts if r.get("product")])
    config = await settings(env)
    rates = await _rates(env, invoices)
    for row in dicts:
        invoice = invoices.get(row.get("invoice") or -1)
        if invoice is None:
            continue
        if row.get("display_type", "product") != "product":
            continue
        product = products.get(row.get("product") or -1)
        for key, value in _values_for(product, invoice, config, rates[row["invoice"]]).items():
            row.setdefault(key, value)
    return rows


async def fill_line_defaults(lines: Any) -> None:
    """Lines being saved: a new line, or a line whose product changed, takes the product's defaults
    for every field not assigned in the same write."""
    env = lines.env
    todo = []
    for rec in lines:
        changes = rec._changes or {}
        if rec.id is None or "product" in changes or "invoice" in changes:
            todo.append(rec)
    if not todo:
        return
    invoice_ids = {rec.invoice.id for rec in todo if rec.invoice is not None}
    invoices = await _invoices(env, sorted(invoice_ids))
    products = await _products(env, [rec.product.id for rec in todo if rec.product is not None])
    config = await settings(env)
    rates = await _rates(env, invoices)
    for rec in todo:
        if rec.invoice is None or rec.invoice.id not in invoices:
            continue
        invoice = invoices[rec.invoice.id]
        changes = set(rec._changes or {})
        new = rec.id is None
        if (rec.display_type or "product") != "product":
            continue
        product = products.get(rec.product.id) if rec.product is not None else None
        if not new and "product" not in changes:
            continue
        if product is None and not new:
            continue
        for key, value in _values_for(product, invoice, config, rates[rec.invoice.id]).items():
            if key not in changes:
                setattr(rec, key, value)


async def draft_invoice_facts(env: Any, invoice: Any) -> tuple[_InvoiceFacts, Decimal]:
    """The facts of a (possibly unsaved) invoice as a form holds it, and its currency's rate."""
    move_type = invoice.move_type or env.context.get("default_move_type") or "out_invoice"
    currency = _ref(invoice.currency) or (await company_currency(env))[0]
    places = await env.fetchval("SELECT coalesce(decimal_places, 2) FROM currency WHERE id = $1", currency)
    facts = _InvoiceFacts(move_type, currency, int(places if places is not None else 2), invoice.invoice_date)
    return facts, (await _rates(env, {0: facts}))[0]


async def draft_line_defaults(line: Any) -> dict[str, Any]:
    """What a form fills when a product is picked on a line: the same defaults saving applies
    (description, price in the invoice's currency, taxes, account, unit). A new line without
    product gets the default account and tax of the invoice's type where it has none yet (what
    saving would give it); an existing one keeps what the user typed. Nothing for sections and notes."""
    env = line.env
    if line.invoice is None or (line.display_type or "product") != "product":
        return {}
    if line.product is None:
        if line.id is not None:
            return {}
        facts, rate = await draft_invoice_facts(env, line.invoice)
        defaults = _values_for(None, facts, await settings(env), rate)
        return {name: value for name, value in defaults.items() if not getattr(line, name) and value not in (None, [])}
    facts, rate = await draft_invoice_facts(env, line.invoice)
    products = await _products(env, [line.product.id])
    product = products.get(line.product.id)
    if product is None:
        return {}
    return _values_for(product, facts, await settings(env), rate)


async def draft_invoice_defaults(invoice: Any, changed: str) -> dict[str, Any]:
    """What a form fills on an invoice being edited: for a new type, the settings' journal of that
    type (unless the user picked another) and the company currency when none is set; for a new
    partner, their payment term for this type. The same rules saving applies."""
    env = invoice.env
    move_type = invoice.move_type or env.context.get("default_move_type") or "out_invoice"
    out: dict[str, Any] = {}
    if changed == "move_type":
        config = await settings(env)
        journal = _ref(invoice.journal)
        defaults = {config.sale_journal, config.purchase_journal, None}
        if journal in defaults:
            out["journal"] = _journal_for(config, move_type)
        if invoice.currency is None:
            out["currency"] = (await company_currency(env))[0]
    partner = _ref(invoice.partner)
    if changed == "partner" and partner is not None:
        terms = await _partner_terms(env, [partner])
        term = terms.get(partner, (None, None))[0 if move_type in SALE_TYPES else 1]
        if term is not None:
            out["payment_term"] = term
    return out
