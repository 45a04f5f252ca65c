"""All SQLAlchemy models. Every domain row carries fund_id; lookups go through access.get_or_404."""

from __future__ import annotations

import datetime as dt
import secrets

from flask_login import UserMixin
from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.extensions import db
from tracker.text import vietnamese_sort_key

ROLES = ("chair", "treasurer", "member", "viewer")


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Fund(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    commune: Mapped[str] = mapped_column(String(120), default="")
    province: Mapped[str] = mapped_column(String(120), default="")
    founded_on: Mapped[dt.date | None]
    founding_decision: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    __table_args__ = (UniqueConstraint("name", "commune", "province"),)

    @property
    def place(self) -> str:
        """The place name used in official headings, e.g. 'Hồng Sơn'."""
        commune = self.commune or ""
        for prefix in ("xã ", "Xã ", "phường ", "Phường ", "thị trấn ", "Thị trấn "):
            if commune.startswith(prefix):
                return commune[len(prefix) :]
        return commune


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
        return self.membership.role if self.membership else None

    @property
    def fund(self) -> Fund | None:
        return self.membership.fund if self.membership else None


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
    membership_id: Mapped[int] = mapped_column(ForeignKey("membership.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[dt.datetime | None]
    address: Mapped[str] = mapped_column(String(64), default="")

    user: Mapped[User] = relationship()
    membership: Mapped[Membership] = relationship()


class LoginAttempt(db.Model):
    """Failed logins, kept in the database so throttling holds across worker processes."""

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80))
    address: Mapped[str] = mapped_column(String(64))
    attempted_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        Index("ix_login_attempt_username_at", "username", "attempted_at"),
        Index("ix_login_attempt_address_at", "address", "attempted_at"),
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
