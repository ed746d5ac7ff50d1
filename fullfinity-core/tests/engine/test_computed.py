"""Computed fields: stored and non-stored, through relations and in reverse, batched, with setters and cycles."""

from decimal import Decimal

import pytest

from fullfinity.engine.base import Boolean, Char, Integer, ManyToOne, Model, Monetary, OneToMany
from fullfinity.engine.records.computed import recompute
from fullfinity.engine.records.registry import Registry
from fullfinity.exceptions import ModuleError


class CpPartner(Model):
    name = Char(required=True)
    city = Char()


class CpInvoice(Model):
    name = Char(required=True)
    partner = ManyToOne("CpPartner", related_name="invoices")
    lines = OneToMany("CpLine", related_name="invoice")
    total = Monetary(calculate="compute_total", store=True)
    line_count = Integer(calculate="compute_total", store=True)
    partner_city = Char(calculate="compute_partner_city", store=False)
    big = Boolean(calculate="compute_big", store=False)
    label = Char(calculate="compute_label", store=False, setter="set_label")
    seen_elevated = Boolean(calculate="compute_seen", store=False, calculate_elevated=True)

    @Model.calculate("lines", "lines__amount")
    async def compute_total(self):
        await self.fetch_related("lines")
        self.total = sum((line.amount or Decimal(0) for line in self.lines), Decimal(0))
        self.line_count = len(self.lines)

    @Model.calculate("partner", "partner__city")
    async def compute_partner_city(self):
        await self.fetch_related("partner")
        self.partner_city = self.partner.city if self.partner else ""

    @Model.calculate("total")
    async def compute_big(self):
        self.big = (self.total or 0) > 1000

    @Model.calculate("name")
    async def compute_label(self):
        self.label = f"[{self.name}]"

    async def set_label(self):
        self.name = self.label.strip("[]")

    @Model.calculate()
    async def compute_seen(self):
        self.seen_elevated = self.env.is_elevated


class CpTally(Model):
    """A non-stored count computed for a whole set with one query (``batch=True``)."""

    name = Char(required=True)
    same_name = Integer(calculate="compute_same_name", store=False)
    calls = []

    @Model.calculate("name", batch=True)
    async def compute_same_name(self):
        type(self).calls.append(len(self))
        names = [r.name for r in self]
        counts = {g["name"]: g["__count"] for g in await CpTally.filter(name__in=names).group_by("name")}
        for record in self:
            record.same_name = counts.get(record.name, 0)


class CpLine(Model):
    invoice = ManyToOne("CpInvoice", related_name="lines", required=True, on_delete="CASCADE")
    qty = Integer(default=1)
    price = Monetary()
    amount = Monetary(calculate="compute_amount", store=True)

    @Model.calculate("qty", "price")
    async def compute_amount(self):
        self.amount = (self.price or Decimal(0)) * (self.qty or 0)


MODELS = [CpPartner, CpInvoice, CpLine, CpTally]


async def test_local_stored_fields_are_computed_with_the_write(ff_env):
    inv = await CpInvoice.create(name="I1")
    line = await CpLine.create(invoice=inv, qty=3, price="2.50")
    assert line.amount == Decimal("7.50")
    line.qty = 4
    with ff_env.count_queries() as counter:
        await line.save()
    assert line.amount == Decimal("10.00")
    assert 'SET "qty" = $1, "amount" = $2' in counter.statements[0]


async def test_a_local_field_uses_the_new_value_of_a_dependency_on_a_partly_loaded_record(ff_env):
    line = await CpLine.create(invoice=await CpInvoice.create(name="I0"), qty=3, price="2.50")
    partial = await CpLine.with_fields("qty").filter(id=line.id).get()  # price not loaded
    partial.qty = 5
    await partial.save()
    assert partial.amount == Decimal("12.50")
    assert (await CpLine.get(line.id)).qty == 5


async def test_editing_a_line_recomputes_its_invoice(ff_env):
    inv = await CpInvoice.create(name="I2", lines=[["N", {"qty": 2, "price": "10"}]])
    assert inv.total == Decimal("20.00") and inv.line_count == 1
    line = await CpLine.filter(invoice=inv).get()
    line.price = "100"
    await line.save()
    assert (await CpInvoice.get(inv.id)).total == Decimal("200.00")  # the query flushes first


