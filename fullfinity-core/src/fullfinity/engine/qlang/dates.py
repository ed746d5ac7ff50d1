"""Relative dates for Q expressions: ``D("month_start", months=-1)`` (orm.md 12.5).

``D(...)`` builds a lazy ``DateExpr``; nothing is computed until ``resolve(tz, now)`` is
called, when a query runs or a Q is evaluated in memory, so a record rule written as
``Q(deadline__lt=D("today"))`` always means *today*, in the user's timezone.

Resolution, step by step:

1. ``now`` (an aware datetime, default the real current instant) is converted to the
   user's IANA timezone ``tz``.
2. The anchor is taken there: ``today``, ``week_start`` (weeks start on Monday), ... or an
   ISO string (a naive datetime string is read as wall-clock time in ``tz``; one with an
   offset is converted to ``tz``).
3. ``years``/``months`` are added on the calendar, clamping the day (31 January + 1 month
   = last day of February), then ``weeks``/``days`` on the calendar (wall clock).
4. ``hours``/``minutes``/``seconds`` are added as elapsed time.

The result is a ``date``, unless the anchor is ``now`` or a datetime string, or an
hour/minute/second offset is given: then it is an aware datetime in UTC (a date anchor
then starts at its midnight in ``tz``).

This module also holds the ISO parsing and timezone helpers that in-memory Q evaluation
shares, so both read dates the same way.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fullfinity.exceptions import BadRequest, QSyntaxError

__all__ = ["ANCHORS", "OFFSETS", "D", "DateExpr", "local_midnight", "parse_iso", "zone"]

ANCHORS: tuple[str, ...] = (
    "today",
    "yesterday",
    "tomorrow",
    "now",
    "week_start",
    "week_end",
    "month_start",
    "month_end",
    "quarter_start",
    "quarter_end",
    "year_start",
    "year_end",
)
OFFSETS: tuple[str, ...] = ("years", "months", "weeks", "days", "hours", "minutes", "seconds")
_TIME_OFFSETS = ("hours", "minutes", "seconds")
# Offsets travel through JSON to the web client: keep them exact there too.
_MAX_OFFSET = 2**53 - 1

_ISO_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_ISO_DATETIME = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})[T ]([0-9]{2}):([0-9]{2})(?::([0-9]{2})(?:\.([0-9]{1,6}))?)?"
    r"(Z|[+-][0-9]{2}:[0-9]{2})?"
)


def parse_iso(text: str) -> date | datetime | None:
    """``text`` as a date or datetime if it is strict ISO 8601, else ``None``.

    Accepted: ``YYYY-MM-DD`` (a date), and ``YYYY-MM-DD[T ]HH:MM[:SS[.ffffff]]`` with an
    optional ``Z`` or ``+HH:MM`` offset (a datetime, naive without an offset). Nothing
    else: this is the exact rule the web client implements too.
    """
    try:
        if m := _ISO_DATE.fullmatch(text):
            return date(int(m[1]), int(m[2]), int(m[3]))
        if m := _ISO_DATETIME.fullmatch(text):
            tzinfo: timezone | None = None
            if m[8] == "Z":
                tzinfo = UTC
            elif m[8]:
                sign = -1 if m[8][0] == "-" else 1
                hours, minutes = int(m[8][1:3]), int(m[8][4:6])
                if minutes > 59:
                    return None
                tzinfo = timezone(sign * timedelta(hours=hours, minutes=minutes))
            micro = int((m[7] or "0").ljust(6, "0"))
            fields = (int(m[1]), int(m[2]), int(m[3]), int(m[4]), int(m[5]), int(m[6] or 0), micro)
            return datetime(*fields, tzinfo=tzinfo)
    except ValueError:  # 2026-02-30, hour 25, offset beyond 24h: not a date
        return None
    return None


def zone(tz: str) -> ZoneInfo:
    """The ``ZoneInfo`` for an IANA name, or a ``BadRequest`` saying what was wrong."""
    if not isinstance(tz, str):
        raise BadRequest(f"tz must be an IANA timezone name such as 'Europe/Brussels', got {tz!r:.80}")
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise BadRequest(
            f"tz {tz!r:.80} is not a known IANA timezone; use a name such as 'UTC' or 'Europe/Brussels'"
        ) from exc


def local_midnight(day: date, tz: ZoneInfo) -> datetime:
    """Midnight starting ``day`` in ``tz``, as an aware UTC datetime."""
    return datetime.combine(day, time(), tzinfo=tz).astimezone(UTC)


def _add_months(value: date, months: int) -> date:
    # Works for datetimes too: replace() keeps the time of day.
    year, month0 = divmod(value.year * 12 + value.month - 1 + months, 12)
    day = min(value.day, calendar.monthrange(year, month0 + 1)[1]) if 1 <= year <= 9999 else value.day
    return value.replace(year=year, month=month0 + 1, day=day)


def _anchor_date(anchor: str, today: date) -> date:
    if anchor in ("today", "yesterday", "tomorrow"):
        return today + timedelta(days={"today": 0, "yesterday": -1, "tomorrow": 1}[anchor])
    if anchor.startswith("week_"):
        start = today - timedelta(days=today.weekday())
        return start if anchor == "week_start" else start + timedelta(days=6)
    if anchor.startswith("month_"):
        first_month = today.month
    elif anchor.startswith("quarter_"):
        first_month = 3 * ((today.month - 1) // 3) + 1
    else:  # year_start, year_end
        first_month = 1
    start = date(today.year, first_month, 1)
    if anchor.endswith("_start"):
        return start
    span = {"month": 1, "quarter": 3, "year": 12}[anchor.split("_")[0]]
    return _add_months(start, span) - timedelta(days=1)


@dataclass(frozen=True, slots=True)
class DateExpr:
    """A date relative to the moment of evaluation; build it with ``D(...)``.

    JSON form: ``{"$date": {"anchor": "today", "days": -7}}`` (zero offsets omitted, the
    anchor always present). ``str()`` gives the Q-string spelling ``D('today', days=-7)``.
    """

    anchor: str = "today"
    years: int = 0
    months: int = 0
    weeks: int = 0
    days: int = 0
    hours: int = 0
    minutes: int = 0
    seconds: int = 0

    def __post_init__(self) -> None:
        if not isinstance(self.anchor, str) or (self.anchor not in ANCHORS and parse_iso(self.anchor) is None):
            raise QSyntaxError(
                f"D() anchor must be one of {', '.join(ANCHORS)} or an ISO date/datetime string "
                f"('2026-03-31', '2026-03-31T08:00:00Z'), got {self.anchor!r:.80}"
            )
        for name in OFFSETS:
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int):
                raise QSyntaxError(
                    f"D() offset {name}= must be a whole number, got {value!r:.80}; "
                    "use a smaller unit for fractions (hours=12 rather than days=0.5)"
                )
            if abs(value) > _MAX_OFFSET:
                raise QSyntaxError(f"D() offset {name}={value} is out of range (at most ±{_MAX_OFFSET})")

    @property
    def offsets(self) -> dict[str, int]:
        """The non-zero offsets, in signature order."""
        return {name: getattr(self, name) for name in OFFSETS if getattr(self, name)}

    @property
    def gives_datetime(self) -> bool:
        """True when ``resolve`` returns a datetime rather than a date."""
        if any(getattr(self, name) for name in _TIME_OFFSETS):
            return True
        return self.anchor == "now" or isinstance(parse_iso(self.anchor), datetime)

    def resolve(self, tz: str = "UTC", now: datetime | None = None) -> date | datetime:
        """The concrete date (or aware UTC datetime) at ``now`` for a user in ``tz``."""
        tzinfo = zone(tz)
        if now is None:
            now = datetime.now(UTC)
        elif now.tzinfo is None or now.utcoffset() is None:
            raise BadRequest(f"now must be an aware datetime (with a UTC offset), got the naive {now.isoformat()}")
        local_now = now.astimezone(tzinfo)
        try:
            return self._compute(local_now, tzinfo)
        except (OverflowError, ValueError) as exc:
            raise BadRequest(f"{self} falls outside the supported dates (years 1 to 9999)") from exc

    def _compute(self, local_now: datetime, tzinfo: ZoneInfo) -> date | datetime:
        base: date | datetime
        if self.anchor == "now":
            base = local_now
        elif self.anchor in ANCHORS:
            base = _anchor_date(self.anchor, local_now.date())
        else:
            parsed = parse_iso(self.anchor)
            assert parsed is not None  # checked in __post_init__
            if isinstance(parsed, datetime):
                base = parsed.replace(tzinfo=tzinfo) if parsed.tzinfo is None else parsed.astimezone(tzinfo)
            else:
                base = parsed
        elapsed = timedelta(hours=self.hours, minutes=self.minutes, seconds=self.seconds)
        shifted = _add_months(base, self.years * 12 + self.months) + timedelta(weeks=self.weeks, days=self.days)
        if isinstance(shifted, datetime):
            # Adding to a ZoneInfo-aware datetime moves the wall clock; astimezone then
            # takes the UTC offset valid on the new day (DST changes in between).
            return shifted.astimezone(UTC) + elapsed
        if not self.gives_datetime:
            return shifted
        return local_midnight(shifted, tzinfo) + elapsed

    def to_json(self) -> dict[str, Any]:
        return {"$date": {"anchor": self.anchor, **self.offsets}}

    @classmethod
    def from_json(cls, body: Any) -> DateExpr:
        """Read the *inside* of ``{"$date": {...}}``."""
        if not isinstance(body, dict):
            raise QSyntaxError(
                f'"$date" must hold an object such as {{"anchor": "today", "days": -7}}, got {body!r:.80}'
            )
        unknown = sorted(set(body) - {"anchor", *OFFSETS})
        if unknown:
            raise QSyntaxError(
                f'"$date" has unknown key(s) {", ".join(unknown)}; allowed: anchor, {", ".join(OFFSETS)}'
            )
        if "anchor" not in body:
            raise QSyntaxError('"$date" needs an "anchor", e.g. {"anchor": "today"}')
        return cls(**body)

    def __str__(self) -> str:
        parts = [repr(self.anchor)] + [f"{name}={value}" for name, value in self.offsets.items()]
        return f"D({', '.join(parts)})"

    __repr__ = __str__


def D(
    anchor: str | date = "today",
    *,
    years: int = 0,
    months: int = 0,
    weeks: int = 0,
    days: int = 0,
    hours: int = 0,
    minutes: int = 0,
    seconds: int = 0,
) -> DateExpr:
    """A relative date: ``D(days=-7)`` a week ago, ``D("month_start", months=-1)``, ``D("now", hours=-1)``.

    ``anchor`` is one of ``ANCHORS`` or an ISO date/datetime string (a ``date``/``datetime``
    object is accepted and stored as its ISO string).
    """
    if isinstance(anchor, date):
        anchor = anchor.isoformat()
    return DateExpr(anchor, years, months, weeks, days, hours, minutes, seconds)
