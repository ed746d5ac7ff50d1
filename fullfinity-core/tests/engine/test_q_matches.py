"""In-memory evaluation and resolution of Q (orm.md 12.2, 12.5, 12.6).

The language-neutral cases live in tests/data/q_vectors.json (run by test_q_json.py); these
tests cover what only Python callers meet: Python values, resolve(), and the errors.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest

from fullfinity.engine.Q import Leaf, Q, Var
from fullfinity.engine.qlang.dates import D
from fullfinity.exceptions import BadRequest, QSyntaxError

NOW = "2026-03-15T10:30:00Z"
BINDINGS: dict[str, Any] = {"uid": 7, "cids": [1, 2], "now": NOW, "tz": "Europe/Brussels"}


# -- Python values -------------------------------------------------------------------------


def test_python_date_value_matches_an_iso_string_record() -> None:
    assert Q(deadline=date(2026, 3, 1)).matches({"deadline": "2026-03-01"})


def test_iso_string_value_matches_a_python_date_record() -> None:
    assert Q(deadline__lt="2026-03-02").matches({"deadline": date(2026, 3, 1)})


def test_aware_datetimes_compare_as_instants() -> None:
    paris = timezone(timedelta(hours=1))
    assert Q(at=datetime(2026, 3, 1, 9, 0, tzinfo=paris)).matches({"at": datetime(2026, 3, 1, 8, 0, tzinfo=UTC)})


def test_naive_datetime_record_value_is_wall_clock_time_in_the_users_timezone() -> None:
    q = Q(at__lt=datetime(2026, 3, 1, 8, 30, tzinfo=UTC))
    assert q.matches({"at": datetime(2026, 3, 1, 9, 0)}, {"tz": "Europe/Brussels"})  # 08:00Z
    assert not q.matches({"at": datetime(2026, 3, 1, 9, 0)}, {"tz": "UTC"})


def test_date_record_against_a_datetime_uses_the_dates_local_midnight() -> None:
    q = Q(deadline__gte=datetime(2026, 3, 14, 23, 30, tzinfo=UTC))
    assert not q.matches({"deadline": date(2026, 3, 15)}, {"tz": "Europe/Brussels"})  # midnight = 23:00Z
    assert q.matches({"deadline": date(2026, 3, 15)}, {"tz": "UTC"})


def test_decimal_equals_the_float_with_the_same_digits() -> None:
    assert Q(amount=Decimal("0.1")).matches({"amount": 0.1})
    assert Q(amount=0.1).matches({"amount": Decimal("0.10")})


def test_decimal_compares_with_a_decimal_string() -> None:
    assert Q(amount__gt=Decimal("1234.49")).matches({"amount": "1234.50"})


def test_date_part_of_a_python_datetime_uses_the_users_timezone() -> None:
    q = Q(at__day=1)
    at = datetime(2026, 3, 31, 22, 30, tzinfo=UTC)
    assert q.matches({"at": at}, {"tz": "Europe/Brussels"})
    assert not q.matches({"at": at}, {"tz": "UTC"})


def test_values_of_other_kinds_are_simply_not_equal() -> None:
    assert not Q(a=1).matches({"a": "one"})
    assert not Q(a="2026-03-01").matches({"a": 20260301})
    assert Q(a__neq=1).matches({"a": "one"})


def test_relation_dict_without_id_compares_as_null() -> None:
    assert Q(team=None).matches({"team": {"display_name": "x"}})


def test_matches_does_not_change_the_record() -> None:
    record = {"team": 4, "moves": [1, {"id": 2}], "at": "2026-03-01T08:00:00Z"}
    snapshot = repr(record)
    Q(team__id=4, moves__any=Q(id=2), at__year=2026).matches(record)
    assert repr(record) == snapshot


def test_matches_needs_no_bindings_when_the_q_uses_no_names() -> None:
    assert Q(a=1).matches({"a": 1})


def test_today_defaults_to_the_real_date() -> None:
    today = datetime.now(UTC).date()
    assert Q(deadline__lte=Var("today")).matches({"deadline": (today - timedelta(days=1)).isoformat()})


# -- bindings --------------------------------------------------------------------------------


def test_missing_bound_name_is_an_error_naming_it() -> None:
    with pytest.raises(BadRequest, match="bound name 'active_id' but no value is bound"):
        Q(parent=Var("active_id")).matches({"parent": 1}, BINDINGS)


def test_unknown_binding_is_refused() -> None:
    with pytest.raises(BadRequest, match="unknown binding\\(s\\) 'user'"):
        Q(a=1).matches({"a": 1}, {"user": 7})


def test_unknown_timezone_binding_is_refused() -> None:
    with pytest.raises(BadRequest, match="not a known IANA timezone"):
        Q(a=1).matches({"a": 1}, {"tz": "Nowhere/Else"})


@pytest.mark.parametrize("now", ["2026-03-15T10:30:00", "2026-03-15", "yesterday", datetime(2026, 3, 15), 5])
def test_now_binding_must_be_an_aware_instant(now: Any) -> None:
    with pytest.raises(BadRequest, match="binding 'now' must be an aware datetime"):
        Q(a=1).matches({"a": 1}, {"now": now})


def test_now_binding_accepts_an_aware_datetime() -> None:
    now = datetime(2026, 3, 15, 10, 30, tzinfo=UTC)
    assert Q(at__lt=Var("now")).matches({"at": "2026-03-15T10:00:00Z"}, {"now": now})


def test_today_binding_overrides_the_clock() -> None:
    assert Q(deadline=Var("today")).matches({"deadline": "2020-01-01"}, {"today": "2020-01-01"})


def test_today_binding_must_be_a_date() -> None:
    with pytest.raises(BadRequest, match="binding 'today' must be a date"):
        Q(deadline=Var("today")).matches({"deadline": "2020-01-01"}, {"today": "2020-01-01T00:00:00Z"})


def test_company_id_binding_wins_over_cid() -> None:
    assert Q(company=Var("company_id")).matches({"company": 5}, {"cid": 1, "company_id": 5})


def test_bound_value_is_checked_against_the_lookup() -> None:
    with pytest.raises(QSyntaxError, match="after binding names, company__in=4: in needs a list"):
        Q(company__in=Var("cids")).matches({"company": 4}, {"cids": 4})


# -- resolve ---------------------------------------------------------------------------------


def test_resolve_replaces_bound_names_with_their_values() -> None:
    assert Q(assignee=Var("uid"), company__in=Var("cids")).resolve(BINDINGS) == Q(assignee=7, company__in=[1, 2])


def test_resolve_replaces_d_calls_with_dates() -> None:
    q = Q(deadline__lt=D(days=-7), at__gte=D("now", hours=-1))
    expected = Q(deadline__lt=date(2026, 3, 8), at__gte=datetime(2026, 3, 15, 9, 30, tzinfo=UTC))
    assert q.resolve(BINDINGS) == expected


def test_resolve_gives_today_as_a_date_and_now_as_an_aware_datetime() -> None:
    q = Q(a=Var("today"), b=Var("now")).resolve(BINDINGS)
    values = [leaf.value for leaf in q.children if isinstance(leaf, Leaf)]
    assert values == [date(2026, 3, 15), datetime(2026, 3, 15, 10, 30, tzinfo=UTC)]


def test_resolve_reaches_inside_lists_and_nested_qs() -> None:
    q = Q(id__in=[Var("uid"), 3], moves__any=Q(owner=Var("uid")) | Q(day=D("yesterday")))
    expected = Q(id__in=[7, 3], moves__any=Q(owner=7) | Q(day=date(2026, 3, 14)))
    assert q.resolve(BINDINGS) == expected


def test_resolve_keeps_the_shape_and_the_raw_keys() -> None:
    q = ~Q(team__id__eq=Var("uid")) | Q(a=1)
    resolved = q.resolve(BINDINGS)
    assert resolved == ~Q(team__id__eq=7) | Q(a=1)
    first = resolved.children[0]
    assert isinstance(first, Q) and isinstance(first.children[0], Leaf)
    assert first.children[0].key == "team__id__eq"


def test_resolve_leaves_the_original_untouched() -> None:
    q = Q(a=Var("uid"))
    q.resolve(BINDINGS)
    assert q == Q(a=Var("uid"))


def test_resolved_q_serialises_dates_as_iso_strings() -> None:
    assert Q(deadline=D()).resolve(BINDINGS).to_json()["value"] == "2026-03-15"


def test_resolve_with_none_bound_gives_an_is_null_leaf() -> None:
    assert Q(contact=Var("contact_id")).resolve({"contact_id": None}) == Q(contact=None)


# -- evaluation errors ---------------------------------------------------------------------------


def test_ordering_values_of_different_kinds_is_an_error() -> None:
    with pytest.raises(BadRequest, match="name__gt: cannot order 'abc' \\(str\\) against 5 \\(int\\)"):
        Q(name__gt=5).matches({"name": "abc"})


def test_ordering_booleans_is_an_error() -> None:
    with pytest.raises(BadRequest, match="cannot order"):
        Q(active__gt=False).matches({"active": True})


def test_text_lookup_on_a_non_string_is_an_error() -> None:
    with pytest.raises(BadRequest, match="icontains compares text"):
        Q(team__icontains="x").matches({"team": {"id": 4}})


def test_path_through_a_plain_value_is_an_error() -> None:
    with pytest.raises(BadRequest, match="name__first: cannot read 'first' from 'Ann'"):
        Q(name__first="A").matches({"name": "Ann"})


def test_date_part_of_a_non_date_is_an_error() -> None:
    with pytest.raises(BadRequest, match="the year of 'soon' cannot be taken"):
        Q(deadline__year=2026).matches({"deadline": "soon"})


def test_any_over_plain_values_is_an_error() -> None:
    with pytest.raises(BadRequest, match="needs related records as dicts or ids"):
        Q(tags__any=Q(id=1)).matches({"tags": ["red"]})


def test_record_must_be_a_mapping() -> None:
    with pytest.raises(BadRequest, match="values must be a record"):
        Q(a=1).matches([("a", 1)])  # type: ignore[arg-type]
