"""The invariants the database itself enforces, whatever code sends the SQL (business.md 2, 1 and 5).

Triggers, cheap on the paths that are allowed (row guards decide in their WHEN clause, evaluated in
C; checks over a whole statement run once per statement, however many rows it touches):

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

#: model -> (table, label, the states after which a row is frozen)
GUARDED = {
    "Invoice": ("invoice", "Invoice", ("posted",)),
    "JournalEntry": ("journal_entry", "Journal entry", ("posted",)),
    "Payment": ("payment", "Payment", ("posted", "cancelled")),
}


def _columns(env: Any, model: str, table: str) -> list[str]:
    """Every column of ``model`` (its composed fields, extensions included) a posted row keeps."""
    cls = env.registry.get(model)
    names = ["id", "created_date", "create_uid"] + [f.column for f in cls._stored if f.column and not f.automatic]
    return [c for c in dict.fromkeys(names) if c not in POSTED_WRITABLE[table]]


def _row(prefix: str, columns: list[str]) -> str:
    return "ROW(" + ", ".join(f'{prefix}."{c}"' for c in columns) + ")"


def _frozen(env: Any, model: str) -> str:
    """A row-level guard whose WHEN clause (evaluated in C, no function call for allowed writes)
    catches any change of a frozen row outside the writable columns."""
    table, label, states = GUARDED[model]
    columns = _columns(env, model, table)
    frozen = ", ".join(f"'{s}'" for s in states)
    extra = ""
    if model == "Payment":  # posted -> cancelled is the one state change (Payment.action_cancel)
        extra = (
            " OR (OLD.state = 'posted' AND NEW.state NOT IN ('posted', 'cancelled'))"
            " OR (OLD.state = 'cancelled' AND NEW.state <> 'cancelled')"
        )
    return f"""
CREATE OR REPLACE FUNCTION invoicing_{table}_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        {_RAISE} format('{label} %s is %s: it cannot be deleted. Posted documents stay in the books.',
                        OLD.id, OLD.state);
    END IF;
    {_RAISE} format('{label} %s is %s: it cannot be changed. Corrections are new documents (credit notes, reversals).',
                    OLD.id, OLD.state);
END $$;
DROP TRIGGER IF EXISTS invoicing_{table}_frozen ON "{table}";
CREATE TRIGGER invoicing_{table}_frozen BEFORE UPDATE ON "{table}" FOR EACH ROW
    WHEN (OLD.state IN ({frozen}) AND ({_row("OLD", columns)} IS DISTINCT FROM {_row("NEW", columns)}{extra}))
    EXECUTE FUNCTION invoicing_{table}_frozen();
DROP TRIGGER IF EXISTS invoicing_{table}_undeletable ON "{table}";
CREATE TRIGGER invoicing_{table}_undeletable BEFORE DELETE ON "{table}" FOR EACH ROW
    WHEN (OLD.state IN ({"'posted'" if model != "Payment" else frozen})) EXECUTE FUNCTION invoicing_{table}_frozen();
"""


def _items(env: Any) -> str:
    columns = _columns(env, "JournalItem", "journal_item")
    return f"""
CREATE OR REPLACE FUNCTION invoicing_items_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE target text;
BEGIN
    IF TG_OP = 'DELETE' THEN
        {_RAISE} format('Journal item %s belongs to a posted entry: it cannot be deleted.', OLD.id);
    END IF;
    IF OLD.parent_state = 'posted' THEN
        {_RAISE} format('Journal item %s belongs to a posted entry: it cannot be changed.', OLD.id);
    END IF;
    SELECT state INTO target FROM journal_entry WHERE id = NEW.entry_id;
    IF target = 'posted' THEN
        {_RAISE} format('Journal entry %s is posted: no item can be moved into it.', NEW.entry_id);
    END IF;
    RETURN NEW;
END $$;
DROP TRIGGER IF EXISTS invoicing_items_frozen ON journal_item;
CREATE TRIGGER invoicing_items_frozen BEFORE UPDATE ON journal_item FOR EACH ROW
    WHEN ((OLD.parent_state = 'posted' AND {_row("OLD", columns)} IS DISTINCT FROM {_row("NEW", columns)})
          OR OLD.entry_id IS DISTINCT FROM NEW.entry_id)
    EXECUTE FUNCTION invoicing_items_frozen();
DROP TRIGGER IF EXISTS invoicing_items_undeletable ON journal_item;
CREATE TRIGGER invoicing_items_undeletable BEFORE DELETE ON journal_item FOR EACH ROW
    WHEN (OLD.parent_state = 'posted') EXECUTE FUNCTION invoicing_items_frozen();
CREATE OR REPLACE FUNCTION invoicing_items_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE bad record;
BEGIN
    SELECT e.id, e.number INTO bad FROM journal_entry e
     WHERE e.id IN (SELECT entry_id FROM new_rows) AND e.state = 'posted' LIMIT 1;
    IF FOUND THEN
        {_RAISE} format('Journal entry %s (id %s) is posted: no item can be added to it.',
                        coalesce(bad.number, '-'), bad.id);
    END IF;
    RETURN NULL;
