"""Rows into records: a function generated once per (class, columns, joined levels).

The per-row work is one object allocation and a tuple unpack into its slots. To-one levels
read through a LEFT JOIN (``fullfinity.engine.query.joins``) follow the main columns in the
row: each distinct target id becomes one target record (1,000 partners of 250 countries give
250 country records), kept in its own prefetch group that lives as long as the main one.
A level whose id column is NULL leaves the relation unset when the row has no target (it
reads as ``None``) and holds a stub carrying the id when the record rules hide the target,
as after a prefetch.
"""

from __future__ import annotations

import gc
import weakref
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from fullfinity.engine.records.models import RecordGroup

if TYPE_CHECKING:
    from fullfinity.engine.query.joins import JoinedLoad
    from fullfinity.engine.records.models import Model

__all__ = ["row_builder"]

_builders: dict[tuple[Any, ...], Callable[[Sequence[Any]], list[Any]]] = {}


def row_builder(
    cls: type[Model],
    slots: tuple[str, ...],
    copies: tuple[tuple[str, str], ...] = (),
    joins: tuple[JoinedLoad, ...] = (),
) -> Callable[[Sequence[Any]], list[Any]]:
    """A function turning asyncpg rows into records of ``cls``: one object and one slot store per value.

    ``copies`` are (slot, source slot) pairs filled from another column of the same row
    (``display_name`` when it is the record name column itself, selected once).
    The cyclic garbage collector is paused while a batch is built: the new records hold no
    cycles, and letting it scan them every 700 allocations would cost more than building them.
    """
    key = (cls, slots, copies, joins)
    build = _builders.get(key)
    if build is None:
        build = _generate(cls, slots, copies, joins)
        _builders[key] = build
    return build


def _generate(
    cls: type[Model], slots: tuple[str, ...], copies: tuple[tuple[str, str], ...], joins: tuple[JoinedLoad, ...]
) -> Callable[[Sequence[Any]], list[Any]]:
    namespace: dict[str, Any] = {
        "new": object.__new__,
        "cls": cls,
        "Group": RecordGroup,
        "ref": weakref.ref,
        "isenabled": gc.isenabled,
        "disable": gc.disable,
        "enable": gc.enable,
    }
    targets = [f"o.{s}" for s in slots]
    prologue: list[str] = []
    per_row: list[str] = []
    for n, level in enumerate(joins):
        namespace[f"cls{n}"] = level.target
        prologue += [
            f"    g{n} = Group()",
            f"    r{n} = ref(g{n})",
            f"    a{n} = g{n}.append",
            f"    m{n} = {{}}",
        ]
        names = [f"c{n}_{i}" for i in range(len(level.slots))]
        stores = ", ".join(f"t{n}.{s}" for s in level.slots) + ("," if len(level.slots) == 1 else "")
        targets += names
        parent = "o" if level.parent < 0 else f"t{level.parent}"
        guard = "" if level.parent < 0 else f"t{level.parent} is not None and "
        per_row += [
            f"            t{n} = None",
            f"            if {guard}c{n}_0 is not None:",
            f"                t{n} = m{n}.get(c{n}_0)",
            f"                if t{n} is None:",
            f"                    t{n} = new(cls{n})",
            f"                    {stores} = {', '.join(names)}",
            f"                    t{n}._grp = r{n}",
            f"                    a{n}(t{n})",
            f"                    m{n}[c{n}_0] = t{n}",
            f"                {parent}.{level.rec_slot} = t{n}",
            # Joined as NULL while the row holds an id: a target the record rules hide. It becomes
            # a stub carrying that id only, as the batched prefetch leaves it.
            f"            elif {guard}{parent}.{level.id_slot} is not None:",
            f"                s = new(cls{n})",
            f"                s._f_id = {parent}.{level.id_slot}",
            f"                {parent}.{level.rec_slot} = s",
        ]
    if joins:
        # The joined levels' groups live as long as the main one (their records refer to them weakly).
        prologue.append(f"    out.joined = ({', '.join(f'g{n}' for n in range(len(joins)))},)")
    unpack = ", ".join(targets) + ("," if len(targets) == 1 else "")
    lines = [
        "def build(rows):",
        "    out = Group()",
        "    group = ref(out)",
        "    append = out.append",
        *prologue,
        "    paused = isenabled()",
        "    if paused:",
        "        disable()",
        "    try:",
        "        for r in rows:",
        "            o = new(cls)",
        f"            {unpack} = r",
        *(f"            o.{slot} = o.{source}" for slot, source in copies),
        "            o._grp = group",
        "            append(o)",
        *per_row,
        "    finally:",
        "        if paused:",
        "            enable()",
        "    return out",
    ]
    exec(compile("\n".join(lines) + "\n", f"<row builder {cls.__name__}>", "exec"), namespace)
    build: Callable[[Sequence[Any]], list[Any]] = namespace["build"]
    return build
