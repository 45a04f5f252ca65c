"""Logins: password hashing, server-side sessions, throttling of failed attempts."""

import datetime as dt
import re
import time

from flask import current_app, request, session
from flask_login import current_user
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import joinedload
from werkzeug.security import check_password_hash, generate_password_hash

from tracker.extensions import db
from tracker.i18n import gettext as _
from tracker.models import (
    Fund,
    LoginAttempt,
    LoginSession,
    Membership,
    RegionalAccess,
    User,
    utcnow,
)

# Compared against when the username is unknown, so that a miss costs as much time as a wrong
# password and the timing does not tell whether a username exists.
_DUMMY_HASH: dict[str, str] = {}

MIN_PASSWORD_LENGTH = 8
USERNAME_PATTERN = re.compile(r"^[A-Za-z0-9._-]{3,80}$")


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def _dummy_hash() -> str:
    method = current_app.config["PASSWORD_HASH_METHOD"]
    if method not in _DUMMY_HASH:
        _DUMMY_HASH[method] = generate_password_hash("not a password", method=method)
    return _DUMMY_HASH[method]


def normalise_username(username: str) -> str:
    return (username or "").strip().lower()


class Throttled(Exception):
    """Too many wrong passwords lately from this address, or for this login from it."""


def client_address() -> str:
    # Behind a reverse proxy, TRACKER_TRUSTED_PROXIES makes remote_addr the client's (ProxyFix).
    return (request.remote_addr or "unknown")[:64]


def authenticate(username: str, password: str, address: str) -> User | None:
    """The user for these credentials, if they are right and the account can log in; raises
    Throttled when this address has failed too often (for this username or for any).

    Commits twice, and hashes in between with no transaction open: a hash takes 50–100 ms and must
    not hold SQLite's write lock meanwhile. The attempt is put on record as a failure before the
    hash and taken off when the password proves right, so that attempts made at the same moment
    count each other: ten at once cannot all get past a limit of ten."""
    name = normalise_username(username)
    if is_throttled(name, address):
        raise Throttled
    attempt = LoginAttempt(username=name[:80], address=address)
    db.session.add(attempt)
    found = db.session.execute(select(User.id, User.password_hash).where(User.username == name)).first()
    db.session.commit()
    # When the username is unknown the dummy hash is checked, so that the time taken does not
    # tell whether a username exists.
    right = password_matches(found.password_hash if found else _dummy_hash(), password)
    if not right or found is None:
        return None
    user = db.session.get(User, found.id)
    if not user.active or not (active_memberships(user) or active_regional_access(user)):
        return None
    db.session.execute(delete(LoginAttempt).where(LoginAttempt.id == attempt.id))
    return user


def active_memberships(user: User) -> list[Membership]:
    return [m for m in user.memberships if m.active]


def active_regional_access(user: User) -> list[RegionalAccess]:
    return list(
        db.session.scalars(
            select(RegionalAccess)
            .where(RegionalAccess.user_id == user.id, RegionalAccess.active.is_(True))
            .order_by(RegionalAccess.id)
        )
    )


def is_throttled(username: str, address: str) -> bool:
    """Whether this address has failed too often lately: for this username (LOGIN_MAX_FAILURES), or
    for any (LOGIN_MAX_FAILURES_PER_ADDRESS). Failures from elsewhere do not count: a stranger
    guessing the chair's password slows only himself, and the chair still logs in from her own
    PC (OWASP ASVS V2.2: slow down, do not lock out). Holds the address's lock until the
    transaction ends, so that attempts at the same moment (several workers) are counted one after
    another."""
    lock_attempts(f"login address:{address}")
    config = current_app.config
    since = utcnow() - dt.timedelta(minutes=config["LOGIN_FAILURE_WINDOW_MINUTES"])
    for_this_name, from_here = db.session.execute(
        select(
            func.count().filter(LoginAttempt.username == normalise_username(username)),
            func.count(),
        ).where(LoginAttempt.attempted_at >= since, LoginAttempt.address == address)
    ).one()
    return (
        for_this_name >= config["LOGIN_MAX_FAILURES"] or from_here >= config["LOGIN_MAX_FAILURES_PER_ADDRESS"]
    )


