"""Access and refresh tokens: HS256 JWTs bound to one tenant (security.md 9.1).

Claims: ``sub`` (user id), ``tid`` (tenant name), ``typ`` (``access`` | ``refresh``), ``fam``
(the session family, one per login), ``jti`` (token id), ``iat`` and ``exp``. Decoding checks
the signature, the expiry, the type and the tenant; whether the family is still alive is the
business of ``fullfinity.auth.sessions``.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from typing import Any, Literal

import jwt

from fullfinity.exceptions import AuthenticationError

__all__ = ["ALGORITHM", "Claims", "TokenPair", "decode_token", "format_expiry", "issue_pair", "new_token_id"]

ALGORITHM = "HS256"
TokenType = Literal["access", "refresh"]
_REQUIRED = ["sub", "tid", "typ", "fam", "jti", "iat", "exp"]


def new_token_id() -> str:
    """A random identifier for a token (``jti``) or a session family (``fam``)."""
    return secrets.token_hex(16)


def format_expiry(moment: dt.datetime) -> str:
    """``2026-05-04 09:45:00 UTC``: the reference's format of ``expires_at``."""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


@dataclass(frozen=True)
class Claims:
    """The verified content of a token."""

    sub: int
    tid: str
    typ: TokenType
    fam: str
    jti: str
    iat: int
    exp: int


@dataclass(frozen=True)
class TokenPair:
    """What a login or a refresh hands out."""

    access_token: str
    refresh_token: str
    access_expires: dt.datetime
    refresh_expires: dt.datetime
    family: str
    refresh_jti: str

    def body(self) -> dict[str, str]:
        """The JSON answer of ``/auth/authenticate`` and ``/auth/refresh`` (api.md 3)."""
        return {
            "message": "Authenticated",
            "access_token": self.access_token,
            "refresh_token": self.refresh_token,
            "token_type": "bearer",
            "expires_at": format_expiry(self.access_expires),
            "refresh_expires_at": format_expiry(self.refresh_expires),
        }


def _encode(secret: str, claims: dict[str, Any]) -> str:
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def issue_pair(
    secret: str,
    *,
    tenant: str,
    uid: int,
    family: str,
    refresh_jti: str,
    access_ttl: int,
    refresh_ttl: int,
    now: dt.datetime | None = None,
) -> TokenPair:
    """A new access token and a refresh token (id ``refresh_jti``) of session ``family``."""
    issued = (now or dt.datetime.now(dt.UTC)).replace(microsecond=0)
    iat = int(issued.timestamp())
    access_expires = issued + dt.timedelta(seconds=access_ttl)
    refresh_expires = issued + dt.timedelta(seconds=refresh_ttl)
    base = {"sub": str(uid), "tid": tenant, "fam": family, "iat": iat}
    access = _encode(secret, {**base, "typ": "access", "jti": new_token_id(), "exp": int(access_expires.timestamp())})
    refresh = _encode(secret, {**base, "typ": "refresh", "jti": refresh_jti, "exp": int(refresh_expires.timestamp())})
    return TokenPair(access, refresh, access_expires, refresh_expires, family, refresh_jti)


def decode_token(secret: str, token: str, *, tenant: str, typ: TokenType) -> Claims:
    """The claims of ``token`` after every check; ``AuthenticationError`` (401) saying which failed."""
    what = f"{typ} token"
    try:
        raw = jwt.decode(token, secret, algorithms=[ALGORITHM], options={"require": _REQUIRED})
    except jwt.ExpiredSignatureError:
        hint = "refresh it with POST /auth/refresh" if typ == "access" else "log in again"
        raise AuthenticationError(f"The {what} has expired; {hint}.") from None
    except jwt.InvalidTokenError:
        raise AuthenticationError(f"The {what} is invalid (malformed, or not signed by this server).") from None
    if raw.get("typ") != typ:
        article = "an" if typ == "access" else "a"
        raise AuthenticationError(f"Expected {article} {what}, got a token of type {str(raw.get('typ'))!r}.")
    if raw.get("tid") != tenant:
        # Same message whatever the other tenant is: a token never reveals tenant names.
        raise AuthenticationError(f"The {what} was not issued for this tenant; log in to this tenant.")
    try:
        return Claims(
            sub=int(raw["sub"]),
            tid=str(raw["tid"]),
            typ=typ,
            fam=str(raw["fam"]),
            jti=str(raw["jti"]),
            iat=int(raw["iat"]),
            exp=int(raw["exp"]),
        )
    except (TypeError, ValueError):
        raise AuthenticationError(f"The {what} is invalid (malformed claims).") from None
