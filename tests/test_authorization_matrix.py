"""The authorization matrix (issue 6, item 2): every rule of app.url_map, every method it accepts,
nine subjects (SUBJECTS), and the answer each must get, written down once in MATRIX below; a rule
without a row fails the test.

Pass 1 fills every URL (and the ids a form or query string carries) with fund A's objects.
Pass 2 fills the same requests with fund B's objects, built the same way: a subject of fund A who
got past the role check in pass 1 must now get 404 (another fund's id is indistinguishable from
none), the role refusals (403) and the login redirects stay as they were, and fund B's chair gets
exactly what fund A's chair got in pass 1. The few requests where that rule does not hold are
listed in FOREIGN_ANSWERS with the reason.

Forms are sent empty or invalid, so that an allowed POST answers 422 (it passed the access check
and reached validation) without writing; the two login actions that have no form (activate,
deactivate) write on purpose, on a spare login nobody uses. CSRF stays on: every POST carries the
session's token (tests/test_csrf_matrix.py checks the refusals).
"""

import datetime as dt
from dataclasses import asdict, dataclass, replace
from string import Formatter
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from flask import url_for

from tests.conftest import PASSWORD, Browser
from tests.factories import add_donor, add_person
from tracker import accounts, audit, casework, clock
from tracker.extensions import db
from tracker.models import (
    CashCount,
    Commendation,
    CommitteeMember,
    Donation,
    Fund,
    GiftInKind,
    Loan,
    Membership,
    Person,
    PersonAccess,
    PersonHandover,
    Referral,
    ReviewNote,
    Spending,
    Transfer,
    User,
)
from tracker.money import journal

MILLION = 1_000_000


class _Login:
    """Expected answer of a protected URL to someone not logged in: 302 to /login for a plain
    request, 401 with HX-Redirect to /login for htmx (both are checked)."""

    def __repr__(self):
        return "LOGIN"


LOGIN = _Login()
L = LOGIN

# The subjects, in the order of the columns of MATRIX.
SUBJECTS = (
    "anonymous",
    "viewer",
    "member",  # mentor of fund A's person whose ids fill the URLs
    "member2",  # a member of fund A mentoring someone else
    "treasurer",
    "chair",
    "deactivated",  # a chair of fund A whose membership was deactivated after logging in
    "other_chair",  # the chair of fund B
    "regional",  # a province login (read-only figures of the funds of fund A's province, no names)
)
USERNAMES = {
    "anonymous": None,
    "viewer": "viewer",
    "member": "member",
    "member2": "member2",
    "treasurer": "treasurer",
    "chair": "chair",
    "deactivated": "gone",
    "other_chair": "other_chair",
    "regional": "bcd_tinh",
}

