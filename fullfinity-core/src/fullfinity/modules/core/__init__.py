"""The ``core`` module: installed in every tenant, the base other modules build on."""
