"""The Q-string syntax: the one safe reader (grammar: orm.md 12.4), used through ``Q.parse``,
and the writer behind ``str(q)``.

The text is parsed with ``ast.parse`` and the tree is walked against a whitelist: calls
to ``Q`` and ``D``, the operators ``&``, ``|`` and ``~``, literals, lists and tuples, and
the bound names. Nothing is ever evaluated or compiled; every other node (attribute
access, subscripts, other calls, lambdas, comprehensions, f-strings, ``:=``, ``*``/``**``
unpacking, comparisons, arithmetic...) is refused with a ``QSyntaxError`` that says what
was found, at which line and column (1-based), and what is allowed.

Limits: ``MAX_LENGTH`` characters of text, ``MAX_DEPTH`` levels of nested Q nodes (long
``|``/``&`` chains are flat, not nested). The text is read as if wrapped in parentheses,
so it may span lines and be indented, as record rules in data files often are.
"""

from __future__ import annotations

import ast
import keyword
import threading
import warnings
from datetime import date
from decimal import Decimal
from typing import Any, Literal, NoReturn

from fullfinity.engine.qlang.dates import OFFSETS, DateExpr
from fullfinity.engine.qlang.q import BOUND_NAMES, MAX_DEPTH, Leaf, Q, Var, value_to_json
from fullfinity.exceptions import QSyntaxError

__all__ = ["MAX_LENGTH", "format_q", "format_value", "parse"]

MAX_LENGTH = 20_000
_PARSE_LOCK = threading.Lock()

ALLOWED = (
    "a Q string is Q(path__lookup=value, ...) calls combined with &, | and ~ and parentheses; "
    "values are strings, numbers, True/False/None (or true/false/null), lists, D(...) and the bound names "
    + ", ".join(BOUND_NAMES)
)
_NAMED_LITERALS: dict[str, Any] = {"true": True, "false": False, "null": None}
_OPERATOR_SYMBOLS = {
    ast.Add: "+",
    ast.Sub: "-",
    ast.Mult: "*",
    ast.MatMult: "@",
    ast.Div: "/",
    ast.FloorDiv: "//",
    ast.Mod: "%",
    ast.Pow: "**",
    ast.LShift: "<<",
    ast.RShift: ">>",
    ast.BitXor: "^",
    ast.UAdd: "unary +",
    ast.Not: "not (negate with ~)",
    ast.USub: "unary - (allowed only before a number literal)",
}
_DESCRIPTIONS: dict[type[ast.AST], str] = {
    ast.Subscript: "a subscript [...]",
    ast.Lambda: "a lambda",
    ast.ListComp: "a comprehension",
    ast.SetComp: "a comprehension",
    ast.DictComp: "a comprehension",
    ast.GeneratorExp: "a generator expression",
    ast.JoinedStr: "an f-string",
    ast.FormattedValue: "an f-string",
    ast.NamedExpr: "an assignment expression (:=)",
    ast.Starred: "* unpacking",
    ast.Compare: "a comparison (combine Q objects with & and |, compare inside Q with lookups)",
    ast.BoolOp: "and/or (combine Q objects with & and |)",
    ast.IfExp: "a conditional expression (x if y else z)",
    ast.Dict: "a dict",
    ast.Set: "a set",
    ast.Await: "await",
    ast.Yield: "yield",
    ast.YieldFrom: "yield from",
    ast.Slice: "a slice",
}


def describe(node: ast.AST) -> str:
    """What a rejected node is, in words."""
    if isinstance(node, ast.Attribute):
        return f"attribute access .{node.attr:.40}"
    if isinstance(node, ast.Call):
        # Named from the last step only: unparsing the callee could recurse without bound.
        func = node.func
        callee = func.id if isinstance(func, ast.Name) else f".{func.attr}" if isinstance(func, ast.Attribute) else ""
        target = f"{callee:.40}()" if callee else "a computed function"
        return f"a call to {target} (only Q(...) and D(...) may be called)"
    if isinstance(node, ast.Name):
        if node.id.startswith("__"):
            return f"the dunder name {node.id}"
        return f"the name {node.id!r:.80}"
    if isinstance(node, ast.Constant):
        kind = {bytes: "a bytes literal", complex: "a complex number"}.get(type(node.value), "the literal")
        return f"{kind} {node.value!r:.40}"
    if isinstance(node, (ast.BinOp, ast.UnaryOp)):
        return f"the operator {_OPERATOR_SYMBOLS.get(type(node.op), type(node.op).__name__)}"
    if isinstance(node, (ast.List, ast.Tuple)):
        return f"a {'list' if isinstance(node, ast.List) else 'tuple'}"
    return _DESCRIPTIONS.get(type(node), f"a {type(node).__name__} expression")


