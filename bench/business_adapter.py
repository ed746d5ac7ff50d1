"""Fullfinity adapter for the business benchmark harness (../shared/bench/business): invoicing
workloads B1-B5 and, when fullfinity-inventory is installed, the stock workloads S1-S3.

Run from the harness folder, with the distributions installed in its venv:

    VENV/bin/pip install -e /path/to/repo/fullfinity-core -e /path/to/repo/fullfinity-invoicing \
        -e /path/to/repo/fullfinity-inventory
    VENV/bin/python run_all.py --adapter-file /path/to/repo/bench/business_adapter.py \
        --adapters raw_asyncpg,tryton \
        --only b1_create_invoices,b2_post_invoices,b3_big_invoice,b4_pay_invoices,b5_receivable
    VENV/bin/python run_all.py --adapter-file /path/to/repo/bench/business_adapter.py \
        --adapters raw_asyncpg --only s1_receive,s2_ship,s3_on_hand

The adapter uses the public API only: a tenant created on the harness's PostgreSQL server with the
invoicing module installed (``create_tenant``), one ``tenant_env`` transaction per workload, and the
module's own calls: ``Invoice.bulk_create`` (invoices with their lines), ``Invoice.action_post``, the
``PaymentRegister`` wizard's ``action_create_payments`` (one payment per invoice) and a ``group_by``
over journal items; for stock, ``Transfer.create`` / ``bulk_create`` with their moves,
``action_confirm`` / ``action_assign`` / ``action_validate`` on all the transfers at once, and
``Product.qty_on_hand`` for the storage location. With inventory and invoicing both installed, the
glue ``inventory_invoicing`` is too: every receipt and delivery also posts its valuation entries.
Reads for the checksums (untimed) are plain SQL on the tenant database.
"""

from __future__ import annotations

import importlib.util
import os
import tempfile
import uuid
from decimal import Decimal
from typing import Any

import asyncpg
import common
from adapters.base import BaseAdapter, pkg_versions

#: The stock workloads run when fullfinity-inventory is installed next to invoicing.
HAS_STOCK = importlib.util.find_spec("fullfinity_inventory") is not None
B1 = "Invoice.bulk_create(1,000 invoices with 3 lines each as N commands, product + quantity + unit price + tax): "
B1 += "invoices and lines written with COPY, amounts computed once for all (per-line rounding, half-up)"


