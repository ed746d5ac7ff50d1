"""The REST API over every installed model (api.md sections 4-6).

- ``decode``: request values into ORM terms (field paths with ``.`` or ``__``, Q filters,
  context, write values);
- ``hydrate``: the selective query a response needs, and ``encode``: records to JSON;
- ``handlers``: one module per endpoint family; ``router``: the FastAPI routes;
- ``openapi``: the per-tenant OpenAPI document; ``typescript``: types generated from it;
- ``limits``: page size, request body size and count caps.

The router is contributed through the ``fullfinity_register_routers`` hook
(``fullfinity.api.router`` is one of ``fullfinity.plugins.DEFAULT_PLUGINS``).
"""
