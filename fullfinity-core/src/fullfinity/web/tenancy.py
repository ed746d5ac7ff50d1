"""Resolving the tenant of each request (tenancy-and-cache.md section 3).

1. ``Host`` equal to a custom hostname in the catalog;
2. ``Host`` = ``<label>.<FULLFINITY_BASE_DOMAIN>`` (one label);
3. the ``X-Fullfinity-Tenant`` header (``tenant`` query parameter for WebSockets);
4. ``FULLFINITY_DEFAULT_TENANT``.

A Host-resolved tenant contradicted by the header is ``TenantMismatch`` (400); nothing
found is ``TenantNotFound`` (404); a tenant not ``active`` is ``TenantUnavailable`` (503).
"""

from __future__ import annotations

import time
from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send

from fullfinity.engine.database.faults import CONNECTION_ERRORS, database_unavailable
from fullfinity.exceptions import FullfinityError, TenantMismatch, TenantNotFound, TenantUnavailable
from fullfinity.settings import Settings
from fullfinity.tenancy.catalog import Catalog, TenantInfo
from fullfinity.web.errors import classify_db_failure, error_response

__all__ = ["TENANT_FREE_PATHS", "TenantMiddleware", "TenantResolver"]

TENANT_HEADER = b"x-fullfinity-tenant"
TENANT_FREE_PATHS = frozenset({"/health", "/auth/tenants"})


class TenantResolver:
    """Maps request hosts and headers to catalog entries, with a short in-process cache."""

    def __init__(self, settings: Settings, catalog: Catalog, *, ttl: float = 2.0) -> None:
        self.settings = settings
        self.catalog = catalog
        self.ttl = ttl
        self._cache: dict[tuple[str, str], tuple[float, TenantInfo | None]] = {}

    async def _lookup(self, kind: str, key: str) -> TenantInfo | None:
        now = time.monotonic()
        hit = self._cache.get((kind, key))
        if hit and now - hit[0] < self.ttl:
            return hit[1]
        info = await (self.catalog.by_hostname(key) if kind == "host" else self.catalog.get(key))
        if len(self._cache) > 10_000:
            self._cache.clear()
        self._cache[(kind, key)] = (now, info)
        return info

    def forget(self) -> None:
        self._cache.clear()

    async def resolve(self, host: str | None, header: str | None) -> TenantInfo:
        hostname = (host or "").split(":")[0].lower().rstrip(".")
        from_host: str | None = None
        info: TenantInfo | None = None
        if hostname:
            info = await self._lookup("host", hostname)
            if info is not None:
                from_host = info.name
            elif self.settings.base_domain:
                suffix = "." + self.settings.base_domain.lower()
                if hostname.endswith(suffix):
                    label = hostname[: -len(suffix)]
                    if label and "." not in label:
                        from_host = label
        if from_host is not None:
            if header and header != from_host:
                raise TenantMismatch(
                    f"The host names tenant '{from_host}' but the X-Fullfinity-Tenant header names '{header}'. "
                    f"Send the header for the same tenant, or drop it."
                )
            name = from_host
        elif header:
            name = header
        elif self.settings.default_tenant:
            name = self.settings.default_tenant
        else:
            raise TenantNotFound(
                "No tenant could be resolved for this request: send the X-Fullfinity-Tenant header, use a "
                "tenant subdomain of FULLFINITY_BASE_DOMAIN, or set FULLFINITY_DEFAULT_TENANT."
            )
        if info is None or info.name != name:
            info = await self._lookup("name", name)
        if info is None:
            raise TenantNotFound(f"Tenant '{name}' does not exist.")
        if info.state != "active":
            raise TenantUnavailable(f"Tenant '{name}' is not available right now (state: {info.state}).")
        return info


class TenantMiddleware:
    """ASGI middleware putting the resolved ``TenantInfo`` in ``scope["state"]["tenant"]``."""

    def __init__(self, app: ASGIApp, resolver: TenantResolver) -> None:
        self.app = app
        self.resolver = resolver

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket") or scope["path"] in TENANT_FREE_PATHS:
            await self.app(scope, receive, send)
            return
        headers: dict[bytes, bytes] = dict(scope.get("headers") or [])
        host = headers.get(b"host", b"").decode("latin-1") or None
        header = headers.get(TENANT_HEADER, b"").decode("latin-1").strip() or None
        if header is None and scope["type"] == "websocket":
            from urllib.parse import parse_qs

            values = parse_qs(scope.get("query_string", b"").decode()).get("tenant")
            header = values[0] if values else None
        try:
            try:
                info = await self.resolver.resolve(host, header)
            except CONNECTION_ERRORS as lost:  # the catalog's connection broke: 503, retried once
                raise database_unavailable(lost) from lost
        except FullfinityError as exc:
            fault = classify_db_failure(scope, exc)
            if fault is not None:
                exc = fault
            if scope["type"] == "http":
                retry_after = getattr(exc, "headers", None)  # ServiceUnavailable: Retry-After
                response = error_response(exc.status_code, exc.type, exc.message, exc.details, headers=retry_after)
                await response(scope, receive, send)
            else:
                await send({"type": "websocket.close", "code": 4404})
            return
        state: dict[str, Any] = scope.setdefault("state", {})
        state["tenant"] = info
        await self.app(scope, receive, send)
