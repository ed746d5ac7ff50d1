"""``GET /api/profile`` (api.md 5.5): who the caller is, for the web client's shell and Q bindings.

The answer is the current user's id, name, email, language, time zone and user type, their
effective groups (identifiers, implied groups included), their contact (portal users) and their
companies. The web client binds ``uid``, ``cid``/``company_id``, ``cids`` and ``contact_id`` of
view modifiers from it (views.md 5.1). Until multi-company exists a tenant has one company: the
main company of the ``Configuration`` record (views.md 13), else the first company.

Internal and portal users may call it; it reads on the read-only request connection. The user's
own record is read elevated: knowing oneself needs no access right on ``User``.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from fullfinity.engine.middleware import UserReadEnv
from fullfinity.plugins import hookimpl

__all__ = ["profile", "router"]

router = APIRouter(prefix="/api", tags=["views"])


async def profile(env: Any, user_type: str | None) -> dict[str, Any]:
    """The profile of ``env``'s user (``env`` is a user environment with its access profile)."""
    access = env.access
    with env.sudo():
        user = await env["User"].get(env.uid)
        company = await _main_company(env)
    companies = [company] if company is not None else []
    return {
        "id": env.uid,
        "name": user.name,
        "email": user.email,
        "lang": user.lang or "en",
        "tz": user.tz or "UTC",
        "user_type": user_type,
        "groups": sorted(access.group_names) if access is not None else [],
        "contact_id": access.contact_id if access is not None else None,
        "company_id": company["id"] if company is not None else None,
        "company_ids": [c["id"] for c in companies],
        "allowed_companies": companies,
    }


async def _main_company(env: Any) -> dict[str, Any] | None:
    if "Configuration" in env.registry:
        configuration = await env["Configuration"].filter().with_fields("company").first()
        if configuration is not None and configuration.company is not None:
            return {"id": configuration.company.id, "name": await _name(env, configuration.company.id)}
    if "Company" in env.registry:
        first = await env["Company"].filter().order_by("id ASC").with_fields("name").first()
        if first is not None:
            return {"id": first.id, "name": first.name}
    return None


async def _name(env: Any, company_id: int) -> str:
    company = await env["Company"].get(company_id)
    return str(company.name)


@router.get("/profile", summary="The current user: groups, companies, preferences")
async def profile_endpoint(request: Request, env: UserReadEnv) -> dict[str, Any]:
    """Current user, effective groups, contact, companies and preferences (api.md 5.5)."""
    auth = getattr(request.state, "auth", None)
    return await profile(env, getattr(auth, "user_type", None))


@hookimpl
def fullfinity_register_routers() -> APIRouter:
    return router