# endpoint -> {"METHOD" or "METHOD ?query": answers per subject}. A cell is a status, a set of
# acceptable statuses, or LOGIN. {placeholders} in a query come from the fund's ids (FundIds).
# fmt: off
MATRIX: dict[str, dict[str, tuple]] = {
    #                                  anon viewer member mem2 treas chair deact other regional
    "auth.login": {
        # Empty form: the anonymous get the form again; a logged-in user goes to the dashboard.
        "GET":                         (200, 302, 302, 302, 302, 302, 200, 302, 302),
        "POST":                        (200, 302, 302, 302, 302, 302, 200, 302, 302),
    },
    "auth.about": {"GET":             (200, 200, 200, 200, 200, 200, 200, 200, 200)},
    "auth.logout": {"POST":            (302, 302, 302, 302, 302, 302, 302, 302, 302)},
    "auth.set_language": {"POST":      (302, 302, 302, 302, 302, 302, 302, 302, 302)},
    # The password typed again on a page of decisions: every login; an empty one is flashed back.
    "auth.confirm": {"POST":           (L,   303, 303, 303, 303, 303, L,   303, 303)},
    # One's own password: every login; an empty form is refused (422).
    "auth.password": {
        "GET":                         (L,   200, 200, 200, 200, 200, L,   200, 200),
        "POST":                        (L,   422, 422, 422, 422, 422, L,   422, 422),
    },
    # The first-run pages are gone once a fund exists, for everybody.
    "setup.start": {
        "GET":                         (404, 404, 404, 404, 404, 404, 404, 404, 404),
        "POST":                        (404, 404, 404, 404, 404, 404, 404, 404, 404),
    },
    "setup.load_demo": {"POST":        (404, 404, 404, 404, 404, 404, 404, 404, 404)},
    "dashboard.index": {"GET":         (L,   200, 200, 200, 200, 200, L,   200, 302)},
    "audit.index": {"GET":             (L,   403, 403, 403, 403, 200, L,   200, 403)},
    # ------------------------------------------------------------------ the team and the logins
    "members.index": {"GET":           (L,   200, 200, 200, 200, 200, L,   200, 403)},
    "members.create": {"POST":         (L,   403, 403, 403, 403, 422, L,   422, 403)},
    "members.detail": {"GET":          (L,   200, 200, 200, 200, 200, L,   404, 403)},
    "members.card": {"GET":            (L,   200, 200, 200, 200, 200, L,   404, 403)},
    "members.edit": {"GET":            (L,   403, 403, 403, 403, 200, L,   404, 403)},
    "members.update": {"POST":         (L,   403, 403, 403, 403, 422, L,   404, 403)},
    "members.leave": {"POST":          (L,   403, 403, 403, 403, 422, L,   404, 403)},
    "users.index": {"GET":             (L,   403, 403, 403, 403, 200, L,   200, 403)},
    "users.create": {"POST":           (L,   403, 403, 403, 403, 422, L,   422, 403)},
    "users.change_role": {"POST":      (L,   403, 403, 403, 403, 422, L,   404, 403)},
    "users.reset_password": {"POST":   (L,   403, 403, 403, 403, 422, L,   404, 403)},
    "users.deactivate": {"POST":       (L,   403, 403, 403, 403, 303, L,   404, 403)},
    "users.activate": {"POST":         (L,   403, 403, 403, 403, 303, L,   404, 403)},
    # ------------------------------------------------------------------ people and casework
    "people.index": {"GET":            (L,   200, 200, 200, 200, 200, L,   200, 403)},
    "people.create": {"POST":          (L,   403, 403, 403, 403, 422, L,   422, 403)},
    # The treasurer sees the people with a loan (this one has three).
    "people.detail": {"GET":           (L,   200, 200, 404, 200, 200, L,   404, 403)},
    "people.edit": {"GET":             (L,   403, 403, 403, 403, 200, L,   404, 403)},
    "people.update": {"POST":          (L,   403, 403, 403, 403, 422, L,   404, 403)},
    "people.change_status": {"POST":   (L,   403, 403, 403, 403, 422, L,   404, 403)},
    "people.assign_mentor": {"POST":   (L,   403, 403, 403, 403, 422, L,   404, 403)},
    # Referrals: the chair, or the member for their own people.
    "people.add_referral": {"POST":    (L,   403, 422, 404, 403, 422, L,   404, 403)},
    "people.referral_outcome": {
        "POST":                        (L,   403, 422, 404, 403, 422, L,   404, 403),
    },
    "privacy.export": {
        "GET":                         (L,   403, 403, 403, 403, 200, L,   404, 403),
        "GET ?format=html":            (L,   403, 403, 403, 403, 200, L,   404, 403),
    },
    "privacy.erase_form": {"GET":      (L,   403, 403, 403, 403, 200, L,   404, 403)},
    "privacy.erase": {"POST":          (L,   403, 403, 403, 403, 422, L,   404, 403)},
    "visits.index": {
        "GET":                         (L,   200, 200, 200, 403, 200, L,   200, 403),
        # One mentor's queue: another fund's committee member is not found.
        "GET ?mentor_id={member_id}":  (L,   200, 200, 200, 403, 200, L,   404, 403),
    },
    "visits.new": {"GET":              (L,   403, 200, 404, 403, 200, L,   404, 403)},
    "visits.timeline": {"GET":         (L,   200, 200, 404, 403, 200, L,   404, 403)},
    # The person is a form field: member2 may log visits, but not for someone else's person.
    "visits.create": {"POST":          (L,   403, 422, 404, 403, 422, L,   404, 403)},
    # A visit kept on the phone while offline, sent when the network is back (JSON answers).
    "visits.sync": {"POST":            (L,   403, 422, 404, 403, 422, L,   404, 403)},
    # ------------------------------------------------------------------ the app on the phone
    # The worker, the manifest and the offline page hold no one's data: anyone may fetch them.
    "offline.service_worker": {"GET":  (200, 200, 200, 200, 200, 200, 200, 200, 200)},
    "offline.manifest": {"GET":        (200, 200, 200, 200, 200, 200, 200, 200, 200)},
    "offline.page": {"GET":            (200, 200, 200, 200, 200, 200, 200, 200, 200)},
    # The token and login marks the phone needs before it sends visits kept offline.
    "offline.state": {"GET":           (L,   403, 200, 200, 403, 200, L,   200, 403)},
    # ------------------------------------------------------------------ money
    "donors.index": {"GET":            (L,   200, 403, 403, 200, 200, L,   200, 403)},
    "donors.create": {"POST":          (L,   403, 403, 403, 422, 403, L,   403, 403)},
    "donors.detail": {"GET":           (L,   200, 403, 403, 200, 200, L,   404, 403)},
    "donors.set_title": {"POST":       (L,   403, 403, 403, 422, 403, L,   403, 403)},
    "donations.index": {"GET":         (L,   200, 403, 403, 200, 200, L,   200, 403)},
    "donations.create": {"POST":       (L,   403, 403, 403, 422, 403, L,   403, 403)},
    "donations.new_donor": {"GET":     (L,   403, 403, 403, 200, 403, L,   403, 403)},
    "donations.add_donor": {"POST":    (L,   403, 403, 403, 422, 403, L,   403, 403)},
    "donations.detail": {"GET":        (L,   200, 403, 403, 200, 200, L,   404, 403)},
    "donations.receipt": {"GET":       (L,   200, 403, 403, 200, 200, L,   404, 403)},
    "donations.reverse": {"POST":      (L,   403, 403, 403, 422, 403, L,   403, 403)},
    # Cash and bank: every role that sees money reads them; only the treasurer posts.
    "cash.transfers": {"GET":          (L,   200, 403, 403, 200, 200, L,   200, 403)},
    "cash.create_transfer": {"POST":   (L,   403, 403, 403, 422, 403, L,   403, 403)},
    "cash.reverse_transfer": {"POST":  (L,   403, 403, 403, 422, 403, L,   403, 403)},
    "cash.transfer_voucher": {"GET":   (L,   200, 403, 403, 200, 200, L,   404, 403)},
    "cash.counts": {"GET":             (L,   200, 403, 403, 200, 200, L,   200, 403)},
    "cash.create_count": {"POST":      (L,   403, 403, 403, 422, 403, L,   403, 403)},
    "cash.count_paper": {"GET":        (L,   200, 403, 403, 200, 200, L,   404, 403)},
    "loans.index": {"GET":             (L,   200, 200, 200, 200, 200, L,   200, 403)},
    # The borrower is a form field whose choices are the people one may apply for.
    "loans.create": {"POST":           (L,   403, 422, 422, 422, 422, L,   422, 403)},
    "loans.detail": {"GET":            (L,   200, 200, 404, 200, 200, L,   404, 403)},
    "loans.approve": {"POST":          (L,   403, 403, 403, 403, 422, L,   404, 403)},
    "loans.reject": {"POST":           (L,   403, 403, 403, 403, 422, L,   404, 403)},
    "loans.disburse": {"POST":         (L,   403, 403, 403, 422, 403, L,   403, 403)},
    "loans.disbursement_voucher": {
        "GET":                         (L,   200, 200, 404, 200, 200, L,   404, 403),
    },
    "loans.repay": {"POST":            (L,   403, 403, 403, 422, 403, L,   403, 403)},
    "loans.repayment_receipt": {"GET": (L,   200, 200, 404, 200, 200, L,   404, 403)},
    "loans.reverse_repayment": {
        "POST":                        (L,   403, 403, 403, 422, 403, L,   403, 403),
    },
    "loans.reverse_disbursement": {
        "POST":                        (L,   403, 403, 403, 422, 403, L,   403, 403),
    },
    "loans.write_off": {"POST":        (L,   403, 403, 403, 403, 422, L,   404, 403)},
    "loans.reverse_write_off": {
        "POST":                        (L,   403, 403, 403, 403, 422, L,   404, 403),
    },
    "loans.reschedule": {"POST":       (L,   403, 403, 403, 403, 422, L,   404, 403)},
    "loans.pause": {"POST":            (L,   403, 403, 403, 403, 422, L,   404, 403)},
    "loans.recover": {"POST":          (L,   403, 403, 403, 422, 403, L,   403, 403)},
    # A file handed to another fund: the chairs only. The empty form of a proposal is refused back
    # on the person's file (a redirect); accepting, declining and withdrawing have no form, and
    # write (the first chair to accept takes the file; then the handover is settled).
    "handovers.index": {"GET":         (L,   403, 403, 403, 403, 200, L,   200, 403)},
    "handovers.propose": {"POST":      (L,   403, 403, 403, 403, 303, L,   404, 403)},
    "handovers.accept": {"POST":       (L,   403, 403, 403, 403, 303, L,   404, 403)},
    "handovers.decline": {"POST":      (L,   403, 403, 403, 403, 303, L,   404, 403)},
    "handovers.withdraw": {"POST":     (L,   403, 403, 403, 403, 303, L,   404, 403)},
    # The fund's settings: an empty form clears the collection day (nothing else to refuse).
    "settings.index": {"GET":          (L,   403, 403, 403, 403, 200, L,   200, 403)},
    "settings.save": {"POST":          (L,   403, 403, 403, 403, 303, L,   303, 403)},
    # The reminders' texts to copy into Zalo: the chair alone (access.PERMISSIONS["send_reminders"]).
    "reminders.index": {"GET":         (L,   403, 403, 403, 403, 200, L,   200, 403)},
    # A loan's papers: whoever may see the loan (the agreement: the loan of URLs is active).
    "loans.paper": {
        "GET":                         (L,   200, 200, 404, 200, 200, L,   404, 403),
        "GET ?format=docx":            (L,   200, 200, 404, 200, 200, L,   404, 403),
    },
    # Grants and running costs: money pages (a grant names its person, as a loan does).
    **{
        f"{kind}.{endpoint}": answers
        for kind in ("grants", "expenses")
        for endpoint, answers in {
            "index": {"GET":           (L,   200, 403, 403, 200, 200, L,   200, 403)},
            "create": {"POST":         (L,   403, 403, 403, 422, 422, L,   422, 403)},
            "detail": {"GET":          (L,   200, 403, 403, 200, 200, L,   404, 403)},
            "voucher": {"GET":         (L,   200, 403, 403, 200, 200, L,   404, 403)},
            "decide": {"POST":         (L,   403, 403, 403, 403, 422, L,   404, 403)},
            "pay": {"POST":            (L,   403, 403, 403, 422, 403, L,   403, 403)},
            "reverse": {"POST":        (L,   403, 403, 403, 422, 403, L,   403, 403)},
        }.items()
    },
    "gifts.index": {"GET":             (L,   200, 403, 403, 200, 200, L,   200, 403)},
    "gifts.create": {"POST":           (L,   403, 403, 403, 422, 422, L,   422, 403)},
    "periods.index": {"GET":           (L,   403, 403, 403, 403, 200, L,   200, 403)},
    "periods.close": {"POST":          (L,   403, 403, 403, 403, 422, L,   422, 403)},
    # Import from Excel: the chair's. An upload without a file is refused (422); the import
    # without a file checked first goes back to the upload (a redirect, nothing written).
    "importing.index": {"GET":         (L,   403, 403, 403, 403, 200, L,   200, 403)},
    "importing.template_file": {"GET": (L,   403, 403, 403, 403, 200, L,   200, 403)},
    "importing.check": {"POST":        (L,   403, 403, 403, 403, 422, L,   422, 403)},
    "importing.commit": {"POST":       (L,   403, 403, 403, 403, 303, L,   303, 403)},
    # ------------------------------------------------------------------ reports
    "reports.index": {"GET":           (L,   200, 403, 403, 200, 200, L,   200, 403)},
    "reports.outstanding": {
        "GET":                         (L,   200, 403, 403, 200, 200, L,   200, 403),
        # The export names the borrowers: the chair's alone.
        "GET ?format=csv":             (L,   403, 403, 403, 403, 200, L,   200, 403),
    },
    "reports.aging": {
        "GET":                         (L,   200, 403, 403, 200, 200, L,   200, 403),
        "GET ?format=xlsx":            (L,   200, 403, 403, 200, 200, L,   200, 403),
    },
    "reports.cashbook": {
        "GET":                         (L,   200, 403, 403, 200, 200, L,   200, 403),
        "GET ?format=csv":             (L,   200, 403, 403, 200, 200, L,   200, 403),
    },
    "reports.donors": {
        "GET":                         (L,   200, 403, 403, 200, 200, L,   200, 403),
        "GET ?format=csv":             (L,   200, 403, 403, 200, 200, L,   200, 403),
    },
    "reports.visits": {
        # A member sees their own row; the team's export is the chair's and the viewers'.
        "GET":                         (L,   200, 200, 200, 403, 200, L,   200, 403),
        "GET ?format=csv":             (L,   200, 403, 403, 403, 200, L,   200, 403),
    },
    "reports.board": {
        "GET":                         (L,   200, 403, 403, 200, 200, L,   200, 403),
        # The Excel file names the people helped: the chair's alone, as the outstanding export.
        "GET ?format=xlsx":            (L,   403, 403, 403, 403, 200, L,   200, 403),
    },
    "review.show": {
        "GET":                         (L,   200, 403, 403, 200, 200, L,   200, 403),
        "GET ?format=csv":             (L,   200, 403, 403, 200, 200, L,   200, 403),
        "GET ?format=docx":            (L,   200, 403, 403, 200, 200, L,   200, 403),
        "GET ?from={year}-01-01&to={year}-12-31&format=docx":
                                       (L,   200, 403, 403, 200, 200, L,   200, 403),
    },
    # The notice-board sheet: the chair puts it up, the Ban Chỉ đạo reads it.
    "review.public": {"GET":           (L,   200, 403, 403, 200, 200, L,   200, 403)},
    "review.save_notes": {"POST":      (L,   403, 403, 403, 403, 422, L,   422, 403)},
    "letters.index": {"GET":           (L,   403, 403, 403, 403, 200, L,   200, 403)},
    "letters.letter": {
        "GET ?donor_id={donor_id}&year={year}":
                                       (L,   403, 403, 403, 403, 200, L,   404, 403),
    },
    "letters.print_all": {"GET ?year={year}":
                                       (L,   403, 403, 403, 403, 200, L,   200, 403)},
    # Commendations: the chair records them, those who read the review read the list.
    "commendations.index": {"GET":     (L,   200, 403, 403, 403, 200, L,   200, 403)},
    "commendations.create": {"POST":   (L,   403, 403, 403, 403, 422, L,   422, 403)},
    "commendations.delete": {"POST":   (L,   403, 403, 403, 403, 303, L,   404, 403)},
    # ------------------------------------------------------------------ the province's overview
    # (the regional login oversees fund A's province; fund B is in another)
    "province.index": {
        "GET":                         (L,   403, 403, 403, 403, 403, L,   403, 200),
        "GET ?format=xlsx":            (L,   403, 403, 403, 403, 403, L,   403, 200),
        "GET ?format=csv":             (L,   403, 403, 403, 403, 403, L,   403, 200),
    },
    "province.review": {
        "GET":                         (L,   403, 403, 403, 403, 403, L,   403, 200),
        "GET ?from={year}-01-01&to={year}-12-31":
                                       (L,   403, 403, 403, 403, 403, L,   403, 200),
        "GET ?from={year}-01-01&to={year}-12-31&format=docx":
                                       (L,   403, 403, 403, 403, 403, L,   403, 200),
    },
    "province.fund": {"GET":           (L,   403, 403, 403, 403, 403, L,   403, 200)},
}
# fmt: on

