"""The identifier registry of a tenant: global, bare external ids of records (modules.md 7.3).

``ff_identifier`` maps an identifier (``helpdesk_manager``) to (model, record id, owning
module, apply_once). Data files create the rows; security resolves group identifiers
through it (field ``groups=[...]``, view and menu groups).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from fullfinity.exceptions import MissingError

if TYPE_CHECKING:
    from fullfinity.engine.records.environment import Environment

__all__ = ["TABLE", "bind", "ensure_table", "identifiers_of", "resolve", "resolve_many"]

TABLE = "ff_identifier"
SCHEMA = f"""
CREATE TABLE IF NOT EXISTS {TABLE} (
    identifier  TEXT PRIMARY KEY,
    model       TEXT NOT NULL,
    res_id      BIGINT NOT NULL,
    module      TEXT NOT NULL,
    apply_once  BOOLEAN NOT NULL DEFAULT false,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS ix_{TABLE}__model_res_id ON {TABLE} (model, res_id);
"""


async def ensure_table(conn: Any) -> None:
    """Create the identifier table if the tenant database lacks it."""
    await conn.execute(SCHEMA)


async def bind(
    env: Environment, identifier: str, model: str, res_id: int, module: str, *, apply_once: bool = False
) -> None:
    """Record (or move) ``identifier`` to point at ``model`` record ``res_id``."""
    await env.execute(
        f"INSERT INTO {TABLE} (identifier, model, res_id, module, apply_once) VALUES ($1, $2, $3, $4, $5) "
        f"ON CONFLICT (identifier) DO UPDATE SET model = EXCLUDED.model, res_id = EXCLUDED.res_id, "
        f"module = EXCLUDED.module, apply_once = EXCLUDED.apply_once",
        identifier,
        model,
        res_id,
        module,
        apply_once,
    )


async def resolve_many(env: Environment, identifiers: Iterable[str]) -> dict[str, tuple[str, int]]:
    """identifier -> (model, id) for those that exist."""
    names = sorted(set(identifiers))
    if not names:
        return {}
    rows = await env.fetch(f"SELECT identifier, model, res_id FROM {TABLE} WHERE identifier = ANY($1::text[])", names)
    return {r["identifier"]: (r["model"], r["res_id"]) for r in rows}


async def resolve(env: Environment, identifier: str, model: str | None = None) -> int:
    """The record id of ``identifier`` (of ``model`` when given); ``MissingError`` if unknown."""
    found = (await resolve_many(env, [identifier])).get(identifier)
    if found is None or (model is not None and found[0] != model):
        what = f"{model} record" if model else "record"
        raise MissingError(f"No {what} has the identifier '{identifier}'.")
    return found[1]


async def identifiers_of(env: Environment, model: str, ids: Iterable[int]) -> dict[int, str]:
    """record id -> identifier for the given records of ``model`` that have one."""
    values = sorted(set(ids))
    if not values:
        return {}
    rows = await env.fetch(
        f"SELECT res_id, identifier FROM {TABLE} WHERE model = $1 AND res_id = ANY($2::bigint[])", model, values
    )
    return {r["res_id"]: r["identifier"] for r in rows}
