"""Field options and checks: validators (all forms), readonly, descriptions, SQL constraints."""

import pytest

from fullfinity.engine.base import Char, Integer, Model, ValidationError


def no_spaces(value):
    if " " in value:
        raise ValidationError("must not contain spaces")


def below_limit(value, record):
    if record.limit is not None and value > record.limit:
        raise ValidationError(f"must not exceed the limit {record.limit}")


async def not_reserved(value):
    if value == "admin":
        raise ValidationError("is reserved")


class VaItem(Model):
    _sql_constraints = [("positive_qty", "qty >= 0", "The quantity cannot be negative.")]

    code = Char(validators=[no_spaces, not_reserved], hint="Short code")
    limit = Integer()
    qty = Integer(validators=[below_limit])
    frozen = Char(readonly=True, default="x")


MODELS = [VaItem]


async def test_validators_of_every_form_report_every_problem_at_once(ff_env):
    with pytest.raises(ValidationError) as info:
        await VaItem.create(code="a b", limit=5, qty=9)
    assert info.value.details == [
        {"path": "code", "message": "must not contain spaces"},
        {"path": "qty", "message": "must not exceed the limit 5"},
    ]
    with pytest.raises(ValidationError, match="is reserved"):
        await VaItem.create(code="admin")


async def test_sql_constraints_report_their_message(ff_env):
    with pytest.raises(ValidationError) as info:
        async with ff_env.transaction():
            await VaItem.create(code="ok", qty=-1)
    assert info.value.message == "The quantity cannot be negative."
    assert info.value.details == [{"path": "positive_qty", "message": "The quantity cannot be negative."}]


def test_field_metadata_defaults():
    field = VaItem.__dict__["code"]
    assert field.description == "Code" and field.hint == "Short code"
    assert VaItem.__dict__["frozen"].readonly is True


async def test_readonly_fields_can_be_set_by_server_code(ff_env):
    item = await VaItem.create(code="r", frozen="server")
    assert (await VaItem.get(item.id)).frozen == "server"
