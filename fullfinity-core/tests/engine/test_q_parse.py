"""Q objects and Q strings: construction, canonical form, the safe parser and str() (orm.md 12.3, 12.4)."""

from __future__ import annotations

import copy
import json
import pickle
import random
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import fullfinity.engine.Q as q_module
from fullfinity.engine.Q import MAX_DEPTH, Leaf, Q, Var
from fullfinity.engine.qlang.dates import D
from fullfinity.engine.qlang.parse import MAX_LENGTH
from fullfinity.exceptions import BadRequest, QSyntaxError

VECTORS = json.loads((Path(__file__).parent.parent / "data" / "q_vectors.json").read_text(encoding="utf-8"))


def rejection(text: str) -> QSyntaxError:
    with pytest.raises(QSyntaxError) as info:
        Q.parse(text)
    return info.value


# -- building Q objects in Python --------------------------------------------------------


def test_keywords_are_anded_in_order() -> None:
    q = Q(a=1, b=2)
    assert q.connector == "and"
    assert [leaf.key for leaf in q.children if isinstance(leaf, Leaf)] == ["a", "b"]


def test_positional_qs_come_before_keywords() -> None:
    q = Q(Q(x=1) | Q(y=1), a=1)
    assert isinstance(q.children[0], Q) and q.children[0].connector == "or"
    assert q.children[1] == Leaf("a", 1)


def test_empty_q_is_an_and_without_children() -> None:
    assert (Q().connector, Q().children) == ("and", ())


@pytest.mark.parametrize(
    ("key", "path", "part", "lookup"),
    [
        ("priority", "priority", None, "eq"),
        ("priority__neq", "priority", None, "neq"),
        ("team__leader__email__iendswith", "team__leader__email", None, "iendswith"),
        ("created_date__year", "created_date", "year", "eq"),
        ("created_date__month__in", "created_date", "month", "in"),
        ("team__id__eq", "team__id", None, "eq"),
        ("year", "year", None, "eq"),
        ("year__gt", "year", None, "gt"),
        ("contains", "contains", None, "eq"),
        ("moves__any", "moves", None, "any"),
    ],
)
def test_key_is_split_syntactically_into_path_part_and_lookup(key: str, path: str, part: str, lookup: str) -> None:
    value: Any = {"any": Q(), "in": [1], "iendswith": "x"}.get(lookup, 1)
    leaf = Leaf(key, value)
    assert (leaf.key, leaf.path, leaf.part, leaf.lookup) == (key, path, part, lookup)


def test_leaf_keeps_the_raw_key_but_equality_ignores_it() -> None:
    assert Leaf("a", 1) == Leaf("a__eq", 1)
    assert Leaf("a__eq", 1).key == "a__eq"


def test_leaf_from_parts_builds_a_key_that_splits_back() -> None:
    assert Leaf.from_parts("created_date", "in", [1, 2], part="month").key == "created_date__month__in"
    assert Leaf.from_parts("a__contains", "eq", "x").key == "a__contains__eq"
    assert Leaf.from_parts("name", "eq", "x").key == "name"


def test_lists_and_tuples_are_stored_as_tuples() -> None:
    assert Leaf("id__in", [1, 2]).value == (1, 2)
    assert Q(id__in=[1, 2]) == Q(id__in=(1, 2))


def test_value_with_q_value_method_is_replaced_by_what_it_returns() -> None:
    class Record:
        def __q_value__(self) -> int:
            return 4

    assert Q(team=Record()) == Q(team=4)


def test_python_values_are_accepted() -> None:
    q = Q(day=date(2026, 3, 1), at=datetime(2026, 3, 1, 8, 0), amount=Decimal("10.50"), who=Var("uid"), when=D())
    assert len(q.children) == 5


