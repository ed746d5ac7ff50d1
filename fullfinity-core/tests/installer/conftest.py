"""Fixtures for module operations: throw-away modules with models and data files, fresh tenants."""

from __future__ import annotations

import textwrap
import uuid
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
import yaml

from fullfinity.scripting import tenant_env
from fullfinity.tenancy.service import create_tenant, drop_tenant


def unique(prefix: str) -> str:
    """A module identifier no other test uses (registries are cached per identifier and version)."""
    return f"{prefix}{uuid.uuid4().hex[:6]}"


class Modules:
    """Writes module distributions (models, data files, hooks) into the test's module site."""

    def __init__(self, site: Any) -> None:
        self.site = site

    def add(
        self,
        identifier: str,
        *,
        dependencies: Sequence[str] = (),
        version: str = "1.0.0",
        models: str | None = None,
        files: Mapping[str, Any] | None = None,
        manifest: Mapping[str, Any] | None = None,
        hooks: str | None = None,
    ) -> Path:
        data = {"name": identifier.title(), "identifier": identifier, "dependencies": list(dependencies)}
        data.update(manifest or {})
        root = self.site.add(identifier, version=version, manifest=data, hooks=hooks)
        if models is not None:
            (root / "models").mkdir()
            (root / "models" / "__init__.py").write_text(textwrap.dedent(models))
        for relative, content in (files or {}).items():
            path = root / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            elif isinstance(content, str):
                path.write_text(textwrap.dedent(content))
            else:
                path.write_text(yaml.safe_dump(content, sort_keys=False))
        return root

    def upgrade(self, root: Path, version: str, files: Mapping[str, Any] | None = None) -> None:
        """Rewrite a module in place as a new release (new dist-info version, changed files)."""
        for dist_info in self.site.root.glob("*.dist-info"):
            if (dist_info / "top_level.txt").read_text().strip() == root.name:
                meta = dist_info / "METADATA"
                name = next(line for line in meta.read_text().splitlines() if line.startswith("Name:"))
                meta.write_text(f"Metadata-Version: 2.1\n{name}\nVersion: {version}\n")
                dist_info.rename(dist_info.with_name(dist_info.name.rsplit("-", 1)[0] + f"-{version}.dist-info"))
        for relative, content in (files or {}).items():
            path = root / relative
            if content is None:
                path.unlink()
                continue
            path.parent.mkdir(parents=True, exist_ok=True)
            text = content if isinstance(content, str) else yaml.safe_dump(content, sort_keys=False)
            path.write_text(textwrap.dedent(text))
        from fullfinity.engine.module_registry import discover_modules
        from fullfinity.plugins import get_plugin_manager

        discover_modules.cache_clear()
        get_plugin_manager.cache_clear()


@pytest.fixture
def modules(module_site: Any) -> Modules:
    return Modules(module_site)


@pytest_asyncio.fixture(loop_scope="session")
async def new_tenant(ff_runtime: Any):
    """Create tenants (from templates) for one test; every one is dropped afterwards."""
    names: list[str] = []

    async def create(*, modules: Sequence[str] = (), demo: bool = False, **options: Any) -> Any:
        name = f"inst-{uuid.uuid4().hex[:8]}"
        names.append(name)
        return await create_tenant(
            ff_runtime.db, ff_runtime.catalog, name, modules=modules, demo=demo, pm=None, **options
        )

    yield create
    for name in names:
        if await ff_runtime.catalog.get(name) is not None:
            await drop_tenant(ff_runtime.db, ff_runtime.catalog, name)


@pytest.fixture
def env_of(ff_runtime: Any):
    """``async with env_of(info) as env``: an elevated environment on the tenant (committed at the end)."""

    def open_env(info: Any) -> Any:
        return tenant_env(info.name, runtime=ff_runtime)

    return open_env
