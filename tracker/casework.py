"""Casework rules: status changes, mentor assignments, visits and the visit queue.

Plain functions over the session, like tracker.money.journal: they never commit; the view commits once.
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from sqlalchemy import and_, case, func, select

from tracker import clock
from tracker.extensions import db
from tracker.models import (
    CLOSED_STATUSES,
    PAUSED_STATUS,
    CommitteeMember,
    Loan,
    MentorAssignment,
    Person,
    PersonHandover,
    PersonStatusChange,
    Visit,
    utcnow,
)

DUE_SOON_DAYS = 7
ERASED_NAME = "Người đã xóa dữ liệu"


def default_next_visit(person: Person, visited_on: dt.date) -> dt.date:
    return visited_on + dt.timedelta(days=person.visit_interval_days or 30)


def log_visit(
    person: Person,
    *,
    mentor_id: int | None,
    visited_on: dt.date,
    kind: str,
    summary: str = "",
    livelihood: str = "",
    concerns: str = "",
    next_visit_on: dt.date | None = None,
    user_id: int | None = None,
) -> Visit:
    """Record a visit; the person's next visit moves to the one planned at their latest visit."""
    visit = Visit(
        fund_id=person.fund_id,
        person_id=person.id,
        mentor_id=mentor_id,
        visited_on=visited_on,
        kind=kind,
        summary=summary,
        livelihood=livelihood,
        concerns=concerns,
        next_visit_on=next_visit_on or default_next_visit(person, visited_on),
        created_by_id=user_id,
    )
    db.session.add(visit)
    db.session.flush()
    latest = db.session.scalar(
        select(Visit)
        .where(Visit.person_id == person.id)
        .order_by(Visit.visited_on.desc(), Visit.id.desc())
        .limit(1)
    )
    if not person.is_closed and latest is visit:
        person.next_visit_on = visit.next_visit_on
    return visit


def change_status(person: Person, to_status: str, on: dt.date, reason: str, user_id: int | None) -> None:
    """Move a person to another status; a closed case leaves the visit queue, a reopened one joins it."""
    change = PersonStatusChange(
        fund_id=person.fund_id,
        person_id=person.id,
        from_status=person.status,
        to_status=to_status,
        changed_on=on,
        reason=reason,
        changed_by_id=user_id,
    )
    db.session.add(change)
    person.status = to_status
    if to_status in CLOSED_STATUSES or (to_status == PAUSED_STATUS and not has_open_loan(person)):
        person.next_visit_on = None
    elif person.next_visit_on is None:
        person.next_visit_on = clock.today()


def has_open_loan(person: Person) -> bool:
    """Whether the person still owes the fund: the visits go on while the money is collected."""
    return (
        db.session.scalar(
            select(Loan.id).where(Loan.person_id == person.id, Loan.status == "active").limit(1)
        )
        is not None
    )


def assign_mentor(
    person: Person, mentor_id: int | None, on: dt.date, user_id: int | None, note: str = ""
) -> None:
    """End the current assignment and start a new one (mentor_id None: nobody for now)."""
    current = db.session.scalar(
        select(MentorAssignment).where(
            MentorAssignment.person_id == person.id, MentorAssignment.ended_on.is_(None)
        )
    )
    if current is not None:
        current.ended_on = on
    db.session.add(
        MentorAssignment(
            fund_id=person.fund_id,
            person_id=person.id,
            mentor_id=mentor_id,
            assigned_on=on,
            assigned_by_id=user_id,
            note=note,
        )
    )
    person.mentor_id = mentor_id


