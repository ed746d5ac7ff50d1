"""The CRM settings and the defaults they give, and how the CRM keeps what every lead write
reads (settings, stages, the won/lost history): once per transaction, and in the tenant's cache
between transactions until the models they come from are written."""

from __future__ import annotations

import weakref
from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from fullfinity.engine.base import Q
from fullfinity.engine.cache import model_namespace
from fullfinity.engine.context import env_ctx

if TYPE_CHECKING:
    from fullfinity.engine.env import Environment

__all__ = ["CrmSettings", "crm_settings", "default_currency", "default_team", "once_per_transaction", "shared"]

T = TypeVar("T")
_MEMO: weakref.WeakKeyDictionary[Environment, dict[str, Any]] = weakref.WeakKeyDictionary()


async def once_per_transaction(
    env: Environment, key: str, models: Collection[str], compute: Callable[[], Awaitable[T]]
) -> T:
    """``compute()`` once per environment (a request, a script's transaction), until it writes one
    of ``models``: a lead's save reads the settings, stages and history several times."""
    if env.written.intersection(models):
        _MEMO.pop(env, None)
        return await compute()
    memo = _MEMO.setdefault(env, {})
    if key not in memo:
        memo[key] = await compute()
    return memo[key]  # type: ignore[no-any-return]


async def shared(env: Environment, key: str, models: Collection[str], read: Callable[[], Awaitable[Any]]) -> Any:
    """``read()`` (plain data: lists, numbers, strings) kept in the tenant's cache until one of
    ``models`` is written (its ``model:<Name>`` generation moves), and once per transaction.

    A transaction that wrote one of ``models`` reads the database (it must see its own writes).
    """

    async def lookup() -> Any:
        cache = env.cache
        if cache is None or env.written.intersection(models):
            return await read()
        found = await cache.lookup(env.tenant, "crm", key, depends_on=[model_namespace(m) for m in models])
        if found.hit:
            return found.value
        value = await read()
        await found.store(value, ttl=3600)
        return value

    return await once_per_transaction(env, key, models, lookup)


@dataclass(frozen=True)
class CrmSettings:
    use_leads: bool
    default_team: int | None
    lead_capture_rate: int
    company: int | None


async def crm_settings() -> CrmSettings:
    """The tenant's CRM settings (the single Configuration record)."""
    env = env_ctx.get()
    use_leads, team, rate, company = await shared(env, "settings", ("Configuration",), lambda: _read_settings(env))
    return CrmSettings(use_leads=use_leads, default_team=team, lead_capture_rate=rate, company=company)


async def _read_settings(env: Environment) -> list[Any]:
    model = env.get_model("Configuration")
    with env.sudo():
        row = await (
            model.with_fields("crm_use_leads", "crm_default_team", "crm_lead_capture_rate", "company")
            .order_by("id ASC")
            .first()
        )
    if row is None:
        return [True, None, 5, None]
    return [
        bool(row.crm_use_leads),
        row.crm_default_team.id if row.crm_default_team else None,
        int(row.crm_lead_capture_rate or 5),
        row.company.id if row.company else None,
    ]


async def default_team() -> int | None:
    """The settings' default team; else a team the user leads or belongs to; else the first team."""
    env = env_ctx.get()
    settings = await crm_settings()
    if settings.default_team is not None:
        return settings.default_team
    model = env.get_model("CrmTeam")
    elevated = env.is_elevated
    with env.sudo():
        teams = await model.with_fields("leader").cached()
        if not elevated and teams:
            await teams.fetch_related("members")
    ids = [t.id for t in teams]
    if not elevated:
        for team in teams:
            if (team.leader and team.leader.id == env.uid) or env.uid in team.members.ids:
                return int(team.id)
    return int(ids[0]) if ids else None


async def default_currency() -> int | None:
    """The currency of the tenant's main company."""
    env = env_ctx.get()
    company_id = (await crm_settings()).company
    if company_id is None:
        return None

    async def read() -> int | None:
        with env.sudo():
            row = await env.get_model("Company").with_fields("currency").filter(Q(id=company_id)).first()
        return row.currency.id if row is not None and row.currency else None

    found: int | None = await shared(env, "currency", ("Company", "Configuration"), read)
    return found
