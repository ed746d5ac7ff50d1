"""Compiling Q trees to WHERE clauses, across relations.

- A scalar leaf compiles to a comparison on its column (``fullfinity.engine.query.lookups``).
- A ManyToOne compared directly compares the id column (``team=4``, ``team__in=[..]``).
- A path through a relation compiles to an ``EXISTS`` subquery on the related table, so
  rows are never duplicated and the related model's own restrictions (the ``active``
  convention, and later record rules) apply inside it.
- x-to-many paths mean "at least one related record matches"; ``__any``/``__none`` take a
  nested Q evaluated on the same related record.
- Logic is two-valued like the in-memory evaluator: under a NOT, every leaf is wrapped in
  ``IS TRUE`` so a NULL comparison counts as false before it is negated.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from fullfinity.engine.access.control import check_field
from fullfinity.engine.fields.base import Field
from fullfinity.engine.qlang.evaluate import Bindings
from fullfinity.engine.qlang.q import Leaf, Q
from fullfinity.engine.query.lookups import LookupContext, compile_lookup
from fullfinity.engine.query.paths import DATE_PARTS, LOOKUP_NAMES, resolve_path, unknown_field
from fullfinity.engine.query.sql import Sql, ident, join
from fullfinity.exceptions import BadRequest

if TYPE_CHECKING:
    from fullfinity.engine.records.environment import Environment
    from fullfinity.engine.records.models import Model

__all__ = ["WhereCompiler", "leaf_keys"]


def leaf_keys(node: Q | Leaf) -> Iterator[str]:
    """Every raw key of a Q tree (nested any/none trees excluded)."""
    if isinstance(node, Leaf):
        yield node.key
    else:
        for child in node.children:
            yield from leaf_keys(child)


def _mentions_active(node: Q | Leaf | None) -> bool:
    return node is not None and any(k.split("__")[0] == "active" for k in leaf_keys(node))


class WhereCompiler:
    """Compiles filters for one environment; allocates subquery aliases t1, t2, ..."""

    def __init__(self, env: Environment) -> None:
        self.env = env
        self._aliases = itertools.count(1)
        self._ruling: set[str] = set()
        self._bindings: Bindings | None = None

    @property
    def bindings(self) -> Bindings:
        """The bound names' values, built once per statement (``clock_used`` tells whether the
        statement depends on the moment it was compiled)."""
        if self._bindings is None:
            self._bindings = Bindings(self.env.bindings())
        return self._bindings

    @property
    def clock_used(self) -> bool:
        return self._bindings is not None and self._bindings.clock_used

    def new_alias(self) -> str:
        return f"t{next(self._aliases)}"

    @property
    def active_test(self) -> bool:
        return self.env.context.get("active_test", True) is not False

    # -- restrictions every reference to a model carries ----------------------------------
    def restrict(
        self, model: type[Model], alias: str, condition: Q | Leaf | None, *, hide_archived: bool = True
    ) -> Sql | None:
        """Conditions every reference to ``model`` carries: archived records hidden (the ``active``
        convention; not for a ManyToOne target read through a join, ``hide_archived=False``) and,
        for a user, the read record rules of the model."""
        parts: list[Sql] = []
        if model._has_active and hide_archived and self.active_test and not _mentions_active(condition):
            parts.append(Sql(f'{alias}."active"'))
        profile = None if self.env.is_elevated else self.env.access
        if profile is not None and model._name not in self._ruling:
            rule = profile.rule(model._name, "read")
            if rule is not None:
                self._ruling.add(model._name)  # a rule that filters through its own model must not recurse
                try:
                    parts.append(self.node(model, alias, rule.resolve(self.bindings)).wrap("(", ")"))
                finally:
                    self._ruling.discard(model._name)
        if not parts:
            return None
        return join(parts, " AND ") if len(parts) > 1 else parts[0]

    def filters(self, model: type[Model], alias: str, filters: tuple[tuple[Q, bool], ...]) -> Sql:
        """AND of the queryset's filters (each possibly negated) plus the model's restrictions."""
        bindings = self.bindings
        parts: list[Sql] = []
        mentioning: Q | None = None
        for q, negated in filters:
            q = q.resolve(bindings)
            if mentioning is None and _mentions_active(q):
                mentioning = q
            sql = self.node(model, alias, q, negated)
            parts.append(sql.wrap("NOT (", ")") if negated else sql.wrap("(", ")"))
        # A filter naming `active` lifts the archived-record default only; record rules always apply.
        restriction = self.restrict(model, alias, mentioning)
        if restriction is not None:
            parts.insert(0, restriction)
        if not parts:
            return Sql("TRUE")
        return join(parts, " AND ") if len(parts) > 1 else parts[0]

    # -- nodes --------------------------------------------------------------------------------
    def node(self, model: type[Model], alias: str, node: Q | Leaf, under_not: bool = False) -> Sql:
        if isinstance(node, Leaf):
            sql = self.leaf(model, alias, node.key, node.value)
            return sql.wrap("(", ") IS TRUE") if under_not else sql
        if node.connector == "not":
            return self.node(model, alias, node.children[0], not under_not).wrap("NOT (", ")")
        children = [self.node(model, alias, child, under_not) for child in node.children]
        if not children:
            return Sql("TRUE")
        if len(children) == 1:
            return children[0]
        # Parenthesised as a whole, so that it composes safely with any outer AND/OR.
        joined = join((c.wrap("(", ")") for c in children), " AND " if node.connector == "and" else " OR ")
        return joined.wrap("(", ")")

    def leaf(self, model: type[Model], alias: str, key: str, value: Any) -> Sql:
        segments = key.split("__")
        field = model._fields.get(segments[0])
        if field is None:
            raise unknown_field(model, segments[0], key)
        rest = segments[1:]
        check_field(self.env, model, field, "filter on")
        ctx = LookupContext(key, model._name, self.env.tz)
        if not field.relational:
            path = resolve_path(model, key)
            if field.name == "display_name" and field.automatic:
                return self._display_name(model, alias, path.lookup, value, ctx)
            return compile_lookup(field, self.column(field, alias), path.lookup, value, path.part, ctx)
        if not getattr(field, "many", False):
            return self._many_to_one(model, alias, field, rest, key, value, ctx)
        return self._x2many(model, alias, field, rest, key, value, ctx)

    def column(self, field: Field[Any], alias: str) -> str:
        if field.column is None:
            raise BadRequest(
                f"{field.model_name}.{field.name} is not stored (computed on read): it cannot be used to filter, "
                f"sort or group.",
                details=[{"path": field.name, "message": "not stored"}],
            )
        return f"{alias}.{ident(field.column)}"

    # -- relations -------------------------------------------------------------------------
    def _many_to_one(
        self, model: type[Model], alias: str, field: Any, rest: list[str], key: str, value: Any, ctx: LookupContext
    ) -> Sql:
        target = field.target_model
        direct = not rest or (rest[0] in LOOKUP_NAMES and rest[0] not in target._fields) or rest[0] == "id"
        if direct:
            tail = rest[1:] if rest and rest[0] == "id" else rest
            lookup = tail[0] if tail else "eq"
            if lookup in ("any", "none"):
                return self._exists_many_to_one(alias, field, self._nested(target, value, key), lookup == "none")
            if len(tail) > 1 or lookup not in LOOKUP_NAMES or lookup in DATE_PARTS:
                raise BadRequest(
                    f"{key!r}: unexpected {'__'.join(tail)!r} after {field.name}.",
                    details=[{"path": key, "message": "bad lookup"}],
                )
            return compile_lookup(field, self.column(field, alias), lookup, value, None, ctx)
        sub_alias = self.new_alias()
        condition = self.leaf(target, sub_alias, "__".join(rest), value)
        return self._exists_many_to_one(alias, field, (condition, sub_alias, Leaf("__".join(rest), value)), False)

    def _nested(self, target: type[Model], value: Any, key: str) -> tuple[Sql, str, Q | Leaf]:
        if not isinstance(value, Q):
            raise BadRequest(
                f"{key!r}: any/none take a Q object, got {type(value).__name__}.",
                details=[{"path": key, "message": "expected a Q"}],
            )
        sub_alias = self.new_alias()
        return self.node(target, sub_alias, value), sub_alias, value

    def _exists_many_to_one(self, alias: str, field: Any, sub: tuple[Sql, str, Q | Leaf], negate: bool) -> Sql:
        condition, sub_alias, source = sub
        target = field.target_model
        parts = [Sql(f'{sub_alias}."id" = {alias}.{ident(field.column)}'), condition.wrap("(", ")")]
        restriction = self.restrict(target, sub_alias, source)
        if restriction is not None:
            parts.append(restriction)
        sql = Sql(f"EXISTS (SELECT 1 FROM {ident(target._table)} AS {sub_alias} WHERE ") + join(parts, " AND ") + ")"
        return sql.wrap("NOT ", "") if negate else sql

    def _x2many(
        self, model: type[Model], alias: str, field: Any, rest: list[str], key: str, value: Any, ctx: LookupContext
    ) -> Sql:
        target = field.target_model
        if rest in (["any"], ["none"]):
            condition, sub_alias, source = self._nested(target, value, key)
            return self.exists_related(alias, field, sub_alias, condition, source, negate=rest == ["none"])
        if rest in (["isnull"], ["isnotnull"]):
            if not isinstance(value, bool):
                raise BadRequest(
                    f"{key!r} takes True or False, got {value!r}.",
                    details=[{"path": key, "message": "expected a boolean"}],
                )
            empty = value if rest == ["isnull"] else not value
            return self.exists_related(alias, field, self.new_alias(), Sql("TRUE"), None, negate=empty)
        sub_alias = self.new_alias()
        sub_key = "__".join(["id", *rest]) if not rest or rest[0] in LOOKUP_NAMES else "__".join(rest)
        condition = self.leaf(target, sub_alias, sub_key, value)
        return self.exists_related(alias, field, sub_alias, condition, Leaf(sub_key, value), negate=False)

    def exists_related(
        self, alias: str, field: Any, sub_alias: str, condition: Sql, source: Q | Leaf | None, *, negate: bool
    ) -> Sql:
        """``EXISTS`` (or ``NOT EXISTS``) a related record of ``field`` matching ``condition``."""
        target = field.target_model
        parts: list[Sql] = []
        if field.type_name == "ManyToMany":
            table, this_col, other_col = field.relation
            link = self.new_alias()
            source_sql = (
                f"{ident(table)} AS {link} JOIN {ident(target._table)} AS {sub_alias} "
                f'ON {sub_alias}."id" = {link}.{ident(other_col)}'
            )
            parts.append(Sql(f'{link}.{ident(this_col)} = {alias}."id"'))
        else:
            inverse = target._fields[field.related_name]
            source_sql = f"{ident(target._table)} AS {sub_alias}"
            parts.append(Sql(f'{sub_alias}.{ident(inverse.column)} = {alias}."id"'))
        if condition.text != "TRUE":
            parts.append(condition.wrap("(", ")"))
        restriction = self.restrict(target, sub_alias, source)
        if restriction is not None:
            parts.append(restriction)
        sql = Sql(f"EXISTS (SELECT 1 FROM {source_sql} WHERE ") + join(parts, " AND ") + ")"
        return sql.wrap("NOT ", "") if negate else sql

    # -- display_name ---------------------------------------------------------------------------
    def _display_name(self, model: type[Model], alias: str, lookup: str, value: Any, ctx: LookupContext) -> Sql:
        """``display_name`` filters search the model's ``_search_fields`` (OR)."""
        display = model._fields["display_name"]
        search = [model._fields[n] for n in (model._search_fields or []) if n in model._fields]
        stored = [f for f in search if f.column is not None and not f.relational]
        if not stored:
            return compile_lookup(display, f"('{model._name},' || {alias}.\"id\")", lookup, value, None, ctx)
        parts = [compile_lookup(f, self.column(f, alias), lookup, value, None, ctx) for f in stored]
        return join((p.wrap("(", ")") for p in parts), " OR ") if len(parts) > 1 else parts[0]
