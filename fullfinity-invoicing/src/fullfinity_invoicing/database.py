"""The invariants the database itself enforces, whatever code sends the SQL (business.md 2, 1 and 5).

Statement-level triggers (one check per statement, however many rows it touches):

- a posted entry balances: after any INSERT/UPDATE/DELETE of entries or items, every posted entry
  touched must have sum(debit) == sum(credit); items of a posted entry cannot be added, changed or
  deleted (residuals and the reconciled flag aside: reconciliation maintains them);
- posted invoices, entries and payments are immutable: an UPDATE may only change the columns that
  posting and reconciliation maintain (``POSTED_WRITABLE``); deleting them is refused; posted
  invoices' lines cannot change; a payment may only go from posted to cancelled;
- nothing is posted on or before the lock date (``configuration.invoicing_lock_date``).

Violations raise SQLSTATE 23514 (check_violation) with a message saying what and why. Installed by
the module's hooks (and refreshed at every module operation of the tenant); dropped at uninstall.
"""

from __future__ import annotations

from typing import Any

__all__ = ["POSTED_WRITABLE", "drop_invariants", "install_invariants"]

#: Columns that may change on a posted row (maintained by posting and reconciliation).
POSTED_WRITABLE: dict[str, tuple[str, ...]] = {
    "invoice": ("amount_residual", "payment_state", "updated_date", "write_uid"),
    "journal_entry": ("updated_date", "write_uid"),
    "journal_item": ("amount_residual", "amount_residual_currency", "reconciled", "updated_date", "write_uid"),
    "payment": ("state", "updated_date", "write_uid"),
}

_RAISE = "RAISE EXCEPTION USING ERRCODE = 'check_violation', MESSAGE = "


def _immutable(table: str, label: str, extra: str = "") -> str:
    allowed = ", ".join(f"'{c}'" for c in POSTED_WRITABLE[table])
    return f"""
CREATE OR REPLACE FUNCTION invoicing_{table}_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE bad record;
BEGIN
    SELECT o.id INTO bad FROM old_rows o JOIN new_rows n ON n.id = o.id
     WHERE o.state IN ('posted'{", 'cancelled'" if table == "payment" else ""})
       AND ((to_jsonb(o) - ARRAY[{allowed}]) IS DISTINCT FROM (to_jsonb(n) - ARRAY[{allowed}]){extra})
     LIMIT 1;
    IF FOUND THEN
        {_RAISE} format('{label} %s is posted (or cancelled): it cannot be changed. Corrections are new documents.', bad.id);
    END IF;
    RETURN NULL;
END $$;
DROP TRIGGER IF EXISTS invoicing_{table}_immutable ON "{table}";
CREATE TRIGGER invoicing_{table}_immutable AFTER UPDATE ON "{table}"
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION invoicing_{table}_immutable();
CREATE OR REPLACE FUNCTION invoicing_{table}_undeletable() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE bad record;
BEGIN
    SELECT o.id INTO bad FROM old_rows o WHERE o.state IN ('posted'{", 'cancelled'" if table == "payment" else ""}) LIMIT 1;
    IF FOUND THEN
        {_RAISE} format('{label} %s is posted: it cannot be deleted.', bad.id);
    END IF;
    RETURN NULL;
END $$;
DROP TRIGGER IF EXISTS invoicing_{table}_undeletable ON "{table}";
CREATE TRIGGER invoicing_{table}_undeletable AFTER DELETE ON "{table}"
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION invoicing_{table}_undeletable();
"""


