"""Reminders (Nhắc việc): what each member must visit, what the treasurer must collect, and the
chair's weekly line of whoever is overdue by more than the fund's N days.

The texts are written here once, for the email `flask remind` sends, the /reminders page the chair
copies into the committee's Zalo group, and a member's own week on the dashboard. A reminder names
a person and what is due, nothing more: no notes, concerns, history, phone, address or purpose
(it goes to phones and chat groups the fund does not control).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import smtplib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import NamedTuple

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from tracker import casework
from tracker.extensions import db, mail
from tracker.formatting import format_date, format_money
from tracker.i18n import gettext as _
from tracker.i18n import ngettext
from tracker.models import CommitteeMember, Fund, Membership, ReminderSent, User, utcnow
from tracker.queries import dashboard

CHAIR_EVERY_DAYS = 7  # the chair's line goes out once a week, whatever the cron's rhythm


@dataclass(frozen=True)
class Reminder:
    """One text for one recipient. member_id and user_id None: nobody to send it to (the people
    nobody is assigned to, or a treasurer the fund has no login for): the page shows it anyway."""

    kind: str  # ReminderSent.kind: visits | repayments | chair
    name: str  # whom it is for, as the page heads its box
    subject: str
    text: str
    member_id: int | None = None
    user_id: int | None = None
    has_login: bool = False
    email: str = ""

    @property
    def recipient(self) -> str | None:
        """The log's key for the recipient (ReminderSent.recipient)."""
        if self.member_id is not None:
            return f"member:{self.member_id}"
        if self.user_id is not None:
            return f"user:{self.user_id}"
        return None

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.text.encode()).hexdigest()


class Login(NamedTuple):
    """A chair's or treasurer's login, with the committee member linked to it (for the name and
    the email address)."""

    user_id: int | None
    name: str
    member_id: int | None
    email: str


def logins_with_role(fund_id: int, role: str) -> list[Login]:
    rows = db.session.execute(
        select(User.id, User.full_name, User.username, CommitteeMember.id, CommitteeMember.full_name)
        .add_columns(CommitteeMember.email)
        .join(Membership, Membership.user_id == User.id)
        .outerjoin(
            CommitteeMember, (CommitteeMember.user_id == User.id) & (CommitteeMember.fund_id == fund_id)
        )
        .where(Membership.fund_id == fund_id, Membership.role == role, Membership.active, User.active)
        .order_by(User.username)
    )
    return [
        Login(user_id, member_name or full_name or username, member_id, email or "")
        for user_id, full_name, username, member_id, member_name, email in rows
    ]


def week_end(today: dt.date) -> dt.date:
    """The last day a visit counts as due this week: the same window as the visit queue's."""
    return today + dt.timedelta(days=casework.DUE_SOON_DAYS)


def visit_line(visit: casework.DueVisit) -> str:
    if visit.days_overdue > 0:
        return ngettext(
            "%(person)s: overdue by %(num)d day",
            "%(person)s: overdue by %(num)d days",
            visit.days_overdue,
            person=visit.full_name,
        )
    return _("%(person)s: due %(date)s", person=visit.full_name, date=format_date(visit.due_on))


def loan_line(name: str, amount: int, *, days_overdue: int = 0, due_on: dt.date | None = None) -> str:
    if days_overdue > 0:
        return ngettext(
            "%(person)s: %(amount)s, overdue by %(num)d day",
            "%(person)s: %(amount)s, overdue by %(num)d days",
            days_overdue,
            person=name,
            amount=format_money(amount),
        )
    return _(
        "%(person)s: %(amount)s, due %(date)s",
        person=name,
        amount=format_money(amount),
        date=format_date(due_on),
    )


def lines(items) -> str:
    return "\n".join(f"- {item}" for item in items)


def short_name(fund: Fund) -> str:
    """'Quỹ xã Hồng Sơn': the fund's full name is too long for the first line on a phone."""
    return _("Fund of %(commune)s", commune=fund.commune) if fund.commune else fund.name