@pytest.mark.parametrize(
    ("lookups", "message"),
    [
        ({"a__in": 5}, "in needs a list"),
        ({"a__nin": "abc"}, "nin needs a list"),
        ({"a__in": [None, 1]}, "without None"),
        ({"a__between": [1]}, "two values"),
        ({"a__between": [1, None]}, "two values"),
        ({"a__gt": None}, "use __isnull"),
        ({"a": [1, 2]}, "use __in"),
        ({"a__isnull": "yes"}, "True or False"),
        ({"a__contains": 5}, "needs a string"),
        ({"a__any": 5}, "needs a Q"),
        ({"a": Q(b=1)}, "only for __any and __none"),
        ({"a__in": [Q()]}, "only for __any and __none"),
        ({"a__year__any": Q()}, "date parts cannot be combined with any"),
        ({"a__month__contains": "3"}, "date parts cannot be combined with contains"),
        ({"a__month": "3"}, "whole numbers"),
        ({"a__year__in": [2026, 2027.5]}, "whole numbers"),
        ({"a": [[1]]}, "a list inside a list"),
        ({"a": object()}, "got a object"),
        ({"a": {"id": 1}}, "got a dict"),
        ({"a": 2**60}, "within ±9007199254740991"),
        ({"a": float("nan")}, "finite"),
        ({"a": Decimal("Infinity")}, "finite"),
        ({"a____b": 1}, "empty segment"),
        ({"a___b": 1}, "'_b'"),
        ({"prénom": 1}, "ASCII letters"),
        ({"9lives": 1}, "'9lives'"),
    ],
)
def test_invalid_lookup_or_value_is_refused_with_a_message(lookups: dict[str, Any], message: str) -> None:
    with pytest.raises(QSyntaxError, match=message):
        Q(**lookups)


def test_q_syntax_error_is_a_bad_request_and_a_value_error() -> None:
    with pytest.raises(BadRequest) as info:
        Q(a__in=5)
    assert isinstance(info.value, ValueError)
    assert info.value.status_code == 400


def test_positional_string_is_refused_with_a_hint_to_parse_it() -> None:
    with pytest.raises(TypeError, match=r"Q\.parse"):
        Q("Q(a=1)")  # type: ignore[arg-type]


def test_combining_with_something_else_than_a_q_is_a_type_error() -> None:
    with pytest.raises(TypeError):
        Q(a=1) & {"a": 1}  # type: ignore[operator]


def test_q_objects_are_immutable() -> None:
    q = Q(a=1)
    with pytest.raises(AttributeError, match="immutable"):
        q.connector = "or"
    with pytest.raises(AttributeError, match="immutable"):
        q.children[0].value = 2


def test_unknown_bound_name_is_refused() -> None:
    with pytest.raises(QSyntaxError, match="unknown bound name 'user'"):
        Var("user")


# -- canonical form and equality ---------------------------------------------------------


def test_and_of_qs_equals_one_q_with_all_keywords() -> None:
    assert Q(a=1) & Q(b=2) == Q(a=1, b=2)


def test_q_of_a_single_q_is_that_q() -> None:
    inner = Q(a=1) | Q(b=2)
    assert Q(inner) == inner


def test_empty_q_disappears_in_an_and() -> None:
    assert Q() & Q(a=1) == Q(a=1)


def test_or_chains_are_flat() -> None:
    q = Q(a=1) | (Q(b=1) | Q(c=1))
    assert q.connector == "or" and len(q.children) == 3


def test_not_wraps_the_leaf_directly() -> None:
    assert (~Q(a=1)).children == (Leaf("a", 1),)


def test_double_negation_is_kept() -> None:
    assert (~~Q(a=1)).connector == "not"


def test_order_matters_for_equality() -> None:
    assert Q(a=1, b=2) != Q(b=2, a=1)


def test_true_one_and_one_point_zero_are_different_values() -> None:
    assert Q(a=1) != Q(a=True)
    assert Q(a=1) != Q(a=1.0)


