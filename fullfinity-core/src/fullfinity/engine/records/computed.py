"""Computed fields: analysis at registry build, computation on read, recomputation on write.

A field with ``calculate="method"`` is computed by ``method`` (async, one record as
``self``, assigning ``self.<field>``; with ``@Model.calculate(..., batch=True)`` the whole
batch as ``self``); ``@Model.calculate(*paths)`` declares what it reads.

- **Analysis** (``analyse``): dependency paths are resolved against the models, cycles are
  refused, and every (model, field) a stored computed field depends on gets a *trigger*
  saying which records to recompute when it changes: the inverse of the path.
- **Non-stored** fields are computed when asked for (``with_fields``, ``fetch_related``),
  for the whole set at once, after loading exactly the declared dependencies.
- **Stored** fields whose dependencies are all fields of the same record are computed
  before the record's own INSERT/UPDATE and written with it. The others are marked dirty
  when a dependency changes (``mark_changed``) and recomputed in batches by ``flush``:
  before commit, before querying the model, and on ``await env.flush()``; each dirty record
  is computed once per flush however many writes touched it, and the new values are
  written with one UPDATE per model.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

from fullfinity.engine.context import current_env
from fullfinity.engine.fields.relational import ManyToMany, ManyToOne, X2ManyField
from fullfinity.engine.query.sql import ident
from fullfinity.engine.records.prefetch import _load_columns, fetch_related
from fullfinity.exceptions import ModuleError

if TYPE_CHECKING:
    from fullfinity.engine.records.environment import Environment
    from fullfinity.engine.records.models import Model
    from fullfinity.engine.records.registry import Registry

__all__ = ["COMPUTING", "ComputeInfo", "analyse", "compute_fields", "flush", "mark_changed", "recompute"]

#: True while a compute method runs: assignments to computed fields then store silently.
COMPUTING: ContextVar[bool] = ContextVar("fullfinity_computing", default=False)
MAX_FLUSH_ROUNDS = 50


@dataclass(frozen=True)
class Spec:
    model: str
    field: str
    method: str
    deps: tuple[str, ...]
    store: bool
    elevated: bool
    local: bool  # every dependency is a stored field of the record itself


@dataclass(frozen=True)
class Trigger:
    """A change of ``source`` field on some records dirties ``target`` on the records reached backwards."""

    target: tuple[str, str]
    inverse: tuple[Any, ...]  # relational fields from the target model down to the changed model


@dataclass
class ComputeInfo:
    specs: dict[tuple[str, str], Spec] = field(default_factory=dict)
    triggers: dict[tuple[str, str], list[Trigger]] = field(default_factory=dict)
    order: dict[tuple[str, str], int] = field(default_factory=dict)

    def stored_by_model(self, model: str) -> list[Spec]:
        return [s for s in self.specs.values() if s.model == model and s.store]


def _resolve(registry: Registry, model: type[Model], path: str, where: str) -> list[Any]:
    fields: list[Any] = []
    current = model
    for segment in path.split("__"):
        f = current._fields.get(segment)
        if f is None:
            raise ModuleError(
                f"{where}: dependency '{path}' names '{segment}', which is not a field of {current._name}."
            )
        fields.append(f)
        if f.relational:
            current = cast(Any, f).target_model
    return fields


def analyse(registry: Registry) -> ComputeInfo:
    """Resolve dependencies, refuse cycles, build triggers. Raises ``ModuleError`` on a bad declaration."""
    info = ComputeInfo()
    for model in registry:
        for f in model._fields.values():
            if f.calculate is None:
                continue
            where = f"{model._name}.{f.name} (calculate='{f.calculate}')"
            method = getattr(model, f.calculate, None)
            if method is None or not callable(method):
                raise ModuleError(f"{where}: {model._name} has no method '{f.calculate}'.")
            deps = tuple(getattr(method, "_calculate_deps", ()))
            resolved = [_resolve(registry, model, dep, where) for dep in deps]
            local = all(len(p) == 1 and p[0].column is not None and not p[0].relational for p in resolved)
            info.specs[(model._name, f.name)] = Spec(
                model._name, f.name, f.calculate, deps, f.column is not None, f.calculate_elevated, local
            )
            if f.column is None:
                continue  # non-stored: computed on read, nothing to trigger
            for path in resolved:
                for i, dep in enumerate(path):
                    key = (path[i - 1].related_model if i else model._name, dep.name)
                    info.triggers.setdefault(key, []).append(Trigger((model._name, f.name), tuple(path[:i])))
                    if isinstance(dep, X2ManyField) and not isinstance(dep, ManyToMany):
                        member_key = (dep.related_model, str(dep.related_name))  # re-parenting a child
                        info.triggers.setdefault(member_key, []).append(
                            Trigger((model._name, f.name), tuple(path[: i + 1]))
                        )
    _order(info, registry)
    return info


def _order(info: ComputeInfo, registry: Registry) -> None:
    """Topological order of computed fields; a cycle is a ModuleError naming it."""
    graph: dict[tuple[str, str], set[tuple[str, str]]] = {k: set() for k in info.specs}
    for key, spec in info.specs.items():
        model = registry.get(spec.model)
        for dep in spec.deps:
            fields = _resolve(registry, model, dep, key[1])
            for i, f in enumerate(fields):
                owner = fields[i - 1].related_model if i else spec.model
                if (owner, f.name) in info.specs:
                    graph[key].add((owner, f.name))
    state: dict[tuple[str, str], int] = {}
    order: list[tuple[str, str]] = []

    def visit(node: tuple[str, str], stack: list[tuple[str, str]]) -> None:
        if state.get(node) == 2:
            return
        if state.get(node) == 1:
            cycle = [*stack[stack.index(node) :], node]
            raise ModuleError("Computed field dependency cycle: " + " -> ".join(f"{m}.{f}" for m, f in cycle))
        state[node] = 1
        for dep in sorted(graph[node]):
            visit(dep, [*stack, node])
        state[node] = 2
        order.append(node)

    for node in sorted(graph):
        visit(node, [])
    info.order = {node: i for i, node in enumerate(order)}


@contextlib.contextmanager
def computing() -> Iterator[None]:
    token = COMPUTING.set(True)
    try:
        yield
    finally:
        COMPUTING.reset(token)


async def _call(records: Sequence[Model], specs: Sequence[Spec], env: Environment) -> None:
    """Prefetch every declared dependency for the batch, then run each method once per record."""
    if not records:
        return

    deps = [d for spec in specs for d in spec.deps]
    methods = list(dict.fromkeys(spec.method for spec in specs))
    elevated = any(spec.elevated for spec in specs)
    sudo = env.sudo() if elevated else contextlib.nullcontext()
    with sudo:
        if deps:
            await fetch_related(type(records[0])._make_set(list(records)), dict.fromkeys(deps))
        model = type(records[0])
        with computing():
            if not any(getattr(getattr(model, m), "_calculate_batch", False) for m in methods):
                for record in records:
                    for method in methods:
                        await getattr(record, method)()
                return
            for method in methods:  # some methods take the whole batch at once
                if getattr(getattr(model, method), "_calculate_batch", False):
                    await getattr(model._make_set(list(records)), method)()
                else:
                    for record in records:
                        await getattr(record, method)()


async def compute_fields(records: Sequence[Model], names: Iterable[str]) -> None:
    """Compute non-stored computed fields ``names`` for ``records`` (and nothing else)."""
    if not records:
        return
    env = current_env()
    model = type(records[0])
    info = env.registry.compute_info
    specs = [info.specs[(model._name, n)] for n in names if (model._name, n) in info.specs]
    await _call(records, specs, env)


async def compute_local(record: Model, changed: set[str] | None) -> list[str]:
    """Before a write: compute the record's own stored fields whose dependencies are local and changed.

    Returns the names computed (the caller writes them with the record).
    """
    env = current_env()
    model = type(record)
    info = env.registry.compute_info
    specs = [
        s
        for s in info.stored_by_model(model._name)
        if s.local and (changed is None or not s.deps or changed.intersection(s.deps))
    ]
    if not specs:
        return []
    missing = sorted({d for s in specs for d in s.deps if not hasattr(record, model._fields[d].slot)})
    if changed is not None and missing:
        # Only what is missing: a dependency just assigned keeps its new value.
        await _load_columns([record], missing)
    specs.sort(key=lambda s: info.order.get((s.model, s.field), 0))
    sudo = env.sudo() if any(s.elevated for s in specs) else contextlib.nullcontext()
    with sudo, computing():
        for method in dict.fromkeys(s.method for s in specs):
            await getattr(record, method)()
    return [s.field for s in specs]


async def mark_changed(
    model: type[Model],
    ids: Iterable[int],
    names: Iterable[str] | None,
    *,
    old_parents: dict[str, set[int]] | None = None,
) -> None:
    """Mark the stored computed fields depending on ``names`` of ``model`` records ``ids`` dirty.

    ``names=None`` means every field (created or deleted records). ``old_parents`` gives,
    per ManyToOne name, the ids it pointed at before the change (re-parenting).
    """
    env = current_env()
    info = env.registry.compute_info
    ids = [i for i in ids if i is not None]
    if not ids or not info.triggers:
        return
    keys = [k for k in info.triggers if k[0] == model._name and (names is None or k[1] in names)]
    triggers = list(dict.fromkeys(t for key in keys for t in info.triggers[key]))
    walked: dict[tuple[Any, ...], set[int]] = {}  # one walk per distinct inverse path

    async def walk(inverse: tuple[Any, ...], start: list[int]) -> set[int]:
        key = (inverse, tuple(start))
        if key not in walked:
            walked[key] = await _walk_back(env, inverse, start)
        return walked[key]

    for trigger in triggers:
        spec = info.specs[trigger.target]
        if spec.local and not trigger.inverse:
            continue  # computed with the record's own write
        affected = set(await walk(trigger.inverse, ids))
        if old_parents and trigger.inverse:
            last = trigger.inverse[-1]
            if isinstance(last, X2ManyField) and str(last.related_name) in old_parents:
                affected |= await walk(trigger.inverse[:-1], sorted(old_parents[str(last.related_name)]))
        if affected:
            env.dirty.setdefault(trigger.target, set()).update(affected)


async def _walk_back(env: Environment, inverse: tuple[Any, ...], ids: list[int]) -> set[int]:
    """Ids of the dependent model's records reaching ``ids`` through ``inverse`` (one query per level)."""
    current = set(ids)
    for f in reversed(inverse):
        if not current:
            break
        values = sorted(current)
        if isinstance(f, ManyToOne):
            owner = env.registry.get(f.model_name)
            rows = await env.fetch(
                f'SELECT "id" AS v FROM {ident(owner._table)} WHERE {ident(str(f.column))} = ANY($1::bigint[])', values
            )
        elif isinstance(f, ManyToMany):
            assert f.relation is not None
            table, this_col, other_col = f.relation
            rows = await env.fetch(
                f"SELECT {ident(this_col)} AS v FROM {ident(table)} WHERE {ident(other_col)} = ANY($1::bigint[])",
                values,
            )
        else:  # OneToMany: the children's ManyToOne
            target = f.target_model
            inverse_field = target._fields[str(f.related_name)]
            rows = await env.fetch(
                f"SELECT {ident(str(inverse_field.column))} AS v FROM {ident(target._table)} "
                f'WHERE "id" = ANY($1::bigint[])',
                values,
            )
        current = {r["v"] for r in rows if r["v"] is not None}
    return current