# Pass 2 (fund B's ids) where "404 once past the role check" is not the answer.
FOREIGN_ANSWERS: dict[tuple[str, str], dict[str, int]] = {
    # Another fund's person is simply not among the borrowers one may choose: a form error.
    ("loans.create", "POST"): {"member": 422, "member2": 422, "treasurer": 422, "chair": 422},
    # A member always gets their own queue; the mentor_id of the query is ignored for them.
    ("visits.index", "GET ?mentor_id={member_id}"): {"member": 200, "member2": 200},
}

# Form fields per endpoint (empty or invalid on purpose, see the module's docstring).
FORMS: dict[str, dict[str, str]] = {
    "auth.set_language": {"locale": "vi", "next": "/"},
    "loans.create": {"person_id": "{person_id}"},
    "visits.create": {"person_id": "{person_id}", "kind": "by-carrier-pigeon"},
    "visits.sync": {"person_id": "{person_id}", "kind": "by-carrier-pigeon"},
    "review.save_notes": {"period": "{year}", "text": "x" * 2001},
    "donors.set_title": {"title": "Anh"},
}
# URL placeholders filled with another of the fund's objects than the one of the same name.
IDS: dict[str, dict[str, str]] = {
    "loans.approve": {"loan_id": "requested_loan_id"},
    "loans.reject": {"loan_id": "requested_loan_id"},
    "loans.disburse": {"loan_id": "approved_loan_id"},
    "handovers.withdraw": {"handover_id": "outgoing_handover_id"},
    **{
        f"expenses.{endpoint}": {"spending_id": "expense_id"}
        for endpoint in ("detail", "voucher", "decide", "pay", "reverse")
    },
    "donors.set_title": {"donor_id": "benefactor_id"},
}
# Fund A's people (by position in World.people_a) whose names a subject must never be shown: a
# member sees only the people they mentor, the treasurer those with a loan or being supported
# (earmarking a donation); the third person has neither a mentor nor a loan, and is settled.
OUT_OF_SIGHT = {"member": (1, 2), "member2": (0, 2), "treasurer": (2,)}
# Placeholders that are not objects of the fund (pass 2 is for requests that carry an object's id).
NOT_OBJECTS = {"year", "person_name", "other_fund_id"}
# Sent as an htmx request (the URL exists for htmx; a plain request is redirected).
HTMX = {"donations.new_donor", "members.card", "visits.timeline"}


