"""Text, choice, number and boolean fields."""

from __future__ import annotations

import decimal
import math
from collections.abc import Iterable, Sequence
from typing import Any

from typing_extensions import Unpack

from fullfinity.engine.fields.base import Field, FieldOptions, FieldValueError
from fullfinity.engine.fields.html import sanitize_html

__all__ = ["Boolean", "Char", "Float", "Integer", "Monetary", "Numeric", "Selection", "Text"]

BIGINT_MIN, BIGINT_MAX = -(2**63), 2**63 - 1


def _type_name(value: Any) -> str:
    return type(value).__name__


class Char(Field[str]):
    """A short string: ``VARCHAR(max_length)``, or ``TEXT`` without ``max_length``."""

    type_name = "Char"

    def __init__(self, *, max_length: int | None = None, **options: Unpack[FieldOptions]) -> None:
        super().__init__(**options)
        if max_length is not None and (not isinstance(max_length, int) or max_length < 1):
            raise TypeError(f"Char(max_length=...) must be a positive integer, got {max_length!r}")
        self.max_length = max_length
        if max_length is not None:
            self._given["max_length"] = max_length

    @classmethod
    def _type_option_names(cls) -> str:
        return ", max_length"

    def _type_options(self) -> dict[str, Any]:
        return {"max_length": self.max_length}

    @property
    def sql_type(self) -> str:  # type: ignore[override]
        return f"VARCHAR({self.max_length})" if self.max_length else "TEXT"

    def convert(self, value: Any) -> Any:
        if value is None:
            return None
        if not isinstance(value, str):
            raise FieldValueError(f"must be a string, got {_type_name(value)}")
        if self.max_length is not None and len(value) > self.max_length:
            raise FieldValueError(f"must be at most {self.max_length} characters, got {len(value)}")
        if "\x00" in value:
            raise FieldValueError("must not contain NUL characters")
        return value

    def convert_filter(self, value: Any) -> Any:
        if value is not None and not isinstance(value, str):
            raise FieldValueError(f"must be a string, got {_type_name(value)}")
        return value

    def is_empty(self, value: Any) -> bool:
        return value is None or (isinstance(value, str) and not value.strip())


class Text(Char):
    """Unlimited text: ``TEXT``. With ``html=True`` the value is HTML, sanitised on every create and
    write (``fields.html``: an allowlist of editor tags), so a client may show it as HTML."""

    type_name = "Text"

    def __init__(self, *, html: bool = False, **options: Unpack[FieldOptions]) -> None:
        super().__init__(**options)
        if not isinstance(html, bool):
            raise TypeError(f"Text(html=...) must be True or False, got {html!r}")
        self.html = html
        if html:
            self._given["html"] = html

    @classmethod
    def _type_option_names(cls) -> str:
        return ", html"

    def _type_options(self) -> dict[str, Any]:
        return {"html": self.html}

    def convert(self, value: Any) -> Any:
        value = super().convert(value)
        if self.html and value is not None:
            return sanitize_html(value)
        return value

    @property
    def sql_type(self) -> str:  # type: ignore[override]
        return "TEXT"


class Selection(Field[str]):
    """One value among ``choices`` (plain values or ``(value, label)`` pairs), stored as VARCHAR."""

    type_name = "Selection"

    def __init__(self, *, choices: Sequence[Any] | None = None, **options: Unpack[FieldOptions]) -> None:
        super().__init__(**options)
        self.choices: list[tuple[str, str]] = _normalise_choices(choices or [])
        if choices is not None:
            self._given["choices"] = self.choices

    sql_type = "VARCHAR"

    @classmethod
    def _type_option_names(cls) -> str:
        return ", choices"

    def _type_options(self) -> dict[str, Any]:
        return {"choices": list(self.choices)}

    def add_choices(self, extra: Sequence[Any]) -> None:
        known = {value for value, _ in self.choices}
        for value, label in _normalise_choices(extra):
            if value not in known:
                self.choices.append((value, label))
                known.add(value)

    @property
    def values(self) -> list[str]:
        return [value for value, _ in self.choices]

    def _allowed(self) -> frozenset[str]:
        """The choice values as a set, rebuilt only when ``choices`` changed (writes check it per value)."""
        choices = self.choices
        cached = self.__dict__.get("_allowed_cache")
        if cached is None or cached[0] is not choices or cached[1] != len(choices):
            cached = (choices, len(choices), frozenset(value for value, _ in choices))
            self.__dict__["_allowed_cache"] = cached
        return cached[2]

    def copy(self) -> Selection:
        clone = super().copy()
        clone.choices = list(self.choices)
        return clone

    def convert(self, value: Any) -> Any:
        if value is None:
            return None
        if not isinstance(value, str):
            raise FieldValueError(f"must be one of {self.values}, got {_type_name(value)} {value!r}")
        if value not in self._allowed():
            raise FieldValueError(f"must be one of {self.values}, got {value!r}")
        return value

    def convert_filter(self, value: Any) -> Any:
        # Rows may keep values whose choice was removed (module uninstalled): filter on any string.
        if value is not None and not isinstance(value, str):
            raise FieldValueError(f"must be a string, got {_type_name(value)}")
        return value


