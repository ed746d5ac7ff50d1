"""The query language: ``Q`` filters, their text form, in-memory evaluation, ``D`` dates.

- ``q.py``: ``Q``, ``Leaf``, ``Var``, the canonical tree and its JSON form (public path
  ``fullfinity.engine.Q``)
- ``parse.py``: the one safe reader of Q strings (an AST whitelist, nothing is evaluated)
  and the writer behind ``str(q)``
- ``evaluate.py``: ``Bindings``, ``resolve`` and ``matches`` (the same two-valued rules as SQL)
- ``dates.py``: ``D(...)``, relative dates resolved when a query runs

A Q knows no model: this room imports nothing else of the engine. Inside it, ``q.py`` reaches
``parse`` and ``evaluate`` from within its methods, since both build Q objects.
"""
