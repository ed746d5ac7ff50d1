"""The ORM guide (docs/orm.md) as one runnable script.

    python docs/examples/orm_tour.py postgresql://user@host/empty_database

The test suite runs ``tour()`` against a fresh database (tests/test_docs_examples.py).
"""

from __future__ import annotations

import asyncio
import sys

from fullfinity.engine.base import (
    Boolean,
    Char,
    D,
    Date,
    Float,
    Model,
    Monetary,
    Q,
    Selection,
    Text,
    ValidationError,
)
from fullfinity.testing.orm import env_on, registry_on


class HelpdeskTicket(Model):
    _order = "priority DESC, id ASC"

    name = Char(max_length=200, required=True, description="Subject")
    body = Text()
    priority = Selection(choices=[("low", "Low"), ("normal", "Normal"), ("urgent", "Urgent")], default="normal")
    hours = Float(digits=(8, 2))
    price = Monetary()
    deadline = Date(index=True)
    active = Boolean(default=True)


async def tour() -> dict[str, object]:
    """Runs inside a bound environment; returns what it observed."""
    seen: dict[str, object] = {}
    ticket = await HelpdeskTicket.create(name="Printer jam", priority="urgent", price="12.50")
    ticket.hours = 1.5
    await ticket.save()
    await HelpdeskTicket.bulk_create([{"name": f"T{i}", "deadline": "2020-01-01"} for i in range(100)])
    try:
        await HelpdeskTicket.create(name="", priority="whenever", price="abc")
    except ValidationError as exc:
        seen["problems"] = [d["path"] for d in exc.details]
    seen["urgent"] = [t.name for t in await HelpdeskTicket.filter(priority="urgent")]
    seen["overdue"] = await HelpdeskTicket.filter(deadline__lt=D("today")).count()
    overdue = Q(deadline__lt=D("today")) & ~Q(priority="low")
    seen["q"] = await HelpdeskTicket.filter(overdue | Q(priority="urgent")).count()
    seen["q_string"] = await HelpdeskTicket.filter("Q(deadline__lt=D('today')) & ~Q(priority='low')").count()
    rows = await HelpdeskTicket.with_fields("name", "deadline").filter(priority="urgent")
    seen["hydrated"] = rows[0].name
    seen["groups"] = await HelpdeskTicket.filter().group_by("priority", aggregates=["hours:sum"])
    seen["updated"] = await HelpdeskTicket.filter(name__startswith="T").update(priority="low")
    return seen


async def main(dsn: str) -> None:
    registry = await registry_on(dsn, HelpdeskTicket)
    async with env_on(dsn, registry):  # rolled back at the end
        for key, value in (await tour()).items():
            print(f"{key}: {value}")


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