# ---------------------------------------------------------------------------------------- world


@dataclass(frozen=True)
class FundIds:
    """The objects of one fund whose ids fill the URLs. Both funds are built the same way."""

    fund_id: int
    person_id: int  # mentored by member_id; three loans, visits, consent to be named to donors
    person_name: str
    person2_id: int  # mentored by mentor2_id
    member_id: int  # the committee member mentoring person_id (linked to a `member` login)
    mentor2_id: int  # the committee member mentoring person2_id (linked to a `member2` login)
    free_member_id: int  # a committee member without login or people
    loan_id: int  # active, with two repayments
    requested_loan_id: int
    approved_loan_id: int
    fresh_loan_id: int  # active, no repayment yet (its disbursement can still be reversed)
    repayment_id: int  # the latest repayment of loan_id
    donation_id: int  # lent out (it funds loan_id)
    spare_donation_id: int  # not lent out: it can be reversed
    donor_id: int  # gave donation_id in `year`
    membership_id: int  # a spare viewer login nobody uses
    spare_user_id: int  # its user (not linked to any committee member)
    year: int
    handover_id: int = 0  # a file the other fund hands to this one, waiting for this fund
    outgoing_handover_id: int = 0  # a file this fund hands to the other, waiting for it
    other_fund_id: int = 0  # the other fund, where a file can be handed
    kind: str = "agreement"  # which of a loan's papers (loans.paper)
    transfer_id: int = 0  # a deposit of cash into the bank
    count_id: int = 0  # a cash count
    spending_id: int = 0  # a grant to person_id, paid (its voucher), and one proposed, one approved
    proposed_grant_id: int = 0
    approved_grant_id: int = 0
    expense_id: int = 0  # a running cost, paid
    proposed_expense_id: int = 0
    approved_expense_id: int = 0
    referral_id: int = 0  # on person_id's file
    benefactor_id: int = 0  # a donor who is a person (a title is theirs alone)
    commendation_id: int = 0  # of the free member


@dataclass(frozen=True)
class World:
    a: FundIds
    b: FundIds
    people_a: tuple[str, ...]  # the people's names, in the order of build_fund
    people_b: tuple[str, ...]


def _membership(username: str) -> Membership:
    return db.session.scalar(sa.select(Membership).join(User).where(User.username == username))


def _login(fund_id: int, username: str, role: str, full_name: str) -> User:
    return accounts.create_user(username, PASSWORD, fund_id, role, full_name)


