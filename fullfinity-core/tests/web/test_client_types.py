"""The web client's API types (frontend/src/core/api/types.ts) are the ones generated from the
OpenAPI document of a tenant holding every available module: a change of models or bodies
without regenerating them fails here."""

from __future__ import annotations

from pathlib import Path

import pytest

from fullfinity.api.openapi import tenant_openapi
from fullfinity.api.typescript import typescript_from_openapi
from fullfinity.engine.module_registry import discover_modules
from fullfinity.installer.lifecycle import install_modules
from fullfinity.main import create_app
from fullfinity.scripting import registry_for_tenant

TYPES = Path(__file__).resolve().parents[3] / "frontend" / "src" / "core" / "api" / "types.ts"


@pytest.mark.skipif(not TYPES.is_file(), reason="no frontend/ beside this distribution (installed from a wheel)")
async def test_the_committed_typescript_types_are_up_to_date(ff_runtime, ff_tenant):
    others = [i for i, info in discover_modules().items() if i != "core" and not info.manifest.implicit]
    if others:
        await install_modules(ff_runtime.db, ff_tenant, others, pm=ff_runtime.pm, cache=ff_runtime.cache)
    registry = await registry_for_tenant(ff_runtime, ff_tenant)

    generated = typescript_from_openapi(tenant_openapi(create_app(runtime=ff_runtime), registry))

    assert generated == TYPES.read_text(), (
        "frontend/src/core/api/types.ts is stale: regenerate it with "
        "`fullfinity api typescript --tenant <a tenant with every module> -o frontend/src/core/api/types.ts`"
    )
