"""Install, upgrade and uninstall across dependency chains, each all-or-nothing, with plans and hooks."""

from __future__ import annotations

import textwrap

import pytest
import yaml

from fullfinity.engine.records.composition import table_name
from fullfinity.engine.records.identifiers import resolve_many
from fullfinity.exceptions import DependencyError, ModuleError
from fullfinity.installer import DataFileError, install_modules, uninstall_modules, upgrade_modules
from fullfinity.tenancy.service import installed_modules

from .conftest import unique

STAGE_MODELS = """
from fullfinity.engine.base import Boolean, Char, Integer, Model

class {name}(Model):
    name = Char(max_length=80, required=True)
    sequence = Integer(default=10)
    active = Boolean(default=True)
"""


def stage_module(modules, ident, *, dependencies=(), records=None, version="1.0.0", manifest=None, files=None):
    model = ident.title().replace("_", "") + "Stage"
    files = dict(files or {})
    if records is not None:
        files["data/stages.yaml"] = records
    root = modules.add(
        ident,
        dependencies=dependencies,
        version=version,
        models=STAGE_MODELS.format(name=model),
        files=files,
        manifest=manifest,
    )
    return model, root


def table(ident: str, suffix: str = "Stage") -> str:
    return table_name(ident.title().replace("_", "") + suffix)


async def tables_of(ff_runtime, info):
    async with ff_runtime.db.connection(info.server, info.database) as conn:
        return {r["t"] for r in await conn.fetch("SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public'")}


async def test_installing_a_module_installs_its_dependency_chain_first(ff_runtime, modules, new_tenant):
    a, b, c = unique("a"), unique("b"), unique("c")
    stage_module(modules, a)
    stage_module(modules, b, dependencies=[a])
    stage_module(modules, c, dependencies=[b])
    info = await new_tenant()

    report = await install_modules(ff_runtime.db, info, [c])

    assert [(m.identifier, m.reason) for m in report.modules] == [
        (a, "dependency"),
        (b, "dependency"),
        (c, "requested"),
    ]
    state = await installed_modules(ff_runtime.db, info)
    assert {a, b, c, "core"} <= set(state)
    assert {table(x) for x in (a, b, c)} <= await tables_of(ff_runtime, info)


async def test_an_implicit_module_installs_itself_once_all_its_dependencies_are_there(ff_runtime, modules, new_tenant):
    a, b, glue = unique("a"), unique("b"), unique("glue")
    stage_module(modules, a)
    stage_module(modules, b)
    stage_module(modules, glue, dependencies=[a, b], manifest={"implicit": True})
    info = await new_tenant()

    first = await install_modules(ff_runtime.db, info, [a])
    second = await install_modules(ff_runtime.db, info, [b])

    assert [m.identifier for m in first.modules] == [a]
    assert [(m.identifier, m.reason) for m in second.modules] == [(b, "requested"), (glue, "implicit")]


async def test_a_bad_data_file_in_the_middle_of_an_install_leaves_the_tenant_untouched(ff_runtime, modules, new_tenant):
    good, bad = unique("good"), unique("bad")
    stage_module(
        modules, good, records=[{"data_type": good.title() + "Stage", "identifier": f"{good}_s1", "name": "A"}]
    )
    stage_module(
        modules, bad, dependencies=[good], records=[{"data_type": "NoSuchModel", "identifier": f"{bad}_s1", "x": 1}]
    )
    info = await new_tenant()
    tables_before = await tables_of(ff_runtime, info)
    state_before = await installed_modules(ff_runtime.db, info)

    with pytest.raises(DataFileError, match=rf"{bad}:data/stages.yaml, record '{bad}_s1', field 'data_type'"):
        await install_modules(ff_runtime.db, info, [bad])

    assert await tables_of(ff_runtime, info) == tables_before
    assert await installed_modules(ff_runtime.db, info) == state_before
    async with ff_runtime.db.connection(info.server, info.database) as conn:
        assert await conn.fetchval("SELECT count(*) FROM ff_identifier WHERE module = $1", good) == 0


async def test_a_plan_lists_modules_ddl_and_data_changes_and_changes_nothing(ff_runtime, modules, new_tenant):
    ident = unique("plan")
    model, _ = stage_module(
        modules, ident, records=[{"data_type": ident.title() + "Stage", "identifier": f"{ident}_new", "name": "New"}]
    )
    info = await new_tenant()

    report = await install_modules(ff_runtime.db, info, [ident], plan=True)

    assert report.planned and [m.identifier for m in report.modules] == [ident]
    assert any(f'CREATE TABLE "{table(ident)}"' in statement for statement in report.ddl)
    assert all(table(ident) in statement for statement in report.ddl)  # nothing else is touched
    assert report.data == {model: {"created": [f"{ident}_new"]}}
    assert report.to_dict()["modules"][0]["action"] == "install"
    assert table(ident) not in await tables_of(ff_runtime, info)
    assert ident not in await installed_modules(ff_runtime.db, info)


