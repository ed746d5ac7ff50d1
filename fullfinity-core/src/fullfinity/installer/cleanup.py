"""Removing what modules created: records dropped from data files, uninstalled modules' data.

- On upgrade, a record whose identifier disappeared from the module's files is deleted, unless
  other records refer to it: then it is archived (models with ``active``) or kept, and the
  report says which (modules.md 7.5).
- On uninstall, the records the module created from data files are deleted, except records of
  models the module itself defines: their tables are kept, and so are those rows and their
  identifiers, so that reinstalling finds them again. ``drop_data`` drops those tables, the
  columns the module's extensions added and their join tables (modules.md 8).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from fullfinity.engine.fields.relational import ManyToMany, ManyToOne
from fullfinity.engine.query import ident
from fullfinity.engine.records.identifiers import TABLE as IDENTIFIERS

if TYPE_CHECKING:
    from fullfinity.engine.env import Environment
    from fullfinity.engine.models import Model
    from fullfinity.engine.records.registry import Registry
    from fullfinity.installer.report import OperationReport

__all__ = ["drop_module_schema", "remove_module_records", "remove_stale_records", "schema_removals"]


async def _referenced(env: Environment, model: type[Model], ids: list[int]) -> set[int]:
    """Which of ``ids`` other records point at (ManyToOne columns and ManyToMany join tables)."""
    found: set[int] = set()
    for other in env.registry:
        for f in other._fields.values():
            if isinstance(f, ManyToOne) and f.related_model == model._name and f.column and not other._transient:
                rows = await env.fetch(
                    f"SELECT DISTINCT {ident(f.column)} AS v FROM {ident(other._table)} "
                    f"WHERE {ident(f.column)} = ANY($1::bigint[])",
                    ids,
                )
                found.update(r["v"] for r in rows)
            elif isinstance(f, ManyToMany) and f.related_model == model._name and f.relation and not f.reverse_of:
                table, _, other_col = f.relation
                rows = await env.fetch(
                    f"SELECT DISTINCT {ident(other_col)} AS v FROM {ident(table)} "
                    f"WHERE {ident(other_col)} = ANY($1::bigint[])",
                    ids,
                )
                found.update(r["v"] for r in rows)
    return found


async def _unbind(env: Environment, identifiers: Iterable[str]) -> None:
    names = sorted(identifiers)
    if names:
        await env.execute(f"DELETE FROM {IDENTIFIERS} WHERE identifier = ANY($1::text[])", names)


async def remove_stale_records(env: Environment, module: str, keep: set[str], report: OperationReport) -> None:
    """Delete (or archive / keep when referenced) the module's records whose identifiers left its files."""
    rows = await env.fetch(
        f"SELECT identifier, model, res_id FROM {IDENTIFIERS} WHERE module = $1 ORDER BY created_at DESC, identifier",
        module,
    )
    stale: dict[str, list[tuple[str, int]]] = {}
    for r in rows:
        if r["identifier"] not in keep:
            stale.setdefault(r["model"], []).append((r["identifier"], r["res_id"]))
    for model_name, entries in stale.items():
        if model_name not in env.registry:
            await _unbind(env, (i for i, _ in entries))
            continue
        model = env.registry.get(model_name)
        ids = [i for _, i in entries]
        with env.with_context(active_test=False):
            existing = set(await model.filter(id__in=ids).order_by().distinct_values("id"))
        referenced = await _referenced(env, model, sorted(existing))
        gone = [(i, rid) for i, rid in entries if rid not in existing]
        deletable = [(i, rid) for i, rid in entries if rid in existing and rid not in referenced]
        held = [(i, rid) for i, rid in entries if rid in referenced]
        if deletable:
            await model.browse([rid for _, rid in deletable]).delete()
            for identifier, _ in deletable:
                report.record(model_name, "deleted", identifier)
        await _unbind(env, (i for i, _ in [*gone, *deletable]))
        for identifier, rid in held:
            if model._has_active:
                with env.with_context(active_test=False):
                    record: Any = await model.filter(id=rid).with_fields("active").get()
                if record.active:
                    record.active = False
                    await record.save()
                report.record(model_name, "archived", identifier)
            else:
                report.record(model_name, "kept", identifier)
            report.warnings.append(
                f"{model_name} '{identifier}' left the files of module '{module}' but other records refer to it: "
                f"{'archived' if model._has_active else 'kept'}."
            )


async def remove_module_records(
    env: Environment, module: str, own_models: set[str], report: OperationReport, *, drop_data: bool
) -> None:
    """Delete the records ``module`` created from data files (see the module docstring for what stays)."""
    rows = await env.fetch(
        f"SELECT identifier, model, res_id FROM {IDENTIFIERS} WHERE module = $1 ORDER BY created_at DESC, identifier",
        module,
    )
    by_model: dict[str, list[tuple[str, int]]] = {}
    for r in rows:
        by_model.setdefault(r["model"], []).append((r["identifier"], r["res_id"]))
    for model_name, entries in by_model.items():
        if model_name in own_models or model_name not in env.registry:
            if drop_data:
                await _unbind(env, (i for i, _ in entries))
            continue
        model = env.registry.get(model_name)
        with env.with_context(active_test=False):
            existing = set(await model.filter(id__in=[i for _, i in entries]).order_by().distinct_values("id"))
        if existing:
            await model.browse(sorted(existing)).delete()
        for identifier, rid in entries:
            if rid in existing:
                report.record(model_name, "deleted", identifier)
        await _unbind(env, (i for i, _ in entries))


def schema_removals(old: Registry, new: Registry) -> list[str]:
    """DDL dropping what ``old`` has and ``new`` lacks: tables, extension columns, join tables."""
    statements: list[str] = []
    for model in old:
        if model._transient:
            continue
        kept = new.models.get(model._name)
        if kept is None:
            statements.append(f"DROP TABLE IF EXISTS {ident(model._table)} CASCADE")
            for f in model._fields.values():
                statements.extend(_join_table(f))
            continue
        for f in model._stored:
            column = f.column or f.name
            if not f.automatic and column not in {g.column for g in kept._stored}:
                statements.append(f"ALTER TABLE {ident(model._table)} DROP COLUMN IF EXISTS {ident(column)} CASCADE")
        for name, f in model._fields.items():
            if name not in kept._fields:
                statements.extend(_join_table(f))
    return list(dict.fromkeys(statements))


def _join_table(f: Any) -> list[str]:
    if isinstance(f, ManyToMany) and f.relation is not None and not f.through:
        return [f"DROP TABLE IF EXISTS {ident(f.relation[0])} CASCADE"]
    return []


async def drop_module_schema(env: Environment, old: Registry, new: Registry, report: OperationReport) -> None:
    """Run ``schema_removals`` (``--drop-data``), recording each statement in the report."""
    for statement in schema_removals(old, new):
        report.ddl.append(statement + ";")
        await env.execute(statement)
