"""Scheduled jobs (later.md 2): ``CronJob`` records, usually from a module's data files, and a
``CronRun`` per run. The scheduler (``fullfinity.cron``) maintains the read-only fields."""

from __future__ import annotations

from fullfinity.engine.base import Boolean, Char, Datetime, Integer, ManyToOne, Model, Selection, Text

FREQUENCY_UNITS = [
    ("Seconds", "Seconds"),
    ("Minutes", "Minutes"),
    ("Hours", "Hours"),
    ("Days", "Days"),
    ("Months", "Months (30 days)"),
    ("Years", "Years (365 days)"),
]


class CronJob(Model):
    """``await env[model].<method>()`` every ``frequency`` × ``frequency_unit``, in the system
    environment, in a transaction of its own; claimed so that one run happens however many
    schedulers poll."""

    _verbose_name = "Scheduled Job"
    _order = "name ASC, id ASC"

    name = Char(max_length=200, required=True)
    model = Char(max_length=120, required=True, description="Model holding the method")
    method = Char(max_length=120, required=True, description="Class method run, without arguments")
    frequency = Integer(default=1, required=True, description="Units between runs")
    frequency_unit = Selection(choices=FREQUENCY_UNITS, default="Minutes", required=True)
    active = Boolean(default=True, description="Inactive jobs are skipped")
    module = Char(
        max_length=120,
        readonly=True,
        description="Module owning the job (the one whose data file declares it); uninstalling it deletes the job",
    )
    status = Selection(choices=[("Scheduled", "Scheduled"), ("Running", "Running")], default="Scheduled", readonly=True)
    next_run = Datetime(readonly=True, description="Due at (empty: at the next poll)")
    last_run = Datetime(readonly=True, description="Start of the last run")
    started_at = Datetime(readonly=True, description="Start of the run in progress")
    last_error = Text(readonly=True, description="Error of the last failed run")


class CronRun(Model):
    """One run of a job: when, how long, and how it ended."""

    _verbose_name = "Scheduled Job Run"
    _order = "started_at DESC, id DESC"

    job = ManyToOne("CronJob", related_name="runs", required=True, on_delete="CASCADE")
    scheduled_for = Datetime(readonly=True, description="The due time this run served")
    started_at = Datetime(readonly=True)
    finished_at = Datetime(readonly=True)
    state = Selection(choices=[("done", "Done"), ("failed", "Failed")], readonly=True)
    error = Text(readonly=True)
    worker = Char(max_length=200, readonly=True, description="Host and process that ran it")
