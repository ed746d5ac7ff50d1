"""The environment: who works, on which tenant, in which transaction (``fullfinity.engine.records.environment``)."""

from fullfinity.engine.records.environment import SYSTEM_UID, Environment, QueryCounter, QueryStats

__all__ = ["SYSTEM_UID", "Environment", "QueryCounter", "QueryStats"]