async def test_installing_an_unknown_module_names_it_and_what_is_available(ff_runtime, new_tenant):
    info = await new_tenant()

    with pytest.raises(DependencyError, match=r"Unknown module\(s\) 'nope_nope'.*Available modules: .*core"):
        await install_modules(ff_runtime.db, info, ["nope_nope"])


async def test_upgrade_detects_changed_versions_and_reapplies_data(ff_runtime, modules, new_tenant, env_of):
    ident = unique("up")
    model = ident.title() + "Stage"
    records = [
        {"data_type": model, "identifier": f"{ident}_new", "name": "New", "sequence": 1},
        {"data_type": model, "identifier": f"{ident}_done", "name": "Done", "sequence": 9, "apply_once": True},
        {"data_type": model, "identifier": f"{ident}_old", "name": "Old"},
    ]
    _, root = stage_module(modules, ident, records=records)
    info = await new_tenant(modules=[ident])
    async with env_of(info) as env:
        ids = {k: v[1] for k, v in (await resolve_many(env, [f"{ident}_new", f"{ident}_done"])).items()}
        for key in ids:  # a user renames both
            record = await env[model].get(ids[key])
            record.name = "Edited"
            await record.save()
    changed = [
        {"data_type": model, "identifier": f"{ident}_new", "name": "New!", "sequence": 2},
        {"data_type": model, "identifier": f"{ident}_done", "name": "Done!", "apply_once": True},
    ]
    modules.upgrade(root, "1.1.0", {"data/stages.yaml": yaml.safe_dump(changed)})

    report = await upgrade_modules(ff_runtime.db, info)

    assert [(m.identifier, m.from_version, m.to_version) for m in report.modules] == [(ident, "1.0.0", "1.1.0")]
    assert report.data[model] == {"updated": [f"{ident}_new"], "deleted": [f"{ident}_old"]}
    async with env_of(info) as env:
        names = {r.id: r.name for r in await env[model].filter()}
    assert names == {ids[f"{ident}_new"]: "New!", ids[f"{ident}_done"]: "Edited"}
    assert (await installed_modules(ff_runtime.db, info))[ident] == ("installed", "1.1.0")


async def test_upgrade_archives_a_removed_record_that_others_refer_to(ff_runtime, modules, new_tenant, env_of):
    ident = unique("arch")
    source = f"""
from fullfinity.engine.base import Boolean, Char, ManyToOne, Model

class {ident.title()}Tag(Model):
    name = Char(max_length=80, required=True)
    active = Boolean(default=True)

class {ident.title()}Note(Model):
    name = Char(max_length=80)
    tag = ManyToOne("{ident.title()}Tag", on_delete="SET NULL")
"""
    tag = ident.title() + "Tag"
    root = modules.add(
        ident, models=source, files={"data/tags.yaml": [{"data_type": tag, "identifier": f"{ident}_t", "name": "T"}]}
    )
    info = await new_tenant(modules=[ident])
    async with env_of(info) as env:
        tag_id = (await resolve_many(env, [f"{ident}_t"]))[f"{ident}_t"][1]
        await env[ident.title() + "Note"].create(name="user note", tag=tag_id)
    modules.upgrade(root, "2.0.0", {"data/tags.yaml": "[]\n"})

    report = await upgrade_modules(ff_runtime.db, info, ["all"])

    assert report.data[tag] == {"archived": [f"{ident}_t"]}
    assert any("archived" in w for w in report.warnings)
    async with env_of(info) as env:
        with env.with_context(active_test=False):
            assert (await env[tag].get(tag_id)).active is False


async def test_uninstall_refuses_while_dependents_are_installed_and_names_them(ff_runtime, modules, new_tenant):
    a, b = unique("a"), unique("b")
    stage_module(modules, a)
    stage_module(modules, b, dependencies=[a])
    info = await new_tenant(modules=[b])

    with pytest.raises(ModuleError, match=rf"Installed module\(s\) {b} depend on {a}"):
        await uninstall_modules(ff_runtime.db, info, [a])
    plan = await uninstall_modules(ff_runtime.db, info, [a], plan=True)

    assert [(m.identifier, m.reason) for m in plan.modules] == [(b, "dependent"), (a, "requested")]
    assert {a, b} <= set(await installed_modules(ff_runtime.db, info))


