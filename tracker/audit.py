"""The audit trail (Nhật ký thao tác): every write adds one event in the same transaction.

Every action the code records has its words here (ACTIONS), and every field it keeps before and
after has its form's label and the way its value reads (FIELDS): the log page, its tests and any
export read them from here, so the chair never sees a code."""

import datetime as dt
import json

from flask import g, has_request_context
from flask_login import current_user
from sqlalchemy import (
    Boolean,
    Integer,
    String,
    and_,
    bindparam,
    case,
    cast,
    func,
    insert,
    literal_column,
    null,
    or_,
    select,
    union_all,
)

from tracker import clock, database, labels
from tracker.extensions import db
from tracker.i18n import lazy_gettext as _l
from tracker.models import (
    AuditEvent,
    CommitteeMember,
    Donation,
    Donor,
    Fund,
    Loan,
    Membership,
    Person,
    PersonAccess,
    Repayment,
    User,
    Visit,
    utcnow,
)

# Every action written to the log, in words (record() refuses any other).
ACTIONS = {
    "login": _l("Signed in"),
    "fund.create": _l("Created the fund"),
    "fund.demo": _l("Loaded the demo data"),
    "fund.generate": _l("Generated test data"),
    "fund.settings": _l("Changed the fund's settings"),
    "user.create": _l("Added a login"),
    "user.role": _l("Changed a login's role"),
    "user.deactivate": _l("Deactivated a login"),
    "user.activate": _l("Reactivated a login"),
    "user.password": _l("Set a login's password"),
    "member.create": _l("Added a team member"),
    "member.update": _l("Edited a team member"),
    "member.leave": _l("Marked a team member as left"),
    "person.create": _l("Added a person helped"),
    "person.update": _l("Edited a person helped"),
    "person.status": _l("Changed the status of a person helped"),
    "person.mentor": _l("Assigned a mentor"),
    "person.erase": _l("Erased a person's personal data"),
    "person.handover": _l("Proposed to hand a file to another fund"),
    "person.handover_accept": _l("A file handed over was accepted"),
    "person.handover_cancel": _l("A file's handover was cancelled"),
    "visit.create": _l("Recorded a visit"),
    "loan.apply": _l("Recorded a loan application"),
    "loan.approve": _l("Approved a loan"),
    "loan.reject": _l("Rejected a loan application"),
    "loan.disburse": _l("Disbursed a loan"),
    "loan.reverse_disbursement": _l("Reversed a disbursement"),
    "loan.write_off": _l("Wrote off a loan"),
    "loan.reverse_write_off": _l("Reversed a write-off"),
    "loan.reschedule": _l("Rescheduled a loan"),
    "loan.pause": _l("Paused a loan's collection"),
    "loan.payer": _l("Recorded who repays the loan"),
    "recovery.create": _l("Recorded money recovered after a write-off"),
    "repayment.create": _l("Recorded a repayment"),
    "repayment.reverse": _l("Reversed a repayment"),
    "donor.create": _l("Added a donor"),
    "donor.title": _l("Recorded how a donor is addressed"),
    "commendation.create": _l("Recorded a commendation"),
    "commendation.delete": _l("Deleted a commendation"),
    "donation.create": _l("Recorded a donation"),
    "donation.reverse": _l("Reversed a donation"),
    "transfer.create": _l("Moved money between cash and the bank"),
    "transfer.reverse": _l("Reversed a move between cash and the bank"),
    "cash_count.create": _l("Recorded a cash count"),
    "grant.propose": _l("Proposed a grant"),
    "grant.approve": _l("Approved a grant"),
    "grant.reject": _l("Rejected a grant"),
    "grant.pay": _l("Paid a grant"),
    "grant.reverse": _l("Reversed a grant's payment"),
    "expense.propose": _l("Proposed a running cost"),
    "expense.approve": _l("Approved a running cost"),
    "expense.reject": _l("Rejected a running cost"),
    "expense.pay": _l("Paid a running cost"),
    "expense.reverse": _l("Reversed a running cost's payment"),
    "gift.create": _l("Recorded a gift in kind"),
    "referral.create": _l("Recorded a referral"),
    "referral.outcome": _l("Recorded a referral's outcome"),
    "period.close": _l("Closed the books"),
    "review.notes": _l("Saved a part of the review"),
    "import.file": _l("Imported old books from Excel"),
}
OTHER_ACTION = _l("Other change")  # a row written by an older version under a name since retired

