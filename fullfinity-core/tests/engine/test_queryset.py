"""Querysets against real PostgreSQL: every chainable and terminal method, and every lookup."""

import datetime as dt
from decimal import Decimal

import pytest

from fullfinity.engine.base import (
    Boolean,
    Char,
    Date,
    Datetime,
    Float,
    Integer,
    MissingError,
    Model,
    Monetary,
    Q,
    Selection,
    UserError,
)
from fullfinity.exceptions import BadRequest, QSyntaxError


class QsTicket(Model):
    _order = "priority DESC, name ASC"

    name = Char(max_length=100, required=True)
    priority = Selection(choices=["low", "normal", "urgent"], default="normal")
    hours = Float()
    points = Integer()
    price = Monetary()
    deadline = Date()
    opened = Datetime()
    active = Boolean(default=True)
    note = Char()


MODELS = [QsTicket]

ROWS = [
    dict(
        name="Printer jam",
        priority="urgent",
        hours=2.5,
        points=3,
        price="10.00",
        deadline="2026-03-01",
        opened="2026-03-01T23:30:00Z",
        note="100% broken",
    ),
    dict(
        name="printer toner",
        priority="low",
        hours=1.0,
        points=1,
        price="5.50",
        deadline="2026-01-15",
        opened="2026-01-15T08:00:00Z",
        note="under_score",
    ),
    dict(
        name="Network down",
        priority="urgent",
        hours=8.0,
        points=8,
        price="99.99",
        deadline=None,
        opened="2026-02-10T12:00:00Z",
        note=None,
    ),
    dict(
        name="RMA 42",
        priority="normal",
        hours=None,
        points=None,
        price=None,
        deadline="2026-03-31",
        opened=None,
        note="rma",
    ),
    dict(
        name="Archived thing",
        priority="low",
        hours=0.5,
        points=2,
        price="1.00",
        deadline="2025-12-31",
        opened="2025-12-31T10:00:00Z",
        active=False,
        note="old",
    ),
]


@pytest.fixture
async def data(ff_env):
    return await QsTicket.bulk_create(ROWS)


async def names(qs):
    return sorted(r.name for r in await qs)


async def test_all_applies_model_order_and_hides_archived(data):
    rows = await QsTicket.filter()
    assert [r.name for r in rows] == ["Network down", "Printer jam", "RMA 42", "printer toner"]


async def test_archived_records_show_when_the_filter_mentions_active(data):
    assert await names(QsTicket.filter(active=False)) == ["Archived thing"]


async def test_archived_records_show_with_active_test_false(data, ff_env):
    with ff_env.with_context(active_test=False):
        assert await QsTicket.filter().count() == 5


async def test_eq_and_neq_with_null_semantics(data):
    assert await names(QsTicket.filter(note=None)) == ["Network down"]
    assert await names(QsTicket.filter(note__neq="rma")) == ["Network down", "Printer jam", "printer toner"]


@pytest.mark.parametrize(
    ("lookup", "value", "expected"),
    [
        ("gt", 2.5, ["Network down"]),
        ("gte", 2.5, ["Network down", "Printer jam"]),
        ("lt", 2.5, ["printer toner"]),
        ("lte", 2.5, ["Printer jam", "printer toner"]),
        ("between", [1.0, 2.5], ["Printer jam", "printer toner"]),
    ],
)
async def test_comparisons(data, lookup, value, expected):
    assert await names(QsTicket.filter(**{f"hours__{lookup}": value})) == expected


async def test_in_and_nin(data):
    assert await names(QsTicket.filter(points__in=[1, 8])) == ["Network down", "printer toner"]
    assert await QsTicket.filter(points__in=[]).count() == 0
    assert await names(QsTicket.filter(points__nin=[1, 8])) == ["Printer jam", "RMA 42"]
    assert await QsTicket.filter(points__nin=[]).count() == 4


async def test_long_id_lists_take_the_batch_path_and_odd_values_are_still_checked(data):
    ids = [r.id for r in data]
    many = [*range(10**6, 10**6 + 5000), *ids]  # thousands of plain ints: one pass, same answer
    assert await QsTicket.filter(id__in=many).count() == 4
    assert await names(QsTicket.filter(points__in=[8, 3.0])) == ["Network down", "Printer jam"]  # 3.0 is 3
    with pytest.raises(QSyntaxError, match="stay exact in JSON"):
        QsTicket.filter(id__in=[*ids, 2**60])
    with pytest.raises(BadRequest, match="must be an integer, got bool"):
        await QsTicket.filter(points__in=[1, True]).count()


