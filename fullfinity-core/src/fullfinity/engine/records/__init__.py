"""Records: model classes, their composition per module set, and everything done to records.

- ``models.py``: ``Model``, a record set of one composed class (public path
  ``fullfinity.engine.models``)
- ``definitions.py``: the index of model classes as imported, by owning module
- ``composition.py``, ``relations.py``, ``registry.py``: a definition and its extensions
  composed into one class per module set, reverse fields and join tables, ``Registry``
- ``environment.py``: ``Environment``, who works on which tenant in which transaction (public
  path ``fullfinity.engine.env``)
- ``queryset.py``: ``QuerySet``, lazy and immutable; ``rows.py``: rows built into records
  (joined to-one records included); ``cached.py``: querysets served from the cache
- ``persistence.py``, ``x2many.py``, ``validation.py``: writes (insert, update, delete, copy,
  command lists, on_delete) and the checks before them
- ``prefetch.py``: ``fetch_related``, one query per relation level for a whole result
- ``computed.py``: computed fields (dependencies, triggers, batched recomputation)
- ``identifiers.py``: the tenant's external identifiers of records

The top room: may import every room of the ORM (qlang, fields, cache, access, query, database)
and ``context``/``module_registry``. Inside it, a record's methods (``save``, ``filter``,
``fetch_related``...) import the modules doing the work from within the method, since those
modules work on records; so do the environment (access profile, recomputation) and the
queryset (its cached subclass), to keep ``import fullfinity.engine.env`` light and the circle
inside this room.
"""