def member_text(fund: Fund, name: str | None, visits: list[casework.DueVisit]) -> tuple[str, str]:
    """name None: the people nobody mentors yet (for the chair to assign)."""
    subject = _("%(fund)s: visits to make", fund=short_name(fund))
    if name is None:
        body = _("Nobody mentors these people yet; due this week:")
    else:
        body = _("%(name)s, your visits this week:", name=name)
    return subject, f"{subject}\n{body}\n{lines(map(visit_line, visits))}"


def treasurer_text(fund: Fund, late, due) -> tuple[str, str]:
    subject = _("%(fund)s: repayments to collect", fund=short_name(fund))
    parts = [subject]
    if late:
        parts.append(_("Overdue:"))
        parts.append(
            lines(loan_line(r.person_name, r.overdue_amount, days_overdue=r.days_overdue) for r in late)
        )
    if due:
        parts.append(_("Due this week:"))
        parts.append(lines(loan_line(r.person_name, r.left, due_on=r.due_on) for r in due))
    return subject, "\n".join(parts)


def chair_text(fund: Fund, visits, late) -> tuple[str, str]:
    days = fund.remind_overdue_days
    subject = _("%(fund)s: the chair's weekly summary", fund=short_name(fund))
    parts = [subject]
    if visits:
        parts.append(_("Visits overdue by more than %(num)d days:", num=days))
        parts.append(
            lines(
                _(
                    "%(line)s (mentor: %(mentor)s)",
                    line=visit_line(visit),
                    mentor=mentor or _("not assigned yet"),
                )
                for mentor, visit in visits
            )
        )
    if late:
        parts.append(_("Loans overdue by more than %(num)d days:", num=days))
        parts.append(
            lines(loan_line(r.person_name, r.overdue_amount, days_overdue=r.days_overdue) for r in late)
        )
    return subject, "\n".join(parts)


@dataclass
class FundReminders:
    """What is due in a fund on a day, and the texts written from it."""

    members: list[Reminder] = field(default_factory=list)  # one per member with visits, unassigned last
    treasurer: list[Reminder] = field(default_factory=list)  # one per treasurer login (or one without)
    chair: list[Reminder] = field(default_factory=list)

    @property
    def all(self) -> list[Reminder]:
        return [*self.members, *self.treasurer, *self.chair]


def build(fund: Fund, today: dt.date) -> FundReminders:
    """Every reminder of a fund for the day, in Vietnamese whatever the reader's language (they go
    to the committee's phones and Zalo group). Six queries, whatever the fund's size."""
    rows = casework.visits_due_by_member(fund.id, today, week_end(today))
    late = dashboard.late_loans(fund.id, dashboard.fund_figures(fund.id, today).late)
    due = dashboard.due_this_week(fund.id, today)
    found = FundReminders()
    with force_locale("vi"):
        for row in rows:
            if row.member is None:
                subject, text = member_text(fund, None, row.visits)
                found.members.append(Reminder("visits", _("Not assigned to a mentor yet"), subject, text))
                continue
            subject, text = member_text(fund, row.member.full_name, row.visits)
            found.members.append(
                Reminder(
                    "visits",
                    row.member.full_name,
                    subject,
                    text,
                    member_id=row.member.id,
                    has_login=row.has_login,
                    email=row.email,
                )
            )
        if late or due:
            subject, text = treasurer_text(fund, late, due)
            treasurers = logins_with_role(fund.id, "treasurer") or [Login(None, _("Treasurer"), None, "")]
            found.treasurer = [
                Reminder(
                    "repayments",
                    t.name,
                    subject,
                    text,
                    t.member_id,
                    t.user_id,
                    t.user_id is not None,
                    t.email,
                )
                for t in treasurers
            ]
        over = fund.remind_overdue_days
        long_overdue = [
            (row.member.full_name if row.member else None, visit)
            for row in rows
            for visit in row.visits
            if visit.days_overdue > over
        ]
        long_overdue.sort(key=lambda pair: -pair[1].days_overdue)
        late_long = [r for r in late if r.days_overdue > over]
        if long_overdue or late_long:
            subject, text = chair_text(fund, long_overdue, late_long)
            found.chair = [
                Reminder("chair", c.name, subject, text, c.member_id, c.user_id, True, c.email)
                for c in logins_with_role(fund.id, "chair")
            ]
    return found


