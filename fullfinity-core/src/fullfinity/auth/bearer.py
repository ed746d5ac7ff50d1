"""Who is calling: the ``Authorization: Bearer`` credential of a request (security.md 9.1, 9.5).

A credential starting with ``ffk_`` is an API key; anything else must be an access token of
this tenant whose session family is alive and whose user is active.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from fullfinity.auth.api_keys import is_api_key, verify_api_key
from fullfinity.auth.sessions import session_state
from fullfinity.auth.tokens import decode_token
from fullfinity.engine.env import Environment
from fullfinity.exceptions import AuthenticationError

__all__ = ["Principal", "authenticate", "bearer_credential"]


@dataclass(frozen=True)
class Principal:
    """The authenticated caller: a user reached through an access token, an API key, or the guest."""

    uid: int
    kind: Literal["token", "api_key", "guest"]
    #: The session family of an access token.
    family: str | None = None
    #: The id of the API key used.
    api_key_id: int | None = None
    #: When the access token expires (POSIX seconds).
    expires: int | None = None


def bearer_credential(authorization: str | None) -> str | None:
    """The credential of an ``Authorization`` header value; ``None`` when there is none."""
    if authorization is None or not authorization.strip():
        return None
    scheme, _, credential = authorization.strip().partition(" ")
    credential = credential.strip()
    if scheme.lower() != "bearer":
        raise AuthenticationError(
            f"The Authorization header must be 'Bearer <access token or API key>', got the scheme {scheme!r}."
        )
    if not credential:
        raise AuthenticationError("The Authorization header names the Bearer scheme but carries no credential.")
    return credential


async def authenticate(env: Environment, credential: str, *, secret: str) -> Principal:
    """The principal behind ``credential``, checked against ``env``'s tenant; ``AuthenticationError`` otherwise.

    ``env`` is the request's system environment: reading sessions and keys is not subject to
    the caller's rights.
    """
    if is_api_key(credential):
        key_id, uid = await verify_api_key(env, credential)
        return Principal(uid=uid, kind="api_key", api_key_id=key_id)
    claims = decode_token(secret, credential, tenant=env.tenant, typ="access")
    state = await session_state(env, claims.fam)
    if state is None or state.user_id != claims.sub:
        raise AuthenticationError("This session does not exist (anymore); log in again.")
    if state.revoked:
        raise AuthenticationError("This session has been revoked (logged out or a token was reused); log in again.")
    if not state.user_active:
        raise AuthenticationError("This user is disabled.")
    return Principal(uid=claims.sub, kind="token", family=claims.fam, expires=claims.exp)
