"""What /api/query keeps between requests (compiled plans, remembered pages) never changes an answer.

Only the work before the SELECT is reused: every request still reads the rows, per caller.
"""

from __future__ import annotations

from fullfinity.engine import plans
from fullfinity.engine.Q import Q

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