def test_equal_qs_hash_alike() -> None:
    assert hash(Q(a=1) & Q(b__in=[1, 2])) == hash(Q(a=1, b__in=(1, 2)))
    assert len({Q(a=1), Q(a__eq=1), Q(a=2)}) == 2


def test_q_survives_pickle_and_deepcopy() -> None:
    q = Q(Q(a=1) | ~Q(b__in=[1, 2]), c__any=Q(d=D(days=-1)), e=Var("uid"))
    assert pickle.loads(pickle.dumps(q)) == q
    assert copy.deepcopy(q) == q


def test_pickle_keeps_the_raw_key() -> None:
    restored = pickle.loads(pickle.dumps(Q(a__eq=1)))
    assert isinstance(restored.children[0], Leaf) and restored.children[0].key == "a__eq"


def test_too_deep_nesting_is_refused() -> None:
    q = Q(a=1)
    while q.depth < MAX_DEPTH:
        q = ~q
    with pytest.raises(QSyntaxError, match=f"deeper than {MAX_DEPTH}"):
        _ = ~q


# -- parsing: what is accepted -----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Q(priority='urgent')", Q(priority="urgent")),
        ("Q()", Q()),
        ("(Q(a=1))", Q(a=1)),
        ("((Q(a=1)))", Q(a=1)),
        ("Q(a=1) | Q(b=2) & Q(c=3)", Q(a=1) | (Q(b=2) & Q(c=3))),
        ("(Q(a=1) | Q(b=2)) & Q(c=3)", (Q(a=1) | Q(b=2)) & Q(c=3)),
        ("~Q(a=1) & Q(b=2)", (~Q(a=1)) & Q(b=2)),
        ("~(Q(a=1) | Q(b=2))", ~(Q(a=1) | Q(b=2))),
        ("Q(Q(a=1) | Q(b=2), c=3)", Q(Q(a=1) | Q(b=2), c=3)),
        ("Q(Q(a=1), Q(b=2))", Q(a=1, b=2)),
        ("Q(a=true, b=false, c=null)", Q(a=True, b=False, c=None)),
        ("Q(a=True, b=False, c=None)", Q(a=True, b=False, c=None)),
        ("Q(a=-5, b=-2.5, c=1e3)", Q(a=-5, b=-2.5, c=1000.0)),
        ("Q(a=0x10)", Q(a=16)),
        ("Q(a=1_000)", Q(a=1000)),
        ("Q(id__in=[1, 2])", Q(id__in=[1, 2])),
        ("Q(id__in=(1, 2))", Q(id__in=[1, 2])),
        ("Q(id__in=(1,))", Q(id__in=[1])),
        ("Q(id__in=[])", Q(id__in=[])),
        ("Q(a='it\\'s', b=\"x\")", Q(a="it's", b="x")),
        ("Q(a='x' 'y')", Q(a="xy")),
        ("Q(a='''multi\nline''')", Q(a="multi\nline")),
        ("Q(a=u'x', b=r'\\d')", Q(a="x", b="\\d")),
        ("Q(a='été ☃')", Q(a="été ☃")),
        ("Q(a=uid, b__in=cids)", Q(a=Var("uid"), b__in=Var("cids"))),
        ("Q(id__in=[uid, 3])", Q(id__in=[Var("uid"), 3])),
        ("Q(a=D())", Q(a=D())),
        ("Q(a=D('month_start', months=-1))", Q(a=D("month_start", months=-1))),
        ("Q(moves__any=Q(weight__gt=10))", Q(moves__any=Q(weight__gt=10))),
        ("Q(moves__none=Q(a=1) | Q(b=2))", Q(moves__none=Q(a=1) | Q(b=2))),
        ("Q(moves__any=~Q(a=1))", Q(moves__any=~Q(a=1))),
        ("Q(a=1,)", Q(a=1)),
        ("Q(a=1)  # a comment", Q(a=1)),
        ("\n\tQ(a=1)\n    | Q(b=2)\n", Q(a=1) | Q(b=2)),
        ("Q(a=1) \\\n | Q(b=2)", Q(a=1) | Q(b=2)),
    ],
)
def test_q_string_parses_to_the_q_it_spells(text: str, expected: Q) -> None:
    assert Q.parse(text) == expected


