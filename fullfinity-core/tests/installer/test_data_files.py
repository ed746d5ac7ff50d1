"""Data files: discovery and order, identifiers, references, commands, file values, errors, batching."""

from __future__ import annotations

import pytest

from fullfinity.engine.records.identifiers import resolve, resolve_many
from fullfinity.installer import DataFileError, install_modules, upgrade_modules
from fullfinity.installer.data_files import module_data_files

from .conftest import unique

TAG_MODELS = """
from fullfinity.engine.base import Binary, Char, Date, Datetime, Integer, ManyToMany, ManyToOne, Model, OneToMany, Text

class {p}Tag(Model):
    name = Char(max_length=80, required=True)
    parent = ManyToOne("{p}Tag", related_name="children", on_delete="SET NULL")
    owner = ManyToOne("Contact", on_delete="SET NULL")

class {p}Doc(Model):
    name = Char(max_length=80, required=True)
    tag = ManyToOne("{p}Tag", required=True, on_delete="RESTRICT")
    tags = ManyToMany("{p}Tag", related_name="docs")
    lines = OneToMany("{p}Line", related_name="doc")
    body = Text()
    logo = Binary()
    size = Integer()
    due = Date()
    seen = Datetime()

class {p}Line(Model):
    name = Char(max_length=80, required=True)
    doc = ManyToOne("{p}Doc", required=True, on_delete="CASCADE")
"""


def tag_module(modules, ident, files, **options):
    p = ident.title()
    root = modules.add(ident, models=TAG_MODELS.format(p=p), files=files, **options)
    return p, root


def test_files_load_by_folder_then_path_skipping_drafts_and_demo_unless_asked(tmp_path):
    for relative in ["views/a.yaml", "data/b.yaml", "data/sub/a.json", "security/z.yml", "data/_draft.yaml"]:
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relative).write_text("[]")
    (tmp_path / "demo").mkdir()
    (tmp_path / "demo" / "d.yaml").write_text("[]")
    (tmp_path / "data" / "notes.txt").write_text("not data")

    plain = [f.relative for f in module_data_files("m", tmp_path)]
    demo = [f.relative for f in module_data_files("m", tmp_path, demo=True)]

    assert plain == ["security/z.yml", "data/b.yaml", "data/sub/a.json", "views/a.yaml"]
    assert demo == [*plain, "demo/d.yaml"]


def test_a_file_named_in_depends_loads_first(tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "a.yaml").write_text("- {data_type: X, identifier: x1, depends: [z.yaml]}\n")
    (tmp_path / "data" / "z.yaml").write_text("[]\n")

    assert [f.relative for f in module_data_files("m", tmp_path)] == ["data/z.yaml", "data/a.yaml"]


def test_depends_on_a_missing_file_names_the_file_record_and_key(tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "a.yaml").write_text("- {data_type: X, identifier: x1, depends: [nope.yaml]}\n")

    with pytest.raises(DataFileError, match=r"m:data/a.yaml, record 'x1', field 'depends': names 'nope.yaml'"):
        module_data_files("m", tmp_path)


