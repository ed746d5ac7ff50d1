"""What /api/query keeps between requests (compiled plans, remembered pages) never changes an answer.

Only the work before the SELECT is reused: every request still reads the rows, per caller.
"""

from __future__ import annotations

import pytest

from fullfinity.engine.Q import Q
from fullfinity.engine.query import plans

QUERY = "/api/query/ApiTicket?fields=name,priority&order_by=id"


def names(response) -> list[str]:
    assert response.status_code == 200, response.text
    return [r["name"] for r in response.json()["data"]]


async def test_the_same_request_twice_sees_rows_written_in_between(api, runtime):
    before = names(await api.get(QUERY))
    async with api.env(runtime) as env:
        created = await env["ApiTicket"].create(name="Written in between", assignee=api.users["ann"])
    try:
        after = names(await api.get(QUERY))
    finally:
        async with api.env(runtime) as env:
            await env["ApiTicket"].filter(id=created.id).delete()

    assert "Written in between" not in before
    assert after == [*before, "Written in between"]


async def test_the_same_raw_request_from_another_user_gets_that_users_rows(api):
    mine = names(await api.get(QUERY))
    boss = names(await api.get(QUERY, user="boss"))
    again = names(await api.get(QUERY))

    assert "Bob's secret" not in mine and "Bob's secret" in boss
    assert again == mine


async def test_the_same_post_body_twice_gives_the_same_answer_and_bad_bodies_stay_errors(api):
    body = {"fields": ["name"], "q_filter": "Q(priority='urgent')"}
    first, second = await api.post("/api/query/ApiTicket", body), await api.post("/api/query/ApiTicket", body)
    assert first.json() == second.json()

    for _ in range(2):
        bad = await api.post("/api/query/ApiTicket", {"fields": ["nope"]})
        assert bad.status_code == 400 and "nope" in bad.text


async def test_a_plan_using_the_clock_is_never_kept(api, runtime):
    async with api.env(runtime) as env:
        model = env["ApiTicket"]
        plans.clear_plans()
        await model.filter(Q.parse("Q(deadline__gte=D('today'))")).with_fields("name")
        await model.filter(Q.parse("Q(priority='urgent')")).with_fields("name")

    kept = [plan.sql for plan in plans._plans.values()]
    assert len(kept) == 1 and "deadline" not in kept[0]


async def test_a_kept_plan_is_reused_for_an_equal_query_of_the_same_caller(api, runtime):
    async with api.env(runtime) as env:
        model = env["ApiTicket"]
        plans.clear_plans()
        first = plans.select_plan(model.filter(priority="urgent").with_fields("name").query, env)
        again = plans.select_plan(model.filter(priority="urgent").with_fields("name").query, env)
        other = plans.select_plan(model.filter(priority="low").with_fields("name").query, env)

    assert again is first and other is not first and other.params != first.params


async def test_a_write_on_a_read_only_request_connection_is_refused_with_a_clear_message(api, runtime):
    from fullfinity.engine.env import Environment
    from fullfinity.exceptions import FullfinityError
    from fullfinity.scripting import registry_for_tenant

    info = await runtime.catalog.get(api.tenant)
    registry = await registry_for_tenant(runtime, info)
    async with runtime.db.connection(info.server, info.database, read_only=True) as conn:
        env = Environment(tenant=info.name, registry=registry, conn=conn, read_only=True)
        with env.bind():
            assert len(await env["ApiTicket"].filter().with_fields("name")) >= 3  # reading works
            with pytest.raises(FullfinityError, match="read-only connection") as refused:
                await env["ApiTicket"].create(name="Not written")
    assert refused.value.status_code == 500  # a bug in the code that wrote, not in the request
    async with api.env(runtime) as env:
        assert not await env["ApiTicket"].filter(name="Not written").exists()


async def test_a_query_with_a_long_list_of_values_is_not_kept(api, runtime):
    async with api.env(runtime) as env:
        model = env["ApiTicket"]
        plans.clear_plans()
        await model.filter(id__in=list(range(1, 100))).with_fields("name")
        await model.filter(id__in=[1, 2, 3]).with_fields("name")

    kept = list(plans._plans.values())
    assert len(kept) == 1 and len(kept[0].params) == 1  # the short list, one array parameter