def _committee_member(fund_id: int, name: str, position: str, user_id: int | None = None) -> int:
    member = CommitteeMember(fund_id=fund_id, position=position, user_id=user_id)
    member.set_name(name)
    db.session.add(member)
    db.session.flush()
    return member.id


def _loan(fund_id, person_id, principal, applied_on, entered_by, status="requested", decided_by=None):
    loan = Loan(
        fund_id=fund_id,
        person_id=person_id,
        principal=principal,
        purpose="Chăn nuôi bò sinh sản",
        applied_on=applied_on,
        term_months=12,
        grace_months=0,
        status=status,
        entered_by_id=entered_by,
    )
    if decided_by is not None:
        loan.decided_by_id, loan.decided_on, loan.minutes_ref = decided_by, applied_on, "BB 01"
    db.session.add(loan)
    db.session.flush()
    audit.record("loan.apply", loan, fund_id=fund_id, user_id=entered_by, after={"principal": principal})
    return loan


SPENDING_STATES = ("proposed", "approved", "paid")


def _spending(fund_id, category, person_id, state, chair, treasurer, day) -> int:
    """A grant (to person_id) or a running cost, proposed, approved or paid."""
    spending = Spending(
        fund_id=fund_id,
        category=category,
        kind="tet_gift" if category == "grant" else "meeting",
        person_id=person_id,
        payee="" if person_id else "Quán chè Hương",
        purpose="Quà Tết" if category == "grant" else "Nước chè họp tháng",
        amount=200_000,
        proposed_on=day,
        proposed_by_id=treasurer,
    )
    db.session.add(spending)
    db.session.flush()
    if state != "proposed":
        journal.decide_spending(spending, True, day, "Họp Tổ thống nhất", chair)
    if state == "paid":
        journal.pay_spending(spending, day, treasurer)
    return spending.id


def build_fund(
    fund_id: int, names: tuple[str, str, str], logins: dict[str, int], mentors, spare: Membership
) -> FundIds:
    """One fund's history: three people (one closed), two donors and donations, loans requested,
    approved, active with repayments and active without, visits, a status change, mentor
    assignments, a review note, audit events and file openings. Dates run up to today."""
    today = clock.today()
    start = today - dt.timedelta(days=150)
    chair, treasurer = logins["chair"], logins["treasurer"]
    mentor, mentor2 = mentors

    person = add_person(fund_id, names[0], address="Thôn Đông")
    person2 = add_person(fund_id, names[1], address="Thôn Tây")
    person3 = add_person(fund_id, names[2], address="Thôn Bắc")
    people = {pid: db.session.get(Person, pid) for pid in (person, person2, person3)}
    people[person].named_to_donors = True  # the donor letter may name them (and logs it)
    people[person].phone = "0912345678"
    for pid, cm in ((person, mentor), (person2, mentor2)):
        casework.assign_mentor(people[pid], cm, start, chair)
    casework.change_status(
        people[person3], "settled", start + dt.timedelta(days=50), "Có việc làm ổn định", chair
    )
    for pid in people:
        audit.record(
            "person.create", people[pid], fund_id=fund_id, user_id=chair, after={"fields": ["full_name"]}
        )
        db.session.add(PersonAccess(fund_id=fund_id, user_id=chair, person_id=pid, action="view"))

    donor = add_donor(fund_id, "Công ty TNHH Hồng Phát " + names[0].split()[-1])
    benefactor = add_donor(fund_id, "Ông Lý Văn Hảo " + names[0].split()[-1], kind="individual")
    lent = Donation(
        fund_id=fund_id, donor_id=donor, amount=200 * MILLION, received_on=start, method="bank", note=""
    )
    journal.record_donation(lent, treasurer)

    active = _loan(
        fund_id, person, 12 * MILLION, start + dt.timedelta(days=5), logins["member"], "approved", chair
    )
    fresh = _loan(fund_id, person2, 6 * MILLION, start + dt.timedelta(days=5), chair, "approved", chair)
    journal.disburse(active, start + dt.timedelta(days=10), treasurer)
    journal.disburse(fresh, start + dt.timedelta(days=20), treasurer)
    journal.record_repayment(active, MILLION, start + dt.timedelta(days=40), "cash", treasurer)
    last = journal.record_repayment(active, MILLION, start + dt.timedelta(days=70), "cash", treasurer)
    approved = _loan(fund_id, person, 5 * MILLION, start + dt.timedelta(days=100), chair, "approved", chair)
    requested = _loan(fund_id, person, 3 * MILLION, start + dt.timedelta(days=110), logins["member"])
    spare_gift = Donation(
        fund_id=fund_id,
        donor_id=benefactor,
        amount=10 * MILLION,
        received_on=start + dt.timedelta(days=120),
        method="cash",
        note="Cho người ở thôn Tây",
        earmark_person_id=person2,
    )
    journal.record_donation(spare_gift, treasurer)
    deposit = Transfer(
        fund_id=fund_id,
        kind="deposit",
        amount=MILLION,
        made_on=start + dt.timedelta(days=121),
        reason="Gửi tiền nhàn rỗi",
    )
    journal.record_transfer(deposit, treasurer)
    count = CashCount(
        fund_id=fund_id, counted_on=today, notes={}, counted=0, book_balance=0, counted_by_id=treasurer
    )
    db.session.add(count)

    casework.log_visit(
        people[person],
        mentor_id=mentor,
        visited_on=start + dt.timedelta(days=30),
        kind="home",
        summary="Đã tìm được việc phụ hồ",
        user_id=logins["member"],
    )
    casework.log_visit(
        people[person],
        mentor_id=mentor,
        visited_on=start + dt.timedelta(days=60),
        kind="phone",
        concerns="Mẹ ốm",
        user_id=logins["member"],
    )
    casework.log_visit(
        people[person2],
        mentor_id=mentor2,
        visited_on=start + dt.timedelta(days=45),
        kind="workplace",
        user_id=logins["member2"],
    )
    db.session.add(
        ReviewNote(fund_id=fund_id, period=str(today.year), text="Thăm lại hai người", updated_by_id=chair)
    )
    free_member = _committee_member(fund_id, "Hoàng Văn Cường", "Bí thư Đoàn thanh niên")
    day = start + dt.timedelta(days=125)
    grants = {s: _spending(fund_id, "grant", person, s, chair, treasurer, day) for s in SPENDING_STATES}
    costs = {s: _spending(fund_id, "expense", None, s, chair, treasurer, day) for s in SPENDING_STATES}
    referral = Referral(
        fund_id=fund_id,
        person_id=person,
        kind="job",
        referred_to="Xưởng mộc Thành Công",
        referred_on=day,
        created_by_id=chair,
    )
    db.session.add(referral)
    db.session.add(
        GiftInKind(
            fund_id=fund_id,
            donor_id=benefactor,
            person_id=person,
            description="Một bao gạo 50 kg",
            estimated_value=750_000,
            given_on=day,
            created_by_id=treasurer,
        )
    )
    commendation = Commendation(
        fund_id=fund_id,
        recipient="member",
        member_id=free_member,
        form="Giấy khen",
        decided_by="UBND xã",
        decision_no="12/QĐ-UBND",
        decided_on=start,
        created_by_id=chair,
    )
    db.session.add(commendation)
    db.session.flush()
    return FundIds(
        spending_id=grants["paid"],
        proposed_grant_id=grants["proposed"],
        approved_grant_id=grants["approved"],
        expense_id=costs["paid"],
        proposed_expense_id=costs["proposed"],
        approved_expense_id=costs["approved"],
        referral_id=referral.id,
        fund_id=fund_id,
        person_id=person,
        person_name=names[0],
        person2_id=person2,
        member_id=mentor,
        mentor2_id=mentor2,
        free_member_id=free_member,
        loan_id=active.id,
        requested_loan_id=requested.id,
        approved_loan_id=approved.id,
        fresh_loan_id=fresh.id,
        repayment_id=last.id,
        donation_id=lent.id,
        spare_donation_id=spare_gift.id,
        donor_id=donor,
        membership_id=spare.id,
        spare_user_id=spare.user_id,
        year=start.year,
        transfer_id=deposit.id,
        count_id=count.id,
        benefactor_id=benefactor,
        commendation_id=commendation.id,
    )


