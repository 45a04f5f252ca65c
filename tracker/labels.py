"""The words for every stored code (a role, a status, a kind, a method), in one place: a code reads
the same on every screen, paper and export. Lazy strings, translated when shown."""

from __future__ import annotations

from tracker.i18n import lazy_gettext as _l

ROLES = {
    "chair": _l("Chair"),
    "treasurer": _l("Treasurer"),
    "member": _l("Member"),
    "viewer": _l("Viewer"),
    "regional": _l("Province steering committee"),
}
LOAN_STATUSES = {
    "requested": _l("Waiting for decision"),
    "approved": _l("Approved"),
    "rejected": _l("Rejected"),
    "active": _l("Being repaid"),
    "repaid": _l("Fully repaid"),
    "written_off": _l("Written off"),
}
PERSON_STATUSES = {
    "supported": _l("Being supported"),
    "settled": _l("Settled"),
    "paused": _l("Support paused"),
    "moved": _l("Moved away"),
    "deceased": _l("Deceased"),
}
PAYMENT_METHODS = {"cash": _l("Cash"), "bank": _l("Bank transfer")}
# The fund's two money accounts (balances.MONEY_ACCOUNTS): where a payment's money is or goes.
MONEY_ACCOUNTS = {"cash": _l("Cash"), "bank": _l("Bank deposit")}
MONEY_BOOKS = {
    "cash": _l("Cash-in-hand book"),
    "bank": _l("Bank deposit book"),
    "all": _l("Cash and bank book"),
}
TRANSFER_KINDS = {
    "deposit": _l("Cash paid into the bank"),
    "withdrawal": _l("Money drawn from the bank into cash"),
}
HANDOVER_STATUSES = {
    "pending": _l("Waiting to be accepted"),
    "accepted": _l("Accepted"),
    "cancelled": _l("Withdrawn or declined"),
}
DONOR_KINDS = {
    "business": _l("Business"),
    "individual": _l("Benefactor"),
    "organisation": _l("Organisation"),
}
# How a letter addresses an individual donor (Donor.title stores the Vietnamese word).
DONOR_TITLES = {"Ông": _l("Mr"), "Bà": _l("Ms")}
# Who a commendation is for (Commendation.recipient).
COMMENDATION_RECIPIENTS = {
    "member": _l("Team member"),
    "donor": _l("Donor"),
    "person": _l("Person helped"),
}
GENDERS = {"male": _l("Male"), "female": _l("Female"), "other": _l("Other")}
CERTIFICATES = {
    "sentence_completed": _l("Certificate of sentence completion"),
    "amnesty": _l("Certificate of amnesty"),
}
VISIT_KINDS = {
    "home": _l("At home"),
    "phone": _l("By phone"),
    "workplace": _l("At the workplace"),
    "meeting": _l("At a meeting"),
}
# What the current user saw of a person's data, by the action kept in person_access.
ACCESSES = {
    "view": _l("Opened the file"),
    "export": _l("Exported the data"),
    "loan": _l("Opened a loan's page"),
    "voucher": _l("Opened a receipt or voucher"),
    "paper": _l("Opened a loan's paper"),
    "paper_file": _l("Downloaded a loan's paper as a Word file"),
    "visit_form": _l("Opened the visit form"),
    "report": _l("Named in the report of outstanding loans"),
    "report_export": _l("Named in an exported report of outstanding loans"),
    "donor_letter": _l("Named in a donor's thank-you letter"),
}
# The kind of each row of the cash book (reports.cashbook), as its export names it.
CASHBOOK_KINDS = {
    "opening": _l("Opening balance"),
    "donation": _l("Donation received"),
    "disbursement": _l("Loan disbursed"),
    "repayment": _l("Repayment received"),
    "donation_reversal": _l("Reversal of a donation"),
    "disbursement_reversal": _l("Reversal of a disbursement"),
    "repayment_reversal": _l("Reversal of a repayment"),
    "recovery": _l("Money back after a write-off"),
    "recovery_reversal": _l("Reversal of money back after a write-off"),
    "transfer": _l("Move between cash and the bank"),
    "transfer_reversal": _l("Reversal of a move between cash and the bank"),
    "grant": _l("Grant paid"),
    "grant_reversal": _l("Reversal of a grant"),
    "expense": _l("Running cost paid"),
    "expense_reversal": _l("Reversal of a running cost"),
    "closing": _l("Closing balance"),
}
# Money that is not a loan: a grant (hỗ trợ không hoàn lại) or a running cost (chi hoạt động).
SPENDING_CATEGORIES = {"grant": _l("Grant"), "expense": _l("Running cost")}
SPENDING_KINDS = {
    "tet_gift": _l("Tết gift"),
    "emergency": _l("Emergency help"),
    "school_fees": _l("School fees for a child"),
    "other_grant": _l("Other help"),
    "meeting": _l("Meeting costs"),
    "stationery": _l("Stationery and printing"),
    "bank_fee": _l("Bank fees"),
    "other_expense": _l("Other running costs"),
}
SPENDING_STATUSES = {
    "proposed": _l("Waiting for decision"),
    "approved": _l("Approved, not yet paid"),
    "rejected": _l("Rejected"),
    "paid": _l("Paid out"),
}
REFERRAL_KINDS = {
    "job": _l("Job placement"),
    "vocational_training": _l("Vocational training"),
    "social_policy_loan": _l("Loan from the Social Policy Bank"),
    "identity_papers": _l("Identity papers"),
}
REFERRAL_OUTCOMES = {
    "pending": _l("Waiting for an answer"),
    "succeeded": _l("Succeeded"),
    "not_succeeded": _l("Did not succeed"),
}
# The review's export (queries.review.figure_rows): its sections and the items of each, in the
# words of the printed review.
REVIEW_SECTIONS = {
    "money": _l("1. Money"),
    "raised_by_donor": _l("1. Money"),
    "people": _l("2. People helped"),
    "people_by_status": _l("2. People helped"),
    "status_changes": _l("2. People helped"),
    "visits": _l("3. Visits"),
    "costs_by_kind": _l("1. Money"),
    "help": _l("4. Gifts in kind and referrals"),
    "next_steps": _l("V. Tasks for the next period"),
}
# The parts of the printed review the chair writes (queries.review.SECTIONS), as headed on paper.
REVIEW_PARTS = {
    "situation": _l("I. The situation"),
    "shortcomings": _l("III. Shortcomings and their causes"),
    "lessons": _l("IV. Lessons learned"),
    "next_steps": _l("V. Tasks for the next period"),
    "proposals": _l("VI. Proposals and recommendations"),
    "recipients": _l("Recipients:"),
}
REVIEW_ITEMS = {
    ("money", "raised"): _l("Raised in the period"),
    ("money", "lent_count"): _l("Loans disbursed in the period"),
    ("money", "lent_amount"): _l("Amount lent in the period"),
    ("money", "recovered"): _l("Recovered in the period (repayments, net of reversals)"),
    ("money", "written_off"): _l("Written off in the period"),
    ("money", "back_after_write_off"): _l("Money back after a write-off"),
    ("money", "grants_count"): _l("Grants paid in the period"),
    ("money", "grants_amount"): _l("Amount of grants (not to be repaid)"),
    ("money", "costs_amount"): _l("Running costs in the period"),
    ("money", "outstanding_end"): _l("Outstanding at the end of the period"),
    ("money", "overdue_end"): _l("Overdue at the end of the period"),
    ("money", "loans_over_30_days"): _l("Loans more than 30 days overdue"),
    ("money", "overdue_over_30_days"): _l("Overdue amount of those loans"),
    ("money", "par30_percent"): _l("PAR30: outstanding of loans more than 30 days overdue ÷ all outstanding"),
    ("money", "arrears_rate_percent"): _l("Arrears rate: overdue amount ÷ outstanding"),
    ("money", "cash_start"): _l("Cash on hand at the start of the period"),
    ("money", "cash_end"): _l("Cash on hand at the end of the period"),
    ("money", "cash_end_in_cash"): _l("of which cash"),
    ("money", "cash_end_in_bank"): _l("of which bank deposit"),
    ("people", "total_end"): _l("People at the end of the period"),
    ("people", "new"): _l("New people helped in the period"),
    ("visits", "made"): _l("Visits made in the period"),
    ("visits", "people_visited"): _l("People visited in the period"),
    ("visits", "due_estimate"): _l("Visits due in the period (estimate)"),
    ("visits", "people_overdue_end"): _l("People overdue for a visit at the end of the period"),
    ("help", "gifts_count"): _l("Gifts in kind received in the period"),
    ("help", "gifts_value"): _l("Their estimated value (not in the cash book)"),
    ("help", "referrals"): _l("Referrals made in the period"),
    ("help", "referrals_succeeded"): _l("Of those, succeeded so far"),
}
# Sections whose item is a person's status, and what the number counts.
REVIEW_STATUS_ITEMS = {
    "people_by_status": _l("People at the end of the period"),
    "status_changes": _l("Status changes in the period (to this status)"),
}
NOT_RECORDED = _l("Not recorded")
ANONYMOUS_DONOR = _l("Anonymous donor")


