"""What the database enforces itself, whatever code sends the SQL (business.md 3, invariants 1, 2, 6).

- one quant per (product, location, lot): a unique index on (product_id, location_id, coalesce(lot_id, 0));
- room left in the pages of quants, moves and move lines (``fillfactor``), so that the ledger's updates (quantities,
  reservations, states: no indexed column changes) are done in place by PostgreSQL (HOT updates);
- a done move or move line cannot change or be deleted (corrections are returns and adjustments);
- a done move line goes from one location to another one.

Violations raise SQLSTATE 23514 (check_violation) with a message saying what and why.
"""

from __future__ import annotations

from typing import Any

__all__ = ["drop_invariants", "install_invariants"]

_RAISE = "RAISE EXCEPTION USING ERRCODE = 'check_violation', MESSAGE = "

_SQL = f"""
ALTER TABLE quant SET (fillfactor = 70);
ALTER TABLE stock_move SET (fillfactor = 80);
ALTER TABLE stock_move_line SET (fillfactor = 80);
CREATE UNIQUE INDEX IF NOT EXISTS quant_key_unique ON quant (product_id, location_id, (coalesce(lot_id, 0)));
CREATE OR REPLACE FUNCTION inventory_done_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        {_RAISE} format('%s %s is done: it cannot be deleted. Return it or adjust the inventory instead.',
                        TG_ARGV[0], OLD.id);
    END IF;
    {_RAISE} format('%s %s is done: it cannot be changed. Return it or adjust the inventory instead.',
                    TG_ARGV[0], OLD.id);
END $$;
DROP TRIGGER IF EXISTS inventory_move_frozen ON stock_move;
CREATE TRIGGER inventory_move_frozen BEFORE UPDATE ON stock_move FOR EACH ROW
    WHEN (OLD.state = 'done' AND ROW(OLD.product_id, OLD.quantity, OLD.demand, OLD.source_id, OLD.destination_id,
          OLD.state, OLD.unit_cost, OLD.transfer_id) IS DISTINCT FROM ROW(NEW.product_id, NEW.quantity, NEW.demand,
          NEW.source_id, NEW.destination_id, NEW.state, NEW.unit_cost, NEW.transfer_id))
    EXECUTE FUNCTION inventory_done_frozen('Stock move');
DROP TRIGGER IF EXISTS inventory_move_undeletable ON stock_move;
CREATE TRIGGER inventory_move_undeletable BEFORE DELETE ON stock_move FOR EACH ROW
    WHEN (OLD.state = 'done') EXECUTE FUNCTION inventory_done_frozen('Stock move');
DROP TRIGGER IF EXISTS inventory_line_frozen ON stock_move_line;
CREATE TRIGGER inventory_line_frozen BEFORE UPDATE ON stock_move_line FOR EACH ROW
    WHEN (OLD.state = 'done' AND ROW(OLD.product_id, OLD.lot_id, OLD.quantity, OLD.source_id, OLD.destination_id,
          OLD.state, OLD.move_id) IS DISTINCT FROM ROW(NEW.product_id, NEW.lot_id, NEW.quantity, NEW.source_id,
          NEW.destination_id, NEW.state, NEW.move_id))
    EXECUTE FUNCTION inventory_done_frozen('Move line');
DROP TRIGGER IF EXISTS inventory_line_undeletable ON stock_move_line;
CREATE TRIGGER inventory_line_undeletable BEFORE DELETE ON stock_move_line FOR EACH ROW
    WHEN (OLD.state = 'done') EXECUTE FUNCTION inventory_done_frozen('Move line');
ALTER TABLE stock_move_line DROP CONSTRAINT IF EXISTS inventory_line_moves_somewhere;
ALTER TABLE stock_move_line ADD CONSTRAINT inventory_line_moves_somewhere
    CHECK (state <> 'done' OR source_id IS DISTINCT FROM destination_id);
"""

_DROP = """
DROP TRIGGER IF EXISTS inventory_move_frozen ON stock_move;
DROP TRIGGER IF EXISTS inventory_move_undeletable ON stock_move;
DROP TRIGGER IF EXISTS inventory_line_frozen ON stock_move_line;
DROP TRIGGER IF EXISTS inventory_line_undeletable ON stock_move_line;
ALTER TABLE stock_move_line DROP CONSTRAINT IF EXISTS inventory_line_moves_somewhere;
DROP FUNCTION IF EXISTS inventory_done_frozen();
DROP INDEX IF EXISTS quant_key_unique;
"""


async def install_invariants(env: Any) -> None:
    await env.execute(_SQL)


async def drop_invariants(env: Any) -> None:
    if await env.fetchval("SELECT to_regclass('stock_move_line') IS NOT NULL"):
        await env.execute(_DROP)
