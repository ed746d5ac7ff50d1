"""The amounts of draft documents: line subtotals and totals, untaxed, tax and total, tax lines,
totals per tax group and the due date, for a whole set of invoices in a few statements.

Called after every write that changes them (lines, taxes, currency, rounding mode) and again by
posting, which books exactly what this computes. Posted documents are never recomputed.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from fullfinity_invoicing.models.configuration import settings
from fullfinity_invoicing.models.payment_term import TermLine, installments
from fullfinity_invoicing.models.tax import tax_specs
from fullfinity_invoicing.taxes import DocumentAmounts, LineInput, compute_document, flatten_taxes

__all__ = [
    "Computed",
    "compute_invoices",
    "draft_line_amounts",
    "refresh_all_drafts",
    "refresh_amounts",
    "refresh_drafts_using_taxes",
]

REFUNDS = frozenset({"out_refund", "in_refund"})


@dataclass
class Computed:
    """What the amounts computation found for one invoice."""

    id: int
    move_type: str
    state: str
    currency: int
    places: int
    invoice_date: dt.date | None
    payment_term: int | None
    line_ids: list[int]
    amounts: DocumentAmounts
    terms: list[TermLine] = field(default_factory=list)
    #: per product line (same order as ``line_ids``): (account, label, tax ids)
    line_info: list[tuple[int | None, str | None, tuple[int, ...]]] = field(default_factory=list)
    #: whether the stored amounts differ from these (then posting writes them first)
    stale: bool = True

    def installments(self, date: dt.date) -> list[tuple[dt.date, Decimal]]:
        return installments(self.terms, self.amounts.total, date, self.places)


async def compute_invoices(env: Any, invoice_ids: Sequence[int], *, lock: bool = False) -> list[Computed]:
    """Compute (without writing) the amounts of ``invoice_ids``; ``lock`` takes the rows FOR UPDATE."""
    ids = sorted(set(invoice_ids))
    if not ids:
        return []
    invoices = await env.fetch(
        "SELECT i.id, i.move_type, i.state, i.currency_id, coalesce(c.decimal_places, 2) AS places, "
        "i.invoice_date, i.payment_term_id, i.amount_untaxed, i.amount_tax, i.amount_total, i.tax_details "
        "FROM invoice i LEFT JOIN currency c ON c.id = i.currency_id "
        "WHERE i.id = ANY($1::bigint[]) ORDER BY i.id" + (" FOR UPDATE OF i" if lock else ""),
        ids,
    )
    relation = env["InvoiceLine"]._fields["taxes"].relation
    table, this_col, other_col = relation
    lines = await env.fetch(
        f"SELECT l.id, l.invoice_id, l.display_type, l.quantity, l.price_unit, l.discount, l.account_id, l.name, "
        f"l.price_subtotal, l.price_total, "
        f'ARRAY(SELECT t."{other_col}" FROM "{table}" t WHERE t."{this_col}" = l.id) AS taxes '
        f"FROM invoice_line l WHERE l.invoice_id = ANY($1::bigint[]) ORDER BY l.invoice_id, l.sequence, l.id",
        ids,
    )
    specs, children = await tax_specs(env, {t for ln in lines for t in ln["taxes"]})
    terms = await _terms(env, {r["payment_term_id"] for r in invoices if r["payment_term_id"]})
    mode = (await settings(env)).tax_rounding
    by_invoice: dict[int, list[Any]] = {}
    for ln in lines:
        if ln["display_type"] == "product":
            by_invoice.setdefault(ln["invoice_id"], []).append(ln)
    flat_cache: dict[tuple[int, ...], Any] = {}
    out = []
    for inv in invoices:
        inputs, line_ids, info, stored = [], [], [], []
        for ln in by_invoice.get(inv["id"], ()):
            key = tuple(ln["taxes"])
            flat = flat_cache.get(key)
            if flat is None:
                flat = flat_cache[key] = flatten_taxes(key, specs, children)
            inputs.append(LineInput(ln["quantity"] or Decimal(0), ln["price_unit"] or Decimal(0),
                                    ln["discount"] or Decimal(0), flat))  # fmt: skip
            line_ids.append(ln["id"])
            info.append((ln["account_id"], ln["name"], key))
            stored.append((ln["price_subtotal"], ln["price_total"]))
        amounts = compute_document(inputs, inv["places"], mode, refund=inv["move_type"] in REFUNDS)
        out.append(
            Computed(
                inv["id"],
                inv["move_type"],
                inv["state"],
                inv["currency_id"],
                inv["places"],
                inv["invoice_date"],
                inv["payment_term_id"],
                line_ids,
                amounts,
                terms.get(inv["payment_term_id"], []),
                info,
            )
        )
        out[-1].stale = (
            (inv["amount_untaxed"], inv["amount_tax"], inv["amount_total"])
            != (amounts.untaxed, amounts.tax, amounts.total)
            or inv["tax_details"] != tax_details(amounts)
            or stored != [(ln.subtotal, ln.total) for ln in amounts.lines]
        )
    return out


async def _terms(env: Any, term_ids: set[int]) -> dict[int, list[TermLine]]:
    if not term_ids:
        return {}
    rows = await env.fetch(
        "SELECT term_id, value, value_amount, days, end_of_month FROM payment_term_line "
        "WHERE term_id = ANY($1::bigint[]) ORDER BY term_id, sequence, id",
        sorted(term_ids),
    )
    out: dict[int, list[TermLine]] = {t: [] for t in term_ids}
    for r in rows:
        out[r["term_id"]].append(
            TermLine(r["value"], r["value_amount"] or Decimal(0), r["days"] or 0, bool(r["end_of_month"]))
        )
    return out


def tax_totals(amounts: DocumentAmounts, group_names: dict[int | None, tuple[str, int]]) -> dict[str, Any]:
    """The JSON the form shows: untaxed, tax, total and one entry per tax group (in group order)."""
    groups = sorted(amounts.groups.items(), key=lambda kv: group_names.get(kv[0], ("", 9999))[::-1])
    return {
        "amount_untaxed": str(amounts.untaxed),
        "amount_tax": str(amounts.tax),
        "amount_total": str(amounts.total),
        "groups": [
            {"tax_group": g, "name": group_names.get(g, ("Taxes", 0))[0], "base": str(b), "amount": str(a)}
            for g, (b, a) in groups
        ],
    }


def tax_details(amounts: DocumentAmounts) -> list[dict[str, Any]]:
    return [
        {"tax": t.tax.id, "account": t.account, "base": str(t.base), "amount": str(t.amount)} for t in amounts.tax_lines
    ]


async def refresh_amounts(env: Any, invoice_ids: Sequence[int]) -> list[Computed]:
    """Compute the amounts of the draft invoices among ``invoice_ids`` and write what changed
    (one UPDATE for the lines, one for the invoices)."""
    computed = [c for c in await compute_invoices(env, invoice_ids) if c.state == "draft"]
    if computed:
        await write_amounts(env, computed)
    return computed


async def write_amounts(env: Any, computed: Sequence[Computed]) -> None:
    from fullfinity_invoicing.models.invoice import DRAFT_LABELS

    line_ids, subtotals, totals = [], [], []
    inv_ids, untaxed, tax, total, dues, details_json, names = [], [], [], [], [], [], []
    for c in computed:
        for line_id, line in zip(c.line_ids, c.amounts.lines, strict=True):
            line_ids.append(line_id)
            subtotals.append(line.subtotal)
            totals.append(line.total)
        inv_ids.append(c.id)
        untaxed.append(c.amounts.untaxed)
        tax.append(c.amounts.tax)
        total.append(c.amounts.total)
        due = None
        if c.invoice_date is not None:
            due = max(d for d, _ in c.installments(c.invoice_date)) if c.payment_term else c.invoice_date
        dues.append(due)
        details_json.append(json.dumps(tax_details(c.amounts)))
        names.append(DRAFT_LABELS.get(c.move_type, "Draft"))
    if line_ids:
        await env.execute(
            "UPDATE invoice_line l SET price_subtotal = v.s, price_total = v.t "
            "FROM unnest($1::bigint[], $2::numeric[], $3::numeric[]) AS v(id, s, t) "
            "WHERE l.id = v.id AND (l.price_subtotal IS DISTINCT FROM v.s OR l.price_total IS DISTINCT FROM v.t)",
            line_ids,
            subtotals,
            totals,
        )
        env.written.add("InvoiceLine")
    await env.execute(
        "UPDATE invoice i SET amount_untaxed = v.u, amount_tax = v.t, amount_total = v.s, amount_residual = v.s, "
        "due_date = coalesce(v.due, i.due_date), tax_details = v.td::jsonb, "
        "name = CASE WHEN i.state = 'draft' THEN v.name ELSE i.name END "
        "FROM unnest($1::bigint[], $2::numeric[], $3::numeric[], $4::numeric[], $5::date[], $6::text[], "
        "$7::text[]) AS v(id, u, t, s, due, td, name) "
        "WHERE i.id = v.id AND i.state = 'draft' AND (i.amount_untaxed IS DISTINCT FROM v.u OR "
        "i.amount_tax IS DISTINCT FROM v.t OR i.amount_total IS DISTINCT FROM v.s OR "
        "i.amount_residual IS DISTINCT FROM v.s OR "
        "i.tax_details IS DISTINCT FROM v.td::jsonb OR i.name IS DISTINCT FROM v.name OR "
        "(v.due IS NOT NULL AND i.due_date IS DISTINCT FROM v.due))",
        inv_ids,
        untaxed,
        tax,
        total,
        dues,
        details_json,
        names,
    )
    env.written.add("Invoice")


async def refresh_drafts_using_taxes(env: Any, tax_ids: Sequence[int]) -> None:
    """Draft documents with a line taxed by ``tax_ids`` (or by a group holding one) get their amounts again."""
    table, this_col, other_col = env["InvoiceLine"]._fields["taxes"].relation
    groups_table, group_col, child_col = env["Tax"]._fields["children"].relation
    rows = await env.fetch(
        f'SELECT DISTINCT l.invoice_id FROM invoice_line l JOIN "{table}" t ON t."{this_col}" = l.id '
        f"JOIN invoice i ON i.id = l.invoice_id WHERE i.state = 'draft' AND (t.\"{other_col}\" = ANY($1::bigint[]) "
        f'OR t."{other_col}" IN (SELECT "{group_col}" FROM "{groups_table}" WHERE "{child_col}" = ANY($1::bigint[])))',
        list(tax_ids),
    )
    await refresh_amounts(env, [r["invoice_id"] for r in rows])


async def refresh_all_drafts(env: Any) -> None:
    rows = await env.fetch("SELECT id FROM invoice WHERE state = 'draft'")
    await refresh_amounts(env, [r["id"] for r in rows])


def _tax_ids(value: Any) -> list[int] | None:
    """The tax ids of a new line's ``taxes`` value (ids, records, or an S/L command list); None if unusual."""
    if value is None:
        return []
    if isinstance(value, list) and all(isinstance(v, int) for v in value):
        return list(value)
    if isinstance(value, list) and all(isinstance(c, list | tuple) and c and c[0] in ("S", "L") for c in value):
        out: list[int] = []
        for c in value:
            out.extend(c[1] if c[0] == "S" else [c[1]])
        return out
    return None