def test_long_or_chains_parse_flat() -> None:
    q = Q.parse(" | ".join(f"Q(id={i})" for i in range(500)))
    assert q.connector == "or" and len(q.children) == 500 and q.depth == 2


def test_nesting_up_to_the_limit_is_accepted() -> None:
    assert Q.parse("~" * (MAX_DEPTH - 1) + "Q(a=1)").depth == MAX_DEPTH


def test_text_up_to_the_length_limit_is_accepted() -> None:
    ids = ", ".join(str(i) for i in range(3000))
    text = f"Q(id__in=[{ids}])"
    text += " " * (MAX_LENGTH - len(text))
    assert len(Q.parse(text).children[0].value) == 3000  # type: ignore[union-attr]


def test_backslashes_in_strings_are_kept_without_warnings() -> None:
    assert Q.parse(r"Q(path__startswith='C:\docs')") == Q(path__startswith="C:\\docs")


def test_parsing_the_same_text_twice_gives_equal_qs() -> None:
    assert Q.parse("Q(a=1) | Q(b=uid)") == Q.parse("Q(a=1) | Q(b=uid)")


# -- parsing: what is refused ------------------------------------------------------------

HOSTILE = [
    # attribute access and subscripts
    ("Q(a=1).__class__", "attribute access .__class__"),
    ("Q.__init__", "attribute access .__init__"),
    ("Q(a=1).__class__.__mro__[1].__subclasses__()", "a call to .__subclasses__()"),
    ("Q(a=1)[0]", "a subscript"),
    ("Q(a=uid[0])", "a subscript"),
    ("Q(a=cids[0:1])", "a subscript"),
    ("Q(a=uid.real)", "attribute access .real"),
    ("Q(a=D('today').resolve())", "a call to .resolve()"),
    # calls other than Q and D
    ("eval('1')", "a call to eval()"),
    ("exec('import os')", "a call to exec()"),
    ("__import__('os').system('id')", "a call to .system()"),
    ("open('/etc/passwd')", "a call to open()"),
    ("Q(a=open('/etc/passwd'))", "a call to open()"),
    ("Q(a=getattr(Q, '__init__'))", "a call to getattr()"),
    ("Q(a=len([]))", "a call to len()"),
    ("q(a=1)", "a call to q()"),
    ("Q(a=1)(b=2)", "a call to a computed function"),
    ("Q(a=type('x', (), {}))", "a call to type()"),
    ("(lambda: Q())()", "a call to a computed function"),
    # lambdas, comprehensions, f-strings, walrus, unpacking
    ("Q(a=lambda: 1)", "a lambda"),
    ("lambda: Q()", "a lambda"),
    ("Q(a=[x for x in [1]])", "a comprehension"),
    ("Q(a={x for x in [1]})", "a comprehension"),
    ("Q(a={x: 1 for x in [1]})", "a comprehension"),
    ("Q(a=(x for x in [1]))", "a generator expression"),
    ("Q(a=1) for x in [1]", "a generator expression"),
    ("Q(a=f'{uid}')", "an f-string"),
    ("Q(a=f'plain')", "an f-string"),
    ("Q(a=(b:=1))", "an assignment expression"),
    ("(x := Q())", "an assignment expression"),
    ("Q(*[Q()])", "* unpacking"),
    ("Q(a=[*cids])", "* unpacking"),
    ("Q(**{'a': 1})", "** unpacking"),
    ("Q(a=D(*['today']))", "* unpacking"),
    # dunder names
    ("Q(__class__=1)", "dunder name __class__"),
    ("Q(__a=1)", "dunder name __a"),
    ("Q(a=__builtins__)", "dunder name __builtins__"),
    ("Q(a=__import__)", "dunder name __import__"),
    ("__builtins__", "dunder name __builtins__"),
    # operators and other expressions
    ("Q(a=1) and Q(b=2)", "and/or (combine Q objects with & and |)"),
    ("Q(a=1) or Q(b=2)", "and/or"),
    ("not Q(a=1)", "not (negate with ~)"),
    ("Q(a=1) == Q(b=2)", "a comparison"),
    ("Q(a=1 < 2)", "a comparison"),
    ("Q(a=1) if True else Q()", "a conditional expression"),
    ("Q(a=1) + Q(b=2)", "the operator +"),
    ("Q(a=1) - Q(b=2)", "the operator -"),
    ("Q(a=1) ^ Q(b=2)", "the operator ^"),
    ("Q(a=1) @ Q(b=2)", "the operator @"),
    ("Q(a=1+1)", "the operator +"),
    ("Q(a=2**1000)", "the operator **"),
    ("Q(a='x' * 1000000)", "the operator *"),
    ("Q(a=1) << 2", "the operator <<"),
    ("Q(a=-uid)", "unary - (allowed only before a number literal)"),
    ("Q(a=+1)", "unary +"),
    ("Q(a=--1)", "unary -"),
    ("Q(a=-True)", "unary -"),
    ("Q(a=~1)", "the literal 1 where Q(...)"),
    ("await Q()", "await"),
    ("yield Q()", "yield"),
    # values that are not literals
    ("Q(a={'x': 1})", "a dict"),
    ("Q(a={1})", "a set"),
    ("Q(a=b'x')", "a bytes literal"),
    ("Q(a=1j)", "a complex number"),
    ("Q(a=...)", "the literal Ellipsis"),
    ("Q(a=x)", "the name 'x'"),
    ("Q(a=os)", "the name 'os'"),
    ("Q(a=user)", "the name 'user'"),
    ("Q(a=Q)", "Q without a call"),
    ("Q(a=D)", "D without a call"),
    ("Q(a=[1, [2]])", "a list inside a list"),
    ("Q(a=1e999)", "finite"),
    ("Q(a=99999999999999999999)", "within ±"),
    # top level is not a Q expression
    ("Q(a=1), Q(b=2)", "a tuple"),
    ("[Q(a=1)]", "a list"),
    ("'Q(a=1)'", "the literal 'Q(a=1)'"),
    ("5", "the literal 5"),
    ("uid", "the name 'uid'"),
    ("Q", "the name 'Q'"),
    ("Q(a=1) | 1", "the literal 1"),
    ("~uid", "the name 'uid'"),
    ("D('today')", "a call to D()"),
    # D() misuse
    ("Q(a=D(days=1, days=2))", "offset days is given twice"),
    ("Q(a=D(x=1))", "no offset x"),
    ("Q(a=D(**{'days': 1}))", "no offset **"),
    ("Q(a=D('today', 'now'))", "one positional argument"),
    ("Q(a=D(uid))", "a string anchor"),
    ("Q(a=D(days=uid))", "whole numbers"),
    ("Q(a=D(days=1.5))", "whole numbers"),
    ("Q(a=D(days=True))", "whole numbers"),
    ("Q(a=D(hours=+1))", "whole numbers"),
    ("Q(a=D('someday'))", "anchor must be one of"),
    # keywords and lookups
    ("Q(a=1, a=2)", "keyword 'a' is given twice"),
    ("Q(a____b=1)", "empty segment"),
    ("Q(a__=1)", "empty segment"),
    ("Q(prénom=1)", "ASCII letters"),
    ("Q(a__in=5)", "in needs a list"),
    ("Q(a__any=5)", "needs a Q(...)"),
    ("Q(a=Q(b=1))", "only for __any and __none"),
    ("Q(a__contains=5)", "needs a string"),
    ("Q(a__isnull=1)", "True or False"),
    ("Q(a__between=[1])", "two values"),
    ("Q(a__gt=None)", "use __isnull"),
    ("Q(a__month='3')", "whole numbers"),
    ("Q(a__in=[None])", "without None"),
    # not Python at all, or not an expression
    ("Q(a=1); import os", "not valid syntax"),
    ("import os", "not valid syntax"),
    ("Q(a=1)\nimport os", "not valid syntax"),
    ("Q(a=1", "not valid syntax"),
    ("Q(a=1))", "not valid syntax"),
    ("Q(a='unterminated)", "not valid syntax"),
    ("Q(a=1) = 2", "not valid syntax"),
    ("def f(): pass", "not valid syntax"),
    ("Q(a=1)\x00", "NUL character at column 7"),
    ("", "empty"),
    ("   \n\t ", "empty"),
    # resource exhaustion
    ("Q(" * 100 + ")" * 100, f"deeper than {MAX_DEPTH}"),
    ("~" * (MAX_DEPTH + 1) + "Q()", f"deeper than {MAX_DEPTH}"),
    ("~" * 5000 + "Q()", "nests too deeply"),
    ("(" * 300 + "Q()" + ")" * 300, "too many nested parentheses"),
    ("Q(a=" + "[" * 300 + "]" * 300 + ")", "too many nested parentheses"),
    ("x" + ".a" * 400 + "()", "a call to .a()"),
    ("x" + "()" * 400, "a call to a computed function"),
    ("x" + "[0]" * 400, "a subscript"),
    ("Q(a=" + "-" * 400 + "1)", "unary -"),
    ("Q(a=" + "lambda: " * 400 + "1)", "a lambda"),
    ("Q(id=1) | " * 2500 + "Q(id=1)", "characters long"),
    ("Q(a='" + "x" * MAX_LENGTH + "')", f"over the limit of {MAX_LENGTH}"),
    ("Q(a=1" + "0" * 5000 + ")", "not valid syntax"),
]


