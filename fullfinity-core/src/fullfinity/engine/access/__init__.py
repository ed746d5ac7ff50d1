"""Access control in the ORM (security.md 3-5): who may read or write which model, field, record.

- ``control.py``: ``AccessProfile`` (a user's effective groups, model access, record rules and
  field groups, loaded once per user and cached) and the checks every path goes through:
  ``check_model``, ``check_field``, ``check_rule``

May import ``qlang`` (record rules are Q filters) and ``cache`` (profiles are cached);
records and environments only for type hints. The query compiler and the records room call
it; authentication (who the user is) lives outside the engine, in ``fullfinity.auth``.
"""
