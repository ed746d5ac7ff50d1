"""Merging 2 to 5 leads into the most advanced one: head choice, fields joined, tags united, tails
gone, references from other modules' models moved to the head."""

from __future__ import annotations

import sys
import textwrap
import uuid
from decimal import Decimal

import pytest
import pytest_asyncio

from fullfinity.engine.base import UserError
from fullfinity.engine.module_registry import discover_modules
from fullfinity.installer import install_modules
from fullfinity.plugins import get_plugin_manager

VISIT_MODELS = """
from fullfinity.engine.base import Char, ManyToMany, ManyToOne, Model


class CrmTestVisit(Model):
    name = Char(required=True)
    lead = ManyToOne("CrmLead", related_name="test_visits", on_delete="CASCADE")
    leads = ManyToMany("CrmLead")
"""


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def visits(crm, tmp_path_factory):
    """A throw-away module depending on crm whose model refers to leads (as crm_invoicing's invoices will)."""
    root = tmp_path_factory.mktemp("site")
    package = f"ffcrmtest_{uuid.uuid4().hex[:6]}"
    (root / package / "models").mkdir(parents=True)
    (root / package / "__init__.py").write_text('"""Leads visited (test module)."""\n')
    manifest = "name: CRM visits\nidentifier: crm_test_visits\ndependencies: [crm]\n"
    (root / package / "manifest.yaml").write_text(manifest)
    (root / package / "models" / "__init__.py").write_text("from . import visit  # noqa: F401\n")
    (root / package / "models" / "visit.py").write_text(textwrap.dedent(VISIT_MODELS))
    info = root / f"{package}-1.0.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {package}\nVersion: 1.0.0\n")
    (info / "entry_points.txt").write_text(f"[fullfinity.modules]\ncrm_test_visits = {package}\n")
    sys.path.insert(0, str(root))
    discover_modules.cache_clear()
    get_plugin_manager.cache_clear()
    try:
        await install_modules(crm.runtime.db, crm.info, ["crm_test_visits"])
        yield "CrmTestVisit"
    finally:
        sys.path.remove(str(root))
        for name in [m for m in sys.modules if m == package or m.startswith(package + ".")]:
            del sys.modules[name]
        discover_modules.cache_clear()
        get_plugin_manager.cache_clear()


async def stages(env):
    return {s.name: s.id for s in await env["CrmStage"].filter()}


async def test_the_head_is_the_most_advanced_stage_then_the_highest_probability_then_the_oldest(crm):
    async with crm.env() as env:
        s = await stages(env)
        lead = env["CrmLead"]
        old_new = await lead.create(name="old, New", stage=s["New"])
        prop_low = await lead.create(name="Proposition, 20%", stage=s["Proposition"], probability=20)
        prop_high = await lead.create(name="Proposition, 60%", stage=s["Proposition"], probability=60)
        prop_high_2 = await lead.create(name="Proposition, 60% (newer)", stage=s["Proposition"], probability=60)
        group = await lead.filter(id__in=[old_new.id, prop_low.id, prop_high_2.id, prop_high.id])
        answer = await group.action_merge()
        left = await lead.filter(id__in=[old_new.id, prop_low.id, prop_high.id, prop_high_2.id]).all()
    assert answer == {"type": "action", "model": "CrmLead", "view_types": ["Form"], "res_id": prop_high.id}
    assert [r.id for r in left] == [prop_high.id]


async def test_merging_joins_notes_fills_blanks_unites_tags_and_keeps_the_highest_priority(crm):
    async with crm.env() as env:
        s = await stages(env)
        t1, t2, t3 = [(await env["CrmTag"].create(name=f"merge-{n}-{uuid.uuid4().hex[:4]}")).id for n in range(3)]
        lead = env["CrmLead"]
        head = await lead.create(
            name="Head", stage=s["Qualified"], description="First call", tags=[t1], priority="1", lead_type="lead"
        )
        tail = await lead.create(
            name="Tail", stage=s["New"], description="Asked for prices", email="ann@corp.example", phone="+1 555 0199",
            tags=[t2, t3], priority="3", expected_revenue="900", lead_type="opportunity",
        )  # fmt: skip
        await (await lead.filter(id__in=[head.id, tail.id])).action_merge()
        merged = await lead.get(head.id)
        await merged.fetch_related("tags")
    assert merged.description == "<p>First call</p><p>Asked for prices</p>"  # plain notes joined as HTML paragraphs
    assert (merged.email, merged.phone, merged.expected_revenue) == ("ann@corp.example", "+1 555 0199", Decimal("900"))
    assert sorted(merged.tags.ids) == sorted([t1, t2, t3])
    assert (merged.priority, merged.lead_type, merged.name) == ("3", "opportunity", "Head")


async def test_merging_n_leads_leaves_one(crm):
    async with crm.env() as env:
        lead = env["CrmLead"]
        ids = [(await lead.create(name=f"dup {i}", company_name="Five Corp")).id for i in range(5)]
        await (await lead.filter(id__in=ids)).action_merge()
        with env.with_context(active_test=False):
            assert await lead.filter(id__in=ids).count() == 1


@pytest.mark.parametrize("count", [1, 6])
async def test_merging_fewer_than_2_or_more_than_5_is_refused(crm, count):
    async with crm.env() as env:
        lead = env["CrmLead"]
        ids = [(await lead.create(name=f"m{count}-{i}")).id for i in range(count)]
        with pytest.raises(UserError, match=f"Select 2 to 5 leads to merge; {count} selected"):
            await (await lead.filter(id__in=ids)).action_merge()
        assert await lead.filter(id__in=ids).count() == count


async def test_references_to_the_merged_away_leads_move_to_the_head(crm, visits):
    async with crm.env() as env:
        lead = env["CrmLead"]
        s = await stages(env)
        head = await lead.create(name="keeps", stage=s["Proposition"])
        tail = await lead.create(name="goes", stage=s["New"])
        visit = await env[visits].create(name="visit of the tail", lead=tail.id, leads=[tail.id])
        await (await lead.filter(id__in=[head.id, tail.id])).action_merge()
        moved = await env[visits].with_fields("lead", "leads").filter(id=visit.id).get()
    assert moved.lead.id == head.id and moved.leads.ids == [head.id]


async def test_a_salesperson_cannot_merge_away_a_colleagues_lead(crm):
    mine = await crm.user("merge_mine")
    theirs = await crm.user("merge_theirs")
    async with crm.env() as env:
        lead = env["CrmLead"]
        a = (await lead.create(name="mine", salesperson=mine)).id
        b = (await lead.create(name="theirs", salesperson=theirs)).id
    answer = await crm.execute("CrmLead", "action_merge", "merge_mine", ids=[a, b])
    assert answer.status_code == 404
    async with crm.env() as env:
        assert await env["CrmLead"].filter(id__in=[a, b]).count() == 2