@pytest.mark.parametrize(("text", "message"), HOSTILE, ids=[f"{i}-{t[:30]!r}" for i, (t, _) in enumerate(HOSTILE)])
def test_hostile_or_invalid_q_string_is_refused_saying_what_was_found(text: str, message: str) -> None:
    assert message in rejection(text).message


def test_grammar_errors_say_what_is_allowed() -> None:
    message = rejection("Q(a=1).x").message
    assert "Q(path__lookup=value, ...)" in message and "&, | and ~" in message and "D(...)" in message


def test_error_gives_the_column_of_the_offending_node() -> None:
    error = rejection("Q(a=1) & x.y")
    assert (error.line, error.column) == (1, 10)
    assert "at column 10" in error.message


def test_error_columns_count_characters_not_bytes() -> None:
    assert rejection("Q(name='été') & x.y").column == 17


def test_error_in_a_keyword_points_at_the_keyword() -> None:
    assert rejection("Q(a=1, b__in=5)").column == 8


def test_error_on_a_later_line_gives_line_and_column() -> None:
    error = rejection("Q(a=1)\n  & Q(b=2).c")
    assert (error.line, error.column) == (2, 5)
    assert "at line 2, column 5" in error.message


def test_error_messages_cut_long_values() -> None:
    ids = ", ".join(["1"] * 5000)
    assert len(rejection(f"Q(a=[{ids}])").message) < 300
    assert len(rejection("Q(" + "a" * 15000 + "=x)").message) < 1000


