"""Loans: application, decision, disbursement, repayments, reversals and write-off.

Every money change goes through tracker.money.journal, which checks the rules under the fund's lock;
these views only validate input, call it, commit once and respond.
"""

from tracker.blueprints.loans import papers, terms  # noqa: F401  (their views join the blueprint)
from tracker.blueprints.loans.routes import bp

__all__ = ["bp"]
