"""Login sessions: refresh-token rotation, reuse detection and revocation (security.md 9.2-9.3).

Each login opens an ``AuthSession`` (a *family*); the family's ``refresh_jti`` is the id of
the one refresh token still valid. Refreshing replaces it. Presenting a refresh token of the
family that is not the current one means it was copied: the whole family is revoked, so the
thief's tokens and the victim's stop working together.

Every request checks that its access token's family is alive and its user active
(``session_state``), so logout, reuse detection, a password change or disabling a user take
effect at once. The answer is cached (namespace ``session``) under the generations of
``AuthSession`` and ``User``: any committed write to either invalidates it in every worker
sharing the cache. A process that does not share the server's cache (the command line next
to a server with the in-process cache) is seen within ``SESSION_CHECK_TTL`` seconds.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Literal

from fullfinity.auth.tokens import Claims, TokenPair, issue_pair, new_token_id
from fullfinity.engine.env import Environment
from fullfinity.settings import Settings

__all__ = [
    "Refusal",
    "SessionState",
    "open_session",
    "revoke_families",
    "revoke_user_sessions",
    "rotate_session",
    "session_state",
]

RevokeReason = Literal["logout", "reuse", "password", "disabled", "admin"]
#: How long a cached session check may live: the bound on staleness for writes the server's
#: cache never hears of (another process, in-process cache).
SESSION_CHECK_TTL = 30.0


@dataclass(frozen=True)
class Refusal:
    """Why a refresh was refused (raised as a 401 by the caller, after its transaction committed)."""

    message: str


@dataclass(frozen=True)
class SessionState:
    user_id: int
    revoked: bool
    user_active: bool


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _issue(env: Environment, settings: Settings, secret: str, uid: int, family: str, jti: str) -> TokenPair:
    return issue_pair(
        secret,
        tenant=env.tenant,
        uid=uid,
        family=family,
        refresh_jti=jti,
        access_ttl=settings.access_token_ttl,
        refresh_ttl=settings.refresh_token_ttl,
    )


async def open_session(
    env: Environment, uid: int, *, settings: Settings, secret: str, ip: str | None, user_agent: str | None
) -> TokenPair:
    """Start a session family for ``uid`` and hand out its first tokens."""
    family, jti = new_token_id(), new_token_id()
    pair = _issue(env, settings, secret, uid, family, jti)
    with env.sudo():
        await env["AuthSession"].create(
            user=uid,
            family=family,
            refresh_jti=jti,
            expires_at=pair.refresh_expires,
            last_used_at=_now(),
            ip=(ip or "")[:64] or None,
            user_agent=(user_agent or "")[:400] or None,
        )
    return pair


async def rotate_session(
    env: Environment, claims: Claims, *, settings: Settings, secret: str, ip: str | None, user_agent: str | None
) -> TokenPair | Refusal:
    """New tokens for a valid refresh token; a ``Refusal`` (after revoking, on reuse) otherwise.

    The family's row is locked, so two refreshes racing with the same token are serialised:
    the second one sees a rotated family and is treated as reuse.
    """
    sessions, users = env["AuthSession"]._table, env["User"]._table
    row = await env.fetchrow(
        f'SELECT s.id, s.user_id, s.refresh_jti, s.revoked, u.active FROM "{sessions}" s '
        f'JOIN "{users}" u ON u.id = s.user_id WHERE s.family = $1 FOR UPDATE OF s',
        claims.fam,
    )
    if row is None or row["user_id"] != claims.sub:
        return Refusal("This session does not exist (anymore); log in again.")
    if row["revoked"]:
        return Refusal("This session has been revoked; log in again.")
    if row["refresh_jti"] != claims.jti:
        await revoke_families(env, [claims.fam], "reuse")
        return Refusal(
            "This refresh token was already used. As a precaution the whole session has been revoked; log in again."
        )
    if not row["active"]:
        return Refusal("This user is disabled.")
    jti = new_token_id()
    pair = _issue(env, settings, secret, claims.sub, claims.fam, jti)
    with env.sudo():
        await (
            env["AuthSession"]
            .filter(id=row["id"])
            .update(
                refresh_jti=jti,
                expires_at=pair.refresh_expires,
                last_used_at=_now(),
                ip=(ip or "")[:64] or None,
                user_agent=(user_agent or "")[:400] or None,
            )
        )
    return pair


async def revoke_families(env: Environment, families: list[str], reason: RevokeReason) -> int:
    """Revoke the given session families; returns how many were still alive."""
    if not families:
        return 0
    with env.sudo():
        return await (
            env["AuthSession"]
            .filter(family__in=sorted(set(families)), revoked=False)
            .update(revoked=True, revoked_reason=reason)
        )


async def revoke_user_sessions(env: Environment, uid: int, reason: RevokeReason) -> int:
    """Revoke every live session of ``uid`` (password change, user disabled)."""
    with env.sudo():
        return await env["AuthSession"].filter(user=uid, revoked=False).update(revoked=True, revoked_reason=reason)


async def session_state(env: Environment, family: str) -> SessionState | None:
    """Whether a family exists and is alive, and whether its user is active (cached, see above)."""
    if env.cache is None or env.written:
        return await _read_session_state(env, family)
    from fullfinity.engine.cache import model_namespace

    async def compute() -> list[Any] | None:
        state = await _read_session_state(env, family)
        return None if state is None else [state.user_id, state.revoked, state.user_active]

    found = await env.cache.fetch(
        env.tenant,
        "session",
        family,
        compute,
        ttl=SESSION_CHECK_TTL,
        depends_on=[model_namespace("AuthSession"), model_namespace("User")],
    )
    return None if found is None else SessionState(int(found[0]), bool(found[1]), bool(found[2]))


async def _read_session_state(env: Environment, family: str) -> SessionState | None:
    """One indexed query on the request's own connection."""
    sessions, users = env["AuthSession"]._table, env["User"]._table
    row = await env.fetchrow(
        f'SELECT s.user_id, s.revoked, u.active FROM "{sessions}" s JOIN "{users}" u ON u.id = s.user_id '
        f"WHERE s.family = $1",
        family,
    )
    if row is None:
        return None
    return SessionState(int(row["user_id"]), bool(row["revoked"]), bool(row["active"]))
