"""The Fullfinity engine: ORM, module registry, database layer. Public surface: ``fullfinity.engine.base``."""
