"""The JSON form of Q (orm.md 12.6) and the shared vectors the web client is tested against too."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from fullfinity.engine.Q import BOUND_NAMES, DATE_PARTS, LOOKUPS, MAX_DEPTH, Leaf, Q, Var
from fullfinity.engine.qlang.dates import ANCHORS, D
from fullfinity.exceptions import QSyntaxError

VECTORS: list[dict[str, Any]] = json.loads(
    (Path(__file__).parent.parent / "data" / "q_vectors.json").read_text(encoding="utf-8")
)


def canonical(tree: Any) -> str:
    """JSON text that tells 1 from true from 1.0, which == on Python dicts does not."""
    return json.dumps(tree, sort_keys=True)


def leaf(path: str, lookup: str, value: Any, part: str | None = None) -> dict[str, Any]:
    node = {"path": path, "lookup": lookup, "value": value}
    return node | {"part": part} if part else node


# -- to_json -------------------------------------------------------------------------------


def test_reference_example_serialises_exactly() -> None:
    q = (
        Q(deadline__lt=D("today"))
        & ~Q(stage__is_closed=True)
        & (Q(assignee__id__eq=Var("uid")) | Q(watchers__any=Q(id=Var("uid"))))
        & Q(created_date__month__in=[1, 2, 3])
    )
    expected = {
        "and": [
            {"path": "deadline", "lookup": "lt", "value": {"$date": {"anchor": "today"}}},
            {"not": {"path": "stage__is_closed", "lookup": "eq", "value": True}},
            {
                "or": [
                    {"path": "assignee__id", "lookup": "eq", "value": {"$var": "uid"}},
                    {"path": "watchers", "lookup": "any",
                     "value": {"path": "id", "lookup": "eq", "value": {"$var": "uid"}}},
                ]
            },
            {"path": "created_date", "part": "month", "lookup": "in", "value": [1, 2, 3]},
        ]
    }  # fmt: skip
    assert canonical(q.to_json()) == canonical(expected)


def test_empty_q_is_an_empty_and() -> None:
    assert Q().to_json() == {"and": []}


def test_single_leaf_is_written_without_a_wrapper() -> None:
    assert Q(a=1).to_json() == leaf("a", "eq", 1)


def test_keywords_become_an_and_in_keyword_order() -> None:
    assert Q(b=1, a=2).to_json() == {"and": [leaf("b", "eq", 1), leaf("a", "eq", 2)]}


def test_part_is_written_only_for_date_parts() -> None:
    assert "part" not in Q(a=1).to_json()
    assert Q(created_date__year=2026).to_json() == leaf("created_date", "eq", 2026, part="year")


def test_leaf_keys_are_written_in_reference_order() -> None:
    assert list(Q(created_date__year__gte=2026).to_json()) == ["path", "part", "lookup", "value"]


def test_not_is_an_object_with_one_node() -> None:
    assert (~Q(a=1)).to_json() == {"not": leaf("a", "eq", 1)}


def test_bound_name_is_a_var_object() -> None:
    assert Q(a=Var("cid")).to_json()["value"] == {"$var": "cid"}


def test_d_call_is_a_date_object_without_zero_offsets() -> None:
    assert Q(a=D(days=-7)).to_json()["value"] == {"$date": {"anchor": "today", "days": -7}}


def test_any_value_is_a_node() -> None:
    assert Q(moves__any=Q(a=1) | Q(b=2)).to_json()["value"] == {"or": [leaf("a", "eq", 1), leaf("b", "eq", 2)]}


def test_empty_q_inside_any_stays_an_empty_and() -> None:
    assert Q(moves__any=Q()).to_json()["value"] == {"and": []}


def test_python_dates_and_decimals_are_written_as_strings() -> None:
    tree = Q(
        a=date(2026, 3, 1),
        b=datetime(2026, 3, 1, 8, 30, tzinfo=UTC),
        c=datetime(2026, 3, 1, 8, 30),
        d=Decimal("1234.50"),
        e=Decimal("1E+2"),
    ).to_json()
    assert [node["value"] for node in tree["and"]] == [
        "2026-03-01",
        "2026-03-01T08:30:00+00:00",
        "2026-03-01T08:30:00",
        "1234.50",
        "100",
    ]


def test_json_output_is_plain_json() -> None:
    q = Q(Q(a=1) | ~Q(b__in=[1, 2]), c__any=Q(d=D("now", hours=-1)), e=Var("uid"), f=Decimal("1.5"))
    read_back = Q.from_json(json.loads(json.dumps(q.to_json())))
    assert read_back == Q(Q(a=1) | ~Q(b__in=[1, 2]), c__any=Q(d=D("now", hours=-1)), e=Var("uid"), f="1.5")


# -- from_json -----------------------------------------------------------------------------


def test_from_json_reads_back_what_to_json_wrote() -> None:
    q = (Q(a=1) | Q(b__year__between=[2020, 2026])) & ~Q(c__none=Q(d__isnull=True)) & Q(e__in=Var("cids"))
    assert Q.from_json(q.to_json()) == q


def test_bare_leaf_reads_as_a_q() -> None:
    q = Q.from_json(leaf("a", "eq", 1))
    assert isinstance(q, Q) and q == Q(a=1)


def test_single_child_and_or_read_as_the_child() -> None:
    assert Q.from_json({"and": [leaf("a", "eq", 1)]}) == Q(a=1)
    assert Q.from_json({"or": [leaf("a", "eq", 1)]}) == Q(a=1)


def test_nested_and_is_flattened_on_reading() -> None:
    tree = {"and": [leaf("a", "eq", 1), {"and": [leaf("b", "eq", 2), leaf("c", "eq", 3)]}]}
    assert Q.from_json(tree) == Q(a=1, b=2, c=3)


def test_null_part_means_no_part() -> None:
    assert Q.from_json(leaf("a", "eq", 1) | {"part": None}) == Q(a=1)


def test_leaf_read_from_json_gets_a_key_the_sql_compiler_can_resolve() -> None:
    q = Q.from_json(leaf("created_date", "in", [1, 2], part="month"))
    node = q.children[0]
    assert isinstance(node, Leaf) and node.key == "created_date__month__in"


def test_json_strings_stay_strings() -> None:
    assert Q.from_json(leaf("a", "eq", "2026-03-01")) == Q(a="2026-03-01")


@pytest.mark.parametrize(
    ("tree", "where", "message"),
    [
        ("Q(a=1)", "$", "expected a node"),
        ([leaf("a", "eq", 1)], "$", "expected a node"),
        ({}, "$", "unexpected keys"),
        ({"and": [], "or": []}, "$", "unexpected keys"),
        ({"and": leaf("a", "eq", 1)}, "$", '"and" must hold a list'),
        ({"or": []}, "$", '"or" needs at least one node'),
        ({"not": [leaf("a", "eq", 1)]}, "$.not", "expected a node"),
        ({"and": [leaf("a", "eq", 1), 5]}, "$.and[1]", "expected a node"),
        ({"path": "a", "lookup": "eq"}, "$", "unexpected keys"),
        (leaf("a", "eq", 1) | {"extra": 1}, "$", "unexpected keys"),
        (leaf("a", "like", 1), "$", "unknown lookup 'like'"),
        (leaf("a", "eq", 1, part="week"), "$", "unknown date part 'week'"),
        (leaf("", "eq", 1), "$", "path '' is not field names"),
        (leaf("a.b", "eq", 1), "$", "path 'a.b' is not field names"),
        (leaf("a____b", "eq", 1), "$", "is not field names"),
        (leaf(5, "eq", 1), "$", "path 5"),  # type: ignore[arg-type]
        (leaf("a", "in", 5), "$", "in needs a list"),
        (leaf("a", "eq", {"$var": "user"}), "$", "unknown bound name 'user'"),
        (leaf("a", "eq", {"$var": "uid", "x": 1}), "$", "an object value must be"),
        (leaf("a", "eq", {"id": 4}), "$", "an object value must be"),
        (leaf("a", "eq", {"$date": {"anchor": "someday"}}), "$", "anchor must be one of"),
        (leaf("a", "eq", {"$date": {"days": -1}}), "$", 'needs an "anchor"'),
        (leaf("a", "eq", [[1]]), "$", "a list inside a list"),
        (leaf("a", "any", 5), "$.value", "expected a node"),
        (leaf("a", "any", {"path": "b", "lookup": "nope", "value": 1}), "$.value", "unknown lookup 'nope'"),
        ({"or": [leaf("a", "eq", 1), {"not": leaf("b", "between", [1])}]}, "$.or[1].not", "two values"),
    ],
)
def test_invalid_tree_is_refused_naming_the_place(tree: Any, where: str, message: str) -> None:
    with pytest.raises(QSyntaxError) as info:
        Q.from_json(tree)
    assert info.value.message.startswith(f"Q JSON at {where}: ")
    assert message in info.value.message
    assert info.value.details[0]["path"] == where


def test_too_deep_tree_is_refused() -> None:
    tree: dict[str, Any] = leaf("a", "eq", 1)
    for _ in range(MAX_DEPTH + 5):
        tree = {"not": tree}
    with pytest.raises(QSyntaxError, match=f"deeper than {MAX_DEPTH}"):
        Q.from_json(tree)


def test_very_deep_tree_is_refused_without_recursion_error() -> None:
    tree: dict[str, Any] = leaf("a", "eq", 1)
    for _ in range(100_000):
        tree = {"not": tree}
    with pytest.raises(QSyntaxError, match="deeper than"):
        Q.from_json(tree)


# -- the shared vectors --------------------------------------------------------------------------


def vector_id(vector: dict[str, Any]) -> str:
    return f"{vector['note']} | {vector['q'].strip()}"


@pytest.mark.parametrize("vector", VECTORS, ids=vector_id)
def test_vector_q_string_and_tree_are_the_same_q(vector: dict[str, Any]) -> None:
    assert Q.parse(vector["q"]) == Q.from_json(vector["tree"])


@pytest.mark.parametrize("vector", VECTORS, ids=vector_id)
def test_vector_tree_is_the_json_form_of_the_q_string(vector: dict[str, Any]) -> None:
    assert canonical(Q.parse(vector["q"]).to_json()) == canonical(vector["tree"])


@pytest.mark.parametrize("vector", VECTORS, ids=vector_id)
def test_vector_evaluates_to_the_expected_result(vector: dict[str, Any]) -> None:
    assert Q.from_json(vector["tree"]).matches(vector["values"], vector["bindings"]) is vector["expected"]


def test_vectors_are_well_formed() -> None:
    for vector in VECTORS:
        assert set(vector) == {"note", "q", "tree", "bindings", "values", "expected"}, vector["note"]
        assert isinstance(vector["expected"], bool), vector["note"]
        assert "now" in vector["bindings"] and "tz" in vector["bindings"], vector["note"]


def test_vectors_have_distinct_cases() -> None:
    cases = [canonical([v["q"], v["bindings"], v["values"]]) for v in VECTORS]
    assert len(cases) == len(set(cases))


def _texts() -> str:
    return " ".join(vector["q"] for vector in VECTORS)


@pytest.mark.parametrize("lookup", LOOKUPS)
def test_vectors_cover_every_lookup(lookup: str) -> None:
    assert any(_lookups(vector["tree"]) & {lookup} for vector in VECTORS)


@pytest.mark.parametrize("part", DATE_PARTS)
def test_vectors_cover_every_date_part(part: str) -> None:
    assert f"__{part}" in _texts()


@pytest.mark.parametrize("name", BOUND_NAMES)
def test_vectors_cover_every_bound_name(name: str) -> None:
    assert f'"$var": "{name}"' in json.dumps([vector["tree"] for vector in VECTORS])


@pytest.mark.parametrize("anchor", [a for a in ANCHORS if a != "today"])
def test_vectors_cover_every_d_anchor(anchor: str) -> None:
    assert f"D('{anchor}'" in _texts()


def test_vectors_have_both_outcomes_for_many_cases() -> None:
    assert sum(vector["expected"] for vector in VECTORS) >= 40
    assert sum(not vector["expected"] for vector in VECTORS) >= 40


def _lookups(tree: Any) -> set[str]:
    if isinstance(tree, dict) and "lookup" in tree:
        found = {tree["lookup"]}
        return found | _lookups(tree["value"]) if tree["lookup"] in ("any", "none") else found
    if isinstance(tree, dict):
        children = tree.get("and") or tree.get("or") or [tree.get("not")]
        return set().union(*(_lookups(child) for child in children if child is not None))
    return set()