def _normalise_choices(choices: Sequence[Any]) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for choice in choices:
        if isinstance(choice, list | tuple) and len(choice) == 2:
            out.append((str(choice[0]), str(choice[1])))
        elif isinstance(choice, str):
            out.append((choice, choice))
        else:
            raise TypeError(f"Selection choices must be values or (value, label) pairs, got {choice!r}")
    return out


class Integer(Field[int]):
    """A 64-bit integer: ``BIGINT``."""

    type_name = "Integer"
    sql_type = "BIGINT"
    param_type = "bigint"

    def convert(self, value: Any) -> Any:
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            else:
                raise FieldValueError(f"must be an integer, got {_type_name(value)} {value!r}")
        if not BIGINT_MIN <= value <= BIGINT_MAX:
            raise FieldValueError(f"must fit in 64 bits, got {value}")
        return value

    def convert_filter_many(self, values: Iterable[Any]) -> list[Any]:
        items = list(values)
        if items and all(type(v) is int for v in items) and min(items) >= BIGINT_MIN and max(items) <= BIGINT_MAX:
            return items  # thousands of ids: one pass in C instead of a call per value
        return [self.convert_filter(v) for v in items]


class Float(Field[float]):
    """A binary float (``DOUBLE PRECISION``) or, with ``digits=(p, s)``, ``NUMERIC(p, s)`` read as float."""

    type_name = "Float"
    param_type = "float8"

    def __init__(self, *, digits: tuple[int, int] | None = None, **options: Unpack[FieldOptions]) -> None:
        super().__init__(**options)
        if digits is not None:
            if not (isinstance(digits, tuple | list) and len(digits) == 2 and all(isinstance(d, int) for d in digits)):
                raise TypeError(f"Float(digits=...) must be a (precision, scale) pair of integers, got {digits!r}")
            digits = (int(digits[0]), int(digits[1]))
            self._given["digits"] = digits
        self.digits = digits

    @classmethod
    def _type_option_names(cls) -> str:
        return ", digits"

    def _type_options(self) -> dict[str, Any]:
        return {"digits": self.digits}

    @property
    def sql_type(self) -> str:  # type: ignore[override]
        return f"NUMERIC({self.digits[0]}, {self.digits[1]})" if self.digits else "DOUBLE PRECISION"

    def select_sql(self, qualified_column: str) -> str:
        return f"{qualified_column}::float8" if self.digits else qualified_column

    def convert(self, value: Any) -> Any:
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float | decimal.Decimal):
            raise FieldValueError(f"must be a number, got {_type_name(value)} {value!r}")
        result = float(value)
        if not math.isfinite(result):
            raise FieldValueError(f"must be a finite number, got {value!r}")
        if self.digits:
            result = round(result, self.digits[1])
        return result


class Monetary(Field[decimal.Decimal]):
    """An exact amount of money: ``decimal.Decimal`` over ``NUMERIC``.

    Accepts ints, Decimals, numeric strings and floats (through their shortest repr);
    rounds half-up to the record currency's decimal places, or 2 without a currency.
    """

    type_name = "Monetary"
    sql_type = "NUMERIC"
    param_type = "numeric"

    def __init__(self, *, currency_field: str = "currency", **options: Unpack[FieldOptions]) -> None:
        super().__init__(**options)
        self.currency_field = currency_field

    @classmethod
    def _type_option_names(cls) -> str:
        return ", currency_field"

    def _type_options(self) -> dict[str, Any]:
        return {"currency_field": self.currency_field}

    def convert(self, value: Any, places: int = 2) -> Any:
        if value is None:
            return None
        if isinstance(value, bool):
            raise FieldValueError(f"must be an amount, got bool {value!r}")
        try:
            if isinstance(value, float):
                if not math.isfinite(value):
                    raise FieldValueError(f"must be a finite amount, got {value!r}")
                amount = decimal.Decimal(repr(value))
            elif isinstance(value, int | decimal.Decimal):
                amount = decimal.Decimal(value)
            elif isinstance(value, str):
                amount = decimal.Decimal(value.strip())
            else:
                raise FieldValueError(f"must be an amount (number or numeric string), got {_type_name(value)}")
        except decimal.InvalidOperation:
            raise FieldValueError(f"must be an amount (number or numeric string), got {value!r}") from None
        if not amount.is_finite():
            raise FieldValueError(f"must be a finite amount, got {value!r}")
        return amount.quantize(decimal.Decimal(1).scaleb(-places), rounding=decimal.ROUND_HALF_UP)


