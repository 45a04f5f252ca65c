"""A loan's life: which action moves a loan from which status to which (DESIGN §4, rule 11).

The one table that the money code (tracker.money.journal, which changes the status under the fund's
lock), the model (Loan refuses any other change of its status), the loan page's forms and its
buttons all read. Plain data, no database.
"""

from __future__ import annotations

from typing import NamedTuple

from tracker.i18n import lazy_gettext as _l


class Step(NamedTuple):
    permission: str | None  # who may take it (tracker.web.access); None: it follows from the money
    from_statuses: frozenset[str]
    to_status: str | None  # None: the status stays
    refusal: object  # why it is refused from any other status (lazy, translated when shown)


STEPS: dict[str, Step] = {
    "approve": Step(
        "decide_loans",
        frozenset({"requested"}),
        "approved",
        _l("Only an application waiting for a decision can be approved."),
    ),
    "reject": Step(
        "decide_loans",
        frozenset({"requested"}),
        "rejected",
        _l("Only an application waiting for a decision can be rejected."),
    ),
    "disburse": Step(
        "post_money", frozenset({"approved"}), "active", _l("Only an approved loan can be disbursed.")
    ),
    "repay": Step(
        "post_money", frozenset({"active"}), None, _l("This loan has nothing outstanding to collect.")
    ),
    # the repayment that brings the balance to zero
    "settle": Step(
        None, frozenset({"active"}), "repaid", _l("This loan has nothing outstanding to collect.")
    ),
    "reverse_repayment": Step(
        "post_money",
        frozenset({"active", "repaid"}),
        "active",
        _l("The loan has been written off; this repayment can no longer be reversed."),
    ),
    "reverse_disbursement": Step(
        "post_money",
        frozenset({"active"}),
        "approved",
        _l("Only the disbursement of an active loan can be reversed."),
    ),
    "reschedule": Step(
        "change_loan_terms",
        frozenset({"active"}),
        None,
        _l("Only the schedule of an active loan can be changed."),
    ),
    "pause": Step(
        "change_loan_terms",
        frozenset({"active"}),
        None,
        _l("Only the collection of an active loan can be paused."),
    ),
    "write_off": Step(
        "write_off", frozenset({"active"}), "written_off", _l("Only an active loan can be written off.")
    ),
    # the family repays after the write-off: money back (Thu hồi nợ đã xóa), the loan stays written off
    "recover": Step(
        "post_money",
        frozenset({"written_off"}),
        None,
        _l("Money back after a write-off can only be recorded on a written-off loan."),
    ),
    "reverse_recovery": Step(
        "post_money",
        frozenset({"written_off"}),
        None,
        _l("The write-off was taken back; reverse this receipt after writing the loan off again."),
    ),
    # the committee takes its write-off back (the family came forward) while the period is open
    "reverse_write_off": Step(
        "write_off",
        frozenset({"written_off"}),
        "active",
        _l("Only a written-off loan can have its write-off reversed."),
    ),
}


def allows(action: str, status: str) -> bool:
    return status in STEPS[action].from_statuses


def may_move(from_status: str, to_status: str) -> bool:
    """Whether some step of the table takes a loan from one status to the other (or leaves it)."""
    return from_status == to_status or any(
        step.to_status == to_status and from_status in step.from_statuses for step in STEPS.values()
    )