# The fields kept before and after, by their form's label, and how a value reads: a table of
# words (tracker.labels), or one of: money, date, yes_no, person, member, donor, loan, login,
# status (a loan's or a person's), period, person_fields (a list of the fields changed); None: as it is.
FIELDS = {
    "person_id": (_l("Person helped"), "person"),
    "earmark_person_id": (_l("Earmarked for a person"), "person"),
    "earmark_loan_id": (_l("Earmarked for a loan"), "loan"),
    "mentor_id": (_l("Mentor"), "member"),
    "donor_id": (_l("Donor"), "donor"),
    "user_id": (_l("Login"), "login"),
    "amount": (_l("Amount"), "money"),
    "principal": (_l("Principal"), "money"),
    "approved_amount": (_l("Amount approved"), "money"),
    "installments": (_l("Number of installments"), None),
    "first_due_on": (_l("First installment due on"), "date"),
    "paused_from": (_l("Paused from"), "date"),
    "paused_until": (_l("Paused until"), "date"),
    "minutes_ref": (_l("Minutes reference"), None),
    "collection_day": (_l("Collection day of the month"), None),
    "payer_relation": (_l("Relation to the borrower"), None),
    "to_fund_id": (_l("Receiving fund"), "fund"),
    "fund_id": (_l("Fund handing the file over"), "fund"),
    "receipt_no": (_l("Receipt no."), None),
    "voucher_no": (_l("Voucher no."), None),
    "paper_book": (_l("Paper receipt: book"), None),
    "paper_no": (_l("Paper receipt: number"), None),
    "received_on": (_l("Received on"), "date"),
    "visited_on": (_l("Date of the visit"), "date"),
    "next_visit_on": (_l("Next visit"), "date"),
    "joined_on": (_l("Joined on"), "date"),
    "left_on": (_l("Left on"), "date"),
    "closed_through": (_l("Books closed through"), "date"),
    "method": (_l("Method"), labels.PAYMENT_METHODS),
    "account": (_l("Cash or bank"), labels.MONEY_ACCOUNTS),
    "transfer": (_l("Move of money"), labels.TRANSFER_KINDS),
    "made_on": (_l("Date"), "date"),
    "document_no": (_l("Document no."), None),
    "bank_ref": (_l("Bank's advice no."), None),
    "counted_on": (_l("Counted on"), "date"),
    "counted": (_l("Cash counted"), "money"),
    "book_balance": (_l("Cash book balance"), "money"),
    "difference": (_l("Difference"), "money"),
    "kind": (_l("Kind of donor"), labels.DONOR_KINDS),
    "anonymous": (_l("Anonymous"), "yes_no"),
    "title": (_l("Title (Mr or Ms)"), labels.DONOR_TITLES),
    "recipient": (_l("Commended"), labels.COMMENDATION_RECIPIENTS),
    "form": (_l("Form of commendation"), None),
    "decided_by": (_l("Decided by"), None),
    "decision_no": (_l("Decision no."), None),
    "decided_on": (_l("Decided on"), "date"),
    "active": (_l("Login in use"), "yes_no"),
    "status": (_l("Status"), "status"),
    "role": (_l("Role"), labels.ROLES),
    "username": (_l("Username"), None),
    "province": (_l("Province or city"), None),
    "reason": (_l("Reason"), None),
    "by": (_l("Done through"), {"command line": _l("the command line on the server")}),
    "period": (_l("Period"), "period"),
    "section": (_l("Part of the review"), labels.REVIEW_PARTS),
    "items": (_l("Items in the list"), None),
    "fields": (_l("Details entered or changed"), "person_fields"),
    "full_name": (_l("Full name"), None),
    "position": (_l("Position"), None),
    "organisation": (_l("Organisation"), None),
    "phone": (_l("Phone"), None),
    "email": (_l("Email"), None),
    "remind_overdue_days": (_l("Remind the chair of anyone overdue by more than (days)"), None),
    "spending_kind": (_l("Kind"), labels.SPENDING_KINDS),
    "payee": (_l("Paid to"), None),
    "proposed_on": (_l("Proposed on"), "date"),
    "paid_on": (_l("Paid out on"), "date"),
    "estimated_value": (_l("Estimated value"), "money"),
    "given_on": (_l("Given on"), "date"),
    "referral_kind": (_l("Kind of referral"), labels.REFERRAL_KINDS),
    "referred_to": (_l("Referred to"), None),
    "referred_on": (_l("Referred on"), "date"),
    "outcome": (_l("Outcome"), labels.REFERRAL_OUTCOMES),
    "source": (_l("Entered through"), {"excel": _l("import from Excel")}),
}
# A person's details (people.forms.TRACKED_FIELDS), by their form's labels.
PERSON_FIELDS = {
    "full_name": _l("Full name"),
    "birth_year": _l("Year of birth"),
    "gender": _l("Gender"),
    "phone": _l("Phone"),
    "address": _l("Address (hamlet or quarter)"),
    "released_on": _l("Released on"),
    "certificate_type": _l("Certificate"),
    "family_circumstances": _l("Family circumstances"),
    "needs": _l("Needs"),
    "consent_recorded_on": _l("Consent to keep this information recorded on"),
    "named_to_donors": _l("Agrees to be named to donors (in thank-you letters)"),
    "visit_interval_days": _l("Visit every (days)"),
}
# The rows of a value that names another record, by the table it is looked up in.
NAMED_BY = {
    "person": "Person",
    "member": "CommitteeMember",
    "donor": "Donor",
    "loan": "Loan",
    "login": "User",
    "fund": "AnyFund",  # a handover names the other commune's fund
}


