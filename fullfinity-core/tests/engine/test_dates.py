"""D(...): relative dates resolved in the user's timezone (orm.md 12.5)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from fullfinity.engine.qlang.dates import ANCHORS, D, DateExpr, parse_iso
from fullfinity.exceptions import BadRequest, QSyntaxError

# Sunday 15 March 2026, 10:30 UTC = 11:30 in Brussels (CET, +01:00; CEST starts 29 March).
NOW = datetime(2026, 3, 15, 10, 30, tzinfo=UTC)
BRUSSELS = "Europe/Brussels"


def at(anchor: str = "today", tz: str = BRUSSELS, now: datetime = NOW, **offsets: int) -> date | datetime:
    return D(anchor, **offsets).resolve(tz, now)


# -- anchors -----------------------------------------------------------------------------


def test_d_without_arguments_is_today_in_the_users_timezone() -> None:
    assert D().resolve(BRUSSELS, NOW) == date(2026, 3, 15)


def test_today_follows_the_timezone_not_utc() -> None:
    late_utc = datetime(2026, 3, 15, 23, 30, tzinfo=UTC)
    assert at("today", "Asia/Tokyo", late_utc) == date(2026, 3, 16)
    assert at("today", "America/New_York", datetime(2026, 3, 15, 2, 0, tzinfo=UTC)) == date(2026, 3, 14)


@pytest.mark.parametrize(
    ("anchor", "expected"),
    [
        ("yesterday", date(2026, 3, 14)),
        ("tomorrow", date(2026, 3, 16)),
        ("week_start", date(2026, 3, 9)),
        ("week_end", date(2026, 3, 15)),
        ("month_start", date(2026, 3, 1)),
        ("month_end", date(2026, 3, 31)),
        ("quarter_start", date(2026, 1, 1)),
        ("quarter_end", date(2026, 3, 31)),
        ("year_start", date(2026, 1, 1)),
        ("year_end", date(2026, 12, 31)),
    ],
)
def test_named_anchor_resolves_to_its_date(anchor: str, expected: date) -> None:
    assert at(anchor) == expected


def test_weeks_start_on_monday_even_when_today_is_monday() -> None:
    monday = datetime(2026, 3, 16, 12, 0, tzinfo=UTC)
    assert at("week_start", now=monday) == date(2026, 3, 16)
    assert at("week_end", now=monday) == date(2026, 3, 22)


@pytest.mark.parametrize(
    ("month", "start", "end"),
    [(2, date(2026, 1, 1), date(2026, 3, 31)), (5, date(2026, 4, 1), date(2026, 6, 30)),
     (9, date(2026, 7, 1), date(2026, 9, 30)), (12, date(2026, 10, 1), date(2026, 12, 31))],
)  # fmt: skip
def test_quarters_are_calendar_quarters(month: int, start: date, end: date) -> None:
    now = datetime(2026, month, 10, 12, 0, tzinfo=UTC)
    assert (at("quarter_start", now=now), at("quarter_end", now=now)) == (start, end)


def test_month_end_of_february_in_a_leap_year_is_the_29th() -> None:
    assert at("month_end", now=datetime(2024, 2, 10, tzinfo=UTC)) == date(2024, 2, 29)


def test_now_is_the_current_instant_as_aware_utc() -> None:
    result = at("now")
    assert result == NOW
    assert isinstance(result, datetime) and result.tzinfo is UTC


def test_iso_date_anchor_is_that_date() -> None:
    assert at("2026-01-31") == date(2026, 1, 31)


def test_naive_datetime_anchor_is_wall_clock_time_in_the_users_timezone() -> None:
    assert at("2026-03-15T11:30:00") == datetime(2026, 3, 15, 10, 30, tzinfo=UTC)


def test_datetime_anchor_with_offset_is_that_instant() -> None:
    assert at("2026-03-15T11:30:00+05:00") == datetime(2026, 3, 15, 6, 30, tzinfo=UTC)


def test_date_object_anchor_is_stored_as_its_iso_string() -> None:
    assert D(date(2026, 1, 31)) == DateExpr("2026-01-31")


def test_without_now_the_real_clock_is_used() -> None:
    before = datetime.now(UTC).date()
    result = D().resolve()
    assert result in (before, datetime.now(UTC).date())


# -- offsets -----------------------------------------------------------------------------


def test_days_offset_moves_the_date() -> None:
    assert at(days=-7) == date(2026, 3, 8)


def test_weeks_offset_is_seven_days() -> None:
    assert at(weeks=2) == date(2026, 3, 29)


def test_month_arithmetic_clamps_the_day() -> None:
    assert at("2026-01-31", months=1) == date(2026, 2, 28)
    assert at("2024-01-31", months=1) == date(2024, 2, 29)
    assert at("2026-03-31", months=-1) == date(2026, 2, 28)


def test_year_arithmetic_clamps_29_february() -> None:
    assert at("2024-02-29", years=1) == date(2025, 2, 28)


def test_negative_months_cross_the_year() -> None:
    assert at("2026-01-15", months=-1) == date(2025, 12, 15)
    assert at("2026-01-15", months=-13) == date(2024, 12, 15)


def test_years_and_months_are_added_together_before_days() -> None:
    assert at("2026-01-31", years=1, months=1, days=1) == date(2027, 3, 1)


def test_start_of_last_month() -> None:
    assert at("month_start", months=-1) == date(2026, 2, 1)


def test_hour_offset_on_a_date_anchor_starts_at_local_midnight() -> None:
    # Midnight 15 March in Brussels is 23:00 UTC the day before.
    assert at(hours=1) == datetime(2026, 3, 15, 0, 0, tzinfo=UTC)


def test_minutes_and_seconds_make_a_datetime() -> None:
    assert at("now", minutes=-90, seconds=30) == datetime(2026, 3, 15, 9, 0, 30, tzinfo=UTC)


def test_days_keep_the_wall_clock_across_a_dst_change() -> None:
    saturday_noon = datetime(2026, 3, 28, 11, 0, tzinfo=UTC)  # 12:00 CET
    assert at("now", now=saturday_noon, days=1) == datetime(2026, 3, 29, 10, 0, tzinfo=UTC)  # 12:00 CEST


def test_hours_are_elapsed_time_across_a_dst_change() -> None:
    saturday_noon = datetime(2026, 3, 28, 11, 0, tzinfo=UTC)
    assert at("now", now=saturday_noon, hours=24) == datetime(2026, 3, 29, 11, 0, tzinfo=UTC)  # 13:00 CEST


def test_offset_datetime_anchor_is_shifted_on_the_users_calendar() -> None:
    # 23:30Z on 28 March is 00:30 on the 29th in Brussels; one day later is 00:30 CEST on the 30th.
    assert at("2026-03-28T23:30:00Z", days=1) == datetime(2026, 3, 29, 22, 30, tzinfo=UTC)


# -- result kind -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expr", "gives_datetime"),
    [
        (D(), False),
        (D("month_end", days=3), False),
        (D("2026-01-01"), False),
        (D("now"), True),
        (D("2026-01-01T08:00:00"), True),
        (D(hours=1), True),
        (D(minutes=1), True),
        (D(seconds=1), True),
    ],
)
def test_result_is_a_date_unless_now_a_datetime_anchor_or_a_time_offset(expr: DateExpr, gives_datetime: bool) -> None:
    result = expr.resolve(BRUSSELS, NOW)
    assert expr.gives_datetime is gives_datetime
    assert isinstance(result, datetime) is gives_datetime


def test_datetime_results_are_in_utc() -> None:
    result = at("2026-03-15T11:30:00", tz="Asia/Tokyo")
    assert isinstance(result, datetime) and result.tzinfo is UTC


# -- validation --------------------------------------------------------------------------


@pytest.mark.parametrize("anchor", ["someday", "Today", "", "2026-02-30", "2026-1-1", "20260101", "next week"])
def test_unknown_anchor_is_refused_with_the_allowed_anchors(anchor: str) -> None:
    with pytest.raises(QSyntaxError, match="anchor must be one of today, yesterday"):
        D(anchor)


def test_non_string_anchor_is_refused() -> None:
    with pytest.raises(QSyntaxError, match="anchor must be one of"):
        DateExpr(7)  # type: ignore[arg-type]


@pytest.mark.parametrize("value", [1.5, True, "1", None])
def test_offsets_must_be_whole_numbers(value: object) -> None:
    with pytest.raises(QSyntaxError, match="days= must be a whole number"):
        D(days=value)  # type: ignore[arg-type]


def test_huge_offset_is_refused() -> None:
    with pytest.raises(QSyntaxError, match="out of range"):
        D(seconds=2**60)


def test_result_outside_supported_dates_is_a_bad_request() -> None:
    with pytest.raises(BadRequest, match="outside the supported dates"):
        D(years=100_000).resolve(BRUSSELS, NOW)


def test_unknown_timezone_is_a_bad_request_naming_it() -> None:
    with pytest.raises(BadRequest, match="'Mars/Olympus' is not a known IANA timezone"):
        D().resolve("Mars/Olympus", NOW)


@pytest.mark.parametrize("tz", ["../../etc/passwd", "", "/etc/localtime"])
def test_path_like_timezone_is_refused(tz: str) -> None:
    with pytest.raises(BadRequest, match="not a known IANA timezone"):
        D().resolve(tz, NOW)


def test_naive_now_is_refused() -> None:
    with pytest.raises(BadRequest, match="aware datetime"):
        D().resolve("UTC", datetime(2026, 3, 15, 10, 30))


# -- forms -------------------------------------------------------------------------------


def test_json_form_keeps_the_anchor_and_omits_zero_offsets() -> None:
    assert D(days=-7).to_json() == {"$date": {"anchor": "today", "days": -7}}
    assert D("now").to_json() == {"$date": {"anchor": "now"}}


def test_json_form_lists_offsets_in_signature_order() -> None:
    body = D("month_start", seconds=1, years=2, days=3).to_json()["$date"]
    assert list(body) == ["anchor", "years", "days", "seconds"]


def test_json_form_reads_back_equal() -> None:
    expr = D("month_start", months=-1, hours=3)
    assert DateExpr.from_json(expr.to_json()["$date"]) == expr


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"days": 1}, 'needs an "anchor"'),
        ({"anchor": "today", "fortnights": 1}, "unknown key"),
        ("today", "must hold an object"),
        ({"anchor": "today", "days": "1"}, "whole number"),
    ],
)
def test_invalid_json_form_is_refused(body: object, message: str) -> None:
    with pytest.raises(QSyntaxError, match=message):
        DateExpr.from_json(body)


def test_str_is_the_q_string_spelling() -> None:
    assert str(D(days=-7)) == "D('today', days=-7)"
    assert repr(D("month_start", months=-1, hours=2)) == "D('month_start', months=-1, hours=2)"


def test_equal_expressions_are_equal_and_hash_alike() -> None:
    assert D("today", days=1) == D(days=1)
    assert hash(D("today", days=1)) == hash(D(days=1))
    assert D(days=1) != D(days=2)


def test_every_named_anchor_resolves() -> None:
    for anchor in ANCHORS:
        assert D(anchor).resolve(BRUSSELS, NOW) is not None


# -- ISO parsing shared with in-memory evaluation ------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-03-15", date(2026, 3, 15)),
        ("2026-03-15T10:30", datetime(2026, 3, 15, 10, 30)),
        ("2026-03-15 10:30:05", datetime(2026, 3, 15, 10, 30, 5)),
        ("2026-05-04T09:30:00.125Z", datetime(2026, 5, 4, 9, 30, 0, 125000, tzinfo=UTC)),
        ("2026-03-15T10:30:00+01:00", datetime(2026, 3, 15, 10, 30, tzinfo=timezone(timedelta(hours=1)))),
        ("2026-03-15T10:30:00-03:30", datetime(2026, 3, 15, 10, 30, tzinfo=timezone(timedelta(hours=-3.5)))),
    ],
)
def test_parse_iso_reads_strict_iso_dates_and_datetimes(text: str, expected: date) -> None:
    assert parse_iso(text) == expected
    assert type(parse_iso(text)) is type(expected)


@pytest.mark.parametrize(
    "text",
    [
        "2026-3-15",
        "20260315",
        "2026-W11-7",
        "2026-03-15T10",
        "2026-03-15T25:00",
        "2026-02-30",
        "2026-03-15T10:30:00+0100",
        "2026-03-15T10:30:00+01:99",
        "2026-03-15t10:30",
        " 2026-03-15",
        "2026-03-15\n",
        "٢٠٢٦-٠٣-١٥",
        "printer",
    ],
)
def test_parse_iso_refuses_everything_else(text: str) -> None:
    assert parse_iso(text) is None