def last_sent(fund_id: int) -> dict[tuple[str, str], dt.date]:
    """The day each recipient last got each kind of reminder by email: (recipient, kind) -> day."""
    rows = db.session.execute(
        select(ReminderSent.recipient, ReminderSent.kind, func.max(ReminderSent.sent_on))
        .where(ReminderSent.fund_id == fund_id)
        .group_by(ReminderSent.recipient, ReminderSent.kind)
    )
    return {(recipient, kind): day for recipient, kind, day in rows}


# ------------------------------------------------------------------ sending (flask remind)


@dataclass
class Outcome:
    sent: int = 0
    skipped: int = 0  # already sent today (the chair's: this week)
    no_address: int = 0
    failed: int = 0


def mail_configured() -> bool:
    return bool(current_app.config.get("MAIL_SERVER"))


def sender() -> str | None:
    """The From of the reminders: MAIL_DEFAULT_SENDER, else the mailbox logged into when it is an
    address (a Gmail account's is); None: neither, and a message would go out "From: None"."""
    config = current_app.config
    username = config.get("MAIL_USERNAME") or ""
    return config.get("MAIL_DEFAULT_SENDER") or (username if "@" in username else None)


def already_sent(fund_id: int, today: dt.date) -> set[tuple[str, str]]:
    """(recipient, kind) of what must not go again today: today's, and the chair's of the week."""
    rows = db.session.execute(
        select(ReminderSent.recipient, ReminderSent.kind, ReminderSent.sent_on).where(
            ReminderSent.fund_id == fund_id,
            ReminderSent.sent_on > today - dt.timedelta(days=CHAIR_EVERY_DAYS),
        )
    )
    return {(recipient, kind) for recipient, kind, sent_on in rows if sent_on == today or kind == "chair"}


def claim(fund_id: int, reminder: Reminder, today: dt.date) -> ReminderSent | None:
    """Write the log row before the message goes: a second run at the same moment fails on the
    unique key here (None) instead of sending it again."""
    row = ReminderSent(
        fund_id=fund_id,
        recipient=reminder.recipient,
        member_id=reminder.member_id,
        user_id=reminder.user_id,
        kind=reminder.kind,
        channel="email",
        address=reminder.email,
        sent_on=today,
        sent_at=utcnow(),
        digest=reminder.digest,
    )
    db.session.add(row)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return None
    return row


def send_fund(fund: Fund, today: dt.date, *, dry_run: bool, echo: Callable[[str], None]) -> Outcome:
    """Email each reminder of the fund that has an address and has not gone today; log it."""
    outcome = Outcome()
    reminders = [r for r in build(fund, today).all if r.recipient is not None]
    done = already_sent(fund.id, today)
    db.session.commit()  # end the reading transaction before the network
    connection = None if dry_run else mail.get_connection()
    for reminder in reminders:
        who = f"{reminder.name} ({reminder.email})" if reminder.email else reminder.name
        if not reminder.email:
            outcome.no_address += 1
            echo(f"  chưa có địa chỉ thư: {reminder.name}")
            continue
        if (reminder.recipient, reminder.kind) in done:
            outcome.skipped += 1
            continue
        if dry_run:
            outcome.sent += 1
            echo(f"  sẽ gửi tới {who}:\n" + indent(reminder.text))
            continue
        row = claim(fund.id, reminder, today)
        if row is None:
            outcome.skipped += 1
            continue
        try:
            mail.send_mail(
                reminder.subject,
                reminder.text,
                sender(),
                [reminder.email],
                connection=connection,
            )
        except (OSError, smtplib.SMTPException) as error:
            # not sent: the log must not say it was (the next run tries again)
            db.session.delete(row)
            db.session.commit()
            outcome.failed += 1
            echo(f"  LỖI gửi tới {who}: {error}")
            continue
        outcome.sent += 1
        echo(f"  đã gửi tới {who}")
    return outcome


def indent(text: str) -> str:
    return "\n".join(f"    {line}" for line in text.splitlines())