def action_words(action: str) -> str:
    words = ACTIONS.get(action) or labels.ACCESSES.get(action) or OTHER_ACTION
    return str(words)


def snapshot(obj, fields: tuple[str, ...]) -> dict:
    """The fields of a row worth keeping in before/after, as JSON-friendly values."""
    result = {}
    for field in fields:
        value = getattr(obj, field)
        result[field] = value.isoformat() if hasattr(value, "isoformat") else value
    return result


def log_access(person_ids, action: str = "view") -> None:
    """Put on record that the current user saw these people's data (DESIGN §5: who, whose, when;
    one row each). Ends the request's transaction, which must only have read, and writes the log
    in a short one of its own: a page that shows a file reads without SQLite's write lock, and
    takes it for one INSERT. Call it before the page is sent (after rendering it, or before
    reading what an export hands over)."""
    at = utcnow()
    fund_id = g.fund.id
    rows = [
        {"fund_id": fund_id, "user_id": current_user.id, "person_id": person_id, "action": action, "at": at}
        for person_id in sorted(set(person_ids))
    ]
    database.end_transaction_before_slow_work()
    if not rows:
        return
    with database.writing():
        db.session.execute(insert(PersonAccess), rows)  # one statement whatever their number
        db.session.commit()


def record(
    action: str,
    obj=None,
    *,
    before: dict | None = None,
    after: dict | None = None,
    fund_id: int | None = None,
    user_id: int | None = None,
) -> AuditEvent:
    if action not in ACTIONS:
        raise ValueError(f"{action!r} is not in audit.ACTIONS: give it words there first")
    if has_request_context() and current_user and current_user.is_authenticated:
        user_id = user_id or current_user.id
        fund_id = fund_id or getattr(g.get("fund"), "id", None)
    if obj is not None:
        db.session.flush()
        fund_id = fund_id or getattr(obj, "fund_id", None)
    event = AuditEvent(
        fund_id=fund_id,
        user_id=user_id,
        action=action,
        object_type=type(obj).__name__ if obj is not None else "",
        object_id=getattr(obj, "id", None),
        before=json.dumps(before, ensure_ascii=False, default=str) if before else "",
        after=json.dumps(after, ensure_ascii=False, default=str) if after else "",
    )
    db.session.add(event)
    return event


# ------------------------------------------------------------------------------ reading the log

# The log grows with every opening of a file: the count stops here (40 pages); older entries are
# found by their dates.
COUNT_LIMIT = 1_000
PAGE_SIZE = 25  # as the other lists
KIND_ACCESS = "access"  # ?kind= for the openings and exports of a person's file


def utc_start_of(day: dt.date) -> dt.datetime:
    """Midnight in Vietnam at the start of `day`, as the naive UTC the tables store."""
    local = dt.datetime.combine(day, dt.time.min, tzinfo=clock.VIETNAM)
    return local.astimezone(dt.UTC).replace(tzinfo=None)


def constant(value: str):
    """A string constant as a column of the merged rows (no bind parameter, so it types on PostgreSQL)."""
    return literal_column(f"'{value}'", String)


