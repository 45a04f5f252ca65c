"""All SQLAlchemy models. Every domain row carries fund_id; lookups go through access.get_or_404."""

from __future__ import annotations

import datetime as dt
import secrets

from flask_login import UserMixin
from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    and_,
    false,
    func,
    or_,
)
from sqlalchemy.ext.hybrid import hybrid_method, hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from tracker.extensions import db
from tracker.money import loan_status
from tracker.text import searchable, vietnamese_sort_key

ROLES = ("chair", "treasurer", "member", "viewer")


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def random_revision() -> int:
    return secrets.randbits(62)


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Fund(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    commune: Mapped[str] = mapped_column(String(120), default="")
    province: Mapped[str] = mapped_column(String(120), default="")
    founded_on: Mapped[dt.date | None]
    founding_decision: Mapped[str] = mapped_column(String(200), default="")
    # The day of the month installments fall on (the monthly meeting's), 1-28; None: the day of
    # the month the loan was disbursed.
    collection_day: Mapped[int | None]
    # The chair's weekly reminder names whoever is overdue (a visit, a loan) by more than this.
    remind_overdue_days: Mapped[int] = mapped_column(default=30, server_default="30")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        UniqueConstraint("name", "commune", "province"),
        Index("ix_fund_province", "province"),
        CheckConstraint("remind_overdue_days BETWEEN 1 AND 365", name="remind_overdue_days"),
    )

    @property
    def place(self) -> str:
        """The place name used in official headings, e.g. 'Hồng Sơn'."""
        commune = self.commune or ""
        for prefix in ("xã ", "Xã ", "phường ", "Phường ", "thị trấn ", "Thị trấn "):
            if commune.startswith(prefix):
                return commune[len(prefix) :]
        return commune


class FundRevision(db.Model):
    """A fund's revisions (queries.figure_cache): new random numbers at each commit that writes the
    fund's money, or the rest of its rows. A table of its own, without a foreign key, written as a
    transaction's last statement: the fund's row is the lock the money writes take first
    (journal.lock_fund), and a commit that waited for it while holding other rows could deadlock
    with them."""

    fund_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    money_revision: Mapped[int] = mapped_column(BigInteger, default=0)
    casework_revision: Mapped[int] = mapped_column(BigInteger, default=0)


class User(UserMixin, db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    full_name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(String(256))
    active: Mapped[bool] = mapped_column(default=True)
    locale: Mapped[str | None] = mapped_column(String(10))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    memberships: Mapped[list[Membership]] = relationship(back_populates="user")

    # Set by the user loader: the server-side session this request runs under.
    login_session = None

    def get_id(self) -> str | None:
        # Flask-Login stores this in the cookie: the id of a server-side session, not the user id,
        # so logging out (revoking the session row) makes copies of the cookie worthless.
        return self.login_session.token if self.login_session else None

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def membership(self) -> Membership | None:
        return self.login_session.membership if self.login_session else None

    @property
    def role(self) -> str | None:
        if self.membership:
            return self.membership.role
        if self.login_session and self.login_session.regional_access:
            return "regional"
        return None

    @property
    def fund(self) -> Fund | None:
        return self.membership.fund if self.membership else None

    @property
    def province(self) -> str | None:
        """The province a regional login oversees (Ban Chỉ đạo tỉnh, MTTQ tỉnh)."""
        access = self.login_session.regional_access if self.login_session else None
        return access.province if access else None


class Membership(db.Model):
    """A user's role in one fund."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    fund_id: Mapped[int] = mapped_column(ForeignKey("fund.id"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship(back_populates="memberships")
    fund: Mapped[Fund] = relationship()
    committee_member: Mapped[CommitteeMember | None] = relationship(
        primaryjoin="and_(CommitteeMember.user_id == foreign(Membership.user_id), "
        "CommitteeMember.fund_id == foreign(Membership.fund_id))",
        viewonly=True,
        uselist=False,
    )

    __table_args__ = (
        UniqueConstraint("user_id", "fund_id"),
        CheckConstraint(_in("role", ROLES), name="role"),
    )


class LoginSession(db.Model):
    """A server-side login session; the cookie only carries its random token."""

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True, default=lambda: secrets.token_urlsafe(32))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    # Exactly one of the two: a role in a fund, or read-only access to a province.
    membership_id: Mapped[int | None] = mapped_column(ForeignKey("membership.id"))
    regional_access_id: Mapped[int | None] = mapped_column(ForeignKey("regional_access.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[dt.datetime | None]
    address: Mapped[str] = mapped_column(String(64), default="")
    # When the password was last typed in this session (asked again before approving or disbursing
    # a loan); None: only at login, created_at.
    password_at: Mapped[dt.datetime | None]

    user: Mapped[User] = relationship()
    membership: Mapped[Membership | None] = relationship()
    regional_access: Mapped[RegionalAccess | None] = relationship()


class FormSubmission(db.Model):
    """A form that was saved, by the random key it carried (tracker.web.once): the same form sent again,
    because its answer was lost on a poor connection and the user pressed the button again, is not
    saved a second time. Kept 30 days; no personal data, only where the saved thing can be seen."""

    __table_args__ = (UniqueConstraint("user_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    key: Mapped[str] = mapped_column(String(64))
    saved_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    location: Mapped[str] = mapped_column(String(300), default="")


class RegionalAccess(db.Model):
    """A login of the province (Ban Chỉ đạo tỉnh, MTTQ tỉnh): figures of every fund of the province,
    read-only, never a person's file or name."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    province: Mapped[str] = mapped_column(String(120))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship()

    __table_args__ = (UniqueConstraint("user_id", "province"),)


class LoginAttempt(db.Model):
    """Wrong passwords (and attempts still being checked), kept in the database so throttling holds
    across worker processes: at the login page, or asked again in an open session."""

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80))
    address: Mapped[str] = mapped_column(String(64))
    attempted_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # the session whose password question it answered; None at the login page
    login_session_id: Mapped[int | None] = mapped_column(ForeignKey("login_session.id"))

    __table_args__ = (
        Index("ix_login_attempt_username_at", "username", "attempted_at"),
        Index("ix_login_attempt_address_at", "address", "attempted_at"),
        Index("ix_login_attempt_login_session_id", "login_session_id"),
    )