async def test_moving_and_deleting_lines_recompute_old_and_new_parents(ff_env):
    a = await CpInvoice.create(name="A", lines=[["N", {"price": "5"}], ["N", {"price": "7"}]])
    b = await CpInvoice.create(name="B")
    line = await CpLine.filter(invoice=a, price=Decimal("7")).get()
    line.invoice = b
    await line.save()
    totals = {i.name: i.total for i in await CpInvoice.filter(id__in=[a.id, b.id])}
    assert totals == {"A": Decimal("5.00"), "B": Decimal("7.00")}
    await line.delete()
    assert (await CpInvoice.get(b.id)).total == Decimal("0")


async def test_each_dirty_record_is_computed_once_per_flush_in_bounded_queries(ff_env):
    invoices = await CpInvoice.bulk_create([{"name": f"N{i}"} for i in range(100)])
    await CpLine.bulk_create([{"invoice": inv.id, "qty": 1, "price": "1"} for inv in invoices for _ in range(10)])
    await ff_env.flush()
    with ff_env.count_queries() as counter:
        updated = await CpLine.filter(invoice__in=invoices.ids).update(price="2")
        await ff_env.flush()
    assert updated == 1000
    assert counter.total <= 8  # update, line amounts (load+write), invoices (load, lines, write)
    totals = await CpInvoice.filter(id__in=invoices.ids).distinct_values("total")
    assert totals == [Decimal("20.00")]


async def test_non_stored_fields_compute_on_request_loading_only_their_dependencies(ff_env):
    paris = await CpPartner.create(name="P", city="Paris")
    await CpInvoice.bulk_create([{"name": f"C{i}", "partner": paris.id} for i in range(20)])
    await ff_env.flush()  # the new invoices' stored totals
    with ff_env.count_queries() as counter:
        rows = await CpInvoice.with_fields("name", "partner_city").filter(name__startswith="C")
    assert {r.partner_city for r in rows} == {"Paris"}
    assert counter.total == 2  # the invoices, then their partners for the whole set


async def test_a_batch_compute_method_runs_once_for_the_whole_set(ff_env):
    await CpTally.bulk_create([{"name": n} for n in ["a", "a", "b", "c", "c", "c"]])
    CpTally.calls.clear()
    with ff_env.count_queries() as counter:
        rows = await CpTally.with_fields("name", "same_name").order_by("id")
    assert [r.same_name for r in rows] == [2, 2, 1, 3, 3, 3]
    assert CpTally.calls == [6] and counter.total == 2  # the records, then one count for all


async def test_chained_computed_fields(ff_env):
    inv = await CpInvoice.create(name="Big", lines=[["N", {"qty": 10, "price": "150"}]])
    await inv.fetch_related("big")
    assert inv.big is True


async def test_setter_writes_the_underlying_fields(ff_env):
    inv = await CpInvoice.create(name="old")
    inv.label = "[new]"
    await inv.save()
    assert (await CpInvoice.get(inv.id)).name == "new"


async def test_calculate_elevated_runs_the_method_elevated(ff_env):
    inv = await CpInvoice.create(name="E")
    await inv.fetch_related("seen_elevated")
    assert inv.seen_elevated is True


async def test_recompute_everything_after_an_upgrade(ff_env):
    inv = await CpInvoice.create(name="R", lines=[["N", {"qty": 1, "price": "3"}]])
    await ff_env.execute("UPDATE cp_invoice SET total = 0")
    await recompute(CpInvoice, ["total"])
    assert (await CpInvoice.get(inv.id)).total == Decimal("3.00")


def test_a_dependency_cycle_is_refused_when_the_registry_is_built():
    class CyA(Model):
        x = Integer(calculate="cx", store=True)
        y = Integer(calculate="cy", store=True)

        @Model.calculate("y")
        async def cx(self):
            self.x = self.y

        @Model.calculate("x")
        async def cy(self):
            self.y = self.x

    with pytest.raises(ModuleError, match=r"cycle: CyA\.\w -> CyA\.\w -> CyA\.\w"):
        Registry.from_models(CyA)


def test_an_unknown_dependency_is_refused():
    class CyB(Model):
        x = Integer(calculate="cx", store=True)

        @Model.calculate("nope")
        async def cx(self):
            self.x = 1

    with pytest.raises(ModuleError, match="'nope'"):
        Registry.from_models(CyB)
