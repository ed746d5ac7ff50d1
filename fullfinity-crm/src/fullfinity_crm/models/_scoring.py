"""The automatic probability: naive Bayes over the won/lost history (docs/crm.md, "Probabilities").

For an open lead with stage ``s``, team ``t`` and tags ``g1..gk``, over the closed leads (``W``
won, ``L`` lost, ``N = W + L``)::

    S_won  = (W + 1) / (N + 2) * (won(s)  + 1) / (W + 2) * (won(t)  + 1) / (W + 2) * prod (won(g)  + 1) / (W + 2)
    S_lost = (L + 1) / (N + 2) * (lost(s) + 1) / (L + 2) * (lost(t) + 1) / (L + 2) * prod (lost(g) + 1) / (L + 2)
    automated_probability = clamp(round_half_up(100 * S_won / (S_won + S_lost), 2), 0.01, 99.99)

- ``won(s) = W``: a won lead went through every stage; ``lost(s)`` counts the lost leads that
  reached ``s``, i.e. were lost in ``s`` or in a later stage (stages ordered by sequence, then
  id). So the further a lead goes, the fewer lost leads look like it.
- ``won(t)``/``lost(t)``: closed leads of team ``t``; ``won(g)``/``lost(g)``: closed leads tagged
  ``g``. A lead without a team leaves that factor out.
- The ``+ 1`` / ``+ 2`` (Laplace smoothing) keep unseen values from zeroing a score: with no
  history at all every factor is 1/2 and the probability is 50 %.
- Open leads never reach 0 or 100 automatically: those belong to lost and won.

Everything is computed with exact fractions, so the figure depends only on the counts.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fullfinity.engine.env import Environment

__all__ = [
    "Contribution",
    "History",
    "apply_delta",
    "contribution",
    "load_history",
    "probability",
    "rebuild_history",
    "recompute_all",
]

#: (variable, value, won, lost): what one closed lead adds to the history.
Contribution = tuple[str, int, int, int]
_CENT = Decimal("0.01")
_LOW, _HIGH = Decimal("0.01"), Decimal("99.99")


@dataclass
class History:
    """The counts the formula reads, and the stage order deciding which stages a lost lead reached."""

    won: int = 0
    lost: int = 0
    lost_in_stage: Mapping[int, int] = field(default_factory=dict)
    teams: Mapping[int, tuple[int, int]] = field(default_factory=dict)
    tags: Mapping[int, tuple[int, int]] = field(default_factory=dict)
    stage_order: Mapping[int, tuple[int, int]] = field(default_factory=dict)  # stage id -> (sequence, id)
    _reaching: dict[int, int] = field(default_factory=dict, repr=False)
    _memo: dict[tuple[Any, ...], float] = field(default_factory=dict, repr=False)

    def lost_reaching(self, stage: int) -> int:
        """Lost leads that reached ``stage``: lost in it or in a later one."""
        found = self._reaching.get(stage)
        if found is None:
            key = self.stage_order.get(stage)
            found = (
                0
                if key is None
                else sum(n for s, n in self.lost_in_stage.items() if self.stage_order.get(s, (-1, -1)) >= key)
            )
            self._reaching[stage] = found
        return found

    def probability(self, stage: int | None, team: int | None, tags: Iterable[int] = ()) -> float:
        """The automatic probability (in %, two decimals) of an open lead with these features."""
        key = (stage, team, tuple(sorted(set(tags))))
        found = self._memo.get(key)
        if found is None:
            found = self._memo[key] = float(probability(self, stage, team, key[2]))
        return found


def probability(history: History, stage: int | None, team: int | None, tags: Sequence[int]) -> Decimal:
    """The formula of the module docstring, exactly."""
    w, lost = history.won, history.lost
    s_won = Fraction(w + 1, w + lost + 2)
    s_lost = Fraction(lost + 1, w + lost + 2)
    if stage is not None:
        s_won *= Fraction(w + 1, w + 2)
        s_lost *= Fraction(history.lost_reaching(stage) + 1, lost + 2)
    factors = ([history.teams.get(team, (0, 0))] if team is not None else []) + [
        history.tags.get(tag, (0, 0)) for tag in tags
    ]
    for won_count, lost_count in factors:
        s_won *= Fraction(won_count + 1, w + 2)
        s_lost *= Fraction(lost_count + 1, lost + 2)
    share = s_won / (s_won + s_lost)
    percent = (Decimal(share.numerator * 100) / Decimal(share.denominator)).quantize(_CENT, rounding=ROUND_HALF_UP)
    return min(max(percent, _LOW), _HIGH)


def contribution(won: bool, stage: int | None, team: int | None, tags: Iterable[int]) -> list[Contribution]:
    """What one closed lead (won, or else lost) adds to the history."""
    w, lo = (1, 0) if won else (0, 1)
    out: list[Contribution] = [("all", 0, w, lo)]
    if stage is not None:
        out.append(("stage", stage, w, lo))
    if team is not None:
        out.append(("team", team, w, lo))
    out.extend(("tag", tag, w, lo) for tag in sorted(set(tags)))
    return out


def _tables(env: Environment) -> dict[str, str]:
    lead = env.get_model("CrmLead")
    tags = lead._fields["tags"]
    relation = getattr(tags, "relation", None) or ("crm_lead__tags", "source_id", "target_id")
    return {
        "lead": lead._table,
        "stage": env.get_model("CrmStage")._table,
        "freq": env.get_model("CrmLeadScoringFrequency")._table,
        "tags": relation[0],
        "tag_lead": relation[1],
        "tag_tag": relation[2],
    }


async def apply_delta(env: Environment, removed: Iterable[Contribution], added: Iterable[Contribution]) -> None:
    """Add ``added`` and subtract ``removed`` from the history, in one upsert (rows in key order,
    so concurrent writers lock them in the same order)."""
    delta: dict[tuple[str, int], list[int]] = {}
    for sign, items in ((-1, removed), (1, added)):
        for variable, value, won, lost in items:
            entry = delta.setdefault((variable, value), [0, 0])
            entry[0] += sign * won
            entry[1] += sign * lost
    keys = sorted(k for k, (w, lo) in delta.items() if w or lo)
    if not keys:
        return
    t = _tables(env)
    await env.execute(
        f'INSERT INTO "{t["freq"]}" (variable, value, won_count, lost_count) '
        "SELECT * FROM unnest($1::varchar[], $2::bigint[], $3::bigint[], $4::bigint[]) "
        f'ON CONFLICT (variable, value) DO UPDATE SET won_count = "{t["freq"]}".won_count + EXCLUDED.won_count, '
        f'lost_count = "{t["freq"]}".lost_count + EXCLUDED.lost_count, updated_date = clock_timestamp()',
        [k[0] for k in keys],
        [k[1] for k in keys],
        [delta[k][0] for k in keys],
        [delta[k][1] for k in keys],
    )
    env.written.add("CrmLeadScoringFrequency")


async def rebuild_history(env: Environment) -> None:
    """Recount the history from the leads themselves (the batch recompute starts here)."""
    t = _tables(env)
    await env.execute(f'DELETE FROM "{t["freq"]}"')
    await env.execute(
        f"""
        WITH closed AS (
            SELECT l.id, l.stage_id, l.team_id, (l.active AND coalesce(s.is_won, false)) AS won
            FROM "{t["lead"]}" l LEFT JOIN "{t["stage"]}" s ON s.id = l.stage_id
            WHERE NOT l.active OR coalesce(s.is_won, false)
        ), counts AS (
            SELECT 'all' AS variable, 0::bigint AS value, count(*) FILTER (WHERE won) AS w,
                   count(*) FILTER (WHERE NOT won) AS lo FROM closed
            UNION ALL
            SELECT 'stage', stage_id, count(*) FILTER (WHERE won), count(*) FILTER (WHERE NOT won)
            FROM closed WHERE stage_id IS NOT NULL GROUP BY stage_id
            UNION ALL
            SELECT 'team', team_id, count(*) FILTER (WHERE won), count(*) FILTER (WHERE NOT won)
            FROM closed WHERE team_id IS NOT NULL GROUP BY team_id
            UNION ALL
            SELECT 'tag', r."{t["tag_tag"]}", count(*) FILTER (WHERE c.won), count(*) FILTER (WHERE NOT c.won)
            FROM closed c JOIN "{t["tags"]}" r ON r."{t["tag_lead"]}" = c.id GROUP BY r."{t["tag_tag"]}"
        )
        INSERT INTO "{t["freq"]}" (variable, value, won_count, lost_count)
        SELECT variable, value, w, lo FROM counts WHERE w > 0 OR lo > 0
        """
    )
    env.written.add("CrmLeadScoringFrequency")


async def load_history(env: Environment, *, cached: bool = True) -> History:
    """The counts and the stage order, read elevated; with ``cached``, kept in the tenant's cache
    until the history or a stage is written, and once per transaction."""
    from ._settings import once_per_transaction, shared

    models = ("CrmLeadScoringFrequency", "CrmStage")
    if not cached:
        return _history(await _read_history(env))

    async def build() -> History:
        return _history(await shared(env, "history_rows", models, lambda: _read_history(env)))

    return await once_per_transaction(env, "history", models, build)


async def _read_history(env: Environment) -> list[list[Any]]:
    """``[["order", stage, sequence, 0], [variable, value, won, lost], ...]``: plain data for the cache."""
    freq_model = env.get_model("CrmLeadScoringFrequency")
    stage_model = env.get_model("CrmStage")
    with env.sudo():
        rows = await freq_model.with_fields("variable", "value", "won_count", "lost_count").order_by()
        stages = await stage_model.with_fields("sequence").order_by()
    return [["order", s.id, s.sequence or 0, 0] for s in stages] + [
        [r.variable, r.value, r.won_count or 0, r.lost_count or 0] for r in rows
    ]


def _history(rows: list[list[Any]]) -> History:
    history = History(stage_order={r[1]: (r[2], r[1]) for r in rows if r[0] == "order"})
    lost_in: dict[int, int] = {}
    teams: dict[int, tuple[int, int]] = {}
    tags: dict[int, tuple[int, int]] = {}
    for variable, value, won, lost in rows:
        if variable == "all":
            history.won, history.lost = won, lost
        elif variable == "stage":
            lost_in[value] = lost
        elif variable == "team":
            teams[value] = (won, lost)
        elif variable == "tag":
            tags[value] = (won, lost)
    history.lost_in_stage, history.teams, history.tags = lost_in, teams, tags
    return history


async def recompute_all(env: Environment) -> int:
    """Rebuild the history, then give every open lead its automatic probability (and its
    probability, unless set by hand) in one UPDATE of the rows that change. Returns their number."""
    await env.flush()
    await rebuild_history(env)
    history = await load_history(env, cached=False)
    t = _tables(env)
    rows = await env.fetch(
        f"""
        SELECT l.id, l.stage_id, l.team_id, coalesce(g.tags, '{{}}') AS tags
        FROM "{t["lead"]}" l
        LEFT JOIN "{t["stage"]}" s ON s.id = l.stage_id
        LEFT JOIN (SELECT "{t["tag_lead"]}" AS lead, array_agg("{t["tag_tag"]}") AS tags
                   FROM "{t["tags"]}" GROUP BY "{t["tag_lead"]}") g ON g.lead = l.id
        WHERE l.active AND NOT coalesce(s.is_won, false)
        """
    )
    ids = [r["id"] for r in rows]
    values = [Decimal(repr(history.probability(r["stage_id"], r["team_id"], r["tags"]))) for r in rows]
    if not ids:
        return 0
    status = await env.execute(
        f"""
        UPDATE "{t["lead"]}" AS l SET
            automated_probability = v.p,
            probability = CASE WHEN l.is_automated_probability THEN v.p ELSE l.probability END,
            prorated_revenue = round(coalesce(l.expected_revenue, 0)
                * coalesce(CASE WHEN l.is_automated_probability THEN v.p ELSE l.probability END, 0) / 100, 2),
            write_uid = $3,
            updated_date = GREATEST(clock_timestamp(), l.updated_date + interval '1 microsecond')
        FROM unnest($1::bigint[], $2::numeric[]) AS v(id, p)
        WHERE l.id = v.id AND (l.automated_probability IS DISTINCT FROM v.p
                               OR (l.is_automated_probability AND l.probability IS DISTINCT FROM v.p))
        """,
        ids,
        values,
        env.real_uid,
    )
    env.written.add("CrmLead")
    return int(status.split()[-1])