async def test_uninstall_removes_data_records_keeps_tables_and_reinstall_finds_them(
    ff_runtime, modules, new_tenant, env_of
):
    ident = unique("un")
    model = ident.title() + "Stage"
    stage_module(
        modules,
        ident,
        records=[{"data_type": model, "identifier": f"{ident}_s", "name": "S"}],
        files={"security/groups.yaml": [{"data_type": "Group", "identifier": f"{ident}_user", "name": "U"}]},
    )
    info = await new_tenant(modules=[ident])

    report = await uninstall_modules(ff_runtime.db, info, [ident])

    assert report.data == {"Group": {"deleted": [f"{ident}_user"]}}
    assert table(ident) in await tables_of(ff_runtime, info)
    assert ident not in await installed_modules(ff_runtime.db, info)
    again = await install_modules(ff_runtime.db, info, [ident])
    assert again.data == {"Group": {"created": [f"{ident}_user"]}}  # the stage row was found again, unchanged
    async with env_of(info) as env:
        assert await env[model].filter().count() == 1


async def test_uninstall_with_drop_data_drops_the_module_tables(ff_runtime, modules, new_tenant):
    ident = unique("drop")
    stage_module(modules, ident)
    info = await new_tenant(modules=[ident])

    report = await uninstall_modules(ff_runtime.db, info, [ident], drop_data=True)

    assert any(f'DROP TABLE IF EXISTS "{table(ident)}"' in s for s in report.ddl)
    assert table(ident) not in await tables_of(ff_runtime, info)


async def test_core_cannot_be_uninstalled(ff_runtime, new_tenant):
    info = await new_tenant()

    with pytest.raises(ModuleError, match="core module cannot be uninstalled"):
        await uninstall_modules(ff_runtime.db, info, ["core"])


async def test_a_new_stored_computed_field_is_computed_for_existing_rows(ff_runtime, modules, new_tenant, env_of):
    ident = unique("calc")
    modules.add(
        ident,
        models="""
        from fullfinity.engine.base import Char, Model

        class ContactShout(Model):
            __inherit__ = "Contact"
            shout = Char(max_length=200, calculate="compute_shout", store=True)

            @Model.calculate("name")
            async def compute_shout(self):
                self.shout = (self.name or "").upper()
        """,
    )
    info = await new_tenant()
    async with env_of(info) as env:
        contact = await env["Contact"].create(name="quiet")

    await install_modules(ff_runtime.db, info, [ident])

    async with env_of(info) as env:
        assert (await env["Contact"].get(contact.id)).shout == "QUIET"


async def test_two_tenants_with_different_modules_see_different_models_and_hooks(
    ff_runtime, modules, new_tenant, env_of
):
    ident = unique("hk")
    model, _ = stage_module(modules, ident)
    events_file = modules.site.root / f"{ident}_events.txt"
    hooks = f"""
    from fullfinity import hookimpl

    @hookimpl
    def fullfinity_post_install(env, module):
        with open({str(events_file)!r}, "a") as f:
            f.write(f"{{env.tenant}}:{{module}}\\n")
    """
    (modules.site.root / modules.site.packages[-1] / "hooks.py").write_text(textwrap.dedent(hooks))
    with_module = await new_tenant(modules=[ident], use_template=False)
    without = await new_tenant(use_template=False)
    other = unique("other")
    stage_module(modules, other)
    from fullfinity.engine.module_registry import discover_modules
    from fullfinity.plugins import get_plugin_manager

    discover_modules.cache_clear()
    get_plugin_manager.cache_clear()

    await install_modules(ff_runtime.db, without, [other])

    async with env_of(with_module) as env:
        assert model in env.registry
    async with env_of(without) as env:
        assert model not in env.registry
    lines = events_file.read_text().splitlines()
    assert f"{with_module.name}:{ident}" in lines
    assert not [line for line in lines if line.startswith(without.name)]


async def test_a_tenant_with_the_old_state_table_moves_to_module_records_on_upgrade(ff_runtime, new_tenant):
    from fullfinity.engine.db import quote_ident
    from fullfinity.engine.module_registry import discover_modules

    info = await new_tenant()
    version = discover_modules()["core"].version
    async with ff_runtime.db.connection(info.server, info.database) as conn:
        tables = [r["t"] for r in await conn.fetch("SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public'")]
        await conn.execute(f"DROP TABLE {', '.join(quote_ident(t) for t in tables)} CASCADE")
        await conn.execute(
            "CREATE TABLE ff_module_state (identifier TEXT PRIMARY KEY, version TEXT NOT NULL, state TEXT NOT NULL)"
        )
        await conn.execute("INSERT INTO ff_module_state VALUES ('core', $1, 'installed')", version)
    assert await installed_modules(ff_runtime.db, info) == {"core": ("installed", version)}

    await upgrade_modules(ff_runtime.db, info, ["all"])

    async with ff_runtime.db.connection(info.server, info.database) as conn:
        assert await conn.fetchval("SELECT to_regclass('ff_module_state')") is None
        assert await conn.fetchval("SELECT installed_version FROM module WHERE identifier = 'core'") == version
        assert await conn.fetchval('SELECT count(*) FROM "group"') >= 4