class Numeric(Field[decimal.Decimal]):
    """An exact decimal that is not money (quantities, rates, ratios): ``decimal.Decimal`` over ``NUMERIC``.

    ``digits=(precision, scale)`` maps to ``NUMERIC(p, s)`` and rounds half-up to ``scale``
    places on write; without ``digits`` the column is unconstrained ``NUMERIC`` and values are
    kept as given. Accepts ints, Decimals, numeric strings and floats (through their shortest
    repr), like ``Monetary``; it never reads as a binary float.
    """

    type_name = "Numeric"
    param_type = "numeric"

    def __init__(self, *, digits: tuple[int, int] | None = None, **options: Unpack[FieldOptions]) -> None:
        super().__init__(**options)
        if digits is not None:
            if not (
                isinstance(digits, tuple | list)
                and len(digits) == 2
                and all(isinstance(d, int) and not isinstance(d, bool) for d in digits)
                and 0 <= digits[1] <= digits[0]
                and digits[0] >= 1
            ):
                raise TypeError(
                    f"Numeric(digits=...) must be a (precision, scale) pair of integers with 0 <= scale <= "
                    f"precision, got {digits!r}"
                )
            digits = (int(digits[0]), int(digits[1]))
            self._given["digits"] = digits
        self.digits = digits
        self._step = decimal.Decimal(1).scaleb(-digits[1]) if digits else None
        self._integer_digits = digits[0] - digits[1] if digits else None

    @classmethod
    def _type_option_names(cls) -> str:
        return ", digits"

    def _type_options(self) -> dict[str, Any]:
        return {"digits": self.digits}

    @property
    def sql_type(self) -> str:  # type: ignore[override]
        return f"NUMERIC({self.digits[0]}, {self.digits[1]})" if self.digits else "NUMERIC"

    def convert(self, value: Any) -> Any:
        if value is None:
            return None
        if isinstance(value, bool):
            raise FieldValueError(f"must be a number, got bool {value!r}")
        try:
            if isinstance(value, decimal.Decimal):
                number = value
            elif isinstance(value, int):
                number = decimal.Decimal(value)
            elif isinstance(value, float):
                if not math.isfinite(value):
                    raise FieldValueError(f"must be a finite number, got {value!r}")
                number = decimal.Decimal(repr(value))
            elif isinstance(value, str):
                number = decimal.Decimal(value.strip())
            else:
                raise FieldValueError(f"must be a number (or a numeric string), got {_type_name(value)}")
        except decimal.InvalidOperation:
            raise FieldValueError(f"must be a number (or a numeric string), got {value!r}") from None
        if not number.is_finite():
            raise FieldValueError(f"must be a finite number, got {value!r}")
        if self._step is not None and self._integer_digits is not None:
            if number.adjusted() >= self._integer_digits:
                raise FieldValueError(
                    f"must have at most {self._integer_digits} digits before the decimal point, got {value!r}"
                )
            number = number.quantize(self._step, rounding=decimal.ROUND_HALF_UP)
        return number


class Boolean(Field[bool]):
    """``BOOLEAN NOT NULL DEFAULT false``: never reads as ``None``."""

    type_name = "Boolean"
    sql_type = "BOOLEAN"
    param_type = "boolean"

    def __init__(self, **options: Unpack[FieldOptions]) -> None:
        super().__init__(**options)
        if "default" not in options:
            self.default = False

    def convert(self, value: Any) -> Any:
        if value is None:
            return False
        if not isinstance(value, bool):
            raise FieldValueError(f"must be true or false, got {_type_name(value)} {value!r}")
        return value

    def empty_value(self) -> Any:
        return False

    def is_empty(self, value: Any) -> bool:
        return False
