"""Where a person helped can be named, and what erasure and the data export do with each place.

Every text column of every table is listed in TEXT_COLUMNS with how it is treated, and a test
fails when a new one is not: a column added later cannot be forgotten by the erasure or the
export (Law 91/2025/QH15: a person may have everything held about them, and have it erased).

- PERSON: the person's own row (erase_person blanks it, the export lists it whole).
- FREE_TEXT: what someone typed, anywhere in the fund: it may name anyone. The person's own
  records (their visits, status changes, mentor notes, loans, donations earmarked for them) are
  blanked at erasure; in everybody else's, their name and phone are replaced by the placeholder.
  The export lists the person's own, and the others that name them (mentions).
- KEPT_FOR_GOOD: the journal and the audit log, which nobody can change (database triggers). A
  reason typed into them may not name a person of the fund (forms.reason_field refuses it), and
  the audit log's details about an erased person are not shown.
- NOT_PERSONAL: codes, numbers, derived keys, and other people's own data (donors, team members,
  logins), which are theirs.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
from typing import NamedTuple

from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from tracker import casework, clock
from tracker.extensions import db
from tracker.formatting import format_date
from tracker.i18n import gettext as _
from tracker.models import (
    AuditEvent,
    Commendation,
    Donation,
    GiftInKind,
    Loan,
    MentorAssignment,
    PeriodClose,
    Person,
    PersonAccess,
    PersonHandover,
    PersonStatusChange,
    Referral,
    ReviewNote,
    ScheduleChange,
    Spending,
    User,
    Visit,
)
from tracker.money import balances

PERSON, FREE_TEXT, KEPT_FOR_GOOD, NOT_PERSONAL = "person", "free text", "kept for good", "not personal"

TEXT_COLUMNS: dict[str, str] = {
    **{
        f"person.{column}": PERSON
        for column in (
            "full_name",
            "sort_key",
            "search_text",
            "gender",
            "phone",
            "address",
            "certificate_type",
            "family_circumstances",
            "needs",
            "status",
        )
    },
    "visit.summary": FREE_TEXT,
    "visit.livelihood": FREE_TEXT,
    "visit.concerns": FREE_TEXT,
    "person_status_change.reason": FREE_TEXT,
    "mentor_assignment.note": FREE_TEXT,
    "loan.purpose": FREE_TEXT,
    "loan.minutes_ref": FREE_TEXT,
    "loan.rejection_reason": FREE_TEXT,
    "loan.write_off_reason": FREE_TEXT,
    "loan.write_off_minutes_ref": FREE_TEXT,
    # the family member behind the loan: about the person's household, blanked with their file
    "loan.guarantor_name": FREE_TEXT,
    "loan.guarantor_relation": FREE_TEXT,
    "loan.guarantor_phone": FREE_TEXT,
    "loan.guarantor_address": FREE_TEXT,
    "loan.hamlet_head_name": FREE_TEXT,
    "loan.payer_name": FREE_TEXT,
    "loan.payer_relation": FREE_TEXT,
    "person_handover.reason": FREE_TEXT,  # why the person moved: blanked with their file
    "schedule_change.reason": FREE_TEXT,  # often the person's health: blanked with their file
    "schedule_change.minutes_ref": FREE_TEXT,
    "donation.note": FREE_TEXT,
    "review_note.text": FREE_TEXT,
    "period_close.note": FREE_TEXT,
    # a grant's purpose and its decision can tell of the family's hardship: blanked with the file
    "spending.purpose": FREE_TEXT,
    "spending.decision_reason": FREE_TEXT,
    "gift_in_kind.description": FREE_TEXT,
    "referral.referred_to": FREE_TEXT,  # where the person was sent: about them
    # a commendation's words and reason: blanked with the commended person's file; a member's or a
    # donor's may name a person helped, whose name is then taken out
    "commendation.shown_as": FREE_TEXT,
    "commendation.reason": FREE_TEXT,
    "journal_transaction.reason": KEPT_FOR_GOOD,
    "journal_transaction.description": KEPT_FOR_GOOD,  # written by the app: "loan 12", "donation"
    "audit_event.before": KEPT_FOR_GOOD,
    "audit_event.after": KEPT_FOR_GOOD,
    # The books' own records, typed through forms that refuse a person's name (NamesNobody).
    "transfer.reason": KEPT_FOR_GOOD,
    "cash_count.reason": KEPT_FOR_GOOD,
    **{
        name: NOT_PERSONAL
        for name in (
            "fund.name",
            "fund.commune",
            "fund.province",
            "fund.founding_decision",
            "user.username",
            "user.full_name",
            "user.password_hash",
            "user.locale",
            "membership.role",
            "login_session.token",
            "login_session.address",
            "login_attempt.username",
            "login_attempt.address",
            "regional_access.province",
            "form_submission.key",
            "form_submission.location",
            "committee_member.full_name",
            "committee_member.sort_key",
            "committee_member.position",
            "committee_member.organisation",
            "committee_member.phone",
            "committee_member.email",
            # a reminder's log: to which member or login, of what kind, the address, a digest
            "reminder_sent.recipient",
            "reminder_sent.kind",
            "reminder_sent.channel",
            "reminder_sent.address",
            "reminder_sent.digest",
            # a row imported from Excel: its sheet and its key (a code, or codes, amounts and dates)
            "imported_row.sheet",
            "imported_row.key",
            "donor.name",
            "donor.sort_key",
            "donor.kind",
            "donor.phone",
            "donor.address",
            "donor.title",
            "commendation.recipient",
            "commendation.form",
            "commendation.decided_by",
            "commendation.decision_no",
            "audit_event.action",
            "audit_event.object_type",
            "person_access.action",
            "person_status_change.from_status",
            "person_status_change.to_status",
            "visit.kind",
            "loan.status",
            "loan.voucher_no",
            "transfer.kind",
            "transfer.bank_ref",
            "transfer.document_no",
            "schedule_change.kind",
            "person_handover.status",
            "donation.method",
            "donation.receipt_no",
            "donation.paper_book",
            "donation.paper_no",
            "repayment.method",
            "repayment.receipt_no",
            "repayment.paper_book",
            "repayment.paper_no",
            "repayment.kind",
            "journal_transaction.event",
            "journal_transaction.document_no",
            "journal_line.account",
            "journal_line.event",
            "document_counter.series",
            "review_note.period",
            "review_note.section",
            "spending.category",
            "spending.kind",
            "spending.status",
            "spending.voucher_no",
            "spending.payee",  # a cost's shop or bank; a grant's payee is the person, by id
            "referral.kind",
            "referral.outcome",
        )
    },
}

# Of those, what a person's own records hold about them, blanked at erasure (a loan keeps the
# reference of the meeting that approved it, with the name taken out if it is there).
OWNED_FIELDS = {
    Visit: ("summary", "livelihood", "concerns"),
    PersonStatusChange: ("reason",),
    MentorAssignment: ("note",),
    Loan: (
        "purpose",
        "rejection_reason",
        "write_off_reason",
        "guarantor_name",
        "guarantor_relation",
        "guarantor_phone",
        "guarantor_address",
        "payer_name",
        "payer_relation",
    ),
    ScheduleChange: ("reason",),
    PersonHandover: ("reason",),
    Donation: ("note",),
    Spending: ("purpose", "decision_reason"),
    GiftInKind: ("description",),
    Referral: ("referred_to",),
    Commendation: ("shown_as", "reason"),
}

# The FREE_TEXT columns by model, for the search and the scrubbing (each column once).
FREE_TEXT_FIELDS = {
    Visit: ("summary", "livelihood", "concerns"),
    PersonStatusChange: ("reason",),
    MentorAssignment: ("note",),
    Loan: (
        "purpose",
        "minutes_ref",
        "rejection_reason",
        "write_off_reason",
        "write_off_minutes_ref",
        "guarantor_name",
        "guarantor_relation",
        "guarantor_phone",
        "guarantor_address",
        "hamlet_head_name",
        "payer_name",
        "payer_relation",
    ),
    ScheduleChange: ("reason", "minutes_ref"),
    PersonHandover: ("reason",),
    Donation: ("note",),
    ReviewNote: ("text",),
    PeriodClose: ("note",),
    Spending: ("purpose", "decision_reason"),
    GiftInKind: ("description",),
    Referral: ("referred_to",),
    Commendation: ("shown_as", "reason"),
}


# ------------------------------------------------------------------------------ finding a name


def _fold(char: str) -> str:
    """One character without its accents and case, one for one (so positions carry over)."""
    if char in "đĐ":
        return "d"
    return unicodedata.normalize("NFD", char)[0].lower()


def fold(text: str) -> str:
    return "".join(_fold(char) for char in unicodedata.normalize("NFC", text))


def naming_pattern(full_name: str, phone: str) -> re.Pattern | None:
    """What names a person in folded text: the full name (accents, case and spacing aside) or
    the phone number (however its digits are grouped)."""
    parts = []
    words = fold(full_name).split()
    if words:
        parts.append(r"\b" + r"\s+".join(map(re.escape, words)) + r"\b")
    digits = re.sub(r"\D", "", phone or "")
    if len(digits) >= 9:
        national = digits[1:] if digits.startswith("0") else digits
        separated = r"[\s.\-]*".join(national)
        parts.append(rf"(?<!\d)(?:0|\+?84[\s.\-]*)?[\s.\-]*{separated}(?!\d)")
    return re.compile("|".join(parts)) if parts else None


def names(pattern: re.Pattern | None, text: str | None) -> bool:
    return bool(pattern and text and pattern.search(fold(text)))


def replace_naming(pattern: re.Pattern, text: str, placeholder: str) -> str:
    """The text with each span that names the person replaced (found in the folded text, cut from
    the NFC text: the two have the same length)."""
    text = unicodedata.normalize("NFC", text)
    pieces, last = [], 0
    for match in pattern.finditer(fold(text)):
        pieces += [text[last : match.start()], placeholder]
        last = match.end()
    return "".join([*pieces, text[last:]])


def people_named_in(fund_id: int, text: str) -> list[str]:
    """The people of the fund (not erased) whose full name or phone the text contains."""
    if not text or not text.strip():
        return []
    folded = fold(text)
    found = []
    for full_name, phone in db.session.execute(
        select(Person.full_name, Person.phone).where(Person.fund_id == fund_id, Person.erased_at.is_(None))
    ):
        pattern = naming_pattern(full_name, phone)
        if pattern and pattern.search(folded):
            found.append(full_name)
    return found


# ------------------------------------------------------------------------------ the person's records


def owned_rows(person: Person) -> dict[type, list]:
    """The person's own records that hold free text."""
    loans = db.session.scalars(select(Loan).where(Loan.person_id == person.id)).all()
    loan_ids = [loan.id for loan in loans]
    earmarked = or_(Donation.earmark_person_id == person.id, Donation.earmark_loan_id.in_(loan_ids))
    return {
        Visit: db.session.scalars(select(Visit).where(Visit.person_id == person.id)).all(),
        PersonStatusChange: db.session.scalars(
            select(PersonStatusChange).where(PersonStatusChange.person_id == person.id)
        ).all(),
        MentorAssignment: db.session.scalars(
            select(MentorAssignment).where(MentorAssignment.person_id == person.id)
        ).all(),
        Loan: loans,
        ScheduleChange: db.session.scalars(
            select(ScheduleChange).where(ScheduleChange.loan_id.in_(loan_ids))
        ).all(),
        PersonHandover: db.session.scalars(
            select(PersonHandover).where(PersonHandover.person_id == person.id)
        ).all(),
        Donation: db.session.scalars(
            select(Donation).where(Donation.fund_id == person.fund_id, earmarked)
        ).all(),
        Spending: db.session.scalars(select(Spending).where(Spending.person_id == person.id)).all(),
        GiftInKind: db.session.scalars(select(GiftInKind).where(GiftInKind.person_id == person.id)).all(),
        Referral: db.session.scalars(select(Referral).where(Referral.person_id == person.id)).all(),
        Commendation: db.session.scalars(
            select(Commendation).where(Commendation.person_id == person.id)
        ).all(),
    }


