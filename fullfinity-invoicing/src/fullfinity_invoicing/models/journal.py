"""Journals, and the gapless number sequences of their documents (business.md 2, invariant 4)."""

from __future__ import annotations

from fullfinity.engine.base import Boolean, Char, Date, Integer, ManyToOne, Model, Selection

JOURNAL_TYPES = [
    ("sale", "Sales"),
    ("purchase", "Purchases"),
    ("bank", "Bank"),
    ("cash", "Cash"),
    ("general", "Miscellaneous"),
]


class Journal(Model):
    _order = "sequence ASC, code ASC"

    name = Char(max_length=120, required=True)
    code = Char(max_length=8, required=True, unique=True, hint="Short code; numbers read CODE/2026/0001.")
    journal_type = Selection(choices=JOURNAL_TYPES, required=True, description="Type")
    default_account = ManyToOne(
        "Account",
        on_delete="RESTRICT",
        hint="Bank and cash journals: the account of the money. Sales and purchases: the default "
        "income or expense account.",
    )
    sequence = Integer(default=10)
    active = Boolean(default=True)


class JournalSequence(Model):
    """The next number of one sequence: (journal, prefix, year). Rows are locked while numbers are
    taken, so concurrent postings queue here and get consecutive numbers (see ``_numbering``)."""

    _verbose_name = "Journal Sequence"
    _order = "journal ASC, prefix ASC, year DESC"
    _unique_together = [("journal", "prefix", "year")]

    journal = ManyToOne("Journal", required=True, on_delete="CASCADE")
    prefix = Char(max_length=16, required=True)
    year = Integer(required=True)
    next_number = Integer(required=True, default=1, readonly=True)
    last_date = Date(readonly=True, hint="Date of the last numbered document: the next one cannot be earlier.")
