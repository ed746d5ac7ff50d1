"""Errors of the inventory module.

::

    FullfinityError (fullfinity.exceptions)
    └── UserError
        └── StockError (inventory)                 a stock operation refused: what, where, what to do
            ├── NotEnoughStock                      a location would go below zero (not allow_negative)
            ├── SerialNumberError                   a serial number would hold more than one unit
            └── WrongState                          an action started from a state it does not accept

Each message names the record (transfer number, product, location, lot) and the rule, and says what
to do; the API answers them with 400/422 like every ``UserError``, never a 500.
"""

from __future__ import annotations

from fullfinity.engine.base import UserError

__all__ = ["NotEnoughStock", "SerialNumberError", "StockError", "WrongState"]


class StockError(UserError):
    """A stock operation refused by a rule of the ledger."""


class NotEnoughStock(StockError):
    """The operation would leave an internal location with a negative quantity."""


class SerialNumberError(StockError):
    """A serial number would hold more than one unit in internal locations, or a line moves more than one."""


class WrongState(StockError):
    """An ``action_*`` was called on a record whose state does not allow it."""