async def test_isnull_and_isnotnull(data):
    assert await names(QsTicket.filter(deadline__isnull=True)) == ["Network down"]
    assert await QsTicket.filter(deadline__isnull=False).count() == 3
    assert await QsTicket.filter(deadline__isnotnull=True).count() == 3


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("name__contains", "rinter", ["Printer jam", "printer toner"]),
        ("name__contains", "Printer", ["Printer jam"]),
        ("name__icontains", "PRINTER", ["Printer jam", "printer toner"]),
        ("name__startswith", "RMA", ["RMA 42"]),
        ("name__istartswith", "net", ["Network down"]),
        ("name__endswith", "jam", ["Printer jam"]),
        ("name__iendswith", "TONER", ["printer toner"]),
        ("note__contains", "100%", ["Printer jam"]),
        ("note__contains", "%", ["Printer jam"]),
        ("note__contains", "_", ["printer toner"]),
    ],
)
async def test_text_lookups_escape_wildcards(data, key, value, expected):
    assert await names(QsTicket.filter(**{key: value})) == expected


async def test_date_parts(data):
    assert await names(QsTicket.filter(deadline__month=3)) == ["Printer jam", "RMA 42"]
    assert await names(QsTicket.filter(deadline__year=2026, deadline__day__in=[1, 15])) == [
        "Printer jam",
        "printer toner",
    ]


async def test_datetime_parts_use_the_user_timezone(data, ff_env):
    # 2026-03-01T23:30Z is already 2 March in Berlin.
    assert "Printer jam" in await names(QsTicket.filter(opened__day=1))
    with ff_env.with_context(tz="Europe/Berlin"):
        assert "Printer jam" not in await names(QsTicket.filter(opened__day=1))
        assert "Printer jam" in await names(QsTicket.filter(opened__day=2))


async def test_datetime_equal_to_a_date_matches_the_whole_day(data):
    assert await names(QsTicket.filter(opened=dt.date(2026, 1, 15))) == ["printer toner"]
    assert await names(QsTicket.filter(opened__gte="2026-02-10")) == ["Network down", "Printer jam"]


async def test_q_objects_compose_with_and_or_not(data):
    q = (Q(priority="urgent") | Q(name__icontains="toner")) & ~Q(hours__gt=5)
    assert await names(QsTicket.filter(q)) == ["Printer jam", "printer toner"]


async def test_q_strings_are_accepted_and_exclude_negates(data):
    assert await names(QsTicket.filter("Q(priority='urgent')")) == ["Network down", "Printer jam"]
    assert await names(QsTicket.exclude(priority="urgent")) == ["RMA 42", "printer toner"]


async def test_order_by_limit_offset_and_slices(data):
    qs = QsTicket.order_by("hours DESC NULLS LAST")
    assert [r.name for r in await qs] == ["Network down", "Printer jam", "printer toner", "RMA 42"]
    assert [r.name for r in await qs.limit(2).offset(1)] == ["Printer jam", "printer toner"]
    assert [r.name for r in await qs[1:3]] == ["Printer jam", "printer toner"]


async def test_get_first_last_count_exists(data):
    assert (await QsTicket.filter(name="RMA 42").get()).points is None
    with pytest.raises(MissingError):
        await QsTicket.filter(name="nothing").get()
    with pytest.raises(UserError):
        await QsTicket.filter(priority="urgent").get()
    assert (await QsTicket.order_by("points ASC NULLS LAST").first()).name == "printer toner"
    assert (await QsTicket.order_by("points ASC NULLS LAST").last()).name == "RMA 42"
    assert await QsTicket.filter(priority="urgent").limit(1).count() == 2
    assert await QsTicket.filter(priority="urgent").exists()
    assert not await QsTicket.filter(priority="nope").exists()