class Mention(NamedTuple):
    """A record of someone else, or of the fund, whose text names the person."""

    record: str  # "donation PT-2026-0003", "review 2026-H1", ...
    field: str
    text: str


def mentions(person: Person) -> list[Mention]:
    """Free text elsewhere in the fund that names the person (for the export)."""
    pattern = naming_pattern(person.full_name, person.phone)
    owned = {(type(row), row.id) for rows in owned_rows(person).values() for row in rows}
    found = []
    for model, fields in FREE_TEXT_FIELDS.items():
        for row in fund_rows_naming(model, fields, person.fund_id, pattern):
            if (model, row.id) in owned:
                continue
            for field in fields:
                if names(pattern, getattr(row, field)):
                    found.append(Mention(describe(row), field, getattr(row, field)))
    return found


def fund_rows_naming(model, fields: tuple[str, ...], fund_id: int, pattern: re.Pattern | None) -> list:
    """The fund's rows of `model` with a text field that names the person (read whole, matched
    here: the match forgives accents and case, which SQL LIKE does not)."""
    if pattern is None:
        return []
    non_empty = or_(*(getattr(model, field) != "" for field in fields))
    rows = db.session.scalars(select(model).where(model.fund_id == fund_id, non_empty)).all()
    return [row for row in rows if any(names(pattern, getattr(row, field)) for field in fields)]