async def flush(env: Environment) -> None:
    """Recompute every dirty stored computed field, in dependency order, until nothing is dirty."""
    info = env.registry.compute_info
    for _ in range(MAX_FLUSH_ROUNDS):
        if not env.dirty:
            return
        key = min(env.dirty, key=lambda k: info.order.get(k, 0))
        model = env.registry.get(key[0])
        keys = [k for k in env.dirty if k[0] == key[0]]
        ids: set[int] = set()
        for k in keys:
            ids |= env.dirty.pop(k)
        specs = [info.specs[k] for k in keys]
        with env.sudo():  # derived data: recomputed whatever the writing user may read
            await _recompute(env, model, specs, sorted(ids))
    raise ModuleError(f"Computed fields still dirty after {MAX_FLUSH_ROUNDS} rounds: {sorted(env.dirty)}.")


async def _recompute(env: Environment, model: type[Model], specs: list[Spec], ids: list[int]) -> None:
    with env.with_context(active_test=False):
        records = list(await model.filter(id__in=ids).order_by())
    if not records:
        return
    fields = [model._fields[s.field] for s in specs]
    before = [[getattr(r, f.slot, None) for f in fields] for r in records]
    await _call(records, specs, env)
    changed = [
        (r, [getattr(r, f.slot, None) for f in fields])
        for r, old in zip(records, before, strict=True)
        if [getattr(r, f.slot, None) for f in fields] != old
    ]
    if not changed:
        return
    columns = [str(f.column) for f in fields]
    arrays: list[list[Any]] = [[r.id for r, _ in changed]]
    arrays += [[f.to_db(values[i]) for _, values in changed] for i, f in enumerate(fields)]
    casts = ["bigint", *[f.param_type for f in fields]]
    unnest = ", ".join(f"${i}::{cast}[]" for i, cast in enumerate(casts, 1))
    names = ", ".join(["id", *[f"c{i}" for i in range(len(fields))]])
    sets = ", ".join(f"{ident(c)} = v.c{i}" for i, c in enumerate(columns))
    await env.execute(
        f'UPDATE {ident(model._table)} AS t SET {sets} FROM unnest({unnest}) AS v({names}) WHERE t."id" = v.id', *arrays
    )
    env.written.add(model._name)
    await mark_changed(model, [r.id for r, _ in changed], [f.name for f in fields])


async def recompute(model: type[Model], names: Sequence[str], ids: Sequence[int] | None = None) -> None:
    """Recompute stored computed fields ``names`` for ``ids`` (default: every record), e.g. after an upgrade."""
    env = current_env()
    model = model._composed_class()
    if ids is None:
        with env.with_context(active_test=False):
            ids = await model.filter().order_by().distinct_values("id")
    for name in names:
        env.dirty.setdefault((model._name, name), set()).update(ids)
    await flush(env)
