"""Currency rates: units of the currency per unit of the company currency, by date."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from fullfinity.engine.base import Date, ManyToOne, Model, Numeric, OneToMany, UserError


class CurrencyRate(Model):
    _verbose_name = "Currency Rate"
    _order = "currency ASC, date DESC"
    _rec_name = "date"
    _unique_together = [("currency", "date")]
    _sql_constraints = [("rate_positive", "rate > 0", "A currency rate must be greater than zero.")]

    currency = ManyToOne("Currency", related_name="rates", required=True, on_delete="CASCADE")
    date = Date(required=True, index=True)
    rate = Numeric(digits=(20, 10), required=True, hint="Units of this currency for one unit of the company currency")


class Currency(Model):
    __inherit__ = "Currency"

    rates = OneToMany("CurrencyRate", related_name="currency")


async def company_currency(env: Any) -> tuple[int, int]:
    """(id, decimal places) of the company currency."""
    row = await env.fetchrow(
        "SELECT cur.id, cur.decimal_places FROM configuration cfg JOIN company co ON co.id = cfg.company_id "
        "JOIN currency cur ON cur.id = co.currency_id ORDER BY cfg.id LIMIT 1"
    )
    if row is None:
        raise UserError("The company has no currency. Set it on the company (Settings > Companies) before invoicing.")
    return int(row["id"]), int(row["decimal_places"] if row["decimal_places"] is not None else 2)


async def rates_at(env: Any, pairs: set[tuple[int, dt.date]], company: int) -> dict[tuple[int, dt.date], Decimal]:
    """The rate of each (currency, date): the latest rate on or before the date (1 for the company
    currency); a currency without such a rate is a ``UserError`` naming it and the date."""
    out: dict[tuple[int, dt.date], Decimal] = {}
    wanted = [(c, d) for c, d in pairs if c != company]
    for c, d in pairs:
        if c == company:
            out[(c, d)] = Decimal(1)
    if not wanted:
        return out
    rows = await env.fetch(
        "SELECT k.c, k.d, (SELECT r.rate FROM currency_rate r WHERE r.currency_id = k.c AND r.date <= k.d "
        "ORDER BY r.date DESC LIMIT 1) AS rate FROM unnest($1::bigint[], $2::date[]) AS k(c, d)",
        [c for c, _ in wanted],
        [d for _, d in wanted],
    )
    missing = []
    for r in rows:
        if r["rate"] is None:
            missing.append((r["c"], r["d"]))
        else:
            out[(r["c"], r["d"])] = r["rate"]
    if missing:
        codes = {
            r["id"]: r["code"]
            for r in await env.fetch(
                "SELECT id, code FROM currency WHERE id = ANY($1::bigint[])", [c for c, _ in missing]
            )
        }
        c, d = missing[0]
        raise UserError(
            f"No rate of {codes.get(c, c)} on or before {d.isoformat()}: add one (Invoicing > Configuration > "
            f"Currencies) before posting or paying in that currency."
        )
    return out
