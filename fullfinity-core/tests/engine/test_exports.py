"""The public import surface of ``fullfinity.engine.base`` is complete and sorted."""

import fullfinity.engine.base as base

EXPECTED = {
    "Model",
    "Char",
    "Text",
    "Selection",
    "Integer",
    "Float",
    "Monetary",
    "Numeric",
    "Boolean",
    "Date",
    "Datetime",
    "Binary",
    "JSON",
    "File",
    "Field",
    "Q",
    "D",
    "get_model",
    "env_ctx",
    "MissingError",
    "UserError",
    "ValidationError",
    "AccessError",
    "ConcurrencyError",
    "IntegrityError",
    "FieldNotLoadedError",
}


def test_base_exports_every_documented_name():
    assert set(base.__all__) >= EXPECTED


def _isort_key(name: str) -> tuple[int, str]:
    # ruff's RUF022 order: CONSTANTS, then Classes, then functions/variables.
    return (0 if name.isupper() and len(name) > 1 else 1 if name[0].isupper() else 2, name)


def test_base_all_is_sorted_and_resolves():
    assert base.__all__ == sorted(base.__all__, key=_isort_key)
    for name in base.__all__:
        assert getattr(base, name) is not None


def test_context_import_paths_refer_to_one_object():
    from fullfinity.engine.context import env_ctx

    assert base.env_ctx is env_ctx