async def precompute_rows(env: Any, headers: Sequence[dict[str, Any]], lines: Sequence[tuple[int, dict[str, Any]]],
                          facts: dict[int, Any]) -> bool:  # fmt: skip
    """Amounts of invoices about to be created, written into their rows (``lines`` holds (header index,
    line row)). Returns False (nothing written) when a row holds values this shortcut does not read."""
    from fullfinity_invoicing.models.invoice import DRAFT_LABELS

    taxes_of: list[list[int]] = []
    for _, row in lines:
        ids = _tax_ids(row.get("taxes"))
        if ids is None:
            return False
        taxes_of.append(ids)
    specs, children = await tax_specs(env, {t for ids in taxes_of for t in ids})
    terms = await _terms(env, {t for h in headers if isinstance(t := h.get("payment_term"), int)})
    mode = (await settings(env)).tax_rounding
    per_header: dict[int, list[tuple[dict[str, Any], LineInput]]] = {}
    flat_cache: dict[tuple[int, ...], Any] = {}
    for (index, row), ids in zip(lines, taxes_of, strict=True):
        if row.get("display_type", "product") != "product":
            row.setdefault("price_subtotal", Decimal(0))
            row.setdefault("price_total", Decimal(0))
            continue
        key = tuple(ids)
        flat = flat_cache.get(key)
        if flat is None:
            flat = flat_cache[key] = flatten_taxes(key, specs, children)
        try:
            quantity = Decimal(row.get("quantity", 1) if row.get("quantity") is not None else 0)
            price = Decimal(row.get("price_unit") or 0)
            discount = Decimal(row.get("discount") or 0)
        except (ArithmeticError, TypeError, ValueError):
            return False  # the ORM reports the bad value with its path
        per_header.setdefault(index, []).append((row, LineInput(quantity, price, discount, flat)))
    for index, header in enumerate(headers):
        fact = facts.get(-1 - index)
        if fact is None:
            return False
        entries = per_header.get(index, [])
        amounts = compute_document([e[1] for e in entries], fact.places, mode, refund=fact.move_type in REFUNDS)
        for (row, _), line in zip(entries, amounts.lines, strict=True):
            row["price_subtotal"] = line.subtotal
            row["price_total"] = line.total
        header.update(
            amount_untaxed=amounts.untaxed, amount_tax=amounts.tax, amount_total=amounts.total,
            amount_residual=amounts.total, tax_details=tax_details(amounts),
            name=DRAFT_LABELS.get(fact.move_type, "Draft"),
        )  # fmt: skip
        date = header.get("invoice_date")
        if date is not None:
            term = header.get("payment_term")
            if isinstance(term, int):
                header["due_date"] = max(d for d, _ in installments(terms.get(term, []), amounts.total, date,
                                                                     fact.places))  # fmt: skip
            elif header.get("due_date") is None:
                header["due_date"] = date
    return True