def log_query(kind: str | None, by_user: bool, since: bool, until: bool, newest: bool):
    """The merged log of a fund as one subquery with common columns, filters applied to each side.

    Values come as bind parameters (fund_id, user_id, start, end, kind, kind_prefix, newest); the
    arguments say which filters there are. With `newest`, each side keeps only its newest rows, read
    backwards along its (fund_id, at) index: enough for the pages up to there, without merging,
    joining and sorting a whole log that grows by every opening of a file."""
    events = select(
        constant("event").label("source"),
        AuditEvent.id.label("row_id"),
        AuditEvent.at.label("at"),
        AuditEvent.user_id.label("user_id"),
        AuditEvent.action.label("action"),
        AuditEvent.object_type.label("object_type"),
        AuditEvent.object_id.label("object_id"),
        AuditEvent.before.label("before"),
        AuditEvent.after.label("after"),
        case((AuditEvent.object_type == "Person", AuditEvent.object_id), else_=None).label("person_id"),
    ).where(AuditEvent.fund_id == bindparam("fund_id"))
    accesses = select(
        constant("access").label("source"),
        PersonAccess.id.label("row_id"),
        PersonAccess.at.label("at"),
        PersonAccess.user_id.label("user_id"),
        PersonAccess.action.label("action"),
        constant("Person").label("object_type"),
        PersonAccess.person_id.label("object_id"),
        constant("").label("before"),
        constant("").label("after"),
        PersonAccess.person_id.label("person_id"),
    ).where(PersonAccess.fund_id == bindparam("fund_id"))

    if by_user:
        events = events.where(AuditEvent.user_id == bindparam("user_id"))
        accesses = accesses.where(PersonAccess.user_id == bindparam("user_id"))
    if since:
        events = events.where(AuditEvent.at >= bindparam("start"))
        accesses = accesses.where(PersonAccess.at >= bindparam("start"))
    if until:
        events = events.where(AuditEvent.at < bindparam("end"))
        accesses = accesses.where(PersonAccess.at < bindparam("end"))
    if kind and kind != KIND_ACCESS:
        events = events.where(
            or_(AuditEvent.action == bindparam("kind"), AuditEvent.action.like(bindparam("kind_prefix")))
        )
    if newest:
        events = events.order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(bindparam("newest"))
        accesses = accesses.order_by(PersonAccess.at.desc(), PersonAccess.id.desc()).limit(
            bindparam("newest")
        )
        events, accesses = events.subquery().select(), accesses.subquery().select()
    if kind == KIND_ACCESS:
        return accesses.subquery("log")
    if kind:
        return events.subquery("log")
    return union_all(events, accesses).subquery("log")


def log_statements(kind: str | None, by_user: bool, since: bool, until: bool):
    """(count, page) for one shape of filters. `kind` is None, KIND_ACCESS or "action" (any action
    prefix, bound as a value)."""
    counted = select(log_query(kind, by_user, since, until, newest=False).c.row_id)
    count = select(func.count()).select_from(counted.limit(bindparam("count_limit")).subquery())
    log = log_query(kind, by_user, since, until, newest=True)
    page = (
        select(log, User.username, User.full_name.label("user_name"), Person.full_name, Person.erased_at)
        .outerjoin(User, User.id == log.c.user_id)
        .outerjoin(Person, and_(Person.id == log.c.person_id, Person.fund_id == bindparam("fund_id")))
        .order_by(log.c.at.desc(), log.c.source, log.c.row_id.desc())
        .offset(bindparam("offset"))
        .limit(PAGE_SIZE)
    )
    return count, page


