"""Q expressions: composable, serialisable filters (orm.md section 12; code in ``fullfinity.engine.qlang``)."""

from fullfinity.engine.qlang.q import BOUND_NAMES, DATE_PARTS, LOOKUPS, MAX_DEPTH, Leaf, Q, Var

__all__ = ["BOUND_NAMES", "DATE_PARTS", "LOOKUPS", "MAX_DEPTH", "Leaf", "Q", "Var"]