def _is_q_expression(node: ast.expr) -> bool:
    if isinstance(node, ast.BinOp):
        return isinstance(node.op, (ast.BitAnd, ast.BitOr))
    if isinstance(node, ast.UnaryOp):
        return isinstance(node.op, ast.Invert)
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "Q"


def parse(text: str) -> Q:
    """The Q that ``text`` spells, or ``QSyntaxError``."""
    if len(text) > MAX_LENGTH:
        raise QSyntaxError(
            f"Q string is {len(text)} characters long, over the limit of {MAX_LENGTH}; "
            "filter long lists of ids with one id__in=[...] or move the condition into code"
        )
    if not text.strip():
        raise QSyntaxError("Q string is empty; write Q() to match every record")
    if "\x00" in text:
        raise QSyntaxError(f"Q string contains a NUL character at column {text.index(chr(0)) + 1}")
    return _Reader(text).read()


class _Reader:
    def __init__(self, text: str) -> None:
        self.text = text
        # Parentheses allow newlines and indentation anywhere; columns are corrected below.
        self.source = f"({text}\n)"
        self.lines = self.source.split("\n")

    def read(self) -> Q:
        try:
            # The compiler warns about odd literals ('\d', 1if): in a Q string they are not
            # worth a log line, and a filter set to "error" elsewhere must not turn them into
            # errors. catch_warnings swaps global state, hence the lock around it.
            with _PARSE_LOCK, warnings.catch_warnings():
                warnings.simplefilter("ignore")
                tree = ast.parse(self.source, mode="eval")
        except SyntaxError as exc:
            line, column = exc.lineno or 1, max((exc.offset or 1) - (1 if exc.lineno == 1 else 0), 1)
            where = self._where(line, column) if line < len(self.lines) else "the end"
            raise QSyntaxError(
                f"Q string is not valid syntax at {where}: {exc.msg}; {ALLOWED}", line=line, column=column
            ) from None
        except (RecursionError, MemoryError):
            raise QSyntaxError(
                f"Q string nests too deeply to be read (at most {MAX_DEPTH} levels); "
                "flatten long chains, e.g. one id__in=[...] instead of many Q(id=...) | ..."
            ) from None
        return self.expr(tree.body, 1)

    # -- errors ------------------------------------------------------------------------

    def _where(self, line: int, column: int) -> str:
        return f"column {column}" if "\n" not in self.text else f"line {line}, column {column}"

    def fail(self, node: ast.AST, reason: str, kind: Literal["grammar", "value"] = "grammar") -> NoReturn:
        line = getattr(node, "lineno", 1)
        # col_offset counts UTF-8 bytes; report characters.
        prefix = self.lines[line - 1].encode()[: getattr(node, "col_offset", 0)]
        column = max(len(prefix.decode(errors="replace")) + (0 if line > 1 else -1), 0) + 1
        suffix = f"; {ALLOWED}" if kind == "grammar" else ""
        message = f"Q string rejected at {self._where(line, column)}: {reason}{suffix}"
        raise QSyntaxError(message, line=line, column=column)

    def found(self, node: ast.AST, expected: str) -> NoReturn:
        self.fail(node, f"found {describe(node)} where {expected} was expected")

    # -- Q expressions -----------------------------------------------------------------

    def expr(self, node: ast.expr, depth: int) -> Q:
        if depth > MAX_DEPTH:
            self.fail(node, f"Q nested deeper than {MAX_DEPTH} levels", "value")
        if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.BitAnd, ast.BitOr)):
            # Walk a & b & c (left-nested in the AST) as one flat list: no recursion per term.
            operands: list[ast.expr] = []
            current: ast.expr = node
            while isinstance(current, ast.BinOp) and type(current.op) is type(node.op):
                operands.append(current.right)
                current = current.left
            operands.append(current)
            connector: Literal["and", "or"] = "and" if isinstance(node.op, ast.BitAnd) else "or"
            return self.combine(node, connector, [self.expr(op, depth + 1) for op in reversed(operands)])
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Invert):
            return self.combine(node, "not", [self.expr(node.operand, depth + 1)])
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "Q":
            return self.q_call(node, depth)
        self.found(node, "Q(...)")

    def combine(self, node: ast.AST, connector: Literal["and", "or", "not"], children: list[Q | Leaf]) -> Q:
        try:
            return Q.combine(connector, children)
        except QSyntaxError as exc:
            self.fail(node, exc.message, "value")

    def q_call(self, node: ast.Call, depth: int) -> Q:
        children: list[Q | Leaf] = []
        for arg in node.args:
            if isinstance(arg, ast.Starred):
                self.found(arg, "a Q(...) argument")
            children.append(self.expr(arg, depth + 1))
        seen: set[str] = set()
        for kw in node.keywords:
            if kw.arg is None:
                self.fail(kw, "found ** unpacking; write each path__lookup=value out")
            if kw.arg.startswith("__"):
                self.fail(kw, f"found the dunder name {kw.arg}; a keyword is a path such as team__name__icontains")
            if kw.arg in seen:
                self.fail(kw, f"keyword {kw.arg!r:.80} is given twice; combine repeated conditions with &", "value")
            seen.add(kw.arg)
            value = self.value(kw.value, depth + 1)
            try:
                children.append(Leaf(kw.arg, value))
            except QSyntaxError as exc:
                self.fail(kw, exc.message, "value")
        return self.combine(node, "and", children)

    # -- values ------------------------------------------------------------------------

    def value(self, node: ast.expr, depth: int) -> Any:
        # No depth check here: lists nest at most as deep as ast.parse allows (200
        # brackets), and a nested Q goes through expr(), which checks.
        if isinstance(node, ast.Constant) and (node.value is None or type(node.value) in (str, int, float, bool)):
            return node.value
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            number = node.operand.value if isinstance(node.operand, ast.Constant) else None
            if isinstance(number, int | float) and not isinstance(number, bool):
                return -number
        if isinstance(node, ast.Name):
            return self.name(node)
        if isinstance(node, (ast.List, ast.Tuple)):
            return [self.value(item, depth + 1) for item in node.elts]
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "D":
            return self.d_call(node)
        if _is_q_expression(node):
            return self.expr(node, depth)  # a nested Q; Leaf accepts it only for __any/__none
        self.found(node, "a value")

    def name(self, node: ast.Name) -> Any:
        if node.id in _NAMED_LITERALS:
            return _NAMED_LITERALS[node.id]
        if node.id in BOUND_NAMES:
            return Var(node.id)
        if node.id in ("Q", "D"):
            self.fail(node, f"found {node.id} without a call; write {node.id}(...)")
        self.found(node, "a value")

    def d_call(self, node: ast.Call) -> DateExpr:
        if len(node.args) > 1:
            self.fail(node.args[1], "D() takes one positional argument, the anchor, then offsets such as days=-7")
        anchor = "today"
        if node.args:
            arg = node.args[0]
            if not (isinstance(arg, ast.Constant) and isinstance(arg.value, str)):
                self.found(arg, "a string anchor such as 'month_start' in D(...)")
            anchor = arg.value
        offsets: dict[str, int] = {}
        for kw in node.keywords:
            if kw.arg not in OFFSETS:
                self.fail(kw, f"D() has no offset {kw.arg or '**'}; the offsets are {', '.join(OFFSETS)}")
            if kw.arg in offsets:
                self.fail(kw, f"D() offset {kw.arg} is given twice", "value")
            offsets[kw.arg] = self.whole_number(kw.value)
        try:
            return DateExpr(anchor, **offsets)
        except QSyntaxError as exc:
            self.fail(node, exc.message, "value")

    def whole_number(self, node: ast.expr) -> int:
        sign, operand = 1, node
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            sign, operand = -1, node.operand
        if isinstance(operand, ast.Constant) and type(operand.value) is int:
            return sign * operand.value
        self.fail(node, f"D() offsets are whole numbers, found {describe(node)}", "value")


