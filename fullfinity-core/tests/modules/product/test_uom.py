"""Units of measure: exact conversion within a category, half-up rounding to the target, refusals."""

from decimal import Decimal

import pytest

from fullfinity.engine.base import UserError, ValidationError


async def unit(env, name):
    return await env["Uom"].filter(name=name).get()


@pytest.mark.parametrize(
    ("quantity", "source", "target", "expected"),
    [
        ("3", "Dozens", "Units", Decimal("36")),
        ("1", "Units", "Dozens", Decimal("0.08")),  # 0.0833... rounded half-up to the dozen's 0.01
        ("2500", "g", "kg", Decimal("2.500")),
        ("0.0005", "kg", "g", Decimal("1")),  # 0.5 g rounds half-up to 1 g
        ("1.5", "Days", "Hours", Decimal("12.00")),
        ("0.1", "km", "cm", Decimal("10000")),
        ("3", "L", "mL", Decimal("3000")),
    ],
)
async def test_convert_is_exact_and_rounds_half_up_to_the_target(env, quantity, source, target, expected):
    result = await (await unit(env, source)).convert(Decimal(quantity), await unit(env, target))

    assert result == expected
    assert str(result) == str(expected)  # the target's places, never a binary float


async def test_convert_without_rounding_keeps_every_digit(env):
    result = await (await unit(env, "Units")).convert(Decimal("1"), await unit(env, "Dozens"), round=False)

    assert abs(result * 12 - 1) < Decimal("1e-50")
    assert result != Decimal("0.08")


async def test_convert_across_categories_is_a_user_error_naming_both_units(env):
    with pytest.raises(UserError) as caught:
        await (await unit(env, "kg")).convert(Decimal("1"), await unit(env, "m"))

    assert "kg" in caught.value.message and "m" in caught.value.message


async def test_a_reference_unit_must_have_ratio_one(env):
    category = await env["UomCategory"].create(name="Energy")

    with pytest.raises(ValidationError) as caught:
        await env["Uom"].create(name="kWh", category=category.id, uom_type="reference", ratio="2")

    assert caught.value.details[0]["path"] == "ratio"


async def test_a_bigger_unit_needs_a_ratio_above_one(env):
    category = await env["UomCategory"].filter(name="Unit").get()

    with pytest.raises(ValidationError):
        await env["Uom"].create(name="Half", category=category.id, uom_type="bigger", ratio="0.5")


async def test_ratio_must_be_positive_in_the_database_too(env):
    category = await env["UomCategory"].filter(name="Unit").get()

    with pytest.raises(ValidationError, match="greater than zero"):
        await env["Uom"].create(name="Nothing", category=category.id, uom_type="smaller", ratio="0")
