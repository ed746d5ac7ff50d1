"""Fullfinity inventory (module ``inventory``): warehouses, locations, transfers, lots, quants, valuation.

Models are in ``models/``; everything that changes stock is in ``stock/`` (the ledger: reservation
under row locks, validation in one transaction, valuation layers), and the check that recomputes the
stock from the move history is :func:`fullfinity_inventory.stock.consistency.problems`. What a user
can do is described in docs/inventory.md; the contract is business.md section 3.
"""

from fullfinity_inventory.stock.consistency import problems
from fullfinity_inventory.stock.quantities import quantities

__all__ = ["problems", "quantities"]
