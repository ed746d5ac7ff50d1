"""To-one relations read in the main SELECT.

A ManyToOne (or OneToOne) path asked by ``with_fields("partner__name")``, by a queryset's
``fetch_related("country")`` or by an API ``fields`` list is read with a LEFT JOIN of the
target in the same statement instead of a second query. The target's restrictions go inside
the join's ``ON``, as ordering through relations does, so nothing hidden becomes visible:

- the target's read record rules (a hidden target joins as NULL: the relation then holds a
  stub carrying its id only, exactly as the batched prefetch leaves it);
- field groups: a wanted target field the user may not read is refused (``AccessError``), and a
  full target (``fetch_related``) selects only the fields the user sees;
- archived targets are *not* hidden (a ManyToOne shows its archived target, as the prefetch does).

A path is joined only when every level of it can be: each segment a stored ManyToOne whose
target the user may read, each wanted field a stored column or ``display_name``, and its
parent path joined too. Anything else (x-to-many, computed fields, a model the user may not
read) stays with the batched prefetch (``fullfinity.engine.records.prefetch``), unchanged.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from fullfinity.engine.access.control import check_field
from fullfinity.engine.fields.relational import ManyToOne, record_slot
from fullfinity.engine.query.compiler import ROOT, Compiler, display_name_sql

if TYPE_CHECKING:
    from fullfinity.engine.fields.base import Field
    from fullfinity.engine.records.environment import Environment
    from fullfinity.engine.records.models import Model

__all__ = ["JoinedLoad", "plan_joins"]


@dataclass(frozen=True, slots=True)
class JoinedLoad:
    """One to-one level read through a LEFT JOIN: its columns follow the main model's in each row."""

    path: str
    #: Index of the parent level in the plan's joins; ``-1``: the queried model.
    parent: int
    #: The slot of the parent record holding the related record (``_r_country``).
    rec_slot: str
    #: The slot of the parent record holding the target's id (``_f_country``), always selected.
    id_slot: str
    target: type[Model]
    #: The target record slots of this level's columns, ``_f_id`` first.
    slots: tuple[str, ...]


def _may_read(env: Environment, target: type[Model]) -> bool:
    return env.is_elevated or env.access is None or env.access.can(target._name, "read")


def _target_fields(env: Environment, target: type[Model], wanted: Sequence[str] | None) -> list[Field[Any]] | None:
    """The target columns a level selects (``id`` first); ``None`` when a wanted field is not a column."""
    id_field = target._fields["id"]
    if wanted is None:  # a whole record, as a plain read of the target would load it
        profile = None if env.is_elevated else env.access
        visible = [f for f in target._stored if profile is None or profile.sees(f)]
        return [id_field, *(f for f in visible if f is not id_field)]
    out: list[Field[Any]] = [id_field]
    for name in wanted:
        field = target._fields.get(name)
        if field is None or (field.column is None and not (field.name == "display_name" and field.automatic)):
            return None  # computed, x-to-many or unknown: the prefetch loads it (or names the error)
        if field not in out:
            out.append(field)
    for field in out:
        check_field(env, target, field, "read")  # refused as the prefetch's own query would refuse it
    return out


def plan_joins(
    compiler: Compiler,
    fields: list[Field[Any]],
    paths: Sequence[str],
    leaf_fields: dict[str, list[str]],
) -> tuple[tuple[JoinedLoad, ...], list[str], tuple[str, ...]]:
    """Join what can be joined of ``paths`` (the plan's extra loads).

    Returns the joined levels, their select expressions (in row order, after ``fields``'
    own) and the paths left to the prefetch. ``fields`` gains a ManyToOne column of the
    queried model a joined path starts from when it was not selected yet.
    """
    env = compiler.env
    model = compiler.model
    # Parents before children: a level joins onto its parent's alias.
    ordered = sorted(paths, key=lambda p: p.count("__"))
    children: dict[str, list[str]] = {}
    for path in ordered:
        head, _, last = path.rpartition("__")
        children.setdefault(head, []).append(last)
    index: dict[str, int] = {}
    aliases: dict[str, str] = {"": ROOT}
    loads: list[JoinedLoad] = []
    columns: list[str] = []
    remaining: list[str] = []
    for path in ordered:
        head, _, last = path.rpartition("__")
        if head and head not in index:
            remaining.append(path)
            continue
        parent_model = loads[index[head]].target if head else model
        field: Any = parent_model._fields.get(last)
        if not isinstance(field, ManyToOne) or field.column is None or not _may_read(env, field.target_model):
            remaining.append(path)
            continue
        if head and field.slot not in loads[index[head]].slots:
            remaining.append(path)  # the parent level does not read this id (a field group hides it)
            continue
        target = field.target_model
        wanted = leaf_fields.get(path)
        if wanted is not None:
            # Relations continuing from this level need their column on it (the prefetch reads it too).
            wanted = [*wanted, *(c for c in children.get(path, ()) if c not in wanted)]
        target_fields = _target_fields(env, target, wanted)
        if target_fields is None:
            remaining.append(path)
            continue
        if not head and field not in fields:
            check_field(env, model, field, "read")
            fields.append(field)
        alias = compiler.load_join(aliases[head], field, path)
        aliases[path] = alias
        for f in target_fields:
            if f.name == "display_name" and f.automatic:
                columns.append(display_name_sql(target, alias))
            else:
                columns.append(f.select_sql(compiler.column(f, alias)))
        index[path] = len(loads)
        loads.append(
            JoinedLoad(
                path=path,
                parent=index[head] if head else -1,
                rec_slot=record_slot(field.name),
                id_slot=field.slot,
                target=target,
                slots=tuple(f.slot for f in target_fields),
            )
        )
    return tuple(loads), columns, tuple(p for p in paths if p in remaining)