def describe(row) -> str:
    """The record in words, as the export names it."""
    if isinstance(row, Donation):
        return _("Donation %(number)s", number=row.receipt_no)
    if isinstance(row, ReviewNote):
        return _("Review %(period)s", period=row.period)
    if isinstance(row, PeriodClose):
        return _("Closing of the books through %(date)s", date=format_date(row.closed_through))
    if isinstance(row, Loan):
        return _("Loan no. %(id)s", id=row.id)
    if isinstance(row, PersonHandover):
        return _("Handover of a file to another fund")
    if isinstance(row, ScheduleChange):
        return _("Change of the schedule of loan no. %(id)s", id=row.loan_id)
    if isinstance(row, Visit):
        return _("Visit of %(date)s to another person", date=format_date(row.visited_on))
    if isinstance(row, PersonStatusChange):
        return _("Status change of %(date)s of another person", date=format_date(row.changed_on))
    if isinstance(row, Commendation):
        return _("Commendation of %(date)s", date=format_date(row.decided_on))
    return _("Mentor assignment of %(date)s of another person", date=format_date(row.assigned_on))


# ------------------------------------------------------------------------------ erasure


def erase_person(person: Person, today: dt.date) -> None:
    """Right to erasure: keep the money records (loans, repayments, the journal), blank the rest.

    The name becomes a placeholder; contact details and the person's own notes are removed; the
    fund's other texts that name the person (by full name or phone) get the placeholder instead."""
    pattern = naming_pattern(person.full_name, person.phone)
    placeholder = f"{casework.ERASED_NAME} #{person.id}"
    for model, rows in owned_rows(person).items():
        for row in rows:
            for field in OWNED_FIELDS[model]:
                setattr(row, field, "")
    for model, fields in FREE_TEXT_FIELDS.items():
        for row in fund_rows_naming(model, fields, person.fund_id, pattern):
            for field in fields:
                if names(pattern, getattr(row, field)):
                    setattr(row, field, replace_naming(pattern, getattr(row, field), placeholder))
    person.set_name(placeholder)
    person.phone = ""
    person.address = ""
    person.birth_year = None
    person.gender = None
    person.released_on = None
    person.certificate_type = None
    person.family_circumstances = ""
    person.needs = ""
    person.next_visit_on = None
    person.named_to_donors = False
    if person.mentor_id is not None:  # leaves the mentor's list; the history keeps the dates
        casework.assign_mentor(person, None, today, None, "")
    person.erased_at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    person.refresh_search_text()


