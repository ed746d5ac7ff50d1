"""Every view, action and menu shipped by every available module resolves for every built-in group."""

from __future__ import annotations

import pytest

from fullfinity.engine.module_registry import discover_modules
from fullfinity.exceptions import AccessError, NotFound
from fullfinity.scripting import tenant_env
from fullfinity.testing.auth import BUILTIN_GROUPS, PASSWORD, add_user
from fullfinity.views.service import get_action, get_menus, get_view
from fullfinity.views.store import load_actions, load_views, validate_views
from fullfinity.views.viewer import Viewer


@pytest.fixture
async def everything(ff_runtime, new_tenant):
    """A tenant with every available module, and one user per built-in group."""
    info = await new_tenant(modules=sorted(m for m in discover_modules() if m != "core"))
    users = {
        group: await add_user(ff_runtime, info.name, f"{group}@example.test", PASSWORD, [group])
        for group in BUILTIN_GROUPS
    }
    return info, users


async def test_every_shipped_view_resolves_for_every_builtin_group(ff_runtime, everything):
    info, users = everything
    async with tenant_env(info.name, runtime=ff_runtime) as env:
        await validate_views(env)
        views = [v for v in await load_views(env) if not v.is_extension]
        actions = await load_actions(env)
    assert len(views) >= 20 and {"Form", "List", "Kanban", "Search"} <= {v.type for v in views}
    for group, uid in users.items():
        async with tenant_env(info.name, user=uid, runtime=ff_runtime) as env:
            viewer = Viewer.of(env)
            for view in views:
                if not viewer.can(view.model):
                    with pytest.raises(AccessError):
                        await get_view(env, view.model, view.type, view.identifier)
                elif not viewer.in_groups(view.groups):
                    with pytest.raises(NotFound):
                        await get_view(env, view.model, view.type, view.identifier)
                else:
                    resolved = await get_view(env, view.model, view.type, view.identifier)
                    assert resolved["arch"], (group, view.identifier)
            for action in actions:
                if viewer.in_groups(action.groups) and viewer.can(action.model):
                    opened = await get_action(env, action.identifier)
                    for entry in opened["views"]:
                        await get_view(env, action.model, entry["type"], entry["view"])
            await get_menus(env)


async def test_only_administrators_get_the_settings_menu(ff_runtime, everything):
    info, users = everything
    roots = {}
    for group, uid in users.items():
        async with tenant_env(info.name, user=uid, runtime=ff_runtime) as env:
            # core's own roots: other available modules (product, invoicing...) add theirs
            roots[group] = [m["identifier"] for m in await get_menus(env) if m["identifier"].startswith("core_")]
    assert roots["core_admin"] == ["core_contacts_root", "core_settings_root"]
    assert roots["core_internal"] == ["core_contacts_root"]
    assert roots["core_portal"] == roots["core_public"] == []


async def test_the_settings_action_opens_the_configuration_record(ff_runtime, everything):
    info, users = everything
    async with tenant_env(info.name, user=users["core_admin"], runtime=ff_runtime) as env:
        action = await get_action(env, "core_configuration_action")
        config = await env["Configuration"].filter().first()
        assert action["res_id"] == config.id and action["context"] == {"tab": "core"}
        form = await get_view(env, "Configuration", "Form")
        assert form["identifier"] == "configuration_form_view"
        assert {"company", "lang", "tz"} <= set(form["fetch"])


async def test_the_module_form_offers_install_upgrade_uninstall_by_state_to_administrators(ff_runtime, everything):
    info, users = everything
    async with tenant_env(info.name, user=users["core_admin"], runtime=ff_runtime) as env:
        form = await get_view(env, "Module", "Form")
    buttons = {
        n["properties"]["method"]: n["properties"] for n in form["arch"][0]["content"] if n["type"] == "actionButton"
    }
    assert list(buttons) == ["action_install", "action_upgrade", "action_uninstall"]
    assert "uninstalled" in str(buttons["action_install"]["visible"])
    assert "to_upgrade" in str(buttons["action_upgrade"]["visible"])
    assert "state" in form["fetch"]
