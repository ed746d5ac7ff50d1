"""The generic checks every module runs on itself (the safety net core gives module authors).

A module's test suite subclasses :class:`ModuleChecks` and names its module::

    from fullfinity.testing import ModuleChecks

    class TestHelpdeskModule(ModuleChecks):
        module = "helpdesk"

and pytest runs, against real PostgreSQL (the fixtures of ``fullfinity.testing.pytest_plugin``):

- the module installs cleanly in a new tenant, with its demo data;
- every model the module defines has access rights;
- every window action of the module opens, with each of its views resolving, and every menu of
  the module has an action or sub-menus;
- upgrading the module again changes nothing (data files are idempotent, no schema change);
- uninstalling it leaves no orphans: the records its data files created elsewhere are gone, no
  identifier of it remains but those of its own models' rows (kept so a reinstall finds them),
  the columns its extensions added accept NULL; reinstalling works; ``drop_data`` removes its
  tables and columns.

Each check is also a plain function returning the problems it found (``access_problems``,
``ui_problems``, ...), so a test can run it on a tenant of its own.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Collection
from typing import TYPE_CHECKING, Any, ClassVar

import pytest
import pytest_asyncio

from fullfinity.engine.records.identifiers import TABLE as IDENTIFIERS

if TYPE_CHECKING:
    from fullfinity.engine.env import Environment
    from fullfinity.runtime import Runtime
    from fullfinity.tenancy.catalog import TenantInfo

__all__ = [
    "ModuleChecks",
    "access_problems",
    "defined_models",
    "extension_columns",
    "orphan_problems",
    "owned_records",
    "ui_problems",
]


async def defined_models(env: Environment, module: str) -> list[str]:
    """The models ``module`` defines (it is the first of the modules that make up the model)."""
    rows = await env.fetch("SELECT name, modules FROM model_registry ORDER BY name")
    return [r["name"] for r in rows if (r["modules"] or "").split(", ")[0] == module]


async def access_problems(env: Environment, module: str, private: Collection[str] = ()) -> list[str]:
    """A problem for each model ``module`` defines that no access right (``ModelAccess``) mentions,
    except the ``private`` ones (models only the module's own elevated code reaches)."""
    covered = {r["model"] for r in await env.fetch("SELECT DISTINCT model FROM model_access")} | set(private)
    return [
        f"model {name} (defined by module '{module}') has no access right: add a ModelAccess record for it "
        f"to the module's security/ files, or no user but the superuser can use it"
        for name in await defined_models(env, module)
        if name not in covered
    ]


async def ui_problems(env: Environment, module: str) -> list[str]:
    """A problem for each window action of ``module`` that does not open (or whose views do not
    resolve) and each menu of ``module`` that can never show (no action, no sub-menu)."""
    from fullfinity.views.service import get_action, get_view
    from fullfinity.views.store import load_actions, load_menus

    problems: list[str] = []
    actions = {a.identifier: a for a in await load_actions(env)}
    rows = await env.fetch(f"SELECT identifier FROM {IDENTIFIERS} WHERE module = $1", module)
    owned = {r["identifier"] for r in rows}
    for identifier in sorted(owned & set(actions)):
        try:
            opened = await get_action(env, identifier)
            for entry in opened["views"]:
                await get_view(env, opened["model"], entry["type"], entry["view"])
        except Exception as error:  # every failure is a finding, reported with its message
            problems.append(f"window action '{identifier}' does not open: {type(error).__name__}: {error}")
    menus = await load_menus(env)
    parents = {m.parent for m in menus}
    for menu in menus:
        if menu.identifier in owned and menu.action is None and menu.identifier not in parents:
            problems.append(f"menu '{menu.identifier}' has neither an action nor sub-menus: nobody will ever see it")
    return problems


async def owned_records(env: Environment, module: str) -> list[tuple[str, str, int]]:
    """(identifier, model, id) of the records ``module``'s data files created in models it does not define."""
    own = set(await defined_models(env, module))
    rows = await env.fetch(
        f"SELECT identifier, model, res_id FROM {IDENTIFIERS} WHERE module = $1 ORDER BY identifier", module
    )
    return [(r["identifier"], r["model"], r["res_id"]) for r in rows if r["model"] not in own]


def extension_columns(before: Any, after: Any) -> list[tuple[str, str]]:
    """(table, column) of the stored fields of models in both registries that only ``before`` has."""
    found: list[tuple[str, str]] = []
    for model in before:
        if model._name not in after:
            continue
        kept = after.get(model._name)._fields
        for name, f in model._fields.items():
            column = getattr(f, "column", None)
            if name not in kept and column and getattr(f, "store", True):
                found.append((model._table, column))
    return found


async def orphan_problems(
    env: Environment, module: str, created: list[tuple[str, str, int]], columns: list[tuple[str, str]]
) -> list[str]:
    """After uninstalling ``module``: what it left behind of ``created`` records, its identifiers
    outside its own models, and NOT NULL extension ``columns`` (inserts would fail on them)."""
    problems: list[str] = []
    for identifier, model, res_id in created:
        if model not in env.registry:
            continue
        table = env.registry.get(model)._table
        if await env.fetchval(f'SELECT EXISTS (SELECT 1 FROM "{table}" WHERE id = $1)', res_id):
            problems.append(f"{model} record '{identifier}' (id {res_id}) created by '{module}' is still there")
    left = [i for i, _, _ in created if await env.fetchval(f"SELECT 1 FROM {IDENTIFIERS} WHERE identifier = $1", i)]
    if left:
        problems.append(f"identifiers of '{module}' left behind: {', '.join(left)}")
    for table, column in columns:
        nullable = await env.fetchval(
            "SELECT is_nullable = 'YES' FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND table_name = $1 AND column_name = $2",
            table,
            column,
        )
        if nullable is False:
            problems.append(f'column "{table}"."{column}" added by \'{module}\' is still NOT NULL')
    return problems


async def _tables(runtime: Runtime, info: TenantInfo) -> set[str]:
    async with runtime.db.connection(info.server, info.database) as conn:
        rows = await conn.fetch("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
    return {r["tablename"] for r in rows}


async def _columns(runtime: Runtime, info: TenantInfo) -> set[tuple[str, str]]:
    async with runtime.db.connection(info.server, info.database) as conn:
        rows = await conn.fetch(
            "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema()"
        )
    return {(r["table_name"], r["column_name"]) for r in rows}


class ModuleChecks:
    """Subclass with ``module = "<identifier>"`` to run the generic checks on a module.

    ``demo = False`` installs without demo data. ``private_models`` names the models that
    deliberately have no access right (only the module's elevated code reads and writes them,
    such as core's ``ApiKey``): say why in a comment. The checks share one tenant per class
    (created with the module and its demo data); the uninstall checks use a second one.
    """

    module: ClassVar[str]
    demo: ClassVar[bool] = True
    private_models: ClassVar[frozenset[str]] = frozenset()

    @classmethod
    async def _create(cls, runtime: Runtime) -> TenantInfo:
        from fullfinity.tenancy.service import create_tenant

        name = f"chk-{uuid.uuid4().hex[:10]}"
        return await create_tenant(runtime.db, runtime.catalog, name, modules=[cls.module], demo=cls.demo)

    @staticmethod
    async def _drop(runtime: Runtime, info: TenantInfo) -> None:
        from fullfinity.tenancy.service import drop_tenant

        if await runtime.catalog.get(info.name) is not None:
            await drop_tenant(runtime.db, runtime.catalog, info.name)

    @pytest_asyncio.fixture(scope="class", loop_scope="session")
    @classmethod
    async def ff_module_tenant(cls, ff_runtime: Runtime) -> AsyncIterator[TenantInfo]:
        """A tenant with the module (and its dependencies, and its demo data) installed."""
        info = await cls._create(ff_runtime)
        try:
            yield info
        finally:
            await cls._drop(ff_runtime, info)

    @staticmethod
    def _env(runtime: Runtime, info: TenantInfo) -> Any:
        from fullfinity.scripting import tenant_env

        return tenant_env(info.name, runtime=runtime)

    async def test_module_installs_with_its_dependencies(self, ff_runtime: Runtime, ff_module_tenant: Any) -> None:
        from fullfinity.tenancy.service import installed_modules

        installed = await installed_modules(ff_runtime.db, ff_module_tenant)
        assert self.module in installed, f"module '{self.module}' is not installed after create_tenant"

    async def test_every_model_of_the_module_has_access_rights(
        self, ff_runtime: Runtime, ff_module_tenant: Any
    ) -> None:
        async with self._env(ff_runtime, ff_module_tenant) as env:
            assert await access_problems(env, self.module, self.private_models) == []

    async def test_every_action_and_menu_of_the_module_opens(self, ff_runtime: Runtime, ff_module_tenant: Any) -> None:
        async with self._env(ff_runtime, ff_module_tenant) as env:
            assert await ui_problems(env, self.module) == []

    async def test_upgrading_again_changes_nothing(self, ff_runtime: Runtime, ff_module_tenant: Any) -> None:
        from fullfinity.installer import upgrade_modules

        report = await upgrade_modules(ff_runtime.db, ff_module_tenant, [self.module])

        assert report.ddl == [], f"upgrading '{self.module}' again changed the schema: {report.ddl}"
        churn = {m: a for m, a in report.data.items() if a.get("created") or a.get("deleted") or a.get("archived")}
        assert churn == {}, f"upgrading '{self.module}' again created or removed records: {churn}"

    async def test_uninstall_leaves_no_orphans_and_reinstall_works(self, ff_runtime: Runtime) -> None:
        from fullfinity.installer import install_modules, uninstall_modules
        from fullfinity.tenancy.service import installed_modules

        if self.module == "core":
            pytest.skip("core cannot be uninstalled")
        info = await self._create(ff_runtime)
        try:
            async with self._env(ff_runtime, info) as env:
                created = await owned_records(env, self.module)
                before = env.registry
            await uninstall_modules(ff_runtime.db, info, [self.module])
            async with self._env(ff_runtime, info) as env:
                columns = extension_columns(before, env.registry)
                assert await orphan_problems(env, self.module, created, columns) == []
            await install_modules(ff_runtime.db, info, [self.module])
            assert self.module in await installed_modules(ff_runtime.db, info)
        finally:
            await self._drop(ff_runtime, info)

    async def test_uninstall_with_drop_data_removes_its_tables_and_columns(self, ff_runtime: Runtime) -> None:
        from fullfinity.installer import uninstall_modules

        if self.module == "core":
            pytest.skip("core cannot be uninstalled")
        info = await self._create(ff_runtime)
        try:
            async with self._env(ff_runtime, info) as env:
                own = {env.registry.get(m)._table for m in await defined_models(env, self.module)}
                before = env.registry
            await uninstall_modules(ff_runtime.db, info, [self.module], drop_data=True)
            async with self._env(ff_runtime, info) as env:
                columns = set(extension_columns(before, env.registry))
            assert own & await _tables(ff_runtime, info) == set()
            assert columns & await _columns(ff_runtime, info) == set()
        finally:
            await self._drop(ff_runtime, info)