async def test_relations_commands_and_forward_references_resolve_by_identifier(ff_runtime, modules, new_tenant, env_of):
    ident = unique("rel")
    p = ident.title()
    docs = [
        {
            "data_type": f"{p}Doc",
            "identifier": f"{ident}_doc",
            "name": "Doc",
            "tag": f"{ident}_later",  # required, defined further down: created in a later round
            "tags": [f"{ident}_t1", f"{ident}_later"],  # plain list: replace all
            "lines": [["N", {"name": "first line"}]],
        },
        {"data_type": f"{p}Tag", "identifier": f"{ident}_t1", "name": "T1", "parent": f"{ident}_later"},
        {"data_type": f"{p}Tag", "identifier": f"{ident}_later", "name": "Later", "owner": "core_main_contact_x"},
    ]
    docs[2].pop("owner")
    tag_module(modules, ident, {"data/docs.yaml": docs})
    info = await new_tenant()

    await install_modules(ff_runtime.db, info, [ident])

    async with env_of(info) as env:
        ids = {k: v[1] for k, v in (await resolve_many(env, [f"{ident}_doc", f"{ident}_t1", f"{ident}_later"])).items()}
        doc = await env[f"{p}Doc"].get(ids[f"{ident}_doc"])
        await doc.fetch_related("tags", "lines")
        t1 = await env[f"{p}Tag"].get(ids[f"{ident}_t1"])
    assert doc.tag.id == ids[f"{ident}_later"]
    assert sorted(t.id for t in doc.tags) == sorted([ids[f"{ident}_t1"], ids[f"{ident}_later"]])
    assert [line.name for line in doc.lines] == ["first line"]
    assert t1.parent.id == ids[f"{ident}_later"]


async def test_n_commands_create_children_only_when_the_record_is_created(ff_runtime, modules, new_tenant, env_of):
    ident = unique("ncmd")
    p = ident.title()
    files = {
        "data/docs.yaml": [
            {"data_type": f"{p}Tag", "identifier": f"{ident}_t", "name": "T"},
            {
                "data_type": f"{p}Doc",
                "identifier": f"{ident}_d",
                "name": "D",
                "tag": f"{ident}_t",
                "lines": [["N", {"name": "only once"}]],
            },
        ]
    }
    _, root = tag_module(modules, ident, files)
    info = await new_tenant(modules=[ident])
    modules.upgrade(root, "1.0.1")

    await upgrade_modules(ff_runtime.db, info)

    async with env_of(info) as env:
        assert await env[f"{p}Line"].filter().count() == 1


async def test_file_path_values_load_text_and_bytes(ff_runtime, modules, new_tenant, env_of):
    ident = unique("fp")
    p = ident.title()
    files = {
        "templates/body.html": "<p>Hello {{ name }}</p>\n",
        "data/logo.png": b"\x89PNG fake bytes",
        "data/docs.yaml": [
            {"data_type": f"{p}Tag", "identifier": f"{ident}_t", "name": "T"},
            {
                "data_type": f"{p}Doc",
                "identifier": f"{ident}_d",
                "name": "D",
                "tag": f"{ident}_t",
                "body": "../templates/body.html",
                "logo": "logo.png",
            },
        ],
    }
    tag_module(modules, ident, files)
    info = await new_tenant(modules=[ident])

    async with env_of(info) as env:
        doc = await env[f"{p}Doc"].get(await resolve(env, f"{ident}_d"))
    assert doc.body == "<p>Hello {{ name }}</p>\n"
    assert doc.logo == b"\x89PNG fake bytes"


async def test_identifiers_are_tracked_with_their_owning_module(ff_runtime, modules, new_tenant):
    ident = unique("own")
    p = ident.title()
    tag_module(modules, ident, {"data/t.yaml": [{"data_type": f"{p}Tag", "identifier": f"{ident}_t", "name": "T"}]})
    info = await new_tenant(modules=[ident])

    async with ff_runtime.db.connection(info.server, info.database) as conn:
        row = await conn.fetchrow(
            "SELECT model, module, apply_once FROM ff_identifier WHERE identifier = $1", f"{ident}_t"
        )
    assert dict(row) == {"model": f"{p}Tag", "module": ident, "apply_once": False}


async def test_the_same_identifier_in_two_modules_is_an_error_naming_both_files(ff_runtime, modules, new_tenant):
    first, second = unique("one"), unique("two")
    p, _ = tag_module(
        modules, first, {"data/t.yaml": [{"data_type": f"{first.title()}Tag", "identifier": "shared_x", "name": "A"}]}
    )
    modules.add(
        second,
        dependencies=[first],
        files={"data/u.yaml": [{"data_type": f"{p}Tag", "identifier": "shared_x", "name": "B"}]},
    )
    info = await new_tenant(modules=[first])

    with pytest.raises(DataFileError) as raised:
        await install_modules(ff_runtime.db, info, [second])

    assert f"{second}:data/u.yaml, record 'shared_x'" in raised.value.message
    assert f"already defined in {first}:data/t.yaml" in raised.value.message


