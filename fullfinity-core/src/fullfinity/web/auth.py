"""``/auth``: log in, refresh, log out, API keys, the tenant list (api.md 3, security.md 9).

Failures that must leave a trace (a reused refresh token revokes its family) are decided
inside the transaction and raised only after it committed; failures of the caller's
credentials are generic 401s that never say whether an email exists.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Body, Request
from pydantic import BaseModel, Field

from fullfinity.auth.accounts import find_user
from fullfinity.auth.api_keys import create_api_key, list_api_keys, revoke_api_key
from fullfinity.auth.passwords import hash_password, needs_rehash, verify_dummy, verify_password
from fullfinity.auth.sessions import Refusal, open_session, revoke_families, rotate_session
from fullfinity.auth.tokens import TokenPair, decode_token
from fullfinity.exceptions import AccessError, AuthenticationError, BadRequest, MissingError, NotFound
from fullfinity.plugins import hookimpl
from fullfinity.web.request_env import PublicEnv, UserEnv, request_env, services

__all__ = ["router"]

router = APIRouter(prefix="/auth", tags=["auth"])

BAD_CREDENTIALS = "Invalid email or password."


class LoginBody(BaseModel):
    email: str = Field(max_length=320)
    password: str = Field(max_length=1024)


class RefreshBody(BaseModel):
    refresh_token: str = Field(max_length=4096)


class LogoutBody(BaseModel):
    refresh_token: str | None = Field(None, max_length=4096)


class ApiKeyBody(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    expires_at: dt.datetime | dt.date | None = None


def _client(request: Request) -> tuple[str, str | None]:
    address = request.client.host if request.client else "unknown"
    return address, request.headers.get("user-agent")


@router.post("/authenticate", summary="Log in: email and password for access and refresh tokens")
async def authenticate(request: Request, body: LoginBody) -> dict[str, str]:
    """Tokens for a user of the request's tenant; 401 on bad credentials, 429 when throttled."""
    address, agent = _client(request)
    svc = services(request)
    tenant = request.state.tenant.name
    await svc.throttle.check_address(address)
    await svc.throttle.check_account(tenant, body.email)
    settings = svc.runtime.settings
    pair: TokenPair | None = None
    async with request_env(request) as env:
        try:
            user: dict[str, Any] | None = await find_user(env, body.email)
        except MissingError:
            user = None
        if user is None or not user["password_hash"]:
            ok = await verify_dummy(body.password)  # the time of a real check: timing reveals nothing
        else:
            ok = await verify_password(user["password_hash"], body.password)
        if ok and user is not None and user["active"]:
            if needs_rehash(user["password_hash"]):
                with env.sudo():
                    await env["User"].filter(id=user["id"]).update(password_hash=await hash_password(body.password))
            pair = await open_session(
                env, user["id"], settings=settings, secret=svc.secret, ip=address, user_agent=agent
            )
    if pair is None:
        if ok:  # the right password of a disabled user: only the password's holder learns this
            raise AuthenticationError("This account is disabled; ask an administrator.")
        await svc.throttle.failed(tenant, body.email)
        raise AuthenticationError(BAD_CREDENTIALS)
    await svc.throttle.succeeded(tenant, body.email)
    return pair.body()


@router.post("/refresh", summary="Rotate tokens: a refresh token for new access and refresh tokens")
async def refresh(request: Request, body: RefreshBody) -> dict[str, str]:
    """The refresh token is used up; presenting it again revokes its whole session."""
    address, agent = _client(request)
    svc = services(request)
    await svc.throttle.check_address(address)
    claims = decode_token(svc.secret, body.refresh_token, tenant=request.state.tenant.name, typ="refresh")
    async with request_env(request) as env:
        outcome = await rotate_session(
            env, claims, settings=svc.runtime.settings, secret=svc.secret, ip=address, user_agent=agent
        )
    if isinstance(outcome, Refusal):
        raise AuthenticationError(outcome.message)  # after the commit: a revocation for reuse stays
    return outcome.body()


@router.post("/logout", summary="Revoke the session of the access token")
async def logout(request: Request, env: PublicEnv, body: LogoutBody | None = Body(None)) -> dict[str, str]:
    """Revokes the access token's session (and the refresh token's, when it is another of the same user).

    Any logged-in user may log out, whatever their user type: hence the public dependency.
    """
    principal = request.state.auth.principal
    if principal.kind == "guest":
        raise AuthenticationError("Logging out needs the access token of the session: send 'Authorization: Bearer'.")
    if principal.family is None:
        raise BadRequest("An API key has no session to log out of; revoke it with DELETE /auth/api-keys/{id}.")
    families = [principal.family]
    if body is not None and body.refresh_token:
        claims = decode_token(services(request).secret, body.refresh_token, tenant=env.tenant, typ="refresh")
        if claims.sub == principal.uid:
            families.append(claims.fam)
    await revoke_families(env, families, "logout")
    return {"message": "Logged out"}


def _session_only(request: Request) -> int:
    principal = request.state.auth.principal
    if principal.kind != "token":
        raise AccessError("API keys are managed with a logged-in session (access token), not with an API key.")
    return int(principal.uid)


def _iso(value: Any) -> str | None:
    if value is None:
        return None
    return str(value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z"))


@router.post("/api-keys", summary="Create an API key acting as you (shown once)")
async def create_key(request: Request, env: UserEnv, body: ApiKeyBody) -> dict[str, Any]:
    uid = _session_only(request)
    expires = body.expires_at
    if isinstance(expires, dt.date) and not isinstance(expires, dt.datetime):
        expires = dt.datetime.combine(expires, dt.time(), tzinfo=dt.UTC)
    new = await create_api_key(env, uid, body.name, expires)
    return {"id": new.id, "name": new.name, "prefix": new.prefix, "key": new.key, "expires_at": _iso(new.expires_at)}


@router.get("/api-keys", summary="Your API keys, without their secrets")
async def list_keys(request: Request, env: UserEnv) -> dict[str, Any]:
    uid = _session_only(request)
    rows = await list_api_keys(env, uid)
    data = [
        {
            "id": r["id"],
            "name": r["name"],
            "prefix": r["prefix"],
            "created_date": _iso(r["created_date"]),
            "last_used_at": _iso(r["last_used_at"]),
            "expires_at": _iso(r["expires_at"]),
        }
        for r in rows
    ]
    return {"data": data}


@router.delete("/api-keys/{key_id}", summary="Revoke one of your API keys")
async def delete_key(request: Request, env: UserEnv, key_id: int) -> dict[str, list[int]]:
    uid = _session_only(request)
    await revoke_api_key(env, key_id, user_id=uid)
    return {"deleted": [key_id]}


@router.get("/tenants", summary="Active tenants, for the login screen's database selector (if enabled)")
async def list_tenants(request: Request) -> dict[str, list[dict[str, str]]]:
    """Tenant-free (``TENANT_FREE_PATHS``): it runs before any tenant is chosen."""
    runtime = request.app.state.fullfinity
    if not runtime.settings.list_tenants:
        # 404 rather than 403: a server that does not list its tenants does not reveal it could.
        raise NotFound("No route GET /auth/tenants (the tenant list is off: FULLFINITY_LIST_TENANTS=true enables it).")
    tenants = await runtime.catalog.all()
    return {"data": [{"name": t.name, "label": t.label or t.name} for t in tenants if t.state == "active"]}


@hookimpl
def fullfinity_register_routers() -> APIRouter:
    return router
