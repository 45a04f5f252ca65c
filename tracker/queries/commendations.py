"""Commendations (biểu dương, khen thưởng) as pages and the review read them.

A commendation of a person helped is a record of a former prisoner: in the review, which the Front
and the commune read, and on the list of commendations, it appears only by the words the committee
chose (Commendation.shown_as), never by the person's file; those words may name the person only if
they agreed to be named (Person.named_to_donors, the letters' consent) and their data is not
erased (may_show). Members and donors are named as the rest of the app names them (an anonymous
donor as "Anonymous donor").
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tracker import labels, personal_data
from tracker.extensions import db
from tracker.formatting import format_date
from tracker.i18n import gettext as _
from tracker.i18n import lazy_gettext as _l
from tracker.models import Commendation, Person
from tracker.queries.letters import may_name

RECIPIENT_COLUMNS = {
    "member": Commendation.member_id,
    "donor": Commendation.donor_id,
    "person": Commendation.person_id,
}


def commendations_of(fund_id: int, recipient: str, recipient_id: int) -> list[Commendation]:
    """A member's, a donor's or a person's commendations, newest first (one query)."""
    return list(
        db.session.scalars(
            select(Commendation)
            .where(Commendation.fund_id == fund_id, RECIPIENT_COLUMNS[recipient] == recipient_id)
            .order_by(Commendation.decided_on.desc(), Commendation.id.desc())
        )
    )


def may_show(person: Person, words: str) -> bool:
    """Whether the words the committee chose for a person helped may be printed: any words that do
    not name them (full name or phone, accents and case aside), or their name if they agreed to be
    named and their data is not erased."""
    if may_name(person):
        return True
    return not personal_data.names(personal_data.naming_pattern(person.full_name, person.phone), words)


def decision_text(commendation: Commendation) -> str:
    """'Quyết định số 12/QĐ-UBND ngày 15/01/2027 của UBND xã Hồng Sơn' (without a number when the
    commendation was not a numbered decision)."""
    if commendation.decision_no:
        return _(
            "Decision no. %(number)s of %(date)s by %(body)s",
            number=commendation.decision_no,
            date=format_date(commendation.decided_on),
            body=commendation.decided_by,
        )
    return _(
        "Decided on %(date)s by %(body)s",
        date=format_date(commendation.decided_on),
        body=commendation.decided_by,
    )


def shown_name(commendation: Commendation) -> str:
    """Who was commended, as a list or the review prints it."""
    if commendation.recipient == "member":
        return commendation.member.full_name
    if commendation.recipient == "donor":
        return labels.donor_name(commendation.donor)
    person = commendation.person
    if person.erased_at is not None or not may_show(person, commendation.shown_as):
        return str(labels.COMMENDATION_RECIPIENTS["person"])
    return commendation.shown_as or str(labels.COMMENDATION_RECIPIENTS["person"])


@dataclass(frozen=True)
class CommendationLine:
    id: int
    recipient: str  # member | donor | person
    who: str
    form: str
    decision: str
    decided_on: dt.date
    reason: str  # "" for a person helped: the reason tells about them


def lines(fund_id: int, start: dt.date | None = None, end: dt.date | None = None) -> list[CommendationLine]:
    """The fund's commendations decided from start to end (all when not given), in date order, as
    printed: at most four queries (the commendations, then their members, donors and people)."""
    query = select(Commendation).where(Commendation.fund_id == fund_id)
    if start is not None and end is not None:
        query = query.where(Commendation.decided_on.between(start, end))
    rows = db.session.scalars(
        query.options(
            selectinload(Commendation.member),
            selectinload(Commendation.donor),
            selectinload(Commendation.person),
        ).order_by(Commendation.decided_on, Commendation.id)
    ).all()
    return [
        CommendationLine(
            id=row.id,
            recipient=row.recipient,
            who=shown_name(row),
            form=row.form,
            decision=decision_text(row),
            decided_on=row.decided_on,
            reason="" if row.recipient == "person" else row.reason,
        )
        for row in rows
    ]


# ------------------------------------------------------------------ the review's part


# Section II of the review (the results) ends with the commendations of the period, as a Vietnamese
# tổng kết lists them under "công tác thi đua, khen thưởng".
REVIEW_HEADING = _l("5. Commendations")


@dataclass(frozen=True)
class ReviewPart:
    lines: list[CommendationLine]

    @property
    def summary(self) -> str:
        """'Trong kỳ có 3 lượt khen thưởng: 1 thành viên, 1 nhà tài trợ, 1 người được giúp đỡ.'"""
        if not self.lines:
            return _("No commendations in the period.")
        counts = {
            kind: sum(1 for line in self.lines if line.recipient == kind)
            for kind in labels.COMMENDATION_RECIPIENTS
        }
        parts = [
            _("%(count)s team member(s)", count=counts["member"]),
            _("%(count)s donor(s)", count=counts["donor"]),
            _("%(count)s person(s) helped", count=counts["person"]),
        ]
        shown = [
            part for part, kind in zip(parts, labels.COMMENDATION_RECIPIENTS, strict=True) if counts[kind]
        ]
        return _(
            "%(count)s commendation(s) in the period: %(parts)s.",
            count=len(self.lines),
            parts=", ".join(shown),
        )


def review_part(fund_id: int, start: dt.date, end: dt.date) -> ReviewPart:
    """The commendations decided in a review's period."""
    return ReviewPart(lines(fund_id, start, end))
