"""The cache encoding gives back exactly the values it was given, or refuses them."""

import datetime as dt
import math
import uuid
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from fullfinity.engine.cache.codec import Uncacheable, decode, encode, encode_rows, is_shareable

UTC = dt.UTC

EXACT_VALUES = [
    None,
    True,
    0,
    -(2**63),
    2**63 - 1,
    2**80,  # beyond 64 bits: carried as text
    -(2**70),
    1.5,
    -0.0,
    "héllo \u2603",
    Decimal("1.10"),
    Decimal("-0.000"),
    Decimal("1E+3"),
    Decimal("NaN"),
    dt.date(2026, 3, 1),
    dt.datetime(2026, 3, 1, 23, 30, 0, 123456, tzinfo=UTC),
    dt.datetime(2026, 3, 1, 23, 30, tzinfo=dt.timezone(dt.timedelta(hours=-5, minutes=-30))),
    dt.datetime(2026, 3, 1, 23, 30),  # naive
    dt.datetime(2026, 7, 1, 9, 0, tzinfo=ZoneInfo("Europe/Brussels")),
    dt.time(8, 15, 30, 5),
    dt.timedelta(days=-2, seconds=5, microseconds=7),
    b"\x00\xffbinary",
    uuid.UUID("12345678-1234-5678-1234-567812345678"),
    (1, "two", Decimal("3")),
    {1, 2, 3},
    frozenset({"a"}),
    [1, [2, [3, {"x": Decimal("4.0")}]]],
    {"plain": {"nested": [1, 2.5, "x"]}},
    {"\x00": "a user key that looks like our tag", "v": 1},
    {1: "int key", (2, 3): "tuple key"},
]


@pytest.mark.parametrize("value", EXACT_VALUES, ids=lambda v: type(v).__name__ + ":" + repr(v)[:30])
def test_a_value_round_trips_with_its_exact_type(value):
    back = decode(encode(value))
    assert type(back) is type(value)
    if isinstance(value, Decimal):
        assert str(back) == str(value)  # precision, exponent and NaN kept
    else:
        assert back == value
    if isinstance(value, dt.datetime):
        assert back.tzinfo == value.tzinfo


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_non_finite_floats_round_trip_instead_of_becoming_null(value):
    back = decode(encode([value]))[0]
    assert type(back) is float
    assert (math.isnan(back) and math.isnan(value)) or back == value


def test_nested_decimals_and_datetimes_keep_their_types():
    value = {"lines": [{"amount": Decimal("19.99"), "at": dt.datetime(2026, 1, 2, tzinfo=UTC)}]}
    back = decode(encode(value))
    assert back == value
    assert type(back["lines"][0]["amount"]) is Decimal


@pytest.mark.parametrize(
    "value",
    [object(), bytearray(b"x"), dt.datetime(2026, 1, 1, fold=1), "lone \ud800 surrogate"],
    ids=["object", "bytearray", "fold", "surrogate"],
)
def test_values_that_cannot_travel_exactly_are_refused(value):
    with pytest.raises(Uncacheable):
        encode(value)


def test_subclasses_of_builtin_types_are_refused_rather_than_degraded():
    class Label(str):
        pass

    with pytest.raises(Uncacheable):
        encode(Label("x"))


def test_immutable_values_are_shareable_and_containers_are_not():
    assert is_shareable(encode((1, Decimal("2"), "x")))
    assert not is_shareable(encode({"a": 1}))
    assert not is_shareable(encode([1]))


ROWS = [
    (1, "Alpha", Decimal("10.00"), dt.date(2026, 3, 1), dt.datetime(2026, 3, 1, 8, tzinfo=UTC), True, None, 2.5),
    (2, "Beta", None, None, None, False, {"k": [1, "x"]}, None),
    (
        3,
        None,
        Decimal("-0.50"),
        dt.date(2025, 12, 31),
        dt.datetime(2025, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
        None,
        [1, 2],
        float("inf"),
    ),
]


def test_rows_round_trip_column_by_column():
    back = decode(encode_rows(ROWS))
    assert [tuple(row) for row in back] == ROWS
    for row, original in zip(back, ROWS, strict=True):
        assert [type(v) for v in row] == [type(v) for v in original]


def test_rows_with_json_values_are_not_shared_between_hits():
    assert not is_shareable(encode_rows(ROWS))
    assert is_shareable(encode_rows([row[:6] for row in ROWS]))


def test_a_row_column_mixing_types_keeps_each_type():
    rows = [(1,), (Decimal("1"),), (dt.date(2026, 1, 1),), ("x",)]
    assert [tuple(r) for r in decode(encode_rows(rows))] == rows
    assert [type(r[0]) for r in decode(encode_rows(rows))] == [int, Decimal, dt.date, str]


def test_no_rows_round_trip():
    assert decode(encode_rows([])) == []


def test_a_payload_of_another_format_is_rejected():
    with pytest.raises(ValueError, match="another version"):
        decode(b"\x02Pm[]")