def build_world(app, seed) -> World:
    """Fund A on top of the seed (chair, treasurer, member, member2, viewer), plus `gone` (a chair
    who will be deactivated) and `spare` (a viewer); fund B with the same cast of its own."""
    names_a = ("Nguyễn Văn An", "Lê Thị Bích", "Đặng Văn Tư")
    names_b = ("Trần Văn Xa", "Phan Thị Ngọc", "Võ Văn Sáu")
    with app.app_context():
        fund_a, fund_b = seed.fund_id, seed.other_fund_id
        _login(fund_a, "gone", "chair", "Chủ nhiệm cũ")
        spare_a = _login(fund_a, "spare", "viewer", "Khách xem")
        _login(fund_b, "other_treasurer", "treasurer", "Thủ quỹ xã khác")
        other_member = _login(fund_b, "other_member", "member", "Thành viên xã khác")
        other_member2 = _login(fund_b, "other_member2", "member", "Thành viên hai xã khác")
        spare_b = _login(fund_b, "other_spare", "viewer", "Khách xem xã khác")
        accounts.create_regional_user(
            "bcd_tinh", PASSWORD, db.session.get(Fund, fund_a).province, "Ban Chỉ đạo tỉnh"
        )
        db.session.get(CommitteeMember, seed.other_cm_id).user_id = other_member.id
        member2_cm = db.session.scalar(
            sa.select(CommitteeMember.id)
            .join(User, User.id == CommitteeMember.user_id)
            .where(User.username == "member2")
        )
        other_cm2 = _committee_member(fund_b, "Đinh Văn Hai", "Trưởng xóm", other_member2.id)
        ids = {}
        for fund_id, names, prefix, mentors, spare in (
            (fund_a, names_a, "", (seed.member_cm_id, member2_cm), spare_a),
            (fund_b, names_b, "other_", (seed.other_cm_id, other_cm2), spare_b),
        ):
            logins = {
                role: db.session.scalar(sa.select(User.id).where(User.username == name))
                for role, name in (
                    ("chair", f"{prefix}chair"),
                    ("treasurer", f"{prefix}treasurer"),
                    ("member", f"{prefix}member"),
                    ("member2", f"{prefix}member2"),
                )
            }
            membership = db.session.scalar(
                sa.select(Membership).where(Membership.user_id == spare.id, Membership.fund_id == fund_id)
            )
            ids[fund_id] = build_fund(fund_id, names, logins, mentors, membership)
        # each fund hands its second person's file to the other, both waiting to be accepted
        handovers = {}
        for sender, receiver in ((fund_a, fund_b), (fund_b, fund_a)):
            handover = PersonHandover(
                person_id=ids[sender].person2_id,
                fund_id=sender,
                to_fund_id=receiver,
                reason="Chuyển đến xã khác",
            )
            db.session.add(handover)
            db.session.flush()
            handovers[sender] = handover.id
        for fund, other in ((fund_a, fund_b), (fund_b, fund_a)):
            ids[fund] = replace(
                ids[fund],
                handover_id=handovers[other],
                outgoing_handover_id=handovers[fund],
                other_fund_id=other,
            )
        db.session.commit()
        return World(ids[fund_a], ids[fund_b], names_a, names_b)


@pytest.fixture
def world(app, seed) -> World:
    return build_world(app, seed)


def log_in(app, subject: str) -> Browser:
    """A Browser for the subject; the deactivated one logs in first and then loses its membership
    (directly in the database, without ending its session: the membership check alone must hold)."""
    browser = Browser(app.test_client())
    username = USERNAMES[subject]
    if username is None:
        browser.get("/login")
        return browser
    assert browser.login(username).status_code == 302, f"login as {username} failed"
    if subject == "regional":
        browser.get("/province")  # its dashboard is a redirect: take the new session's token here
    if subject == "deactivated":
        with app.app_context():
            _membership(username).active = False
            db.session.commit()
    return browser


def table_rows(app) -> dict[str, list[tuple]]:
    """Every row of every table of the models, in primary key order."""
    with app.app_context():
        return {
            table.name: [
                tuple(row)
                for row in db.session.execute(sa.select(table).order_by(*table.primary_key.columns))
            ]
            for table in db.metadata.sorted_tables
        }