def donor_name(donor) -> str:
    """The name to show for a donor: anonymous donors are not named on lists and receipts (only the
    treasurer, who records their money, sees the name, on the donors' own pages)."""
    return str(ANONYMOUS_DONOR) if donor.anonymous else donor.name


def label(words: dict, code: str | None) -> str:
    """The words for a code; an unknown code as it is (an empty one as nothing)."""
    return str(words.get(code, code or ""))


def review_item(section: str, item: str) -> str:
    """An item of the review's export in words: a figure's name, a donor's name (as printed), a
    person's status under what is counted, or the text of a step to take."""
    if (section, item) in REVIEW_ITEMS:
        return str(REVIEW_ITEMS[section, item])
    if section in REVIEW_STATUS_ITEMS:
        return f"{REVIEW_STATUS_ITEMS[section]}: {label(PERSON_STATUSES, item)}"
    if section == "costs_by_kind":
        return f"{_l('Running costs in the period')}: {label(SPENDING_KINDS, item)}"
    if section == "raised_by_donor":
        return str(_l("Raised from %(donor)s", donor=item))
    return item


def choices(words: dict, *, blank: bool = False) -> list[tuple[str, object]]:
    """(code, words) for a form's select, in the table's order; `blank`: "Not recorded" first."""
    return [("", NOT_RECORDED)] * blank + list(words.items())