def lock_attempts(*keys: str) -> None:
    """PostgreSQL: a transaction-level advisory lock per key, taken in one order (no deadlock).
    SQLite needs none: a POST takes the database's write lock first."""
    if db.session.get_bind().dialect.name != "postgresql":
        return
    for key in sorted(set(keys)):
        db.session.execute(select(func.pg_advisory_xact_lock(func.hashtext(key))))


def password_matches(stored_hash: str, password: str | None) -> bool:
    return check_password_hash(stored_hash, password or "")


def start_session(
    user: User, membership: Membership | None, address: str, regional_access: RegionalAccess | None = None
) -> LoginSession:
    login_session = LoginSession(
        user=user, membership=membership, regional_access=regional_access, address=address
    )
    db.session.add(login_session)
    db.session.flush()
    user.login_session = login_session
    return login_session


def change_own_password(user: User, password_hash: str) -> None:
    """A new password (hash_password); every other session of the login ends, this one counts it
    as just typed."""
    user.password_hash = password_hash
    current = user.login_session
    db.session.execute(
        update(LoginSession)
        .where(
            LoginSession.user_id == user.id,
            LoginSession.revoked_at.is_(None),
            LoginSession.id != current.id,
        )
        .values(revoked_at=utcnow())
    )
    current.password_at = utcnow()


def revoke_session(login_session: LoginSession) -> None:
    login_session.revoked_at = utcnow()


def revoke_all_sessions(user_id: int, fund_id: int | None = None) -> None:
    """Log a user out everywhere (in one fund, when fund_id is given)."""
    query = update(LoginSession).where(LoginSession.user_id == user_id, LoginSession.revoked_at.is_(None))
    if fund_id is not None:
        memberships = select(Membership.id).where(
            Membership.user_id == user_id, Membership.fund_id == fund_id
        )
        query = query.where(LoginSession.membership_id.in_(memberships))
    db.session.execute(query.values(revoked_at=utcnow()))


def load_session_user(token: str) -> User | None:
    """Flask-Login's user loader: the user of a live session, or None (which logs them out).

    One query for the session, its user and its membership with the fund and the user's committee
    member record there (or regional access): every request of a logged-in user makes it.

    A session ends after SESSION_IDLE_MINUTES without a request (a shared commune PC left open) and
    SESSION_MAX_HOURS after login whatever happens. The time of the last request is kept in the
    signed session cookie, not in the database: a page that only reads writes nothing, and a cookie
    cannot be made younger without the secret key (an older copy is only more idle)."""
    login_session = db.session.scalar(
        select(LoginSession)
        .where(LoginSession.token == token)
        .options(
            joinedload(LoginSession.user),
            joinedload(LoginSession.membership).joinedload(Membership.fund),
            joinedload(LoginSession.membership).joinedload(Membership.committee_member),
            joinedload(LoginSession.regional_access),
        )
    )
    if login_session is None or login_session.revoked_at is not None:
        return None
    user = login_session.user
    access = login_session.membership or login_session.regional_access
    if not user.active or access is None or not access.active:
        return None
    ended = session_ended(login_session)
    if ended:
        # Nothing may be translated here: finding the language asks who is logged in, which is
        # what this function is answering. The login page says why (ended_message).
        for key in ("_user_id", LAST_SEEN):
            session.pop(key, None)
        session[ENDED] = ended
        return None
    user.login_session = login_session
    return user


LAST_SEEN = "seen"  # in the session cookie: seconds since the epoch of the last request
ENDED = "ended"  # in the session cookie: why the session just ended ("idle" or "max"), for the login page


def session_ended(login_session: LoginSession) -> str | None:
    """Why this session has ended ("max" or "idle"), or None; notes this request."""
    config = current_app.config
    now = time.time()
    started = login_session.created_at.replace(tzinfo=dt.UTC).timestamp()
    if now - started > config["SESSION_MAX_HOURS"] * 3600:
        return "max"
    seen = session.get(LAST_SEEN)
    if isinstance(seen, int) and now - seen > config["SESSION_IDLE_MINUTES"] * 60:
        return "idle"
    # Every request: the session ends exactly SESSION_IDLE_MINUTES after the last one (noted once
    # a minute, to send the cookie less often, it ended up to a minute early).
    session[LAST_SEEN] = int(now)
    return None