def log_page(
    fund_id: int,
    page: int,
    *,
    user_id: int | None = None,
    kind: str | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> tuple[list, int, int, int]:
    """One page of a fund's log, newest first: (rows, page, pages, total rows). Two queries. `kind`
    is KIND_ACCESS (openings of a file), the prefix of an action ("loan"), or None (everything).

    The log grows with every opening of a file, for years: the count stops past COUNT_LIMIT rows
    (and the pages with it), so a view costs the same in the tenth year as in the first; older
    entries are found by their dates."""
    values = {"fund_id": fund_id, "count_limit": COUNT_LIMIT + 1}
    if user_id:
        values["user_id"] = int(user_id)
    if start:
        values["start"] = utc_start_of(start)
    if end:
        values["end"] = utc_start_of(end + dt.timedelta(days=1))
    if kind and kind != KIND_ACCESS:
        values.update(kind=kind, kind_prefix=f"{kind}.%")
    count, page_query = log_statements(
        kind if kind in (None, KIND_ACCESS) else "action", bool(user_id), bool(start), bool(end)
    )
    total = db.session.scalar(count, values)
    pages = max(1, -(-min(total, COUNT_LIMIT) // PAGE_SIZE))
    # Past the end (or a page number too big for the database's integers): the last page.
    page = min(page, pages)
    rows = db.session.execute(
        page_query, {**values, "newest": page * PAGE_SIZE, "offset": (page - 1) * PAGE_SIZE}
    ).all()
    return rows, page, pages, total


class Named:
    """A record the log mentions, as the page names it."""

    __slots__ = ("name", "number", "page_id", "anonymous")

    def __init__(self, name, number, page_id, anonymous):
        # page_id: where the record is read (a visit in its person's file, a repayment on its loan)
        self.name, self.number, self.page_id, self.anonymous = name, number, page_id, anonymous


def record_names(fund_id: int, wanted: dict[str, set[int]]) -> dict[tuple[str, int], Named]:
    """The names of the records a page of the log mentions, in one query, within the fund:
    (table, id) -> name, a number (a receipt, a login's full name), the id of the page it is read
    on and whether a donor is anonymous."""

    def part(kind, query, name, number=None, page_id=None, anonymous=None):
        return query.add_columns(
            literal_column(f"'{kind}'", String).label("kind"),
            name.label("name"),
            (number if number is not None else cast(null(), String)).label("number"),
            (page_id if page_id is not None else cast(null(), Integer)).label("page_id"),
            (anonymous if anonymous is not None else cast(null(), Boolean)).label("anonymous"),
        )

    sources = {
        "Person": lambda ids: part(
            "Person", select(Person.id).where(Person.fund_id == fund_id, Person.id.in_(ids)), Person.full_name
        ),
        "Visit": lambda ids: part(
            "Visit",
            select(Visit.id)
            .join(Person, Person.id == Visit.person_id)
            .where(Visit.fund_id == fund_id, Visit.id.in_(ids)),
            Person.full_name,
            page_id=Visit.person_id,
        ),
        "Loan": lambda ids: part(
            "Loan",
            select(Loan.id)
            .join(Person, Person.id == Loan.person_id)
            .where(Loan.fund_id == fund_id, Loan.id.in_(ids)),
            Person.full_name,
            page_id=Loan.id,
        ),
        "Repayment": lambda ids: part(
            "Repayment",
            select(Repayment.id)
            .join(Loan, Loan.id == Repayment.loan_id)
            .join(Person, Person.id == Loan.person_id)
            .where(Repayment.fund_id == fund_id, Repayment.id.in_(ids)),
            Person.full_name,
            number=Repayment.receipt_no,
            page_id=Repayment.loan_id,
        ),
        "Donation": lambda ids: part(
            "Donation",
            select(Donation.id)
            .join(Donor, Donor.id == Donation.donor_id)
            .where(Donation.fund_id == fund_id, Donation.id.in_(ids)),
            Donor.name,
            number=Donation.receipt_no,
            anonymous=Donor.anonymous,
        ),
        "Donor": lambda ids: part(
            "Donor",
            select(Donor.id).where(Donor.fund_id == fund_id, Donor.id.in_(ids)),
            Donor.name,
            anonymous=Donor.anonymous,
        ),
        "CommitteeMember": lambda ids: part(
            "CommitteeMember",
            select(CommitteeMember.id).where(CommitteeMember.fund_id == fund_id, CommitteeMember.id.in_(ids)),
            CommitteeMember.full_name,
        ),
        "Membership": lambda ids: part(
            "Membership",
            select(Membership.id)
            .join(User, User.id == Membership.user_id)
            .where(Membership.fund_id == fund_id, Membership.id.in_(ids)),
            User.username,
            number=User.full_name,
        ),
        "User": lambda ids: part(
            "User",
            select(User.id)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.fund_id == fund_id, User.id.in_(ids)),
            User.username,
            number=User.full_name,
        ),
        "Fund": lambda ids: part(
            "Fund", select(Fund.id).where(Fund.id == fund_id, Fund.id.in_(ids)), Fund.name
        ),
        # A fund's name is no secret: a chair picks the receiving fund from the list of them all.
        "AnyFund": lambda ids: part("AnyFund", select(Fund.id).where(Fund.id.in_(ids)), Fund.name),
    }
    parts = [sources[kind](sorted(ids)) for kind, ids in wanted.items() if ids and kind in sources]
    if not parts:
        return {}
    query = parts[0] if len(parts) == 1 else union_all(*parts)
    return {
        (row.kind, row.id): Named(row.name, row.number, row.page_id, row.anonymous)
        for row in db.session.execute(query)
    }
