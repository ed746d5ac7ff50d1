"""The query object and its SQL compiler: a model and Q filters in, ``(sql, params)`` out.

- ``query.py``: ``Query``, what a queryset asks for (model, filters, order, window, fields),
  immutable and independent of SQL
- ``paths.py``: field paths (``team__leader__name``) resolved against models
- ``lookups.py``: one lookup (``name__icontains``) on a column, in SQL
- ``where.py``: Q trees to WHERE clauses (EXISTS across relations, record rules)
- ``compiler.py``: ``Query`` to SELECT, COUNT, EXISTS and id subqueries
- ``grouping.py``: ``group_by`` and aggregates
- ``plans.py``: ``SelectPlan``, a compiled SELECT kept per query and caller
- ``joins.py``: to-one paths read with a LEFT JOIN in the main SELECT (the target's rules in the ``ON``)
- ``sql.py``: ``Sql`` fragments whose ``$n`` markers are numbered once, at the end

May import ``fields``, ``qlang`` and ``access`` (the compiler applies field groups and record
rules); records and environments only for type hints. Code outside the engine uses the names
below; everything else here may change with the compiler. ``QuerySet.plan_rows()`` hands out the
``SelectPlan`` of a page (its SQL, parameters and the record slots of its columns), which is
how the REST API turns rows straight into JSON.
"""

from fullfinity.engine.query.paths import ResolvedPath, resolve_path, unknown_field
from fullfinity.engine.query.plans import SelectPlan
from fullfinity.engine.query.query import OrderItem, Query
from fullfinity.engine.query.sql import Sql, ident

__all__ = ["OrderItem", "Query", "ResolvedPath", "SelectPlan", "Sql", "ident", "resolve_path", "unknown_field"]
