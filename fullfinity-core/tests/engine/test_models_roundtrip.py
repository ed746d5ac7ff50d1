"""Every field type round-trips exactly through PostgreSQL; bad values are refused with every problem listed."""

import datetime as dt
from decimal import Decimal

import pytest

from fullfinity.engine.base import (
    JSON,
    Binary,
    Boolean,
    Char,
    Date,
    Datetime,
    Float,
    Integer,
    Model,
    Monetary,
    Selection,
    Text,
    ValidationError,
)


class RtSample(Model):
    name = Char(max_length=20, required=True)
    body = Text()
    state = Selection(choices=[("draft", "Draft"), ("done", "Done")], default="draft")
    qty = Integer()
    ratio = Float()
    weight = Float(digits=(10, 3))
    amount = Monetary()
    flag = Boolean()
    day = Date()
    moment = Datetime()
    blob = Binary()
    data = JSON()


MODELS = [RtSample]


async def test_values_round_trip_exactly(ff_env):
    moment = dt.datetime(2026, 5, 4, 9, 30, 0, 125000, tzinfo=dt.UTC)
    rec = await RtSample.create(
        name="Ünïcode ✓",
        body="x" * 5000,
        state="done",
        qty=2**62,
        ratio=0.1,
        weight=1.23456,
        amount=Decimal("1234.505"),
        flag=True,
        day=dt.date(2026, 2, 28),
        moment=moment,
        blob=b"\x00\xffbytes",
        data={"a": [1, 2.5, None, "é"], "b": {"c": True}},
    )
    got = await RtSample.filter(id=rec.id).get()
    assert got.name == "Ünïcode ✓"
    assert got.body == "x" * 5000
    assert got.state == "done"
    assert got.qty == 2**62
    assert got.ratio == 0.1
    assert got.weight == 1.235
    assert got.amount == Decimal("1234.51") and isinstance(got.amount, Decimal)
    assert got.flag is True
    assert got.day == dt.date(2026, 2, 28)
    assert got.moment == moment and got.moment.tzinfo is not None
    assert got.blob == b"\x00\xffbytes"
    assert got.data == {"a": [1, 2.5, None, "é"], "b": {"c": True}}


async def test_defaults_apply_and_boolean_never_reads_none(ff_env):
    rec = await RtSample.create(name="defaults")
    got = await RtSample.filter(id=rec.id).get()
    assert got.state == "draft"
    assert got.flag is False
    assert got.qty is None


async def test_bad_values_are_all_reported_and_nothing_is_written(ff_env):
    with pytest.raises(ValidationError) as info:
        await RtSample.create(name="x" * 21, state="nope", qty="3", amount="abc", day="2026-13-01")
    paths = {d["path"] for d in info.value.details}
    assert paths == {"name", "state", "qty", "amount", "day"}
    assert await RtSample.filter().count() == 0


async def test_required_char_rejects_blank(ff_env):
    with pytest.raises(ValidationError) as info:
        await RtSample.create(name="   ")
    assert info.value.details == [{"path": "name", "message": "is required"}]