async def live_totals(invoice: Any) -> dict[str, Any]:
    """``tax_totals`` of one invoice from its lines as loaded (stored lines or a draft's lines)."""
    env = invoice.env
    await invoice.fetch_related("lines")
    inputs: list[tuple[Any, list[int]]] = []
    for line in invoice.lines:
        if (line.display_type or "product") != "product":
            continue
        taxes = line.taxes
        inputs.append((line, [t.id for t in taxes] if taxes is not None else []))
    specs, children = await tax_specs(env, {t for _, ids in inputs for t in ids})
    places = 2
    if invoice.currency is not None:
        places = int(await env.fetchval("SELECT coalesce(decimal_places, 2) FROM currency WHERE id = $1",
                                        invoice.currency.id) or 2)  # fmt: skip
    mode = (await settings(env)).tax_rounding
    lines = [
        LineInput(line.quantity or Decimal(0), line.price_unit or Decimal(0), line.discount or Decimal(0),
                  flatten_taxes(ids, specs, children))
        for line, ids in inputs
    ]  # fmt: skip
    amounts = compute_document(lines, places, mode, refund=invoice.move_type in REFUNDS)
    rows = await env.fetch(
        "SELECT id, name, sequence FROM tax_group WHERE id = ANY($1::bigint[])",
        sorted(g for g in amounts.groups if g is not None),
    )
    return tax_totals(amounts, {r["id"]: (r["name"], r["sequence"]) for r in rows})


async def draft_line_amounts(line: Any) -> tuple[Decimal, Decimal]:
    """Subtotal and total of one line as a form holds it (zero for sections and notes)."""
    if (line.display_type or "product") != "product":
        return Decimal(0), Decimal(0)
    env = line.env
    invoice = line.invoice
    ids = [t if isinstance(t, int) else t.id for t in line.taxes] if line.taxes is not None else []
    specs, children = await tax_specs(env, set(ids))
    places = 2
    if invoice is not None and invoice.currency is not None:
        places = int(await env.fetchval("SELECT coalesce(decimal_places, 2) FROM currency WHERE id = $1",
                                        invoice.currency.id) or 2)  # fmt: skip
    mode = (await settings(env)).tax_rounding
    refund = invoice is not None and invoice.move_type in REFUNDS
    inputs = [LineInput(line.quantity or Decimal(0), line.price_unit or Decimal(0), line.discount or Decimal(0),
                        flatten_taxes(ids, specs, children))]  # fmt: skip
    amounts = compute_document(inputs, places, mode, refund=refund).lines[0]
    return amounts.subtotal, amounts.total