# -- writing Q strings -------------------------------------------------------------------------


def format_q(q: Q) -> str:
    """The Q string that ``parse`` reads back to ``q``."""
    return _format(q, "top")


def format_value(value: Any) -> str:
    """A value in Q-string syntax."""
    if isinstance(value, Q):
        return _format(value, "value")
    if isinstance(value, Var):
        return value.name
    if isinstance(value, DateExpr):
        return str(value)
    if isinstance(value, tuple):
        return "[" + ", ".join(format_value(item) for item in value) + "]"
    if isinstance(value, (date, Decimal)):
        return repr(value_to_json(value))
    return repr(value)


def _format_keyword(leaf: Leaf) -> str:
    key = f"{leaf.key}__eq" if keyword.iskeyword(leaf.key) else leaf.key
    return f"{key}={format_value(leaf.value)}"


def _format(node: Q | Leaf, context: Literal["top", "and", "or", "not", "value"]) -> str:
    if isinstance(node, Leaf):
        return f"Q({_format_keyword(node)})"
    if node.connector == "not":
        return "~" + _format(node.children[0], "not")
    if node.connector == "or":
        text = " | ".join(_format(child, "or") for child in node.children)
        return f"({text})" if context != "top" else text
    # Consecutive leaves share one Q(...) call until a key repeats (keywords must be unique).
    segments: list[str] = []
    group: list[Leaf] = []
    for child in (*node.children, None):
        if group and (not isinstance(child, Leaf) or child.key in {leaf.key for leaf in group}):
            segments.append(f"Q({', '.join(_format_keyword(leaf) for leaf in group)})")
            group = []
        if isinstance(child, Leaf):
            group.append(child)
        elif child is not None:
            segments.append(_format(child, "and"))
    if not segments:
        return "Q()"
    text = " & ".join(segments)
    return f"({text})" if len(segments) > 1 and context != "top" else text