def differences(before: dict, after: dict) -> dict[str, str]:
    """The tables whose rows differ, with their counts."""
    return {
        name: f"{len(before[name])} rows -> {len(after[name])} rows"
        + ("" if len(before[name]) != len(after[name]) else " (same count, contents changed)")
        for name in before
        if before[name] != after[name]
    }


# ------------------------------------------------------------------------------------- requests


@dataclass(frozen=True)
class Planned:
    endpoint: str
    variant: str  # "GET", "POST" or "GET ?query"
    url: str
    data: dict
    htmx: bool
    refers_to_objects: bool  # a URL placeholder, or an id in the query or the form

    @property
    def method(self) -> str:
        return self.variant.split()[0]

    @property
    def label(self) -> str:
        return f"{self.endpoint} {self.variant}"


def rule_methods(app) -> list[tuple[str, str]]:
    """(endpoint, method) for every rule of the app except static, GET and POST only."""
    pairs = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            pairs.add((rule.endpoint, method))
    return sorted(pairs)


def missing_rows(app) -> list[str]:
    covered = {(endpoint, variant.split()[0]) for endpoint, row in MATRIX.items() for variant in row}
    return [
        f"{endpoint} {method}: new endpoint without a row: add it to the matrix"
        for endpoint, method in rule_methods(app)
        if (endpoint, method) not in covered
    ]


def stale_rows(app) -> list[str]:
    known = set(rule_methods(app))
    return [
        f"{endpoint} {variant}: no such rule or method any more"
        for endpoint, row in MATRIX.items()
        for variant in row
        if (endpoint, variant.split()[0]) not in known
    ]


def plan(app, endpoint: str, variant: str, ids: FundIds) -> Planned:
    values = asdict(ids)
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    overrides = IDS.get(endpoint, {})
    arguments = {name: values[overrides.get(name, name)] for name in rule.arguments}
    with app.test_request_context():
        url = url_for(endpoint, **arguments)
    method, _, query = variant.partition(" ?")
    if query:
        url += "?" + query.format(**values)
    form = FORMS.get(endpoint, {}) if method == "POST" else {}
    data = {name: value.format(**values) for name, value in form.items()}
    placeholders = {
        name for _text, name, _spec, _conv in Formatter().parse(query + "".join(form.values())) if name
    }
    refers = bool(rule.arguments) or bool(placeholders - NOT_OBJECTS)
    return Planned(endpoint, variant, url, data, endpoint in HTMX, refers)


def send(browser: Browser, planned: Planned, htmx: bool):
    if planned.method == "GET":
        headers = {"HX-Request": "true", "HX-Target": "main"} if htmx else {}
        return browser.client.get(planned.url, headers=headers)
    return browser.post(planned.url, planned.data, htmx=htmx)


def cell_for(row: tuple, subject: str):
    return row[SUBJECTS.index(subject)]


def foreign_answer(endpoint: str, variant: str, subject: str):
    """What a subject gets when the request carries fund B's ids (see the module's docstring)."""
    row = MATRIX[endpoint][variant]
    if subject == "other_chair":
        return cell_for(row, "chair")
    override = FOREIGN_ANSWERS.get((endpoint, variant), {})
    if subject in override:
        return override[subject]
    answer = cell_for(row, subject)
    if answer is LOGIN or answer == 403:
        return answer
    return 404


REFUSALS = (401, 403, 404)


def check(
    browser: Browser, planned: Planned, expected, never: tuple[str, ...], refused: tuple[str, ...]
) -> list[str]:
    """Send the request (twice for LOGIN: plain and htmx); the mismatches, described. `never` are
    names that must not appear in any answer, `refused` names that must not appear in a refusal."""
    problems = []
    if expected is LOGIN:
        plain = send(browser, planned, htmx=False)
        if plain.status_code != 302 or urlsplit(plain.location or "").path != "/login":
            got = f"{plain.status_code} {plain.location}"
            problems.append(f"{planned.label} {planned.url}: got {got}, expected 302 to /login")
        hx = send(browser, planned, htmx=True)
        target = hx.headers.get("HX-Redirect", "")
        if hx.status_code != 401 or urlsplit(target).path != "/login":
            got = f"{hx.status_code} {target!r}"
            problems.append(f"{planned.label} {planned.url} (htmx): got {got}, expected 401 to /login")
        responses = (plain, hx)
    else:
        acceptable = expected if isinstance(expected, set) else {expected}
        response = send(browser, planned, htmx=planned.htmx)
        if response.status_code not in acceptable:
            problems.append(
                f"{planned.label} {planned.url}: got {response.status_code}, expected {sorted(acceptable)}"
            )
        responses = (response,)
    for response in responses:
        body = response.get_data().decode("utf-8", "replace")  # xlsx answers are binary
        names = never + (refused if response.status_code in REFUSALS else ())
        problems += [
            f"{planned.label} {planned.url}: the {response.status_code} answer names {name}"
            for name in names
            if name in body
        ]
    return problems


# ---------------------------------------------------------------------------------------- tests


def test_every_rule_has_a_row(app):
    assert missing_rows(app) == []
    assert stale_rows(app) == []
    assert set(FORMS) | set(IDS) | HTMX <= set(MATRIX)
    assert {endpoint for endpoint, _variant in FOREIGN_ANSWERS} <= set(MATRIX)


def test_a_new_endpoint_without_a_row_fails(app):
    app.add_url_rule("/new-thing", "new_thing", lambda: "secret", methods=["GET", "POST"])
    assert missing_rows(app) == [
        "new_thing GET: new endpoint without a row: add it to the matrix",
        "new_thing POST: new endpoint without a row: add it to the matrix",
    ]


