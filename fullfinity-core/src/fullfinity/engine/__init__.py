"""The Fullfinity engine: the ORM, the module registry, the database layer, the cache.

Module authors import ``fullfinity.engine.base`` (docs/orm.md). The rooms, each a package,
lowest first; a room imports only the rooms before it (and anything for type hints):

=============  ==============================================================  ====================
room           holds                                                           may import
=============  ==============================================================  ====================
``qlang``      ``Q`` filters, their parser and evaluator, ``D`` dates          nothing
``fields``     field classes, one family a file                                ``context``
``cache``      local and Valkey caches, codec, invalidation through NOTIFY     nothing
``access``     access profiles, model access, record rules, field groups       qlang, cache
``query``      query object, SQL compiler, where, lookups, paths, plans        qlang, fields, access
``database``   servers and pools, error mapping, schema sync, filestore        fields, query
``records``    models, composition, registry, querysets, writes, prefetch,     every room
               computed fields, the environment
=============  ==============================================================  ====================

The public modules (the reference's import paths) stay at this level: ``base`` (what a module
author imports), ``models``, ``fields``, ``Q``, ``db``, ``env``, ``cache``, ``context``
(``env_ctx``), ``exceptions``, ``module_registry`` (module discovery), ``licensing``, and
``controller`` and ``middleware``, whose code is the web layer's (``fullfinity.web.controllers``,
``fullfinity.web.request_env``). docs/architecture.md draws the same map.
"""