def paper_receipt(book: str, number: str) -> str:
    """'phiếu giấy: quyển 2, số 37': the paper phiếu thu a receipt was first written on ('' if none)."""
    if not number:
        return ""
    if book:
        return str(_l("paper receipt: book %(book)s, no. %(number)s", book=book, number=number))
    return str(_l("paper receipt no. %(number)s", number=number))


def template_globals() -> dict:
    """The labels as templates call them: role_label(role), loan_status_label(status), ..."""
    tables = {
        "role": ROLES,
        "loan_status": LOAN_STATUSES,
        "person_status": PERSON_STATUSES,
        "method": PAYMENT_METHODS,
        "account": MONEY_ACCOUNTS,
        "transfer_kind": TRANSFER_KINDS,
        "donor_kind": DONOR_KINDS,
        "donor_title": DONOR_TITLES,
        "recipient": COMMENDATION_RECIPIENTS,
        "gender": GENDERS,
        "certificate": CERTIFICATES,
        "visit_kind": VISIT_KINDS,
        "access": ACCESSES,
        "handover_status": HANDOVER_STATUSES,
        "spending_kind": SPENDING_KINDS,
        "spending_status": SPENDING_STATUSES,
        "referral_kind": REFERRAL_KINDS,
        "referral_outcome": REFERRAL_OUTCOMES,
    }
    found = {
        f"{name}_label": (lambda code, words=words: label(words, code)) for name, words in tables.items()
    }
    return {**found, "donor_label": donor_name, "paper_receipt_label": paper_receipt}