class CommitteeMember(db.Model):
    """A member of the support team (Tổ giúp đỡ); not every member has a login."""

    id: Mapped[int] = mapped_column(primary_key=True)
    fund_id: Mapped[int] = mapped_column(ForeignKey("fund.id"), index=True)
    full_name: Mapped[str] = mapped_column(String(200))
    sort_key: Mapped[str] = mapped_column(String(800), default="")
    position: Mapped[str] = mapped_column(String(200), default="")
    organisation: Mapped[str] = mapped_column(String(200), default="")
    phone: Mapped[str] = mapped_column(String(20), default="")
    # where `flask remind` sends the member's reminders; a member without a login can have one
    email: Mapped[str] = mapped_column(String(254), default="", server_default="")
    joined_on: Mapped[dt.date | None]
    left_on: Mapped[dt.date | None]
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    user: Mapped[User | None] = relationship()

    __table_args__ = (UniqueConstraint("fund_id", "user_id"),)

    def set_name(self, full_name: str) -> None:
        self.full_name = full_name
        self.sort_key = vietnamese_sort_key(full_name)

    @property
    def has_left(self) -> bool:
        return self.left_on is not None


class AuditEvent(db.Model):
    """Who did what, when, to which record; written with every change and never edited."""

    id: Mapped[int] = mapped_column(primary_key=True)
    fund_id: Mapped[int | None] = mapped_column(ForeignKey("fund.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    at: Mapped[dt.datetime] = mapped_column(default=utcnow, server_default=func.current_timestamp())
    action: Mapped[str] = mapped_column(String(60))
    object_type: Mapped[str] = mapped_column(String(60), default="")
    object_id: Mapped[int | None]
    before: Mapped[str] = mapped_column(Text, default="")
    after: Mapped[str] = mapped_column(Text, default="")

    user: Mapped[User | None] = relationship()

    # the audit page lists a fund's events newest first
    __table_args__ = (Index("ix_audit_event_fund_at", "fund_id", "at"),)


# ---------------------------------------------------------------------------------------------
# People helped (the casework issue builds the rest on this)

GENDERS = ("male", "female", "other")
CERTIFICATE_TYPES = ("sentence_completed", "amnesty")
# "paused" (tạm dừng giúp đỡ) replaced "reoffended": a re-offence is a court's finding and
# criminal-record data, which the fund does not hold (DESIGN §3).
PERSON_STATUSES = ("supported", "settled", "paused", "moved", "deceased")


class Person(db.Model):
    """A person helped (người được giúp đỡ). No offence details: the law asks for the minimum."""

    id: Mapped[int] = mapped_column(primary_key=True)
    fund_id: Mapped[int] = mapped_column(ForeignKey("fund.id"), index=True)
    full_name: Mapped[str] = mapped_column(String(200))
    sort_key: Mapped[str] = mapped_column(String(800), default="")
    birth_year: Mapped[int | None]
    gender: Mapped[str | None] = mapped_column(String(10))
    phone: Mapped[str] = mapped_column(String(20), default="")
    address: Mapped[str] = mapped_column(String(200), default="")
    released_on: Mapped[dt.date | None]
    certificate_type: Mapped[str | None] = mapped_column(String(30))
    family_circumstances: Mapped[str] = mapped_column(Text, default="")
    needs: Mapped[str] = mapped_column(Text, default="")
    consent_recorded_on: Mapped[dt.date]
    # Whether the person agreed to be named to donors (thank-you letters); never assumed.
    named_to_donors: Mapped[bool] = mapped_column(default=False, server_default=false())
    status: Mapped[str] = mapped_column(String(20), default="supported")
    mentor_id: Mapped[int | None] = mapped_column(ForeignKey("committee_member.id"))
    visit_interval_days: Mapped[int] = mapped_column(default=30)
    # When the next visit is due: set from the last visit's next_visit_on (or the interval), so
    # the visit queue is one indexed query.
    next_visit_on: Mapped[dt.date | None]
    # Lower-case, accent-free name, phone and hamlet, for search that forgives missing diacritics.
    search_text: Mapped[str] = mapped_column(String(500), default="", server_default="")
    erased_at: Mapped[dt.datetime | None]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    mentor: Mapped[CommitteeMember | None] = relationship()

    __table_args__ = (
        CheckConstraint(_in("status", PERSON_STATUSES), name="status"),
        Index("ix_person_fund_sort", "fund_id", "sort_key"),
        Index("ix_person_fund_next_visit", "fund_id", "next_visit_on"),
    )

    def set_name(self, full_name: str) -> None:
        self.full_name = full_name
        self.sort_key = vietnamese_sort_key(full_name)
        self.refresh_search_text()

    def refresh_search_text(self) -> None:
        self.search_text = searchable(" ".join(filter(None, (self.full_name, self.phone, self.address))))[
            :500
        ]

    @property
    def is_closed(self) -> bool:
        return self.status in CLOSED_STATUSES

    @hybrid_method
    def visit_overdue(self, today: dt.date) -> bool:
        """Whether the next visit was due before `today` (also in SQL: Person.visit_overdue(today))."""
        return self.next_visit_on is not None and self.next_visit_on < today

    @visit_overdue.expression
    def visit_overdue(cls, today: dt.date):  # noqa: N805 (the class, in SQL)
        return and_(cls.next_visit_on.is_not(None), cls.next_visit_on < today)

    def visit_days_overdue(self, today: dt.date) -> int:
        """How many days the next visit is overdue (0 when it is not, or none is planned)."""
        return (today - self.next_visit_on).days if self.visit_overdue(today) else 0


# ---------------------------------------------------------------------------------------------
# Money: documents (donations, loans, repayments) and the journal that holds the amounts.
# Balances are never stored: they are sums over journal_line (tracker/money/journal.py owns it).

DONOR_KINDS = ("business", "individual", "organisation")
# How a letter addresses an individual donor (Kính gửi: Ông …, Bà …); "" when not recorded.
DONOR_TITLES = ("Ông", "Bà")
PAYMENT_METHODS = ("cash", "bank")
LOAN_STATUSES = ("requested", "approved", "rejected", "active", "repaid", "written_off")
# cash (tiền mặt) and bank (tiền gửi ngân hàng) are the fund's money (balances.MONEY_ACCOUNTS)
ACCOUNTS = ("cash", "receivable", "capital", "written_off", "bank", "grants_paid", "running_costs")
EVENTS = ("donation", "disbursement", "repayment", "write_off", "recovery", "transfer", "grant", "expense")
# A receipt on a loan: a repayment, or money back after the loan was written off (a recovery).
RECEIPT_KINDS = ("repayment", "recovery")


class Donor(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    fund_id: Mapped[int] = mapped_column(ForeignKey("fund.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    sort_key: Mapped[str] = mapped_column(String(800), default="")
    kind: Mapped[str] = mapped_column(String(20))
    phone: Mapped[str] = mapped_column(String(20), default="")
    address: Mapped[str] = mapped_column(String(200), default="")
    anonymous: Mapped[bool] = mapped_column(default=False)
    title: Mapped[str] = mapped_column(String(10), default="", server_default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        CheckConstraint(_in("kind", DONOR_KINDS), name="kind"),
        CheckConstraint(_in("title", ("", *DONOR_TITLES)), name="title"),
    )

    def set_name(self, name: str) -> None:
        self.name = name
        # Only people's names sort by the given name; businesses sort by their name as written.
        self.sort_key = vietnamese_sort_key(name, given_name_first=self.kind == "individual")


class JournalTransaction(db.Model):
    """One balanced money event. Posted rows are never updated or deleted (database triggers)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    fund_id: Mapped[int] = mapped_column(ForeignKey("fund.id"), index=True)
    event: Mapped[str] = mapped_column(String(20))
    posted_on: Mapped[dt.date]
    document_no: Mapped[str] = mapped_column(String(20), default="")
    description: Mapped[str] = mapped_column(String(300), default="")
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("journal_transaction.id"), unique=True)
    reason: Mapped[str] = mapped_column(String(500), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    lines: Mapped[list[JournalLine]] = relationship(back_populates="transaction")
    reverses: Mapped[JournalTransaction | None] = relationship(
        remote_side="JournalTransaction.id", foreign_keys=[reverses_id], back_populates="reversed_by"
    )
    reversed_by: Mapped[JournalTransaction | None] = relationship(
        foreign_keys=[reverses_id], back_populates="reverses", uselist=False
    )
    created_by: Mapped[User | None] = relationship()

    __table_args__ = (
        CheckConstraint(_in("event", EVENTS), name="event"),
        Index("ix_journal_transaction_fund_posted", "fund_id", "posted_on"),
    )

    @property
    def is_reversal(self) -> bool:
        return self.reverses_id is not None


class JournalLine(db.Model):
    """One leg of a transaction: a signed amount (debit +, credit −) on one account."""

    id: Mapped[int] = mapped_column(primary_key=True)
    transaction_id: Mapped[int] = mapped_column(ForeignKey("journal_transaction.id"), index=True)
    fund_id: Mapped[int] = mapped_column(ForeignKey("fund.id"))
    account: Mapped[str] = mapped_column(String(20))
    # The event of the original transaction, also on the lines of its reversal, so that e.g.
    # "repaid" is the sum of repayment lines with reversals netting out.
    event: Mapped[str] = mapped_column(String(20))
    posted_on: Mapped[dt.date]
    amount: Mapped[int] = mapped_column(BigInteger)
    loan_id: Mapped[int | None] = mapped_column(ForeignKey("loan.id"))

    transaction: Mapped[JournalTransaction] = relationship(back_populates="lines")

    __table_args__ = (
        CheckConstraint(_in("account", ACCOUNTS), name="account"),
        CheckConstraint(_in("event", EVENTS), name="event"),
        # Covering indexes (PostgreSQL INCLUDE; SQLite ignores it): sums of a fund's or a loan's
        # lines are read from the index alone. Plans in bench/NOTES.md.
        Index(
            "ix_journal_line_fund_account_event_posted",
            "fund_id",
            "account",
            "event",
            "posted_on",
            postgresql_include=["amount"],
        ),
        Index(
            "ix_journal_line_loan_account_posted",
            "loan_id",
            "account",
            "posted_on",
            postgresql_include=["event", "amount"],
        ),
    )


class Donation(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    fund_id: Mapped[int] = mapped_column(ForeignKey("fund.id"), index=True)
    donor_id: Mapped[int] = mapped_column(ForeignKey("donor.id"), index=True)
    amount: Mapped[int] = mapped_column(BigInteger)
    received_on: Mapped[dt.date]
    method: Mapped[str] = mapped_column(String(10))
    receipt_no: Mapped[str] = mapped_column(String(20))
    # the pre-numbered paper phiếu thu the money was first written on (at a meeting), if any
    paper_book: Mapped[str] = mapped_column(String(20), default="", server_default="")
    paper_no: Mapped[str] = mapped_column(String(20), default="", server_default="")
    note: Mapped[str] = mapped_column(String(500), default="")
    earmark_person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    earmark_loan_id: Mapped[int | None] = mapped_column(ForeignKey("loan.id"))
    transaction_id: Mapped[int] = mapped_column(ForeignKey("journal_transaction.id"))
    reversal_id: Mapped[int | None] = mapped_column(ForeignKey("journal_transaction.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    donor: Mapped[Donor] = relationship()
    earmark_person: Mapped[Person | None] = relationship()
    earmark_loan: Mapped[Loan | None] = relationship(foreign_keys=[earmark_loan_id])
    transaction: Mapped[JournalTransaction] = relationship(foreign_keys=[transaction_id])
    reversal: Mapped[JournalTransaction | None] = relationship(foreign_keys=[reversal_id])
    fundings: Mapped[list[Funding]] = relationship(back_populates="donation")

    __table_args__ = (
        UniqueConstraint("fund_id", "receipt_no"),
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint(_in("method", PAYMENT_METHODS), name="method"),
    )

    @property
    def is_reversed(self) -> bool:
        return self.reversal_id is not None


class Loan(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    fund_id: Mapped[int] = mapped_column(ForeignKey("fund.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    principal: Mapped[int] = mapped_column(BigInteger)  # the amount asked for
    purpose: Mapped[str] = mapped_column(String(500))
    applied_on: Mapped[dt.date]
    term_months: Mapped[int]  # grace included: 12 with 1 of grace is 11 installments
    grace_months: Mapped[int] = mapped_column(default=0)
    status: Mapped[str] = mapped_column(String(20), default="requested")
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    decided_on: Mapped[dt.date | None]
    minutes_ref: Mapped[str] = mapped_column(String(200), default="")
    # What the committee approved (it may lend less than asked) and how its meeting voted.
    approved_amount: Mapped[int | None] = mapped_column(BigInteger)
    attendees: Mapped[int | None]
    votes_for: Mapped[int | None]
    votes_against: Mapped[int | None]
    # The family member who stands behind the loan, and the hamlet head who confirmed the application.
    guarantor_name: Mapped[str] = mapped_column(String(200), default="")
    guarantor_relation: Mapped[str] = mapped_column(String(100), default="")
    guarantor_phone: Mapped[str] = mapped_column(String(30), default="")
    guarantor_address: Mapped[str] = mapped_column(String(300), default="")
    hamlet_head_name: Mapped[str] = mapped_column(String(200), default="")
    # The family member who repays when the borrower cannot (moved away, died), as the committee agreed.
    payer_name: Mapped[str] = mapped_column(String(200), default="")
    payer_relation: Mapped[str] = mapped_column(String(100), default="")
    rejection_reason: Mapped[str] = mapped_column(String(500), default="")
    disbursed_on: Mapped[dt.date | None]
    disbursed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    voucher_no: Mapped[str] = mapped_column(String(20), default="")
    disbursement_id: Mapped[int | None] = mapped_column(ForeignKey("journal_transaction.id"))
    written_off_on: Mapped[dt.date | None]
    write_off_reason: Mapped[str] = mapped_column(String(500), default="")
    write_off_minutes_ref: Mapped[str] = mapped_column(String(200), default="")  # the meeting's
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    person: Mapped[Person] = relationship()
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
    disbursed_by: Mapped[User | None] = relationship(foreign_keys=[disbursed_by_id])
    installments: Mapped[list[Installment]] = relationship(
        order_by="Installment.number",
        primaryjoin="and_(Installment.loan_id == Loan.id, Installment.superseded.is_(False),"
        " Installment.valid_until.is_(None))",
        viewonly=True,
    )
    repayments: Mapped[list[Repayment]] = relationship(
        back_populates="loan", order_by="(Repayment.paid_on, Repayment.id)"
    )
    fundings: Mapped[list[Funding]] = relationship(back_populates="loan")

    @validates("status")
    def _follows_the_table(self, _key: str, status: str) -> str:
        # Every change of a loan's status is a step of loan_status.STEPS (journal changes it under
        # the fund's lock).
        current = self.status
        if current is not None and not loan_status.may_move(current, status):
            raise ValueError(f"a loan cannot go from {current!r} to {status!r}")
        return status

    @hybrid_property
    def lent(self) -> int:
        """What the fund lends: the approved amount, or the amount asked for until a decision."""
        return self.approved_amount if self.approved_amount is not None else self.principal

    @lent.inplace.expression
    @classmethod
    def _lent_expression(cls):
        return func.coalesce(cls.approved_amount, cls.principal)

    @property
    def borrower_name(self) -> str:
        """As a table of loans names the borrower (people.PersonLoan has the same)."""
        return self.person.full_name

    __table_args__ = (
        CheckConstraint(_in("status", LOAN_STATUSES), name="status"),
        CheckConstraint("principal > 0", name="principal_positive"),
        CheckConstraint("term_months BETWEEN 1 AND 120", name="term"),
        CheckConstraint("grace_months BETWEEN 0 AND 24", name="grace"),
    )


class Installment(db.Model):
    """One month of one version of a loan's schedule. A reversed disbursement supersedes its rows;
    a reschedule or a pause (ScheduleChange) ends the version in force and starts the next, so a
    report as of an earlier day still reads the version that was in force then."""

    id: Mapped[int] = mapped_column(primary_key=True)
    fund_id: Mapped[int] = mapped_column(ForeignKey("fund.id"), index=True)
    loan_id: Mapped[int] = mapped_column(ForeignKey("loan.id"))
    number: Mapped[int]
    due_on: Mapped[dt.date]
    amount_due: Mapped[int] = mapped_column(BigInteger)
    superseded: Mapped[bool] = mapped_column(default=False)
    version: Mapped[int] = mapped_column(default=1)
    valid_from: Mapped[dt.date | None]  # None: from the disbursement
    valid_until: Mapped[dt.date | None]  # None: in force; else the day the next version began

    @classmethod
    def in_force(cls, as_of: dt.date):
        """The rows of the schedule versions in force on a day."""
        return and_(
            cls.superseded.is_(False),
            or_(cls.valid_from.is_(None), cls.valid_from <= as_of),
            or_(cls.valid_until.is_(None), cls.valid_until > as_of),
        )

    __table_args__ = (
        # A loan's schedule in order, read from the index alone (the arrears window query).
        Index(
            "ix_installment_loan_number",
            "loan_id",
            "number",
            postgresql_include=["due_on", "amount_due", "superseded", "valid_from", "valid_until"],
        ),
    )

    loan: Mapped[Loan] = relationship()


SCHEDULE_CHANGES = ("reschedule", "pause")


class ScheduleChange(db.Model):
    """The committee's decision that started a new version of a loan's schedule: a reschedule of
    the balance (gia hạn, điều chỉnh kỳ hạn) or a pause of collection (khoanh nợ)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    fund_id: Mapped[int] = mapped_column(ForeignKey("fund.id"), index=True)
    loan_id: Mapped[int] = mapped_column(ForeignKey("loan.id"), index=True)
    kind: Mapped[str] = mapped_column(String(12))
    version: Mapped[int]  # the schedule version it started
    made_on: Mapped[dt.date]
    outstanding: Mapped[int] = mapped_column(BigInteger)  # the balance it laid out again
    installments: Mapped[int | None]  # a reschedule's
    first_due_on: Mapped[dt.date | None]  # a reschedule's
    paused_from: Mapped[dt.date | None]
    paused_until: Mapped[dt.date | None]
    reason: Mapped[str] = mapped_column(String(500))
    minutes_ref: Mapped[str] = mapped_column(String(200), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    loan: Mapped[Loan] = relationship()
    created_by: Mapped[User | None] = relationship()

    __table_args__ = (
        UniqueConstraint("loan_id", "version"),
        CheckConstraint(_in("kind", SCHEDULE_CHANGES), name="kind"),
        CheckConstraint("paused_until IS NULL OR paused_until >= paused_from", name="pause_order"),
    )


class Repayment(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    fund_id: Mapped[int] = mapped_column(ForeignKey("fund.id"), index=True)
    loan_id: Mapped[int] = mapped_column(ForeignKey("loan.id"), index=True)
    amount: Mapped[int] = mapped_column(BigInteger)
    paid_on: Mapped[dt.date]
    method: Mapped[str] = mapped_column(String(10))
    receipt_no: Mapped[str] = mapped_column(String(20))
    paper_book: Mapped[str] = mapped_column(String(20), default="", server_default="")  # as on Donation
    paper_no: Mapped[str] = mapped_column(String(20), default="", server_default="")
    kind: Mapped[str] = mapped_column(String(10), default="repayment")  # RECEIPT_KINDS
    transaction_id: Mapped[int] = mapped_column(ForeignKey("journal_transaction.id"))
    reversal_id: Mapped[int | None] = mapped_column(ForeignKey("journal_transaction.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    loan: Mapped[Loan] = relationship(back_populates="repayments")
    transaction: Mapped[JournalTransaction] = relationship(foreign_keys=[transaction_id])
    reversal: Mapped[JournalTransaction | None] = relationship(foreign_keys=[reversal_id])

    __table_args__ = (
        UniqueConstraint("fund_id", "receipt_no"),
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint(_in("method", PAYMENT_METHODS), name="method"),
    )

    @property
    def is_reversed(self) -> bool:
        return self.reversal_id is not None


class Funding(db.Model):
    """How much of a donation's money went into a loan, so each donor can be told what it did."""

    id: Mapped[int] = mapped_column(primary_key=True)
    fund_id: Mapped[int] = mapped_column(ForeignKey("fund.id"), index=True)
    loan_id: Mapped[int] = mapped_column(ForeignKey("loan.id"), index=True)
    donation_id: Mapped[int] = mapped_column(ForeignKey("donation.id"), index=True)
    amount: Mapped[int] = mapped_column(BigInteger)
    void: Mapped[bool] = mapped_column(default=False)  # the disbursement was reversed

    loan: Mapped[Loan] = relationship(back_populates="fundings")
    donation: Mapped[Donation] = relationship(back_populates="fundings")


class DocumentCounter(db.Model):
    """The last number used for phiếu thu (PT) or phiếu chi (PC), per fund and year: no gaps."""

    fund_id: Mapped[int] = mapped_column(ForeignKey("fund.id"), primary_key=True)
    series: Mapped[str] = mapped_column(String(2), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True)
    last: Mapped[int] = mapped_column(default=0)


class PeriodClose(db.Model):
    """Books closed through a date: nothing dated on or before it can be posted or reversed."""

    id: Mapped[int] = mapped_column(primary_key=True)
    fund_id: Mapped[int] = mapped_column(ForeignKey("fund.id"), index=True)
    closed_through: Mapped[dt.date]
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    closed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    note: Mapped[str] = mapped_column(String(500), default="")

    closed_by: Mapped[User | None] = relationship()


# ---------------------------------------------------------------------------------------------
# Casework: status and mentor history, visits, and the record of who opened whose file.

VISIT_KINDS = ("home", "phone", "workplace", "meeting")
CLOSED_STATUSES = ("settled", "moved", "deceased")
# Support paused: no visits are planned, unless a loan is still open (casework.change_status).
PAUSED_STATUS = "paused"


class PersonStatusChange(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    fund_id: Mapped[int] = mapped_column(ForeignKey("fund.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    from_status: Mapped[str] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    changed_on: Mapped[dt.date]
    reason: Mapped[str] = mapped_column(String(500), default="")
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    changed_by: Mapped[User | None] = relationship()

    __table_args__ = (CheckConstraint(_in("to_status", PERSON_STATUSES), name="to_status"),)


class MentorAssignment(db.Model):
    """Who was assigned to mentor a person, from when to when (the current one has no ended_on)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    fund_id: Mapped[int] = mapped_column(ForeignKey("fund.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    mentor_id: Mapped[int | None] = mapped_column(ForeignKey("committee_member.id"))
    assigned_on: Mapped[dt.date]
    ended_on: Mapped[dt.date | None]
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    note: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    mentor: Mapped[CommitteeMember | None] = relationship()
    assigned_by: Mapped[User | None] = relationship()


class Visit(db.Model):
    """A visit or contact by a mentor (thăm hỏi, gặp gỡ)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    fund_id: Mapped[int] = mapped_column(ForeignKey("fund.id"))
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    mentor_id: Mapped[int | None] = mapped_column(ForeignKey("committee_member.id"))
    visited_on: Mapped[dt.date]
    kind: Mapped[str] = mapped_column(String(20))
    summary: Mapped[str] = mapped_column(Text, default="")
    livelihood: Mapped[str] = mapped_column(Text, default="")
    concerns: Mapped[str] = mapped_column(Text, default="")
    next_visit_on: Mapped[dt.date | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    person: Mapped[Person] = relationship()
    mentor: Mapped[CommitteeMember | None] = relationship()

    __table_args__ = (
        CheckConstraint(_in("kind", VISIT_KINDS), name="kind"),
        Index("ix_visit_person_visited", "person_id", "visited_on"),
        Index("ix_visit_fund_visited", "fund_id", "visited_on"),
    )


HANDOVER_STATUSES = ("pending", "accepted", "cancelled")


class PersonHandover(db.Model):
    """A person's file handed to another fund of the installation (the person moved to another
    commune). Nothing moves until the receiving chair accepts; then the file (the person, the
    visits and the status history) is copied into the receiving fund and the person leaves this
    one as moved. The loans stay in the books of the fund that lent the money."""

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    fund_id: Mapped[int] = mapped_column(ForeignKey("fund.id"), index=True)  # the sending fund
    to_fund_id: Mapped[int] = mapped_column(ForeignKey("fund.id"), index=True)
    reason: Mapped[str] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(10), default="pending")
    proposed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    proposed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    decided_at: Mapped[dt.datetime | None]
    new_person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))

    person: Mapped[Person] = relationship(foreign_keys=[person_id])
    from_fund: Mapped[Fund] = relationship(foreign_keys=[fund_id])
    to_fund: Mapped[Fund] = relationship(foreign_keys=[to_fund_id])

    __table_args__ = (
        CheckConstraint(_in("status", HANDOVER_STATUSES), name="status"),
        CheckConstraint("fund_id <> to_fund_id", name="another_fund"),
    )


class PersonAccess(db.Model):
    """Every opening of a person's file or export of their data: who, whose, when (DESIGN §5)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    fund_id: Mapped[int] = mapped_column(ForeignKey("fund.id"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    action: Mapped[str] = mapped_column(String(20), default="view")
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    user: Mapped[User | None] = relationship()
    person: Mapped[Person] = relationship()

    __table_args__ = (Index("ix_person_access_fund_at", "fund_id", "at"),)


# ---------------------------------------------------------------------------------------------
# The six-monthly and year-end review (sơ kết, tổng kết).


class ReviewNote(db.Model):
    """The chair's text of one section of a review, per fund and period ("2026", "2026-H1", or a
    range "2025-01-01..2026-12-31"); the sections are queries.review.SECTIONS ("next_steps" is the
    "what to do next" list)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    fund_id: Mapped[int] = mapped_column(ForeignKey("fund.id"))
    period: Mapped[str] = mapped_column(String(30))
    section: Mapped[str] = mapped_column(String(20), default="next_steps", server_default="next_steps")
    text: Mapped[str] = mapped_column(Text, default="")
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    updated_by: Mapped[User | None] = relationship()

    __table_args__ = (UniqueConstraint("fund_id", "period", "section"),)


# ---------------------------------------------------------------------------------------------
# Cash and bank: money moved between the cash box and the bank account, and the cash counts.

TRANSFER_KINDS = ("deposit", "withdrawal")  # cash into the bank; the bank's money back into cash


class Transfer(db.Model):
    """Nộp tiền mặt vào ngân hàng (a deposit, on a phiếu chi) or rút tiền gửi về quỹ tiền mặt (a
    withdrawal, on a phiếu thu); the bank's side is evidenced by its giấy báo Nợ/Có (bank_ref)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    fund_id: Mapped[int] = mapped_column(ForeignKey("fund.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    amount: Mapped[int] = mapped_column(BigInteger)
    made_on: Mapped[dt.date]
    reason: Mapped[str] = mapped_column(String(500))
    bank_ref: Mapped[str] = mapped_column(String(50), default="")
    document_no: Mapped[str] = mapped_column(String(20))
    transaction_id: Mapped[int] = mapped_column(ForeignKey("journal_transaction.id"))
    reversal_id: Mapped[int | None] = mapped_column(ForeignKey("journal_transaction.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    transaction: Mapped[JournalTransaction] = relationship(foreign_keys=[transaction_id])
    reversal: Mapped[JournalTransaction | None] = relationship(foreign_keys=[reversal_id])

    __table_args__ = (
        UniqueConstraint("fund_id", "document_no"),
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint(_in("kind", TRANSFER_KINDS), name="kind"),
    )

    @property
    def is_reversed(self) -> bool:
        return self.reversal_id is not None


class CashCount(db.Model):
    """A biên bản kiểm kê quỹ tiền mặt: the notes counted by denomination ({"500000": 3, ...}), the
    cash book's balance that day and, when they differ, why. It records; it posts no money."""

    id: Mapped[int] = mapped_column(primary_key=True)
    fund_id: Mapped[int] = mapped_column(ForeignKey("fund.id"), index=True)
    counted_on: Mapped[dt.date]
    notes: Mapped[dict] = mapped_column(JSON)
    counted: Mapped[int] = mapped_column(BigInteger)
    book_balance: Mapped[int] = mapped_column(BigInteger)
    reason: Mapped[str] = mapped_column(String(500), default="")
    counted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    counted_by: Mapped[User | None] = relationship()

    @property
    def difference(self) -> int:
        """Thừa (more counted than the book says) when positive, thiếu when negative."""
        return self.counted - self.book_balance


# Money that is not a loan: grants (hỗ trợ không hoàn lại) and running costs (chi hoạt động), paid
# with a phiếu chi; gifts in kind (hiện vật), which are not money; referrals on a person's file.

SPENDING_CATEGORIES = ("grant", "expense")
SPENDING_KINDS = {
    "grant": ("tet_gift", "emergency", "school_fees", "other_grant"),
    "expense": ("meeting", "stationery", "bank_fee", "other_expense"),
}
# proposed → approved | rejected → paid; a paid one reversed (its phiếu chi void) stays "paid"
# with reversal_id set, as a donation does.
SPENDING_STATUSES = ("proposed", "approved", "rejected", "paid")


class Spending(db.Model):
    """A grant to a person helped, or a running cost of the team: proposed (treasurer or chair),
    approved or rejected by the chair with a reason, paid by the treasurer with a phiếu chi."""

    id: Mapped[int] = mapped_column(primary_key=True)
    fund_id: Mapped[int] = mapped_column(ForeignKey("fund.id"), index=True)
    category: Mapped[str] = mapped_column(String(10))
    kind: Mapped[str] = mapped_column(String(20))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)  # a grant's
    payee: Mapped[str] = mapped_column(String(200), default="")  # who is paid (a cost's shop, bank)
    purpose: Mapped[str] = mapped_column(String(500))
    amount: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(10), default="proposed")
    proposed_on: Mapped[dt.date]
    proposed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    decided_on: Mapped[dt.date | None]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    decision_reason: Mapped[str] = mapped_column(String(500), default="")
    paid_on: Mapped[dt.date | None]
    paid_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    voucher_no: Mapped[str] = mapped_column(String(20), default="")
    transaction_id: Mapped[int | None] = mapped_column(ForeignKey("journal_transaction.id"))
    reversal_id: Mapped[int | None] = mapped_column(ForeignKey("journal_transaction.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    person: Mapped[Person | None] = relationship()
    proposed_by: Mapped[User | None] = relationship(foreign_keys=[proposed_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
    paid_by: Mapped[User | None] = relationship(foreign_keys=[paid_by_id])
    transaction: Mapped[JournalTransaction | None] = relationship(foreign_keys=[transaction_id])
    reversal: Mapped[JournalTransaction | None] = relationship(foreign_keys=[reversal_id])

    __table_args__ = (
        CheckConstraint(_in("category", SPENDING_CATEGORIES), name="category"),
        CheckConstraint(_in("kind", tuple(k for ks in SPENDING_KINDS.values() for k in ks)), name="kind"),
        CheckConstraint(_in("status", SPENDING_STATUSES), name="status"),
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint("category != 'grant' OR person_id IS NOT NULL", name="grant_person"),
        Index("ix_spending_fund_category_proposed", "fund_id", "category", "proposed_on"),
    )

    @property
    def is_reversed(self) -> bool:
        return self.reversal_id is not None


class SpendingFunding(db.Model):
    """How much of a donation's money paid for a grant or a cost (oldest donations first, as loans
    are funded), so each donor can be told what their money did. A grant's money does not come back."""

    id: Mapped[int] = mapped_column(primary_key=True)
    fund_id: Mapped[int] = mapped_column(ForeignKey("fund.id"), index=True)
    spending_id: Mapped[int] = mapped_column(ForeignKey("spending.id"), index=True)
    donation_id: Mapped[int] = mapped_column(ForeignKey("donation.id"), index=True)
    amount: Mapped[int] = mapped_column(BigInteger)
    void: Mapped[bool] = mapped_column(default=False)  # the payment was reversed

    spending: Mapped[Spending] = relationship()
    donation: Mapped[Donation] = relationship()


class GiftInKind(db.Model):
    """A gift in kind (hiện vật: rice, a bicycle, tools) at an estimated value. Not money: it never
    reaches the journal or the cash book."""

    id: Mapped[int] = mapped_column(primary_key=True)
    fund_id: Mapped[int] = mapped_column(ForeignKey("fund.id"), index=True)
    donor_id: Mapped[int | None] = mapped_column(ForeignKey("donor.id"), index=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
    description: Mapped[str] = mapped_column(String(300))
    estimated_value: Mapped[int] = mapped_column(BigInteger)
    given_on: Mapped[dt.date]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    donor: Mapped[Donor | None] = relationship()
    person: Mapped[Person | None] = relationship()

    __table_args__ = (CheckConstraint("estimated_value > 0", name="value_positive"),)


REFERRAL_KINDS = ("job", "vocational_training", "social_policy_loan", "identity_papers")
REFERRAL_OUTCOMES = ("pending", "succeeded", "not_succeeded")


class Referral(db.Model):
    """A referral on a person's file: to a job, vocational training, a loan of the Ngân hàng Chính
    sách xã hội, or help with identity papers; to whom, when, and how it turned out."""

    id: Mapped[int] = mapped_column(primary_key=True)
    fund_id: Mapped[int] = mapped_column(ForeignKey("fund.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    referred_to: Mapped[str] = mapped_column(String(200))
    referred_on: Mapped[dt.date]
    outcome: Mapped[str] = mapped_column(String(15), default="pending")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    person: Mapped[Person] = relationship()

    __table_args__ = (
        CheckConstraint(_in("kind", REFERRAL_KINDS), name="kind"),
        CheckConstraint(_in("outcome", REFERRAL_OUTCOMES), name="outcome"),
    )


# Recognition (biểu dương, khen thưởng).

COMMENDATION_RECIPIENTS = ("member", "donor", "person")


class Commendation(db.Model):
    """A commendation of a team member, a donor or a person helped who settled, as decided by a body
    (UBND xã, Ủy ban MTTQ xã) in a numbered decision. For a person helped, `shown_as` is the only
    wording any document prints: the committee chooses it, and it names the person only with their
    consent (queries.commendations.may_show)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    fund_id: Mapped[int] = mapped_column(ForeignKey("fund.id"), index=True)
    recipient: Mapped[str] = mapped_column(String(10))
    member_id: Mapped[int | None] = mapped_column(ForeignKey("committee_member.id"), index=True)
    donor_id: Mapped[int | None] = mapped_column(ForeignKey("donor.id"), index=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
    shown_as: Mapped[str] = mapped_column(String(200), default="")
    form: Mapped[str] = mapped_column(String(100))  # giấy khen, bằng khen, biểu dương, ...
    decided_by: Mapped[str] = mapped_column(String(200))  # UBND xã Hồng Sơn
    decision_no: Mapped[str] = mapped_column(String(50), default="")  # 12/QĐ-UBND
    decided_on: Mapped[dt.date]
    reason: Mapped[str] = mapped_column(String(500), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    member: Mapped[CommitteeMember | None] = relationship()
    donor: Mapped[Donor | None] = relationship()
    person: Mapped[Person | None] = relationship()

    __table_args__ = (
        CheckConstraint(_in("recipient", COMMENDATION_RECIPIENTS), name="recipient"),
        # exactly the one link its recipient names
        CheckConstraint(
            "(recipient = 'member' AND member_id IS NOT NULL AND donor_id IS NULL AND person_id IS NULL)"
            " OR (recipient = 'donor' AND donor_id IS NOT NULL AND member_id IS NULL AND person_id IS NULL)"
            " OR (recipient = 'person' AND person_id IS NOT NULL AND member_id IS NULL AND donor_id IS NULL)",
            name="one_recipient",
        ),
        Index("ix_commendation_fund_decided", "fund_id", "decided_on"),
    )


REMINDER_KINDS = ("visits", "repayments", "chair")  # a member's visits, the treasurer's, the chair's week
REMINDER_CHANNELS = ("email",)


class ReminderSent(db.Model):
    """A reminder `flask remind` sent (tracker.reminders): to whom, where, which day, and a digest of
    its text (the text itself names people; the digest shows whether two sends said the same).
    The unique key is what keeps two cron runs at the same moment from sending one reminder twice
    in a day: each claims its row before it sends, and the second claim fails in the database."""

    id: Mapped[int] = mapped_column(primary_key=True)
    fund_id: Mapped[int] = mapped_column(ForeignKey("fund.id"))
    # "member:<id>" or "user:<id>": one column, so the unique key holds (NULLs never collide)
    recipient: Mapped[str] = mapped_column(String(40))
    member_id: Mapped[int | None] = mapped_column(ForeignKey("committee_member.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    channel: Mapped[str] = mapped_column(String(10), default="email")
    address: Mapped[str] = mapped_column(String(254))
    sent_on: Mapped[dt.date]  # the commune's day (clock.today)
    sent_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    digest: Mapped[str] = mapped_column(String(64))  # sha256 of the text, hex

    __table_args__ = (
        UniqueConstraint("fund_id", "recipient", "kind", "channel", "sent_on"),
        CheckConstraint(_in("kind", REMINDER_KINDS), name="kind"),
        CheckConstraint(_in("channel", REMINDER_CHANNELS), name="channel"),
        CheckConstraint("member_id IS NOT NULL OR user_id IS NOT NULL", name="recipient"),
    )


# ---------------------------------------------------------------------------------------------
# Old books brought in from Excel (tracker.importing).

IMPORT_SHEETS = ("members", "people", "donors", "donations", "loans", "repayments", "visits")


class ImportedRow(db.Model):
    """One row of a workbook that was imported, by its sheet and its key (the committee's "Mã", or
    for a row without one its content and its place among identical rows): importing the same
    rows again finds them here and creates nothing twice, and a later file may refer to them."""

    id: Mapped[int] = mapped_column(primary_key=True)
    fund_id: Mapped[int] = mapped_column(ForeignKey("fund.id"))
    sheet: Mapped[str] = mapped_column(String(20))
    key: Mapped[str] = mapped_column(String(200))
    object_id: Mapped[int]
    imported_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    imported_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        CheckConstraint(_in("sheet", IMPORT_SHEETS), name="sheet"),
        UniqueConstraint("fund_id", "sheet", "key"),
    )
