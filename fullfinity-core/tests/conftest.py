"""Shared helpers: throw-away module distributions laid out exactly as pip installs them."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import textwrap
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
import yaml

from fullfinity.engine.module_registry import discover_modules
from fullfinity.plugins import get_plugin_manager

FULLFINITY_SCRIPT = Path(sys.executable).with_name("fullfinity")


class ModuleSite:
    """A directory on ``sys.path`` holding throw-away module distributions.

    Each ``add()`` writes an import package with a ``manifest.yaml`` and a
    ``<dist>-<version>.dist-info`` with ``METADATA`` and ``entry_points.txt`` (group
    ``fullfinity.modules``): what ``pip install`` leaves in site-packages.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self.packages: list[str] = []

    def add(
        self,
        identifier: str,
        *,
        dependencies: Sequence[str] = (),
        version: str = "1.0.0",
        distribution: str | None = None,
        manifest: Any = None,
        manifest_text: str | None = None,
        entry_point: str | None = None,
        hooks: str | None = None,
        with_manifest: bool = True,
    ) -> Path:
        """Write one module distribution; return its package directory.

        ``manifest`` replaces the generated manifest mapping, ``manifest_text`` the
        whole file; ``entry_point`` overrides the entry-point name (default: identifier).
        """
        package = f"ffmod_{identifier}_{uuid.uuid4().hex[:6]}"
        distribution = distribution or f"fullfinity-{identifier.replace('_', '-')}-{uuid.uuid4().hex[:6]}"
        pkg_dir = self.root / package
        pkg_dir.mkdir()
        (pkg_dir / "__init__.py").write_text(f'"""Throw-away module {identifier}."""\n')
        if with_manifest:
            if manifest_text is None:
                data = (
                    manifest
                    if manifest is not None
                    else {
                        "name": identifier.replace("_", " ").title(),
                        "identifier": identifier,
                        "dependencies": list(dependencies),
                    }
                )
                manifest_text = yaml.safe_dump(data, sort_keys=False)
            (pkg_dir / "manifest.yaml").write_text(manifest_text)
        if hooks is not None:
            (pkg_dir / "hooks.py").write_text(textwrap.dedent(hooks))
        dist_info = self.root / f"{distribution.replace('-', '_')}-{version}.dist-info"
        dist_info.mkdir()
        (dist_info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {distribution}\nVersion: {version}\n")
        (dist_info / "entry_points.txt").write_text(f"[fullfinity.modules]\n{entry_point or identifier} = {package}\n")
        (dist_info / "top_level.txt").write_text(package + "\n")
        self.packages.append(package)
        return pkg_dir

    def env(self) -> dict[str, str]:
        """Extra environment for a subprocess that should see these distributions."""
        return {"PYTHONPATH": os.pathsep.join(filter(None, [str(self.root), os.environ.get("PYTHONPATH")]))}


def _forget_discovery() -> None:
    discover_modules.cache_clear()
    get_plugin_manager.cache_clear()


@pytest.fixture
def module_site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[ModuleSite]:
    """An empty site directory prepended to ``sys.path``; discovery caches cleared around the test."""
    root = tmp_path / "site"
    root.mkdir()
    monkeypatch.syspath_prepend(str(root))
    _forget_discovery()
    site = ModuleSite(root)
    try:
        yield site
    finally:
        monkeypatch.undo()
        for package in site.packages:
            for name in [m for m in sys.modules if m == package or m.startswith(package + ".")]:
                del sys.modules[name]
        _forget_discovery()


@pytest.fixture
def run_cli(ff_settings):
    """Run the installed ``fullfinity`` script against the session's server; no stdin (as in CI).

    ``ff_settings`` has exported the session's FULLFINITY_* variables, which the child inherits.
    """

    def run(*args: str, env: dict[str, str] | None = None, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        # COLUMNS: rich would otherwise wrap table cells at 80 columns in captured output.
        full_env = {**os.environ, "COLUMNS": "200", **(env or {})}
        return subprocess.run(
            [str(FULLFINITY_SCRIPT), *args],
            env=full_env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    return run


@pytest_asyncio.fixture(loop_scope="session")
async def make_client(ff_settings, ff_runtime):
    """Build an app on its own plugin manager and settings; return an HTTP client on it.

    ``plugins`` are registered on a fresh plugin manager next to core's own; other
    keyword arguments override settings (``base_domain=...``, ``default_tenant=...``).
    The app's lifespan runs until the end of the test.
    """
    import httpx

    from fullfinity.main import create_app
    from fullfinity.plugins import build_plugin_manager
    from fullfinity.runtime import Runtime
    from fullfinity.testing.auth import client_address

    async with contextlib.AsyncExitStack() as stack:

        async def make(*, plugins: Sequence[object] = (), **overrides: Any) -> httpx.AsyncClient:
            pm = build_plugin_manager(include_modules=False)
            for plugin in plugins:
                pm.register(plugin)
            runtime = Runtime(settings=ff_settings.model_copy(update=overrides), pm=pm)
            app = create_app(runtime=runtime)
            await stack.enter_async_context(app.router.lifespan_context(app))
            transport = httpx.ASGITransport(app=app, raise_app_exceptions=False, client=client_address())
            return await stack.enter_async_context(httpx.AsyncClient(transport=transport, base_url="http://testserver"))

        yield make
