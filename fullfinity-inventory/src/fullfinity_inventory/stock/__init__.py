"""The stock ledger: every operation that changes quants, reservations or valuation.

- ``operations``: confirm, reserve (``reservation``), unreserve, validate (``backorders``), cancel of transfers;
- ``ledger``: the one place quants change (one upsert of the quants in key order, then the checks);
- ``valuation``: layers of valued moves (standard, average, FIFO);
- ``returns``, ``adjustments``, ``scrap``, ``replenishment``: the other documents;
- ``quantities``: on hand / reserved / forecast of many products in one query;
- ``consistency``: recomputes every quant and reservation from the move history (the tests' check);
- ``database``: what the database itself enforces (unique quants, immutable done moves);
- ``retry``: deadlocks and serialization failures retried inside the operation.
"""