# ------------------------------------------------------------------------------ the export

# Every column of the person except the fund and the search helpers derived from the name, so a
# field added later is exported without anyone remembering to add it here.
INTERNAL_PERSON_COLUMNS = frozenset({"fund_id", "sort_key", "search_text"})
PERSON_FIELDS = tuple(c.key for c in Person.__table__.columns if c.key not in INTERNAL_PERSON_COLUMNS)
LOAN_FIELDS = (
    "id",
    "principal",
    "approved_amount",
    "purpose",
    "applied_on",
    "term_months",
    "grace_months",
    "status",
    "decided_on",
    "minutes_ref",
    "rejection_reason",
    "disbursed_on",
    "voucher_no",
    "written_off_on",
    "write_off_reason",
    "write_off_minutes_ref",
    "guarantor_name",
    "guarantor_relation",
    "guarantor_phone",
    "guarantor_address",
    "hamlet_head_name",
    "payer_name",
    "payer_relation",
)


def user_label(user: User | None) -> str | None:
    if user is None:
        return None
    return f"{user.full_name} ({user.username})" if user.full_name else user.username


def json_value(value):
    """Dates as yyyy-mm-dd; times in Vietnam time with their offset, so nobody reads UTC as local."""
    if isinstance(value, dt.datetime):
        return clock.to_local(value).replace(tzinfo=clock.VIETNAM).isoformat(timespec="seconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def loads(value: str):
    try:
        return json.loads(value) if value else None
    except ValueError:
        return value


def person_data(person: Person) -> dict:
    """Everything the fund holds about a person, as plain JSON-friendly values."""
    data: dict = {"person": {field: getattr(person, field) for field in PERSON_FIELDS}}
    data["person"]["mentor"] = person.mentor.full_name if person.mentor else None
    data["status_history"] = [
        {
            "from_status": change.from_status,
            "to_status": change.to_status,
            "changed_on": change.changed_on,
            "reason": change.reason,
            "changed_by": user_label(change.changed_by),
        }
        for change in db.session.scalars(
            select(PersonStatusChange)
            .where(PersonStatusChange.person_id == person.id)
            .options(selectinload(PersonStatusChange.changed_by))
            .order_by(PersonStatusChange.changed_on, PersonStatusChange.id)
        )
    ]
    data["mentor_history"] = [
        {
            "mentor": assignment.mentor.full_name if assignment.mentor else None,
            "assigned_on": assignment.assigned_on,
            "ended_on": assignment.ended_on,
            "note": assignment.note,
            "assigned_by": user_label(assignment.assigned_by),
        }
        for assignment in db.session.scalars(
            select(MentorAssignment)
            .where(MentorAssignment.person_id == person.id)
            .options(selectinload(MentorAssignment.mentor), selectinload(MentorAssignment.assigned_by))
            .order_by(MentorAssignment.assigned_on, MentorAssignment.id)
        )
    ]
    data["visits"] = [
        {
            "visited_on": visit.visited_on,
            "kind": visit.kind,
            "mentor": visit.mentor.full_name if visit.mentor else None,
            "summary": visit.summary,
            "livelihood": visit.livelihood,
            "concerns": visit.concerns,
            "next_visit_on": visit.next_visit_on,
        }
        for visit in db.session.scalars(
            select(Visit)
            .where(Visit.person_id == person.id)
            .options(selectinload(Visit.mentor))
            .order_by(Visit.visited_on, Visit.id)
        )
    ]
    data["loans"] = loans_data(person)
    data["earmarked_donations"] = [
        # The donor is another person: their name is theirs, not part of this person's data.
        {"receipt_no": d.receipt_no, "amount": d.amount, "received_on": d.received_on, "note": d.note}
        for d in sorted(owned_rows(person)[Donation], key=lambda d: (d.received_on, d.id))
    ]
    owned = owned_rows(person)
    data["grants"] = [
        {
            "voucher_no": grant.voucher_no,
            "kind": grant.kind,
            "amount": grant.amount,
            "status": grant.status,
            "proposed_on": grant.proposed_on,
            "paid_on": grant.paid_on,
            "reversed": grant.reversal_id is not None,
            "purpose": grant.purpose,
            "decision_reason": grant.decision_reason,
        }
        for grant in sorted(owned[Spending], key=lambda row: (row.proposed_on, row.id))
    ]
    data["gifts_in_kind"] = [
        {"given_on": gift.given_on, "description": gift.description, "estimated_value": gift.estimated_value}
        for gift in sorted(owned[GiftInKind], key=lambda row: (row.given_on, row.id))
    ]
    data["referrals"] = [
        {
            "kind": referral.kind,
            "referred_to": referral.referred_to,
            "referred_on": referral.referred_on,
            "outcome": referral.outcome,
        }
        for referral in sorted(owned[Referral], key=lambda row: (row.referred_on, row.id))
    ]
    data["commendations"] = [
        {
            "form": c.form,
            "decided_by": c.decided_by,
            "decision_no": c.decision_no,
            "decided_on": c.decided_on,
            "shown_as": c.shown_as,
            "reason": c.reason,
        }
        for c in sorted(owned[Commendation], key=lambda c: (c.decided_on, c.id))
    ]
    # What others wrote that names the person: another person's visit, a donation's note, a review.
    data["mentioned_in"] = [mention._asdict() for mention in mentions(person)]
    data["access_log"] = [
        {"at": at, "action": action, "by": user_label(user)}
        for at, action, user in db.session.execute(
            select(PersonAccess.at, PersonAccess.action, User)
            .outerjoin(User, User.id == PersonAccess.user_id)
            .where(PersonAccess.person_id == person.id)
            .order_by(PersonAccess.at, PersonAccess.id)
        )
    ]
    data["changes"] = [
        {
            "at": event.at,
            "action": event.action,
            "by": user_label(event.user),
            # After an erasure the old details stay out of the export too; the reason stays in.
            **(
                {"before": loads(event.before), "after": loads(event.after)}
                if person.erased_at is None or event.action == "person.erase"
                else {}
            ),
        }
        for event in db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.object_type == "Person", AuditEvent.object_id == person.id)
            .where(AuditEvent.fund_id == person.fund_id)
            .options(selectinload(AuditEvent.user))
            .order_by(AuditEvent.at, AuditEvent.id)
        )
    ]
    return data


def loans_data(person: Person) -> list[dict]:
    loans = list(
        db.session.scalars(
            select(Loan)
            .where(Loan.person_id == person.id)
            .options(selectinload(Loan.installments), selectinload(Loan.repayments))
            .order_by(Loan.applied_on, Loan.id)
        )
    )
    by_loan = balances.loan_balances([loan.id for loan in loans])
    result = []
    for loan in loans:
        item = {field: getattr(loan, field) for field in LOAN_FIELDS}
        balance = by_loan[loan.id]
        item["balance"] = {
            "disbursed": balance.disbursed,
            "repaid": balance.repaid,
            "written_off": balance.written_off,
            "outstanding": balance.outstanding,
        }
        item["schedule"] = [
            {"number": i.number, "due_on": i.due_on, "amount_due": i.amount_due} for i in loan.installments
        ]
        item["repayments"] = [
            {
                "receipt_no": r.receipt_no,
                "amount": r.amount,
                "paid_on": r.paid_on,
                "method": r.method,
                "reversed": r.is_reversed,
            }
            for r in loan.repayments
        ]
        result.append(item)
    return result
