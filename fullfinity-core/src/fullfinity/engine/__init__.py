"""The Fullfinity engine: the ORM, the module registry, the database layer, the cache.

Module authors import ``fullfinity.engine.base`` (docs/orm.md). Behind it the engine is a few
rooms, each a package, lowest first. A room imports only the rooms its row names, at module
level or inside a function; anything may be imported under ``if TYPE_CHECKING:`` for type
hints. ``fullfinity-core/tests/engine/test_rooms.py`` fails when the code leaves this table.

=============  ==================================================  =====================
room           holds                                               may import
=============  ==================================================  =====================
``qlang``      ``Q`` filters, their parser and evaluator, ``D``    nothing
``fields``     field classes, one family a file                    context
``cache``      local and Valkey caches, codec, NOTIFY              nothing
``access``     model access, record rules, field groups            qlang, cache
``query``      query object, SQL compiler, where, paths, plans     qlang, fields, access
``database``   servers, pools, error mapping, schema, filestore    fields
``records``    models, registry, environment, querysets, writes,   qlang, fields, cache,
               prefetch, computed fields, identifiers              access, query, database
``licensing``  signed module licenses and the install gate         module_registry
=============  ==================================================  =====================

The modules at this level are the reference's import paths. ``context`` (``env_ctx``),
``exceptions`` and ``module_registry`` (module discovery) hold their own code and import no
room, so every room may use them. ``base`` (what a module author imports), ``models``, ``Q``,
``db`` and ``env`` re-export the rooms' code, and ``controller`` and ``middleware`` the web
layer's (``fullfinity.web.controllers``, ``fullfinity.web.request_env``); no room imports them.
``fields``, ``cache`` and ``licensing`` are rooms and public paths at once. docs/architecture.md
draws the same map.
"""
