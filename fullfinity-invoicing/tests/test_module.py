"""The invoicing module passes the generic module checks (installs with its demo data, access rights,
actions and menus, idempotent upgrade, uninstall without orphans)."""

from fullfinity.testing import ModuleChecks


class TestInvoicingModule(ModuleChecks):
    module = "invoicing"
    # JournalSequence rows are written by posting only (elevated SQL); accountants may read them.
