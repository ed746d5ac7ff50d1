"""Scheduled jobs: the scheduler that runs ``CronJob`` records (later.md 2, docs/operations.md).

- ``jobs.py``: one tenant's jobs in SQL: claim a due job (``FOR UPDATE SKIP LOCKED``), run it in
  the system environment, record the run, reset jobs stuck in ``Running``.
- ``scheduler.py``: ``Scheduler``, polling every active tenant, one task per tenant so a slow
  tenant never holds the others back.
- ``plugin.py``: the ``fullfinity cron`` command and the in-server scheduler (``FULLFINITY_CRON``).
"""

from fullfinity.cron.scheduler import Scheduler

__all__ = ["Scheduler"]