def lock_current_member(member_id: int) -> bool:
    """Whether a committee member of the fund is on the team now, held until the transaction ends
    (FOR UPDATE): a member marked as leaving at the same moment either sees the new assignment
    or comes first and the assignment sees the departure."""
    member = db.session.scalar(
        select(CommitteeMember)
        .where(CommitteeMember.id == member_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return member is not None and member.left_on is None


def people_assigned_to(mentor_id: int) -> list[Person]:
    """People still assigned to a committee member (so they cannot be marked as left yet)."""
    return list(
        db.session.scalars(select(Person).where(Person.mentor_id == mentor_id).order_by(Person.sort_key))
    )


def queue_query(fund_id: int, today: dt.date, mentor_id: int | None = None):
    """select(Person) in the visit queue: supported people whose next visit is due within 7 days or
    past, overdue first (the oldest due date first)."""
    query = select(Person).where(
        Person.fund_id == fund_id,
        Person.status == "supported",
        Person.next_visit_on.is_not(None),
        Person.next_visit_on <= today + dt.timedelta(days=DUE_SOON_DAYS),
    )
    if mentor_id is not None:
        query = query.where(Person.mentor_id == mentor_id)
    return query.order_by(Person.next_visit_on, Person.sort_key)


class MentorRef(NamedTuple):
    """A mentor as lists show one: plain values, which can be kept between requests."""

    id: int
    full_name: str
    sort_key: str


def current_mentors(fund_id: int) -> list[MentorRef]:
    """The fund's current committee members (who may mentor), by name."""
    rows = db.session.execute(
        select(CommitteeMember.id, CommitteeMember.full_name, CommitteeMember.sort_key)
        .where(CommitteeMember.fund_id == fund_id, CommitteeMember.left_on.is_(None))
        .order_by(CommitteeMember.sort_key, CommitteeMember.id)
    )
    return [MentorRef(*row) for row in rows]


def queue_counts_by_mentor(fund_id: int, today: dt.date) -> list[tuple[MentorRef | None, int, int]]:
    """(mentor, due within 7 days, overdue) for every mentor of a supported person, also when both
    counts are 0 (so the chair sees who is up to date, not only who is behind). Two queries."""
    overdue = func.sum(case((Person.visit_overdue(today), 1), else_=0))
    due = func.sum(
        case(
            (
                and_(
                    Person.next_visit_on >= today,
                    Person.next_visit_on <= today + dt.timedelta(days=DUE_SOON_DAYS),
                ),
                1,
            ),
            else_=0,
        )
    )
    rows = db.session.execute(
        select(Person.mentor_id, due, overdue)
        .where(Person.fund_id == fund_id, Person.status == "supported")
        .group_by(Person.mentor_id)
    ).all()
    mentors = {
        mentor.id: mentor
        for mentor in map(
            MentorRef._make,
            db.session.execute(
                select(CommitteeMember.id, CommitteeMember.full_name, CommitteeMember.sort_key).where(
                    CommitteeMember.fund_id == fund_id,
                    CommitteeMember.id.in_([r[0] for r in rows if r[0] is not None]),
                )
            ),
        )
    }
    result = [(mentors.get(mentor_id), int(due or 0), int(overdue or 0)) for mentor_id, due, overdue in rows]
    return sorted(result, key=lambda r: (-r[2], -r[1], r[0].sort_key if r[0] else "~"))


class DueVisit(NamedTuple):
    """A visit a member owes: only the name and the date (a reminder carries nothing more)."""

    person_id: int
    full_name: str
    due_on: dt.date
    days_overdue: int  # 0 when not yet due


class MemberVisits(NamedTuple):
    """The visits one member owes, overdue first; member None: people nobody is assigned to."""

    member: MentorRef | None
    has_login: bool
    visits: list[DueVisit]
    email: str = ""  # where `flask remind` sends it; "" when the member gave none

    @property
    def overdue(self) -> int:
        return sum(1 for visit in self.visits if visit.days_overdue > 0)


def visits_due_by_member(
    fund_id: int, today: dt.date, until: dt.date, mentor_id: int | None = None
) -> list[MemberVisits]:
    """For each member, the supported people whose next visit falls on or before `until` (overdue
    ones included), the oldest due date first; members by name, the unassigned last. The one list
    behind the monthly board, the reminders and a member's own week (one query); `mentor_id`: that
    member's row alone."""
    query = (
        select(
            CommitteeMember.id,
            CommitteeMember.full_name,
            CommitteeMember.sort_key,
            CommitteeMember.user_id,
            CommitteeMember.email,
            Person.id,
            Person.full_name,
            Person.next_visit_on,
        )
        .select_from(Person)
        .outerjoin(CommitteeMember, CommitteeMember.id == Person.mentor_id)
        .where(
            Person.fund_id == fund_id,
            Person.status == "supported",
            Person.next_visit_on.is_not(None),
            Person.next_visit_on <= until,
        )
        .order_by(Person.next_visit_on, Person.sort_key, Person.id)
    )
    if mentor_id is not None:
        query = query.where(Person.mentor_id == mentor_id)
    by_member: dict[int | None, MemberVisits] = {}
    for member_id, name, sort_key, user_id, email, person_id, person_name, due_on in db.session.execute(
        query
    ):
        if member_id not in by_member:
            member = MentorRef(member_id, name, sort_key) if member_id is not None else None
            by_member[member_id] = MemberVisits(member, user_id is not None, [], email or "")
        overdue = (today - due_on).days if due_on < today else 0
        by_member[member_id].visits.append(DueVisit(person_id, person_name, due_on, overdue))
    return sorted(
        by_member.values(),
        key=lambda row: (
            row.member is None,
            row.member.sort_key if row.member else "",
            row.member and row.member.id,
        ),
    )


def count_people_of(fund_id: int, mentor_id: int):
    """select(count) of the supported people a mentor has."""
    return select(func.count()).where(
        Person.fund_id == fund_id, Person.mentor_id == mentor_id, Person.status == "supported"
    )


class VisitRow(NamedTuple):
    """A visit as the timeline shows it."""

    id: int
    visited_on: dt.date
    kind: str
    mentor_name: str | None
    summary: str
    livelihood: str
    concerns: str


def latest_visits(person: Person, count: int) -> list[VisitRow]:
    rows = db.session.execute(
        select(
            Visit.id,
            Visit.visited_on,
            Visit.kind,
            CommitteeMember.full_name,
            Visit.summary,
            Visit.livelihood,
            Visit.concerns,
        )
        .outerjoin(CommitteeMember, CommitteeMember.id == Visit.mentor_id)
        .where(Visit.person_id == person.id, Visit.fund_id == person.fund_id)
        .order_by(Visit.visited_on.desc(), Visit.id.desc())
        .limit(count)
    )
    return [VisitRow(*row) for row in rows]


# ------------------------------------------------------------------ handing a file to another fund

HANDOVER_COPIED_FIELDS = (
    "full_name",
    "sort_key",
    "search_text",
    "birth_year",
    "gender",
    "phone",
    "address",
    "released_on",
    "certificate_type",
    "family_circumstances",
    "needs",
    "consent_recorded_on",
    "named_to_donors",
    "visit_interval_days",
)


def pending_handover(person: Person) -> PersonHandover | None:
    return db.session.scalar(
        select(PersonHandover).where(
            PersonHandover.person_id == person.id, PersonHandover.status == "pending"
        )
    )


def accept_handover(handover: PersonHandover, user_id: int | None) -> Person:
    """The receiving fund takes the file: a copy of the person (its own mentor to be assigned),
    of the visits and of the status history; the person leaves the sending fund as moved. The
    sending fund keeps its own record of the work done (its reports of past months stay true) and
    the loans it lent."""
    person = db.session.scalar(select(Person).where(Person.id == handover.person_id).with_for_update())
    today = clock.today()
    copy = Person(fund_id=handover.to_fund_id, status="supported", next_visit_on=today)
    for field in HANDOVER_COPIED_FIELDS:
        setattr(copy, field, getattr(person, field))
    db.session.add(copy)
    db.session.flush()
    for change in db.session.scalars(
        select(PersonStatusChange)
        .where(PersonStatusChange.person_id == person.id)
        .order_by(PersonStatusChange.id)
    ):
        db.session.add(
            PersonStatusChange(
                fund_id=copy.fund_id,
                person_id=copy.id,
                from_status=change.from_status,
                to_status=change.to_status,
                changed_on=change.changed_on,
                reason=change.reason,
            )
        )
    for visit in db.session.scalars(select(Visit).where(Visit.person_id == person.id).order_by(Visit.id)):
        # the mentor was the other fund's member: the visit is kept, the name is not carried over
        db.session.add(
            Visit(
                fund_id=copy.fund_id,
                person_id=copy.id,
                mentor_id=None,
                visited_on=visit.visited_on,
                kind=visit.kind,
                summary=visit.summary,
                livelihood=visit.livelihood,
                concerns=visit.concerns,
                next_visit_on=visit.next_visit_on,
            )
        )
    if person.status != "moved":
        change_status(person, "moved", today, handover.reason, handover.proposed_by_id)
    if person.mentor_id is not None:
        assign_mentor(person, None, today, handover.proposed_by_id)
    handover.status = "accepted"
    handover.decided_by_id = user_id
    handover.decided_at = utcnow()
    handover.new_person_id = copy.id
    db.session.flush()
    return copy