def test_syntax_error_gives_the_python_reason() -> None:
    error = rejection("Q(a=[1, 2)")
    assert "closing parenthesis ')' does not match opening parenthesis '['" in error.message
    assert error.column == 10


def test_non_string_input_is_refused() -> None:
    with pytest.raises(QSyntaxError, match="must be a str, got bytes"):
        Q.parse(b"Q(a=1)")  # type: ignore[arg-type]


TOKENS = (
    *["Q", "D", "(", ")", "[", "]", ",", "=", "&", "|", "~", "-", "+", "*", ".", ":", "{", "}", "**", ":=", "#", "\\"],
    *["'x'", "1", "1.5", "0x", "e9", "True", "null", "'now'", "'2026-01-01'", "f'", "b'", " ", "\n"],
    *["a", "a__in", "a__any", "a__year", "days", "uid", "cids", "today", "__class__", "lambda", "for", "in", "not"],
)


def test_random_token_soup_is_either_a_q_or_a_q_syntax_error() -> None:
    rng = random.Random(20260315)
    for _ in range(3000):
        text = "".join(rng.choice(TOKENS) for _ in range(rng.randint(1, 30)))
        try:
            q = Q.parse(text)
        except QSyntaxError:
            continue
        assert Q.parse(str(q)) == q, text