class _Stock:
    """S1-S3 through the inventory module's public API."""

    workload_notes_stock = {
        "s1_receive": "Transfer.create(receipt, 1,000 moves as N commands, one COPY) + action_validate: each move "
        "written once (done), quants of both sides in one INSERT ... ON CONFLICT DO UPDATE in key order, 1,000 lines "
        "and 1,000 FIFO valuation layers by COPY, 1,000 posted valuation journal entries (the glue), the ledger checks",
        "s2_ship": "Transfer.bulk_create(1,000 deliveries of one move, transfers and moves by COPY) + action_confirm, "
        "action_assign (quants locked FOR UPDATE in key order, reservation lines by COPY; refused unless all are "
        "ready) and action_validate (one quant upsert, FIFO layers, 1,000 journal entries), each on the 1,000 "
        "transfers at once",
        "s3_on_hand": "Product.with_fields('code', 'qty_on_hand').filter(id__in=...) with context "
        "location=WH/Stock: one query for the products, one for their quants (the scope read in it)",
    }

    async def _stock_setup(self, env: Any) -> None:
        stock = common.gen_stock_products()
        products = await env["Product"].bulk_create(
            [{"name": p["name"], "code": p["code"], "cost": p["cost_price"], "storable": True, "cost_method": "fifo"}
             for p in stock]
        )  # fmt: skip
        self.stock_ids = products.ids
        self.stock_code = {pid: p["code"] for pid, p in zip(products.ids, stock, strict=True)}
        wh = await env["Warehouse"].filter(code="WH").get()
        self.storage = wh.stock_location.id
        self.receipt_type = wh.receipt_type.id
        self.delivery_type = wh.delivery_type.id
        from fullfinity_inventory.models.warehouse import virtual_location

        self.customer_location = await virtual_location(env, "customer")
        self.supplier = (await env["Contact"].create(name="Bench supplier")).id

    async def reset_stock(self) -> None:
        # Done moves cannot be deleted (triggers): the benchmark empties the tables with TRUNCATE.
        await self.raw.execute("TRUNCATE valuation_layer, stock_move_line, stock_move, transfer, quant CASCADE")

    async def s1_receive(self, receipt: list[dict[str, Any]]) -> int:
        async with self.env() as env:
            transfer = await env["Transfer"].create(
                operation_type=self.receipt_type, partner=self.supplier,
                moves=[["N", {"product": self.stock_ids[r["product"]], "demand": Decimal(r["quantity"]),
                              "unit_cost": r["unit_price"]}] for r in receipt],
            )  # fmt: skip
            await transfer.action_validate()
            return int(transfer.id)

    async def s2_ship(self, shipments: list[dict[str, Any]]) -> int:
        async with self.env() as env:
            transfers = await env["Transfer"].bulk_create(
                [{"operation_type": self.delivery_type, "partner": self.customer_ids[s["customer"]],
                  "moves": [["N", {"product": self.stock_ids[s["product"]], "demand": Decimal(s["quantity"])}]]}
                 for s in shipments]
            )  # fmt: skip
            await transfers.action_confirm()
            await transfers.action_assign()
            states = await env.fetch(
                "SELECT state, count(*) AS n FROM transfer WHERE id = ANY($1::bigint[]) GROUP BY state", transfers.ids
            )
            if {r["state"] for r in states} != {"assigned"}:
                raise RuntimeError(f"not enough stock: {[tuple(r) for r in states]}")
            await transfers.action_validate()
            return len(transfers)

    async def s3_on_hand(self) -> list[tuple[str, Decimal]]:
        async with self.env() as env:
            with env.with_context(location=self.storage):
                rows = await env["Product"].with_fields("code", "qty_on_hand").filter(id__in=self.stock_ids)
        return [(r.code, r.qty_on_hand) for r in rows]

    async def verify_s1_receive(self) -> dict[str, Any]:
        done = await self.raw.fetchval(
            "SELECT count(*) FROM transfer t JOIN operation_type o ON o.id = t.operation_type_id "
            "WHERE o.code = 'incoming' AND t.state = 'done'"
        )
        r = await self.raw.fetchrow(
            "SELECT count(*) n, sum(quantity) q FROM stock_move WHERE state = 'done' AND destination_id = $1",
            self.storage,
        )
        return {"shipments_done": done, "moves_done": r["n"], "quantity": int(r["q"])}

    async def verify_s2_ship(self) -> dict[str, Any]:
        done = await self.raw.fetchval(
            "SELECT count(*) FROM transfer t JOIN operation_type o ON o.id = t.operation_type_id "
            "WHERE o.code = 'outgoing' AND t.state = 'done'"
        )
        r = await self.raw.fetchrow(
            "SELECT count(*) n, sum(quantity) q FROM stock_move WHERE state = 'done' AND destination_id = $1",
            self.customer_location,
        )
        return {"shipments_done": done, "moves_done": r["n"], "quantity": int(r["q"])}


