"""The won/lost history the automatic probability learns from (``_scoring.py`` has the formula).

One row per (variable, value): how many closed leads were won and lost overall (``all``), in
each stage they closed in (``stage``), per team (``team``) and per tag (``tag``). It is kept in
step by every write that closes, reopens or edits a closed lead (a delta upserted in one
statement, safe under concurrent writers), and rebuilt from the leads by
``CrmLead.recompute_probabilities()``. Private: only the CRM's own elevated code reads and
writes it (no access right).
"""

from __future__ import annotations

from fullfinity.engine.base import Integer, Model, Selection

VARIABLES = [("all", "All closed leads"), ("stage", "Stage"), ("team", "Team"), ("tag", "Tag")]


class CrmLeadScoringFrequency(Model):
    _verbose_name = "Lead Scoring Frequency"
    _order = "variable ASC, value ASC"
    _unique_together = [("variable", "value")]

    variable = Selection(choices=VARIABLES, required=True)
    value = Integer(required=True, default=0, hint="Id of the stage, team or tag; 0 for 'all'.")
    won_count = Integer(required=True, default=0)
    lost_count = Integer(required=True, default=0)