async def test_a_capped_count_stops_at_the_cap_and_ignores_the_window(data):
    assert await QsTicket.filter().count(cap=2) == 2
    assert await QsTicket.filter().offset(3).limit(1).count(cap=100) == 4
    assert await QsTicket.filter(priority="urgent").count(cap=5) == 2
    assert await QsTicket.filter().count(cap=0) == 0


async def test_a_capped_count_refuses_a_cap_that_is_not_a_non_negative_integer(data):
    for cap in (-1, 1.5, True, "3"):
        with pytest.raises(BadRequest, match=r"count\(cap=\.\.\.\) must be a non-negative integer"):
            await QsTicket.filter().count(cap=cap)


async def test_model_get_by_id_sees_archived_and_raises_missing(data, ff_env):
    archived = await QsTicket.filter(active=False).get()
    assert (await QsTicket.get(archived.id)).name == "Archived thing"
    with pytest.raises(MissingError):
        await QsTicket.get(10**9)


async def test_values_and_distinct_values(data):
    rows = await QsTicket.filter(priority="urgent").order_by("name").values("name", "points")
    assert rows == [{"name": "Network down", "points": 8}, {"name": "Printer jam", "points": 3}]
    assert await QsTicket.filter().distinct_values("priority") == ["low", "normal", "urgent"]


async def test_iterator_streams_every_record(data):
    seen = [r.name async for r in QsTicket.filter().order_by("name").iterator(chunk_size=2)]
    assert seen == ["Network down", "Printer jam", "RMA 42", "printer toner"]


async def test_update_is_one_statement_and_returns_the_count(data, ff_env):
    with ff_env.count_queries() as counter:
        count = await QsTicket.filter(priority="urgent").update(points=0)
    assert count == 2 and counter.total == 1
    assert await QsTicket.filter(points=0).count() == 2


async def test_update_of_a_window_touches_only_that_window(data):
    assert await QsTicket.order_by("name").limit(1).update(note="first") == 1
    assert await names(QsTicket.filter(note="first")) == ["Network down"]


async def test_delete_returns_the_count(data):
    assert await QsTicket.filter(priority="low").delete() == 1
    assert await QsTicket.filter().count() == 3


async def test_group_by_with_aggregates(data):
    rows = await QsTicket.filter().group_by("priority", aggregates=["hours:sum", "points:max", "price:sum"])
    assert rows == [
        {"priority": "low", "__count": 1, "hours:sum": 1.0, "points:max": 1, "price:sum": Decimal("5.50")},
        {"priority": "normal", "__count": 1, "hours:sum": None, "points:max": None, "price:sum": None},
        {"priority": "urgent", "__count": 2, "hours:sum": 10.5, "points:max": 8, "price:sum": Decimal("109.99")},
    ]


async def test_group_by_date_granularity_and_order_by_count(data):
    rows = await QsTicket.filter().order_by("__count DESC").group_by("deadline:month")
    assert rows[0] == {"deadline:month": dt.date(2026, 3, 1), "__count": 2}
    weeks = await QsTicket.filter(deadline__isnotnull=True).group_by("deadline:week")
    assert {r["deadline:week"].weekday() for r in weeks} == {0}


async def test_aggregate_over_the_whole_set(data):
    totals = await QsTicket.filter().aggregate("points:sum", "hours:avg", "price:max")
    assert totals == {
        "__count": 4,
        "points:sum": 12,
        "hours:avg": pytest.approx(11.5 / 3),
        "price:max": Decimal("99.99"),
    }


async def test_unknown_field_is_a_clear_error_naming_the_closest_field(data):
    with pytest.raises(BadRequest) as info:
        await QsTicket.filter(nmae__icontains="x")
    assert "QsTicket has no field 'nmae'" in info.value.message and "Closest: name" in info.value.message


async def test_unknown_lookup_is_a_clear_error(data):
    with pytest.raises(BadRequest, match="neither a field of QsTicket nor a lookup"):
        await QsTicket.filter(name__like="x")


async def test_bad_order_by_is_a_clear_error(data):
    with pytest.raises(BadRequest, match="Bad order_by"):
        QsTicket.order_by("name; DROP TABLE x")


async def test_bad_filter_value_is_a_clear_error(data):
    with pytest.raises(BadRequest, match="must be a number"):
        await QsTicket.filter(hours__gt="many")