_BALANCE_CHECK = f"""
CREATE OR REPLACE FUNCTION invoicing_check_entries(ids bigint[]) RETURNS void LANGUAGE plpgsql AS $$
DECLARE bad record; lock_date date;
BEGIN
    SELECT e.id, e.number, coalesce(sum(i.debit), 0) AS debit, coalesce(sum(i.credit), 0) AS credit INTO bad
      FROM journal_entry e LEFT JOIN journal_item i ON i.entry_id = e.id
     WHERE e.id = ANY(ids) AND e.state = 'posted'
     GROUP BY e.id HAVING coalesce(sum(i.debit), 0) <> coalesce(sum(i.credit), 0) LIMIT 1;
    IF FOUND THEN
        {_RAISE} format('Journal entry %s (id %s) does not balance: debits %s, credits %s. A posted entry must balance.',
                        coalesce(bad.number, '-'), bad.id, bad.debit, bad.credit);
    END IF;
END $$;
CREATE OR REPLACE FUNCTION invoicing_entries_checked() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE bad record; lock_date date;
BEGIN
    PERFORM invoicing_check_entries(ARRAY(SELECT id FROM new_rows WHERE state = 'posted'));
    SELECT max(invoicing_lock_date) INTO lock_date FROM configuration;
    IF lock_date IS NOT NULL THEN
        IF TG_OP = 'INSERT' THEN
            SELECT n.id, n.date INTO bad FROM new_rows n WHERE n.state = 'posted' AND n.date <= lock_date LIMIT 1;
        ELSE
            SELECT n.id, n.date INTO bad FROM new_rows n JOIN old_rows o ON o.id = n.id
             WHERE n.state = 'posted' AND o.state <> 'posted' AND n.date <= lock_date LIMIT 1;
        END IF;
        IF FOUND THEN
            {_RAISE} format('Journal entry %s is dated %s, on or before the lock date %s: nothing can be posted there.',
                            bad.id, bad.date, lock_date);
        END IF;
    END IF;
    RETURN NULL;
END $$;
DROP TRIGGER IF EXISTS invoicing_entries_inserted ON journal_entry;
CREATE TRIGGER invoicing_entries_inserted AFTER INSERT ON journal_entry
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION invoicing_entries_checked();
DROP TRIGGER IF EXISTS invoicing_entries_updated ON journal_entry;
CREATE TRIGGER invoicing_entries_updated AFTER UPDATE ON journal_entry
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION invoicing_entries_checked();

CREATE OR REPLACE FUNCTION invoicing_items_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE bad record;
BEGIN
    SELECT e.id, e.number INTO bad FROM journal_entry e
     WHERE e.id IN (SELECT entry_id FROM new_rows) AND e.state = 'posted' LIMIT 1;
    IF FOUND THEN
        {_RAISE} format('Journal entry %s (id %s) is posted: no item can be added to it.', coalesce(bad.number, '-'), bad.id);
    END IF;
    RETURN NULL;
END $$;
DROP TRIGGER IF EXISTS invoicing_items_inserted ON journal_item;
CREATE TRIGGER invoicing_items_inserted AFTER INSERT ON journal_item
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION invoicing_items_inserted();

CREATE OR REPLACE FUNCTION invoicing_items_updated() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE bad record; allowed text[] := ARRAY[{", ".join(f"'{c}'" for c in POSTED_WRITABLE["journal_item"])}];
BEGIN
    SELECT o.id INTO bad FROM old_rows o JOIN new_rows n ON n.id = o.id JOIN journal_entry e ON e.id = o.entry_id
     WHERE (e.state = 'posted' OR o.parent_state = 'posted')
       AND (to_jsonb(o) - allowed) IS DISTINCT FROM (to_jsonb(n) - allowed) LIMIT 1;
    IF FOUND THEN
        {_RAISE} format('Journal item %s belongs to a posted entry: it cannot be changed.', bad.id);
    END IF;
    PERFORM invoicing_check_entries(ARRAY(SELECT entry_id FROM new_rows UNION SELECT entry_id FROM old_rows));
    RETURN NULL;
END $$;
DROP TRIGGER IF EXISTS invoicing_items_updated ON journal_item;
CREATE TRIGGER invoicing_items_updated AFTER UPDATE ON journal_item
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION invoicing_items_updated();

CREATE OR REPLACE FUNCTION invoicing_items_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE bad record;
BEGIN
    SELECT o.id INTO bad FROM old_rows o JOIN journal_entry e ON e.id = o.entry_id WHERE e.state = 'posted' LIMIT 1;
    IF FOUND THEN
        {_RAISE} format('Journal item %s belongs to a posted entry: it cannot be deleted.', bad.id);
    END IF;
    RETURN NULL;
END $$;
DROP TRIGGER IF EXISTS invoicing_items_deleted ON journal_item;
CREATE TRIGGER invoicing_items_deleted AFTER DELETE ON journal_item
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION invoicing_items_deleted();
"""


def _frozen_lines(op: str, rows: str) -> str:
    return f"""
CREATE OR REPLACE FUNCTION invoicing_lines_{op.lower()}() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE bad record;
BEGIN
    SELECT i.id, i.number INTO bad FROM invoice i
     WHERE i.id IN ({rows}) AND i.state = 'posted' LIMIT 1;
    IF FOUND THEN
        {_RAISE} format('Invoice %s is posted: its lines cannot be added, changed or deleted.', bad.number);
    END IF;
    RETURN NULL;
END $$;
DROP TRIGGER IF EXISTS invoicing_lines_{op.lower()} ON invoice_line;
CREATE TRIGGER invoicing_lines_{op.lower()} AFTER {op} ON invoice_line
    REFERENCING {
        "NEW TABLE AS new_rows"
        if op == "INSERT"
        else "OLD TABLE AS old_rows"
        if op == "DELETE"
        else "OLD TABLE AS old_rows NEW TABLE AS new_rows"
    } FOR EACH STATEMENT
    EXECUTE FUNCTION invoicing_lines_{op.lower()}();
"""


SCRIPT = (
    _BALANCE_CHECK
    + _immutable("invoice", "Invoice")
    + _immutable("journal_entry", "Journal entry")
    + _immutable("payment", "Payment", " OR n.state NOT IN ('posted', 'cancelled') OR o.state = 'cancelled'")
    + _frozen_lines("INSERT", "SELECT invoice_id FROM new_rows")
    + _frozen_lines("UPDATE", "SELECT invoice_id FROM new_rows UNION SELECT invoice_id FROM old_rows")
    + _frozen_lines("DELETE", "SELECT invoice_id FROM old_rows")
)

_FUNCTIONS = (
    "invoicing_check_entries(bigint[])", "invoicing_entries_checked()", "invoicing_items_inserted()",
    "invoicing_items_updated()", "invoicing_items_deleted()", "invoicing_invoice_immutable()",
    "invoicing_invoice_undeletable()", "invoicing_journal_entry_immutable()", "invoicing_journal_entry_undeletable()",
    "invoicing_payment_immutable()", "invoicing_payment_undeletable()", "invoicing_lines_insert()",
    "invoicing_lines_update()", "invoicing_lines_delete()",
)  # fmt: skip


async def install_invariants(env: Any) -> None:
    """(Re)create the functions and triggers (idempotent)."""
    await env.execute(SCRIPT)


async def drop_invariants(env: Any) -> None:
    """Drop them (their triggers go with them): the module is uninstalled."""
    await env.execute("".join(f"DROP FUNCTION IF EXISTS {name} CASCADE;" for name in _FUNCTIONS))