END $$;
DROP TRIGGER IF EXISTS invoicing_items_inserted ON journal_item;
CREATE TRIGGER invoicing_items_inserted AFTER INSERT ON journal_item
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION invoicing_items_inserted();
"""


_ENTRIES = f"""
CREATE OR REPLACE FUNCTION invoicing_entries_checked() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE bad record; lock_date date; posted bigint[]; unflagged bigint;
BEGIN
    IF TG_OP = 'INSERT' THEN
        posted := ARRAY(SELECT id FROM new_rows WHERE state = 'posted');
    ELSE
        posted := ARRAY(SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id
                         WHERE n.state = 'posted' AND o.state <> 'posted');
    END IF;
    IF cardinality(posted) = 0 THEN
        RETURN NULL;
    END IF;
    SELECT e.id, e.number, coalesce(sum(i.debit), 0) AS debit, coalesce(sum(i.credit), 0) AS credit,
           coalesce(bool_and(i.parent_state = 'posted'), true) AS flagged INTO bad
      FROM journal_entry e LEFT JOIN journal_item i ON i.entry_id = e.id
     WHERE e.id = ANY(posted)
     GROUP BY e.id
    HAVING coalesce(sum(i.debit), 0) <> coalesce(sum(i.credit), 0)
        OR NOT coalesce(bool_and(i.parent_state = 'posted'), true)
     LIMIT 1;
    IF FOUND AND bad.debit <> bad.credit THEN
        {_RAISE} format('Journal entry %s (id %s) does not balance: debits %s, credits %s. '
                        'A posted entry must balance.',
                        coalesce(bad.number, '-'), bad.id, bad.debit, bad.credit);
    END IF;
    unflagged := CASE WHEN FOUND THEN bad.id END;
    SELECT max(invoicing_lock_date) INTO lock_date FROM configuration;
    IF lock_date IS NOT NULL THEN
        SELECT e.id, e.date INTO bad FROM journal_entry e WHERE e.id = ANY(posted) AND e.date <= lock_date LIMIT 1;
        IF FOUND THEN
            {_RAISE} format('Journal entry %s is dated %s, on or before the lock date %s: nothing can be posted there.',
                            bad.id, bad.date, lock_date);
        END IF;
    END IF;
    IF unflagged IS NOT NULL THEN
        {_RAISE} format('Journal entry %s: its items are not marked posted (parent_state); mark them in the same '
                        'transaction, before posting the entry.', unflagged);
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
"""


_LINES = f"""
CREATE OR REPLACE FUNCTION invoicing_lines_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE bad record;
BEGIN
    SELECT i.id, i.number INTO bad FROM invoice i
     WHERE i.id IN (SELECT invoice_id FROM changed_rows) AND i.state = 'posted' LIMIT 1;
    IF FOUND THEN
        {_RAISE} format('Invoice %s is posted: its lines cannot be added, changed or deleted.', bad.number);
    END IF;
    RETURN NULL;
END $$;
DROP TRIGGER IF EXISTS invoicing_lines_insert ON invoice_line;
CREATE TRIGGER invoicing_lines_insert AFTER INSERT ON invoice_line
    REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION invoicing_lines_frozen();
DROP TRIGGER IF EXISTS invoicing_lines_update_new ON invoice_line;
CREATE TRIGGER invoicing_lines_update_new AFTER UPDATE ON invoice_line
    REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION invoicing_lines_frozen();
DROP TRIGGER IF EXISTS invoicing_lines_update_old ON invoice_line;
CREATE TRIGGER invoicing_lines_update_old AFTER UPDATE ON invoice_line
    REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION invoicing_lines_frozen();
DROP TRIGGER IF EXISTS invoicing_lines_delete ON invoice_line;
CREATE TRIGGER invoicing_lines_delete AFTER DELETE ON invoice_line
    REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION invoicing_lines_frozen();
"""

_FUNCTIONS = (
    "invoicing_entries_checked()", "invoicing_items_inserted()", "invoicing_items_frozen()",
    "invoicing_invoice_frozen()", "invoicing_journal_entry_frozen()", "invoicing_payment_frozen()",
    "invoicing_lines_frozen()",
)  # fmt: skip


#: Pages keep free space so that posting and reconciliation, which rewrite non-indexed columns
#: (state, parent_state, residuals) of rows just written, update them in place (HOT updates).
_FILLFACTOR = "".join(f"ALTER TABLE {t} SET (fillfactor = 80);" for t in ("journal_item", "journal_entry", "invoice"))


def script(env: Any) -> str:
    """The DDL for the tenant's composed models (extensions' columns are frozen too)."""
    return _FILLFACTOR + _ENTRIES + _items(env) + _LINES + "".join(_frozen(env, m) for m in GUARDED)


async def install_invariants(env: Any) -> None:
    """(Re)create the functions and triggers (idempotent; after every module operation)."""
    await env.execute(script(env))


async def drop_invariants(env: Any) -> None:
    """Drop them (their triggers go with them): the module is uninstalled."""
    await env.execute("".join(f"DROP FUNCTION IF EXISTS {name} CASCADE;" for name in _FUNCTIONS))