def ended_message() -> str | None:
    """For the login page: why the last session ended, once (the reason leaves the cookie)."""
    config = current_app.config
    reason = session.pop(ENDED, None)
    if reason == "max":
        return _(
            "You were logged out %(hours)s hours after logging in. Log in again.",
            hours=config["SESSION_MAX_HOURS"],
        )
    if reason == "idle":
        return _(
            "You were logged out after %(minutes)s minutes without activity. Log in again.",
            minutes=config["SESSION_IDLE_MINUTES"],
        )
    return None


def note_login() -> None:
    """Called at login: the session's first request."""
    session[LAST_SEEN] = int(time.time())


def password_needed() -> bool:
    """Whether the current user must type their password again before a decision that moves money
    or gives power (approving, disbursing, writing off, closing the books, erasing a file, adding
    or changing a login): more than REAUTH_MINUTES since they last did (at login or at such a
    question)."""
    login_session = getattr(current_user, "login_session", None)
    if login_session is None:
        return True
    typed = login_session.password_at or login_session.created_at
    return utcnow() - typed > dt.timedelta(minutes=current_app.config["REAUTH_MINUTES"])


def password_confirmed(form) -> bool:
    """For a form with a `password` field (forms.PasswordAgainForm): True when the password is not
    asked now (password_needed) or typed right; otherwise the field says why. Call it first in the
    view, before anything is read to be changed: the check ends the transaction (see
    confirm_password)."""
    return not password_needed() or confirm_password(form.password, client_address())


def confirm_password(field, address: str) -> bool:
    """Check the password typed in `field` by the current user; on success the session counts it
    as typed now, on failure the field gets the error. Wrong passwords are counted per session:
    after LOGIN_MAX_FAILURES of them the question is refused for a while, and failures of anyone
    else (a stranger guessing at the login page) never block it. They count for the login of this
    username from this address too, so a guesser at an open session gains nothing over the login
    page.

    Ends the request's transaction (committing the attempt), then hashes with none open."""
    login_session = current_user.login_session
    if not field.data:
        field.errors = [_("Type your password to confirm.")]
        return False
    lock_attempts(f"login session:{login_session.id}")
    since = utcnow() - dt.timedelta(minutes=current_app.config["LOGIN_FAILURE_WINDOW_MINUTES"])
    failures = db.session.scalar(
        select(func.count()).where(
            LoginAttempt.login_session_id == login_session.id, LoginAttempt.attempted_at >= since
        )
    )
    if failures >= current_app.config["LOGIN_MAX_FAILURES"]:
        field.errors = [_("Too many wrong passwords. Wait 15 minutes and try again.")]
        return False
    attempt = LoginAttempt(username=current_user.username, address=address, login_session_id=login_session.id)
    db.session.add(attempt)
    stored_hash = current_user.password_hash
    db.session.commit()
    if not password_matches(stored_hash, field.data):
        field.errors = [_("Wrong password.")]
        return False
    db.session.execute(delete(LoginAttempt).where(LoginAttempt.id == attempt.id))
    current_user.login_session.password_at = utcnow()
    return True


def create_fund(name: str, commune: str = "", province: str = "") -> Fund:
    fund = Fund(name=name.strip(), commune=commune.strip(), province=province.strip())
    db.session.add(fund)
    db.session.flush()
    return fund


def create_user(
    username: str,
    password: str | None,
    fund_id: int,
    role: str,
    full_name: str = "",
    *,
    password_hash: str | None = None,
) -> User:
    """A new login with a role in one fund (or a new role for an existing login). A view passes
    the password's hash, made before it took any lock (hash_password is slow)."""
    password_hash = password_hash or hash_password(password)
    username = normalise_username(username)
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None:
        user = User(username=username, full_name=full_name, password_hash=password_hash)
        db.session.add(user)
    db.session.add(Membership(user=user, fund_id=fund_id, role=role))
    db.session.flush()
    return user


def username_taken(username: str) -> bool:
    return db.session.scalar(select(User.id).where(User.username == normalise_username(username))) is not None


def create_regional_user(username: str, password: str, province: str, full_name: str = "") -> User:
    """A login that oversees every fund of a province, read-only (or that province for an existing login)."""
    username = normalise_username(username)
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None:
        user = User(username=username, full_name=full_name, password_hash=hash_password(password))
        db.session.add(user)
        db.session.flush()
    db.session.add(RegionalAccess(user_id=user.id, province=province.strip()))
    db.session.flush()
    return user
