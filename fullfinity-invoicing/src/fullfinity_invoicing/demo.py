"""Demo data of invoicing, with dates relative to today (demo tenants only).

Created by the post-install hook when the tenant has core's demo contacts and the module's demo
marker (its ``demo/`` files are loaded only in demo tenants): customer invoices and vendor bills of
the last weeks, some paid, one partially paid, one credited, some open or overdue, all through the
same API a user calls (create, post, register payment, credit note).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

__all__ = ["create_demo"]


async def _ref(env: Any, identifier: str) -> int | None:
    row = await env.fetchrow("SELECT res_id FROM ff_identifier WHERE identifier = $1", identifier)
    return int(row["res_id"]) if row is not None else None


async def create_demo(env: Any) -> None:
    if await _ref(env, "invoicing_demo_term_45") is None or await env.fetchval("SELECT EXISTS (SELECT 1 FROM invoice)"):
        return
    vendor = await env["Contact"].create(
        name="Office Supplies Ltd",
        email="orders@officesupplies.example",
        is_company=True,
        street="12 Harbour Road",
        zip="4020",
        city="Linz",
        vat="ATU12345678",
    )
    marker = vendor.id
    vat = await env.fetchval("SELECT id FROM tax WHERE name = 'VAT 20%' ORDER BY id LIMIT 1")
    vat_in = await env.fetchval("SELECT id FROM tax WHERE name = 'VAT 20% (purchases)' ORDER BY id LIMIT 1")
    today = dt.date.today()
    northwind = await _ref(env, "core_demo_contact_northwind")
    globex = await _ref(env, "core_demo_contact_globex")
    dana = await _ref(env, "core_demo_contact_dana")
    desk = await _ref(env, "product_demo_desk")
    chair = await _ref(env, "product_demo_chair")
    paper = await _ref(env, "product_demo_paper")
    consulting = await _ref(env, "product_demo_consulting")
    install = await _ref(env, "product_demo_installation")
    term30 = await env.fetchval("SELECT id FROM payment_term WHERE name = '30 days' ORDER BY id LIMIT 1")
    Invoice = env["Invoice"]

    def day(offset: int) -> dt.date:
        return today + dt.timedelta(days=offset)

    def line(product: int | None, quantity: str, **values: Any) -> list[Any]:
        return ["N", {"product": product, "quantity": Decimal(quantity), "taxes": [vat], **values}]

    rows = [
        {"partner": northwind, "invoice_date": day(-60), "payment_term": term30,
         "lines": [line(desk, "4"), line(chair, "4")]},
        {"partner": globex, "invoice_date": day(-45),
         "lines": [line(consulting, "12.5"), ["N", {"display_type": "note", "name": "Workshop on site."}]]},
        {"partner": dana, "invoice_date": day(-40), "lines": [line(paper, "10")]},
        {"partner": northwind, "invoice_date": day(-20), "payment_term": term30,
         "lines": [line(install, "2"), line(chair, "2", discount=Decimal(10))]},
        {"partner": globex, "invoice_date": day(-5), "lines": [line(consulting, "8")]},
        {"partner": dana, "invoice_date": day(-2), "lines": [line(desk, "1")]},
    ]  # fmt: skip
    invoices = await Invoice.bulk_create(rows)
    await Invoice.bulk_create(  # stays a draft
        [{"partner": globex, "lines": [["N", {"product": install, "quantity": Decimal(1)}]]}]
    )
    posted = invoices[:5]
    await posted.action_post()
    bills = await Invoice.bulk_create(
        [
            {"move_type": "in_invoice", "partner": marker, "invoice_date": day(-30), "reference": "OS-2231",
             "lines": [["N", {"product": paper, "quantity": Decimal(40), "taxes": [vat_in]}]]},
            {"move_type": "in_invoice", "partner": marker, "invoice_date": day(-10), "reference": "OS-2290",
             "payment_term": term30, "lines": [["N", {"product": chair, "quantity": Decimal(6), "taxes": [vat_in]}]]},
        ]
    )  # fmt: skip
    await bills.action_post()
    from fullfinity_invoicing.models._payments import register_payments

    await register_payments(env, [posted[0].id], journal=None, date=day(-25), amount=None, currency=None,
                            memo=None, group=True)  # fmt: skip
    await register_payments(env, [posted[1].id], journal=None, date=day(-15), amount=Decimal(500), currency=None,
                            memo="First instalment", group=True)  # fmt: skip
    await register_payments(env, [bills[0].id], journal=None, date=day(-3), amount=None, currency=None,
                            memo=None, group=True)  # fmt: skip
    await posted[2].action_reverse(date=day(-35), reason="Paper returned (wrong format)")
