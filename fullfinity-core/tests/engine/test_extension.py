"""Models extended by other modules: composed per module set, never mutating the imported classes."""

import textwrap

import pytest

from fullfinity.engine.records.registry import Registry
from fullfinity.exceptions import ModuleError


def write_models(pkg_dir, files):
    models = pkg_dir / "models"
    models.mkdir()
    (models / "__init__.py").write_text("".join(f"from . import {name}\n" for name in files))
    for name, source in files.items():
        (models / f"{name}.py").write_text(textwrap.dedent(source))


HD = """
from fullfinity.engine.base import *

class HdTicket(Model):
    name = Char(required=True)
    priority = Selection(choices=["low", "normal"], default="normal")
    log = Char()

    async def save(self, *args, **kwargs):
        self.log = (self.log or "") + "base;"
        return await super().save(*args, **kwargs)
"""

SLA = """
from fullfinity.engine.base import *

class HdTicket(Model):
    __inherit__ = "HdTicket"
    _selection_add = {"priority": [("critical", "Critical")]}

    sla_hours = Integer(default=24)
    priority = Selection(default="critical")

    async def save(self, *args, **kwargs):
        self.log = (self.log or "") + "sla;"
        return await super().save(*args, **kwargs)
"""

SCORE = """
from fullfinity.engine.base import *

class HdTicket(Model):
    __inherit__ = "HdTicket"
    score = Integer()

    async def save(self, *args, **kwargs):
        self.log = (self.log or "") + "score;"
        return await super().save(*args, **kwargs)
"""


@pytest.fixture
def modules(module_site):
    write_models(module_site.add("hd"), {"ticket": HD})
    write_models(module_site.add("hd_sla", dependencies=["hd"]), {"ticket": SLA})
    write_models(module_site.add("hd_score", dependencies=["hd"]), {"ticket": SCORE})
    core = ("core", "0")
    return {
        "base": [core, ("hd", "1.0.0")],
        "both": [core, ("hd", "1.0.0"), ("hd_score", "1.0.0"), ("hd_sla", "1.0.0")],
    }


def test_a_tenant_sees_exactly_the_extensions_of_its_modules(modules):
    base = Registry.for_modules(modules["base"]).get("HdTicket")
    both = Registry.for_modules(modules["both"]).get("HdTicket")
    assert "sla_hours" not in base._fields and "score" not in base._fields
    assert {"sla_hours", "score"} <= set(both._fields)
    assert base._fields["priority"].values == ["low", "normal"]
    assert both._fields["priority"].values == ["low", "normal", "critical"]
    assert both._fields["priority"].default == "critical" and base._fields["priority"].default == "normal"


def test_imported_classes_are_never_mutated(modules):
    Registry.for_modules(modules["both"])
    definition = next(
        c
        for c in Registry.for_modules(modules["base"]).get("HdTicket").__mro__
        if c.__dict__.get("_name") == "HdTicket" and not c.__dict__.get("_composed") and "__inherit__" not in c.__dict__
    )
    assert "sla_hours" not in definition.__dict__
    assert definition.__dict__["priority"].values == ["low", "normal"]


def test_tenants_with_the_same_module_set_share_one_registry(modules):
    assert Registry.for_modules(modules["both"]) is Registry.for_modules(list(modules["both"]))


async def test_super_chains_through_extensions_in_dependency_order(modules, ff_database):
    from fullfinity.engine.database.schema import sync_schema
    from fullfinity.testing.orm import connect, env_on

    registry = Registry.for_modules(modules["both"])
    conn = await connect(ff_database)
    try:
        await sync_schema(conn, [registry.get("HdTicket")])
    finally:
        await conn.close()
    async with env_on(ff_database, registry) as env:
        ticket = await env.get_model("HdTicket").create(name="Printer")
        # hd_sla sorts after hd_score, so its override runs first.
        assert ticket.log == "sla;score;base;" and ticket.sla_hours == 24 and ticket.priority == "critical"


def test_changing_a_field_type_in_an_extension_is_a_load_error(module_site):
    write_models(module_site.add("hd2"), {"ticket": HD.replace("HdTicket", "HdTicket2")})
    write_models(
        module_site.add("hd2_bad", dependencies=["hd2"]),
        {
            "ticket": """
        from fullfinity.engine.base import *

        class HdTicket2(Model):
            __inherit__ = "HdTicket2"
            name = Integer()
    """
        },
    )
    with pytest.raises(ModuleError, match="Changing a field's type is not allowed"):
        Registry.for_modules([("core", "0"), ("hd2", "1.0.0"), ("hd2_bad", "1.0.0")])


BULK = """
from fullfinity.engine.base import *

class BkOrder(Model):
    _bulk_create_does_save = True
    name = Char()

    async def save(self, *args, **kwargs):
        return await super().save(*args, **kwargs)

    @classmethod
    async def bulk_create(cls, rows):
        return await super().bulk_create(rows)
"""

BULK_EXT = """
from fullfinity.engine.base import *

class BkOrder(Model):
    __inherit__ = "BkOrder"

    async def save(self, *args, **kwargs):
        return await super().save(*args, **kwargs)
"""


def test_bulk_create_stays_set_based_only_while_every_save_override_says_its_bulk_create_covers_it(module_site):
    from fullfinity.engine.records.persistence import _bulk_path_allowed

    write_models(module_site.add("bk"), {"order": BULK})
    write_models(module_site.add("bk_ext", dependencies=["bk"]), {"order": BULK_EXT})
    core = ("core", "0")
    alone = Registry.for_modules([core, ("bk", "1.0.0")]).get("BkOrder")
    extended = Registry.for_modules([core, ("bk", "1.0.0"), ("bk_ext", "1.0.0")]).get("BkOrder")

    assert _bulk_path_allowed(alone) is True
    assert _bulk_path_allowed(extended) is False  # the extension's save runs: row by row through save
