"""Posted documents are immutable: the ORM's refusals (the database refuses as well, see ``database``).

There is no flag that lets code write a posted document: corrections are new documents (credit
notes, reversals). Fields that posting and reconciliation maintain (residuals, payment state) are
read-only for callers and written by those operations only.
"""

from __future__ import annotations

from typing import Any

from fullfinity.engine.base import AccessError, UserError

__all__ = ["refuse_item_changes", "refuse_posted_changes", "refuse_posted_delete", "require_group"]


def require_group(env: Any, group: str, what: str) -> None:
    """Workflow steps write with set-based SQL, past the ORM's access checks: they check the
    caller's group themselves (the API checks it too, through ``@Model.expose(groups=...)``)."""
    if env.is_elevated or env.access is None:
        return
    if group not in env.access.group_names:
        raise AccessError(f"{what} is reserved to the group {group}: you are not in it.")


_FINAL = {"posted", "cancelled"}


async def _states(env: Any, table: str, ids: list[int]) -> dict[int, tuple[str, str | None]]:
    if not ids:
        return {}
    rows = await env.fetch(f'SELECT id, state, number AS label FROM "{table}" WHERE id = ANY($1::bigint[])', ids)
    return {r["id"]: (r["state"], r["label"]) for r in rows}


async def refuse_posted_changes(records: Any, what: str) -> None:
    """Refuse saving changes of records (invoices, entries, payments) that are posted or cancelled."""
    table = type(records)._table
    changed = [rec for rec in records if rec.id is not None and rec._changes]
    states = await _states(records.env, table, [rec.id for rec in changed])
    for rec in changed:
        state, label = states.get(rec.id, ("draft", None))
        if state in _FINAL:
            fields = ", ".join(sorted(rec._changes))
            raise UserError(
                f"{type(records)._verbose_name or what} {label or rec.id} is {state}: it cannot be changed ({fields}). "
                f"Corrections are new documents: a credit note or a reversal."
            )


async def refuse_posted_delete(records: Any, what: str) -> None:
    table = type(records)._table
    states = await _states(records.env, table, [rec.id for rec in records if rec.id is not None])
    for rec_id, (state, label) in states.items():
        if state == "posted" or (state == "cancelled" and table == "payment"):
            raise UserError(
                f"{what.capitalize()} {label or rec_id} is {state}: it cannot be deleted. Posted documents stay in "
                f"the books; cancel or reverse them with a new document."
            )


async def refuse_item_changes(items: Any, *, deleting: bool = False) -> None:
    """Items of posted entries never change; new items only go into draft entries."""
    env = items.env
    entry_ids = set()
    for rec in items:
        if rec.id is None:
            if rec.entry is not None:
                entry_ids.add(rec.entry.id)
        elif deleting or rec._changes:
            entry_ids.add(None)
    ids = [rec.id for rec in items if rec.id is not None and (deleting or rec._changes)]
    rows = []
    if ids:
        rows = await env.fetch(
            "SELECT e.state, e.number FROM journal_item i JOIN journal_entry e ON e.id = i.entry_id "
            "WHERE i.id = ANY($1::bigint[]) AND e.state = 'posted' LIMIT 1",
            ids,
        )
    new = [e for e in entry_ids if e is not None]
    if new and not rows:
        rows = await env.fetch(
            "SELECT state, number FROM journal_entry WHERE id = ANY($1::bigint[]) AND state = 'posted' LIMIT 1", new
        )
    if rows:
        raise UserError(
            f"Journal entry {rows[0]['number']} is posted: its items cannot be added, changed or deleted. "
            f"Post a reversal or a correcting entry instead."
        )