async def test_relative_dates_resolve_when_the_file_is_loaded(ff_runtime, modules, new_tenant, env_of):
    import datetime as dt

    ident = unique("rd")
    p = ident.title()
    files = {
        "data/docs.yaml": [
            {"data_type": f"{p}Tag", "identifier": f"{ident}_t", "name": "T"},
            {
                "data_type": f"{p}Doc",
                "identifier": f"{ident}_d",
                "name": "D",
                "tag": f"{ident}_t",
                "due": {"$date": {"days": 10}},
                "seen": {"$date": {"anchor": "now", "hours": -2}},
            },
        ],
    }
    tag_module(modules, ident, files)
    before = dt.datetime.now(dt.UTC)
    info = await new_tenant(modules=[ident])

    async with env_of(info) as env:
        doc = await env[f"{p}Doc"].get(await resolve(env, f"{ident}_d"))
    assert doc.due == dt.datetime.now(dt.UTC).date() + dt.timedelta(days=10)
    assert before - dt.timedelta(hours=2, seconds=1) <= doc.seen <= dt.datetime.now(dt.UTC) - dt.timedelta(hours=2)


@pytest.mark.parametrize(
    ("record", "field", "problem"),
    [
        ({"colour": "red"}, "colour", "has no field 'colour'"),
        ({"size": "large"}, "size", "integer"),
        ({"tag": "nowhere_defined"}, "tag", "refers to the identifier 'nowhere_defined'"),
        ({"tag": "core_admin"}, "tag", "names a Group record"),
        ({"tags": [["X", "a"]]}, "tags.0", "must be a command"),
        ({"due": {"$date": {"fortnights": 2}}}, "due", "unknown key(s) fortnights"),
        ({"due": {"days": 2}}, "due", "relative date"),
    ],
)
async def test_every_error_names_the_file_the_record_and_the_field(
    ff_runtime, modules, new_tenant, record, field, problem
):
    ident = unique("err")
    p = ident.title()
    base = {"data_type": f"{p}Doc", "identifier": f"{ident}_d", "name": "D", "tag": f"{ident}_t"}
    files = {"data/a.yaml": [{"data_type": f"{p}Tag", "identifier": f"{ident}_t", "name": "T"}, {**base, **record}]}
    tag_module(modules, ident, files)
    info = await new_tenant()

    with pytest.raises(DataFileError) as raised:
        await install_modules(ff_runtime.db, info, [ident])

    message = raised.value.message
    assert message.startswith(f"Data file {ident}:data/a.yaml, record '{ident}_d', field '{field}':"), message
    assert problem in message


async def test_loading_a_thousand_records_takes_a_handful_of_statements(ff_runtime, modules, new_tenant, env_of):
    ident = unique("bulk")
    p = ident.title()
    rows = [{"data_type": f"{p}Tag", "identifier": f"{ident}_root", "name": "Root"}]
    rows += [
        {"data_type": f"{p}Tag", "identifier": f"{ident}_{i}", "name": f"Tag {i}", "parent": f"{ident}_root"}
        for i in range(1000)
    ]
    _, root = tag_module(modules, ident, {"data/tags.yaml": rows})
    info = await new_tenant()

    report = await install_modules(ff_runtime.db, info, [ident])
    modules.upgrade(root, "1.0.1")
    again = await upgrade_modules(ff_runtime.db, info)

    assert report.count("created") == 1001
    assert report.data_statements <= 15, report.data_statements
    assert again.count("updated") == 0 and again.data_statements <= 10, again.data_statements
    async with env_of(info) as env:
        assert await env[f"{p}Tag"].filter(parent__name="Root").count() == 1000
