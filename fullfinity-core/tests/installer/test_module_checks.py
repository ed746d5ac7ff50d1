"""The generic module checks (``fullfinity.testing.ModuleChecks``): core passes them, and each check
reports the mistake it exists for."""

from __future__ import annotations

from fullfinity.installer import install_modules, uninstall_modules
from fullfinity.testing import ModuleChecks
from fullfinity.testing.module_checks import (
    access_problems,
    extension_columns,
    orphan_problems,
    owned_records,
    ui_problems,
)

from .conftest import unique
from .test_lifecycle import stage_module


class TestCoreModule(ModuleChecks):
    module = "core"
    # Credentials: read and written only by fullfinity.auth, elevated (the CLI creates API keys).
    private_models = frozenset({"ApiKey", "AuthSession"})


def access_for(model: str, ident: str) -> list[dict]:
    return [
        {
            "data_type": "ModelAccess",
            "identifier": f"{ident}_access",
            "name": model,
            "model": model,
            "group": "core_internal",
            "read_perm": True,
        }
    ]


async def test_a_model_without_access_rights_is_reported(modules, new_tenant, env_of):
    ident = unique("noacc")
    model, _ = stage_module(modules, ident)
    info = await new_tenant(modules=[ident])

    async with env_of(info) as env:
        problems = await access_problems(env, ident)

    assert len(problems) == 1
    assert f"model {model} (defined by module '{ident}') has no access right" in problems[0]


async def test_a_model_with_an_access_right_passes(modules, new_tenant, env_of):
    ident = unique("acc")
    model = ident.title() + "Stage"
    stage_module(modules, ident, files={"security/model_access.yaml": access_for(model, ident)})
    info = await new_tenant(modules=[ident])

    async with env_of(info) as env:
        assert await access_problems(env, ident) == []


async def test_a_menu_with_neither_action_nor_children_is_reported(modules, new_tenant, env_of):
    ident = unique("menu")
    menus = [{"data_type": "UiMenu", "identifier": f"{ident}_root", "name": "Empty"}]
    stage_module(modules, ident, files={"views/menus.yaml": menus})
    info = await new_tenant(modules=[ident])

    async with env_of(info) as env:
        problems = await ui_problems(env, ident)

    assert problems == [f"menu '{ident}_root' has neither an action nor sub-menus: nobody will ever see it"]


async def test_an_action_whose_model_is_gone_is_reported(modules, new_tenant, env_of):
    ident = unique("act")
    action = {"data_type": "WindowAction", "identifier": f"{ident}_action", "name": "Stages", "model": "Contact"}
    stage_module(modules, ident, files={"views/actions.yaml": [action]})
    info = await new_tenant(modules=[ident])

    async with env_of(info) as env:
        assert await ui_problems(env, ident) == []
        await env.execute("UPDATE window_action SET model = 'NoSuchModel' WHERE name = 'Stages'")
        problems = await ui_problems(env, ident)

    assert len(problems) == 1
    assert problems[0].startswith(f"window action '{ident}_action' does not open: NotFound")


async def test_records_and_identifiers_still_there_are_orphans(modules, new_tenant, env_of):
    ident = unique("orph")
    groups = [{"data_type": "Group", "identifier": f"{ident}_user", "name": "U"}]
    stage_module(modules, ident, files={"security/groups.yaml": groups})
    info = await new_tenant(modules=[ident])

    async with env_of(info) as env:
        created = await owned_records(env, ident)
        problems = await orphan_problems(env, ident, created, [])  # as if uninstall had forgotten them

    assert [c[:2] for c in created] == [(f"{ident}_user", "Group")]
    assert problems == [
        f"Group record '{ident}_user' (id {created[0][2]}) created by '{ident}' is still there",
        f"identifiers of '{ident}' left behind: {ident}_user",
    ]


async def test_uninstall_relaxes_extension_columns_and_a_not_null_one_is_reported(
    ff_runtime, modules, new_tenant, env_of
):
    ident = unique("ext")
    modules.add(
        ident,
        models="""
        from fullfinity.engine.base import Char, Model

        class ContactBadge(Model):
            __inherit__ = "Contact"
            badge = Char(max_length=20, required=True, default="none")
        """,
    )
    info = await new_tenant(modules=[ident])
    async with env_of(info) as env:
        before = env.registry

    await uninstall_modules(ff_runtime.db, info, [ident])

    async with env_of(info) as env:
        columns = extension_columns(before, env.registry)
        assert columns == [("contact", "badge")]
        assert await orphan_problems(env, ident, [], columns) == []
        await env.execute("ALTER TABLE contact ALTER COLUMN badge SET NOT NULL")
        assert await orphan_problems(env, ident, [], columns) == [
            f'column "contact"."badge" added by \'{ident}\' is still NOT NULL'
        ]
    await install_modules(ff_runtime.db, info, [ident])
