"""Request values in ORM terms: field paths, Q filters, context and write values.

Field paths accept ``.`` and ``__`` as the relation separator (``assignee.name`` is
``assignee__name``). Every problem names where it is in the request body
(``fields.2``, ``records.3.name``) so the client can show it in place.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from fullfinity.engine.Q import Q
from fullfinity.engine.query import resolve_path
from fullfinity.exceptions import BadRequest, QSyntaxError, ValidationError

if TYPE_CHECKING:
    from fullfinity.engine.models import Model

__all__ = [
    "CONTEXT_KEY",
    "RESERVED_CONTEXT",
    "FieldTree",
    "add_path",
    "check_writable",
    "normalise_path",
    "parse_context",
    "parse_field_list",
    "parse_q",
    "prefixed",
    "raise_write_problems",
    "split_write_body",
    "write_problems",
]

#: A requested shape: field name -> sub-tree for an expanded relation, ``None`` for a plain value.
FieldTree = dict[str, "FieldTree | None"]

#: Where create/update bodies carry the context (field names never start with ``__``).
CONTEXT_KEY = "__context"
#: Context keys that bind security names in Q strings: taken from the user, never from the client.
RESERVED_CONTEXT = frozenset({"uid", "cid", "cids", "company_id", "contact_id"})


def normalise_path(path: str) -> str:
    return path.replace(".", "__")


def _relabel(exc: BadRequest, where: str) -> BadRequest:
    """The same error with its detail paths pointing into the request body."""
    return type(exc)(exc.message, details=[{"path": where, "message": d["message"]} for d in exc.details])


def add_path(tree: FieldTree, segments: Sequence[str]) -> None:
    """Insert one path (already validated) into ``tree``."""
    node = tree
    for index, segment in enumerate(segments):
        last = index == len(segments) - 1
        current = node.get(segment)
        if last:
            if segment not in node:
                node[segment] = None
            return
        if current is None:
            current = node[segment] = {}
        node = current


def parse_field_list(model: type[Model], names: Sequence[Any], *, key: str = "fields") -> FieldTree:
    """Validate field paths against ``model`` and fold them into a tree; ``BadRequest`` naming the entry."""
    tree: FieldTree = {}
    for index, name in enumerate(names):
        where = f"{key}.{index}"
        if not isinstance(name, str) or not name.strip():
            raise BadRequest(
                f"{key}[{index}] must be a field name or a dotted path such as 'team.name', got {name!r:.80}.",
                details=[{"path": where, "message": "expected a field path"}],
            )
        path = normalise_path(name.strip())
        try:
            resolved = resolve_path(model, path, allow_lookup=False)
        except BadRequest as exc:
            raise _relabel(exc, where) from None
        segments = path.split("__")
        if len(resolved.fields) != len(segments):
            raise BadRequest(
                f"{key}[{index}] {name!r}: '{'__'.join(segments[len(resolved.fields) :])}' cannot follow "
                f"{resolved.fields[-1].model_name}.{resolved.fields[-1].name}, which is not a relation.",
                details=[{"path": where, "message": "path continues after a non-relational field"}],
            )
        add_path(tree, segments)
    return tree


def parse_q(value: Any, *, key: str = "q_filter") -> Q | None:
    """A Q string or a Q JSON tree (orm.md 12.4, 12.6); ``None`` for no filter."""
    if value is None or value == "":
        return None
    try:
        if isinstance(value, str):
            return Q.parse(value)
        if isinstance(value, dict):
            return Q.from_json(value)
    except QSyntaxError as exc:
        raise QSyntaxError(
            f"{key} is not a valid Q expression: {exc.message}",
            line=exc.line,
            column=exc.column,
            details=[{"path": key, "message": exc.message}],
        ) from None
    raise BadRequest(
        f'{key} must be a Q string such as "Q(active=True)" or a Q JSON tree, got {type(value).__name__}.',
        details=[{"path": key, "message": "expected a Q string or a Q JSON object"}],
    )


def parse_context(value: Any, *, key: str = "context") -> dict[str, Any]:
    """The client's context keys, without those that bind security names (``uid``, ``cid``...)."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise BadRequest(
            f"{key} must be a JSON object of context keys, got {type(value).__name__}.",
            details=[{"path": key, "message": "expected an object"}],
        )
    return {k: v for k, v in value.items() if k not in RESERVED_CONTEXT}


def split_write_body(body: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any], Any]:
    """(field values, context, updated_date or None) of a create/update body."""
    values = dict(body)
    context = parse_context(values.pop(CONTEXT_KEY, None), key=CONTEXT_KEY)
    updated_date = values.pop("updated_date", None)
    return values, context, updated_date


def write_problems(
    model: type[Model], values: Mapping[str, Any], *, prefix: str = ""
) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """(unknown fields, fields that cannot be written) of one set of values, with their body paths."""
    unknown = []
    for name in values:
        if name not in model._fields:
            close = difflib.get_close_matches(name, list(model._fields), n=3)
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            unknown.append({"path": prefix + name, "message": f"{model._name} has no field '{name}'{hint}"})
    refused = []
    for name in values:
        field = model._fields.get(name)
        if field is None or field.writable:
            continue
        why = (
            "is an automatic field"
            if field.automatic
            else "is computed and has no setter"
            if field.calculate is not None
            else "is read-only"
        )
        refused.append({"path": prefix + name, "message": f"{why}; it cannot be written"})
    return unknown, refused


def raise_write_problems(model: type[Model], unknown: list[dict[str, str]], refused: list[dict[str, str]]) -> None:
    """Unknown fields are a 400 ``BadRequest``; read-only, automatic and setter-less computed fields a 422."""
    if unknown:
        listed = ", ".join(repr(d["path"]) for d in unknown)
        raise BadRequest(f"Unknown field(s) {listed} for {model._name}.", details=unknown)
    if refused:
        count = len(refused)
        raise ValidationError(
            f"{count} field{'s' if count != 1 else ''} of {model._name} cannot be written: "
            + ", ".join(d["path"] for d in refused)
            + ".",
            details=refused,
        )


def check_writable(model: type[Model], values: Mapping[str, Any], *, prefix: str = "") -> None:
    """Refuse unknown (400) and non-writable (422) fields of one set of values, naming each."""
    raise_write_problems(model, *write_problems(model, values, prefix=prefix))


def prefixed(exc: ValidationError, prefix: str) -> ValidationError:
    """The same validation error with its detail paths under ``prefix`` (``values.``, ``records.``)."""
    details = [
        {"path": prefix + d["path"] if d["path"] else prefix.rstrip("."), "message": d["message"]} for d in exc.details
    ]
    return type(exc)(exc.message, details=details)
