"""``Numeric``: exact decimals that are not money (quantities, ratios, rates), never binary floats."""

from decimal import Decimal

import pytest

from fullfinity.engine.base import Model, Numeric, ValidationError
from fullfinity.views.widgets import DEFAULT_WIDGETS, widget_fits


class NumSample(Model):
    quantity = Numeric(digits=(16, 4))
    ratio = Numeric()


MODELS = [NumSample]


async def test_values_read_back_as_exact_decimals(ff_env):
    rec = await NumSample.create(quantity="0.1", ratio=Decimal("0.000000000123456789"))
    got = await NumSample.filter(id=rec.id).get()

    assert got.quantity == Decimal("0.1000") and isinstance(got.quantity, Decimal)
    assert got.ratio == Decimal("0.000000000123456789") and isinstance(got.ratio, Decimal)


async def test_digits_round_half_up_on_write(ff_env):
    rec = await NumSample.create(quantity=Decimal("2.00005"))

    assert rec.quantity == Decimal("2.0001")
    assert (await NumSample.filter(id=rec.id).get()).quantity == Decimal("2.0001")


async def test_floats_go_through_their_shortest_repr(ff_env):
    rec = await NumSample.create(quantity=0.1, ratio=1.1)

    assert rec.quantity == Decimal("0.1000")
    assert rec.ratio == Decimal("1.1")


async def test_sums_are_exact_decimals(ff_env):
    await NumSample.bulk_create([{"quantity": "0.1"} for _ in range(10)])

    total = await NumSample.filter(quantity="0.1").aggregate("quantity:sum")

    assert total["quantity:sum"] == Decimal("1.0000")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("abc", "must be a number"),
        (True, "must be a number"),
        (float("nan"), "finite"),
        ("1e13", "at most 12 digits before the decimal point"),
        ([1], "must be a number"),
    ],
)
async def test_bad_values_are_refused_with_the_reason(ff_env, value, message):
    with pytest.raises(ValidationError) as caught:
        await NumSample.create(quantity=value)

    assert caught.value.details[0]["path"] == "quantity"
    assert message in caught.value.details[0]["message"]


def test_bad_digits_are_a_declaration_error():
    with pytest.raises(TypeError, match="precision, scale"):
        Numeric(digits=(2, 4))


def test_number_widgets_fit_and_are_the_default():
    assert DEFAULT_WIDGETS["Numeric"] == "NumberInput"
    assert widget_fits("NumberInput", "Numeric")
    assert not widget_fits("Checkbox", "Numeric")


async def test_metadata_and_openapi_describe_a_number_with_its_digits(ff_env):
    from fullfinity.api.handlers.meta import field_meta
    from fullfinity.api.openapi_schemas import record_schema, write_schema

    model = ff_env.get_model("NumSample")
    meta = field_meta(model._fields["quantity"])
    read = record_schema(model)["properties"]["quantity"]
    write = write_schema(model)["properties"]["quantity"]

    assert meta["type"] == "Numeric" and meta["digits"] == [16, 4]
    assert "number" in str(read)
    assert "pattern" in str(write)  # more digits than a JSON number keeps may be sent as a string
