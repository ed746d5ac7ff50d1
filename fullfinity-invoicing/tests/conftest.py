"""Fixtures: a tenant holding invoicing (no demo data) per test file, and an environment on it whose
work is rolled back after each test, plus small builders of documents."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import pytest_asyncio

from fullfinity.testing.tenants import module_tenant, rolled_back_env


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def tenant(ff_runtime: Any) -> AsyncIterator[Any]:
    async with module_tenant(ff_runtime, ["invoicing"], prefix="inv") as info:
        yield info


@pytest_asyncio.fixture(loop_scope="session")
async def env(ff_runtime: Any, tenant: Any) -> AsyncIterator[Any]:
    """An elevated environment on the tenant, in a transaction rolled back after the test."""
    async with rolled_back_env(ff_runtime, tenant.name) as bound:
        yield bound


class Books:
    """Builders over one environment: contacts, products, taxes, invoices."""

    def __init__(self, env: Any) -> None:
        self.env = env

    async def tax(self, name: str = "VAT 20%") -> Any:
        return await self.env["Tax"].filter(name=name).get()

    async def account(self, code: str) -> Any:
        return await self.env["Account"].filter(code=code).get()

    async def customer(self, name: str = "Customer") -> Any:
        return await self.env["Contact"].create(name=f"{name} {uuid.uuid4().hex[:6]}")

    async def product(self, price: str = "100.00", taxes: list[int] | None = None, **values: Any) -> Any:
        return await self.env["Product"].create(
            name=f"Product {uuid.uuid4().hex[:6]}", sale_price=price, cost=price, sale_taxes=taxes or [], **values
        )

    async def invoice(self, partner: Any = None, lines: list[dict[str, Any]] | None = None, **values: Any) -> Any:
        partner = partner or await self.customer()
        vat = await self.tax()
        lines = lines if lines is not None else [{"name": "Service", "quantity": Decimal(1), "price_unit": Decimal(100),
                                                   "taxes": [vat.id]}]  # fmt: skip
        values.setdefault("invoice_date", __import__("datetime").date(2026, 3, 15))
        return await self.env["Invoice"].create(partner=partner.id, lines=[["N", ln] for ln in lines], **values)

    async def posted(self, **values: Any) -> Any:
        invoice = await self.invoice(**values)
        await invoice.action_post()
        return invoice

    async def items(self, invoice: Any) -> list[Any]:
        return list(await self.env["JournalItem"].filter(entry=invoice.entry.id).order_by("id"))


@pytest_asyncio.fixture(loop_scope="session")
async def books(env: Any) -> Books:
    return Books(env)