class Adapter(_Stock if HAS_STOCK else object, BaseAdapter):  # type: ignore[misc]
    label = "Fullfinity"
    notes = (
        "fullfinity-core + fullfinity-invoicing, public API only: a tenant with the invoicing module on the "
        "harness's server, one tenant_env transaction per workload (elevated, as a system script; every ORM "
        "check, the database triggers guarding balance, immutability and lock date, and the gapless numbering "
        "run as in production). Setup creates the 21 % tax, 200 customers and 50 products through the ORM."
    )
    workload_notes = {
        "b1_create_invoices": B1,
        "b2_post_invoices": "Invoice.action_post on the 1,000 drafts: one set operation (lock, recompute and check "
        "amounts, take 1,000 numbers under one sequence-row lock, COPY 1,000 entries and 5,000 items, one UPDATE "
        "posting the entries, checked by the balance trigger, one UPDATE of the invoices)",
        "b3_big_invoice": "Invoice.bulk_create(one invoice, 1,000 lines) + action_post",
        "b4_pay_invoices": "PaymentRegister(invoices=1,000, group_payments=False).action_create_payments(): "
        "Payment.bulk_create, set-based posting (numbers, COPY of entries and items), one reconciliation pass "
        "(partials by COPY, one UPDATE of residuals, one UPDATE of invoice payment states)",
        "b5_receivable": "JournalItem.filter(account=receivable, parent_state='posted').group_by('partner', "
        "aggregates=['balance:sum'])",
        **(_Stock.workload_notes_stock if HAS_STOCK else {}),
    }

    async def setup(self, conn: Any) -> None:
        server = common.uri_for_db(conn.uri, "postgres")
        token = uuid.uuid4().hex[:6]
        os.environ.update(
            {
                "FULLFINITY_DATABASE_URL": server,
                "FULLFINITY_DATA_DIR": tempfile.mkdtemp(prefix="ffbiz-"),
                "FULLFINITY_CATALOG_DB": f"{conn.database}_catalog",
                "FULLFINITY_DB_PREFIX": f"{conn.database}_{token}_",
            }
        )
        from fullfinity.runtime import Runtime
        from fullfinity.settings import get_settings
        from fullfinity.tenancy.service import create_tenant

        get_settings.cache_clear()
        self.runtime = Runtime(settings=get_settings())
        self.runtime.start()
        await self.runtime.catalog.ensure()
        self.info = await create_tenant(
            self.runtime.db,
            self.runtime.catalog,
            "bench",
            modules=["invoicing", "inventory"] if HAS_STOCK else ["invoicing"],
            use_template=False,
        )
        self.raw = await asyncpg.connect(common.uri_for_db(conn.uri, self.info.database))
        async with self.env() as env:
            receivable = await env["Account"].filter(code="1200").get()
            tax_account = await env["Account"].filter(code="2200").get()
            group = await env["TaxGroup"].filter(name="VAT").get()
            self.tax = (
                await env["Tax"].create(
                    name="VAT 21%",
                    amount_type="percent",
                    amount=common.TAX_RATE * 100,
                    type_tax_use="sale",
                    tax_group=group.id,
                    account=tax_account.id,
                )
            ).id
            self.receivable = receivable.id
            self.cash = (await env["Journal"].filter(code="CSH").get()).id
            self.cash_account = (await env["Journal"].filter(code="CSH").get()).default_account.id
            customers = await env["Contact"].bulk_create([{"name": c["name"]} for c in common.gen_customers()])
            self.customer_ids = customers.ids
            self.code_of = {cid: c["code"] for cid, c in zip(customers.ids, common.gen_customers(), strict=True)}
            products = await env["Product"].bulk_create(
                [
                    {"name": p["name"], "code": p["code"], "sale_price": p["list_price"], "sale_taxes": [self.tax]}
                    for p in common.gen_sale_products()
                ]
            )
            self.product_ids = products.ids
            if HAS_STOCK:
                await self._stock_setup(env)
        self.draft_ids: list[int] = []

    def env(self) -> Any:
        from fullfinity.scripting import tenant_env

        return tenant_env(self.info.name, runtime=self.runtime)

    def versions(self) -> dict[str, str]:
        return pkg_versions("fullfinity-core", "fullfinity-invoicing", "fullfinity-inventory", "asyncpg")

    async def teardown(self) -> None:
        from fullfinity.tenancy.service import drop_tenant

        await self.raw.close()
        await drop_tenant(self.runtime.db, self.runtime.catalog, self.info.name)
        await self.runtime.close()

    # -- helpers (untimed) ----------------------------------------------------------------------
    async def reset_invoicing(self) -> None:
        # Posted documents cannot be deleted (triggers refuse DELETE): the benchmark empties the tables
        # with TRUNCATE, an administrator's operation outside the application.
        await self.raw.execute(
            "TRUNCATE partial_reconcile, payment__invoices, payment, journal_item__taxes, journal_item, "
            "journal_entry, invoice_line__taxes, invoice_line, invoice CASCADE"
        )
        self.draft_ids = []

    def _rows(self, invoices: list[dict[str, Any]]) -> list[dict[str, Any]]:
        cust, prod, tax = self.customer_ids, self.product_ids, self.tax
        return [
            {
                "partner": cust[inv["customer"]],
                "invoice_date": inv["invoice_date"],
                "lines": [
                    [
                        "N",
                        {
                            "product": prod[ln["product"]],
                            "quantity": Decimal(ln["quantity"]),
                            "price_unit": ln["unit_price"],
                            "taxes": [tax],
                        },
                    ]
                    for ln in inv["lines"]
                ],
            }
            for inv in invoices
        ]

    # -- timed ------------------------------------------------------------------------------------
    async def b1_create_invoices(self, invoices: list[dict[str, Any]]) -> int:
        async with self.env() as env:
            created = await env["Invoice"].bulk_create(self._rows(invoices))
            self.draft_ids = created.ids
        return len(self.draft_ids)

    async def b2_post_invoices(self) -> int:
        async with self.env() as env:
            await env["Invoice"].browse(self.draft_ids).action_post()
        return len(self.draft_ids)

    async def b3_big_invoice(self, invoice: dict[str, Any]) -> int:
        async with self.env() as env:
            created = await env["Invoice"].bulk_create(self._rows([invoice]))
            await created.action_post()
        return 1

    async def b4_pay_invoices(self, payments: list[dict[str, Any]]) -> int:
        ids = [self.draft_ids[p["invoice"]] for p in payments]
        async with self.env() as env:
            wizard = env["PaymentRegister"](
                invoices=ids, journal=self.cash, date=payments[0]["date"], group_payments=False
            )
            await wizard.save()
            await wizard.action_create_payments()
        return len(ids)

    async def b5_receivable(self) -> list[tuple[str, Decimal]]:
        async with self.env() as env:
            groups = (
                await env["JournalItem"]
                .filter(account=self.receivable, parent_state="posted")
                .group_by("partner", aggregates=["balance:sum"])
            )
        code_of = self.code_of
        return [(code_of[g["partner"]["id"]], g["balance:sum"]) for g in groups if g["partner"] is not None]

    # -- verification (untimed) -----------------------------------------------------------------
    async def verify_b1_create_invoices(self) -> dict[str, Any]:
        r = await self.raw.fetchrow(
            "SELECT count(*) n, sum(amount_untaxed) u, sum(amount_tax) t, sum(amount_total) s FROM invoice "
            "WHERE state = 'draft'"
        )
        lines = await self.raw.fetchval(
            "SELECT count(*) FROM invoice_line l JOIN invoice i ON i.id = l.invoice_id WHERE i.state = 'draft'"
        )
        return {"invoices": r["n"], "lines": lines, "untaxed": common.money(r["u"]), "tax": common.money(r["t"]),
                "total": common.money(r["s"])}  # fmt: skip

    async def verify_b2_post_invoices(self) -> dict[str, Any]:
        inv = await self.raw.fetch("SELECT number, amount_total FROM invoice WHERE state = 'posted'")
        ml = await self.raw.fetchrow(
            "SELECT count(*) n, count(DISTINCT i.entry_id) m, sum(debit) d, sum(credit) c, "
            "sum(CASE WHEN account_id = $1 THEN debit - credit ELSE 0 END) r FROM journal_item i "
            "JOIN journal_entry e ON e.id = i.entry_id JOIN invoice v ON v.entry_id = e.id "
            "WHERE v.state = 'posted' AND e.state = 'posted'",
            self.receivable,
        )
        nums = sorted(common.numeric_suffix(r["number"]) for r in inv)
        return {"posted": len(inv), "numbers_distinct": len(set(nums)),
                "numbers_consecutive": bool(nums) and nums[-1] - nums[0] + 1 == len(nums),
                "moves": ml["m"], "move_lines": ml["n"], "debit": common.money(ml["d"]),
                "credit": common.money(ml["c"]), "receivable": common.money(ml["r"]),
                "total": common.money(sum(r["amount_total"] for r in inv))}  # fmt: skip

    async def verify_b3_big_invoice(self) -> dict[str, Any]:
        inv = await self.raw.fetch(
            "SELECT number, amount_untaxed, amount_tax, amount_total, entry_id FROM invoice WHERE state = 'posted'"
        )
        lines = await self.raw.fetchval("SELECT count(*) FROM invoice_line")
        items = await self.raw.fetchval("SELECT count(*) FROM journal_item i JOIN invoice v ON v.entry_id = i.entry_id")
        return {"posted": len(inv), "numbered": all(r["number"] for r in inv), "lines": lines, "move_lines": items,
                "untaxed": common.money(sum(r["amount_untaxed"] for r in inv)),
                "tax": common.money(sum(r["amount_tax"] for r in inv)),
                "total": common.money(sum(r["amount_total"] for r in inv))}  # fmt: skip

    async def verify_b4_pay_invoices(self) -> dict[str, Any]:
        paid = await self.raw.fetchval("SELECT count(*) FROM invoice WHERE payment_state = 'paid'")
        pm = await self.raw.fetchrow(
            "SELECT count(DISTINCT e.id) n, sum(i.credit) a FROM journal_entry e JOIN journal_item i "
            "ON i.entry_id = e.id AND i.account_id = $2 WHERE e.journal_id = $1 AND e.state = 'posted'",
            self.cash,
            self.receivable,
        )
        nrec = await self.raw.fetchval("SELECT count(*) FROM partial_reconcile")
        open_ = await self.raw.fetchval(
            "SELECT coalesce(sum(amount_residual), 0) FROM journal_item WHERE account_id = $1", self.receivable
        )
        return {"paid": paid, "payment_moves": pm["n"], "paid_amount": common.money(pm["a"]),
                "reconciliations": nrec, "receivable_open": common.money(open_)}  # fmt: skip