@pytest.mark.parametrize("subject", SUBJECTS)
def test_authorization_matrix(app, world, subject):
    """Every rule × method for one subject: pass 1 with fund A's ids, pass 2 with fund B's."""
    browser = log_in(app, subject)
    problems = missing_rows(app)
    last = []  # logging out ends the session the other requests run in: it goes last
    checked = 0
    # Fund B's people never reach a fund A user, nor fund A's people fund B's chair; a refusal
    # names nobody at all.
    never = world.people_a if subject == "other_chair" else world.people_b
    if subject == "regional":
        never = world.people_a + world.people_b  # figures only, never a name
    never += tuple(world.people_a[i] for i in OUT_OF_SIGHT.get(subject, ()))
    everyone = world.people_a + world.people_b
    if subject in ("chair", "other_chair"):
        # the other fund hands its second person's file to this one: the chair reads the name to
        # accept it, and once accepted the person is this fund's
        handed = world.people_b[1] if subject == "chair" else world.people_a[1]
        never = tuple(name for name in never if name != handed)
        everyone = tuple(name for name in everyone if name != handed)
    for ids, foreign in ((world.a, False), (world.b, True)):
        for endpoint, row in MATRIX.items():
            for variant in row:
                planned = plan(app, endpoint, variant, ids)
                if foreign and not planned.refers_to_objects:
                    continue
                expected = (
                    foreign_answer(endpoint, variant, subject) if foreign else cell_for(row[variant], subject)
                )
                if endpoint == "auth.logout":
                    last.append((planned, expected))
                    continue
                found = check(browser, planned, expected, never, everyone)
                problems += [f"[fund {'B' if foreign else 'A'} ids] {p}" for p in found]
                checked += 1
    for planned, expected in last:
        problems += check(browser, planned, expected, never, everyone)
        checked += 1
    assert checked > 100
    assert not problems, f"{subject}:\n" + "\n".join(problems)


# Object-level checks on form fields: a valid form whose one id names another fund's object (or,
# for a member, another mentor's person or name) is refused with 422 and writes nothing; the same
# form with fund A's own object goes through (303), so the id was the only thing wrong.
# (endpoint, who, URL, form, the field, own value, foreign value); {a.*}/{b.*} are FundIds.
FOREIGN_FIELDS = [
    (
        "donations.create", "treasurer", "/donations",
        {"amount": "1.000.000", "received_on": "{today}", "method": "cash"},
        "donor_id", "{a.donor_id}", "{b.donor_id}",
    ),
    (
        "donations.create", "treasurer", "/donations",
        {"donor_id": "{a.donor_id}", "amount": "1.000.000", "received_on": "{today}", "method": "cash"},
        "earmark_person_id", "{a.person2_id}", "{b.person_id}",
    ),
    (
        "people.create", "chair", "/people",
        {"full_name": "Vũ Văn Đức", "consent_recorded_on": "{today}"},
        "mentor_id", "{a.member_id}", "{b.member_id}",
    ),
    (
        "people.assign_mentor", "chair", "/people/{a.person_id}/mentor",
        {"assigned_on": "{today}"},
        "mentor_id", "{a.free_member_id}", "{b.member_id}",
    ),
    (
        "visits.create", "chair", "/visits",
        {"person_id": "{a.person_id}", "kind": "home", "visited_on": "{today}"},
        "mentor_id", "{a.member_id}", "{b.member_id}",
    ),
    (
        "visits.create", "member", "/visits",
        {"person_id": "{a.person_id}", "kind": "home", "visited_on": "{today}"},
        "mentor_id", "{a.member_id}", "{a.mentor2_id}",
    ),
    (
        "loans.create", "member", "/loans",
        {"principal": "2.000.000", "purpose": "Mua giống", "term_months": "10", "grace_months": "0",
         "applied_on": "{today}"},
        "person_id", "{a.person_id}", "{a.person2_id}",
    ),
    (
        "loans.create", "chair", "/loans",
        {"principal": "2.000.000", "purpose": "Mua giống", "term_months": "10", "grace_months": "0",
         "applied_on": "{today}"},
        "person_id", "{a.person_id}", "{b.person_id}",
    ),
    (
        "members.create", "chair", "/members",
        {"full_name": "Đỗ Thị Hoa"},
        "user_id", "{a.spare_user_id}", "{b.spare_user_id}",
    ),
    (
        "members.update", "chair", "/members/{a.free_member_id}",
        {"full_name": "Hoàng Văn Cường"},
        "user_id", "{a.spare_user_id}", "{b.spare_user_id}",
    ),
]  # fmt: skip


@pytest.mark.parametrize(
    "endpoint, who, url, form, name, own, foreign",
    FOREIGN_FIELDS,
    ids=[f"{case[0]}-{case[1]}-{case[4]}" for case in FOREIGN_FIELDS],
)
def test_a_form_naming_another_funds_or_mentors_object_is_refused(
    app, world, endpoint, who, url, form, name, own, foreign
):
    values = {"a": world.a, "b": world.b, "today": clock.today().isoformat()}
    url = url.format(**values)
    data = {key: value.format(**values) for key, value in form.items()}
    browser = log_in(app, who)
    before = table_rows(app)
    response = browser.post(url, {**data, name: foreign.format(**values)})
    assert response.status_code == 422
    assert differences(before, table_rows(app)) == {}
    response = browser.post(url, {**data, name: own.format(**values)})
    assert response.status_code == 303, response.get_data(as_text=True)
    assert differences(before, table_rows(app))


def test_a_fund_chair_cannot_set_the_password_of_a_login_that_opens_more(app, seed, as_role):
    """A login may hold roles in several funds and a province's access, with one password. Fund A's
    chair could set it for such a login and then sign in with it as fund B's chair or the
    province's overseer; so only a login of fund A alone gets a new password from fund A's chair."""
    with app.app_context():
        accounts.create_user("other_chair", PASSWORD, seed.fund_id, "viewer")  # B's chair, A's viewer
        accounts.create_regional_user("viewer", PASSWORD, "Lâm Đồng")  # A's viewer, the province
        db.session.commit()
        memberships = {
            username: db.session.scalar(
                sa.select(Membership.id)
                .join(User)
                .where(User.username == username, Membership.fund_id == seed.fund_id)
            )
            for username in ("other_chair", "viewer", "treasurer")
        }
    chair = as_role("chair")
    before = table_rows(app)
    for username in ("other_chair", "viewer"):
        response = chair.post(f"/users/{memberships[username]}/password", {"password": "chiem-quyen-123"})
        assert response.status_code == 400
        assert "không thể đặt mật khẩu ở đây" in response.get_data(as_text=True)
    assert differences(before, table_rows(app)) == {}
    assert Browser(app.test_client()).login("other_chair", "chiem-quyen-123").status_code == 401
    response = chair.post(f"/users/{memberships['treasurer']}/password", {"password": "mat-khau-moi-123"})
    assert response.status_code == 303
    assert Browser(app.test_client()).login("treasurer", "mat-khau-moi-123").status_code == 302
