"""``Model``, the base class of every model (its code: ``fullfinity.engine.records.models``)."""

from fullfinity.engine.records.models import AUTOMATIC_FIELDS, RESERVED_NAMES, Model, ModelMeta, RecordGroup

__all__ = ["AUTOMATIC_FIELDS", "RESERVED_NAMES", "Model", "ModelMeta", "RecordGroup"]
