"""Static typing of fields: checked by mypy (the typecheck step), not run by pytest.

A static checker must see ``record.field`` as the field's Python type and ``Model.field`` as
the field object.
"""

import datetime as dt
from decimal import Decimal
from typing import Any, assert_type

from fullfinity.engine.base import JSON, Boolean, Char, Date, Datetime, Float, Integer, Model, Monetary
from fullfinity.engine.fields.scalar import Char as CharField


class TypedPartner(Model):
    name = Char()
    qty = Integer()
    ratio = Float()
    amount = Monetary()
    flag = Boolean()
    day = Date()
    moment = Datetime()
    data = JSON()


async def check() -> None:
    partner = await TypedPartner.filter(qty=1).get()
    assert_type(partner, TypedPartner)
    assert_type(partner.name, str)
    assert_type(partner.qty, int)
    assert_type(partner.ratio, float)
    assert_type(partner.amount, Decimal)
    assert_type(partner.flag, bool)
    assert_type(partner.day, dt.date)
    assert_type(partner.moment, dt.datetime)
    assert_type(partner.data, Any)
    assert_type(TypedPartner.name, CharField)
    partner.name = "renamed"
    everyone = await TypedPartner.filter()
    assert_type(everyone, TypedPartner)