def test_parsing_never_runs_the_text() -> None:
    text = "Q(a=[setattr(__import__('fullfinity.engine.Q', fromlist=['x']), 'PWNED', 1)])"
    rejection(text)
    assert not hasattr(q_module, "PWNED")


# -- str(): a Q string that reads back -----------------------------------------------------


@pytest.mark.parametrize("text", sorted({vector["q"] for vector in VECTORS}))
def test_str_reads_back_to_an_equal_q(text: str) -> None:
    q = Q.parse(text)
    assert Q.parse(str(q)) == q


@pytest.mark.parametrize(
    ("q", "text"),
    [
        (Q(), "Q()"),
        (Q(a=1, b="x"), "Q(a=1, b='x')"),
        (Q(a=1) | Q(b=2, c=3), "Q(a=1) | Q(b=2, c=3)"),
        ((Q(a=1) | Q(b=2)) & Q(c=3), "(Q(a=1) | Q(b=2)) & Q(c=3)"),
        (Q(a=1) & ~Q(b=2) & Q(c=3), "Q(a=1) & ~Q(b=2) & Q(c=3)"),
        ((Q(a=1) & ~Q(b=2)) | Q(c=3), "(Q(a=1) & ~Q(b=2)) | Q(c=3)"),
        (~(Q(a=1) | Q(b=2)), "~(Q(a=1) | Q(b=2))"),
        (~Q(a=1, b=2), "~Q(a=1, b=2)"),
        (~Q(), "~Q()"),
        (Q(a=1) & Q(a=2), "Q(a=1) & Q(a=2)"),
        (Q(a__in=[1, 2], b=None, c=True), "Q(a__in=[1, 2], b=None, c=True)"),
        (Q(a=Var("uid"), b=D("month_start", months=-1)), "Q(a=uid, b=D('month_start', months=-1))"),
        (Q(m__any=Q(a=1) | Q(b=2)), "Q(m__any=(Q(a=1) | Q(b=2)))"),
        (Q(m__any=Q(a=1, b=2)), "Q(m__any=Q(a=1, b=2))"),
        (Q(**{"from": 1}), "Q(from__eq=1)"),
    ],
)
def test_str_is_the_canonical_q_string(q: Q, text: str) -> None:
    assert str(q) == text
    assert repr(q) == text


def test_str_of_a_python_keyword_key_reads_back() -> None:
    q = Q(**{"from": 1})
    assert Q.parse(str(q)) == q


def test_str_writes_dates_and_decimals_as_strings() -> None:
    q = Q(a=date(2026, 3, 1), b=datetime(2026, 3, 1, 8, 0), c=Decimal("1234.50"))
    assert str(q) == "Q(a='2026-03-01', b='2026-03-01T08:00:00', c='1234.50')"


def test_leaf_repr_shows_key_and_value() -> None:
    assert repr(Leaf("deadline__lt", D())) == "Leaf('deadline__lt', D('today'))"
