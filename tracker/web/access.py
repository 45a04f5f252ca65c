"""Who may do what: the one place where roles are checked.

Every view is denied unless it declares either @public or @requires(permission); an app-wide
before_request hook enforces it, so a new view without a declaration answers 403, not data.
"""

from collections.abc import Callable
from functools import wraps

from flask import abort, current_app, g, redirect, request, url_for
from flask_login import current_user
from sqlalchemy import false, select

from tracker.extensions import db

ALL_ROLES = frozenset({"chair", "treasurer", "member", "viewer"})

# permission -> roles holding it (DESIGN §5). Nothing is granted that is not listed here.
PERMISSIONS: dict[str, frozenset[str]] = {
    "view_fund": ALL_ROLES,
    "own_account": ALL_ROLES | {"regional"},  # one's own password
    # a province's read-only overview; regional logins have no role in any fund, so nothing else
    "view_province": frozenset({"regional"}),
    "view_members": ALL_ROLES,
    "manage_members": frozenset({"chair"}),
    "manage_users": frozenset({"chair"}),
    # people: members see only those assigned to them (filtered by visible_people / get_person_or_404)
    "view_people": ALL_ROLES,
    "manage_people": frozenset({"chair"}),
    "assign_mentors": frozenset({"chair"}),
    "view_casework": frozenset({"chair", "member", "viewer"}),  # visits, needs, family circumstances
    "log_visits": frozenset({"chair", "member"}),
    "view_visits": frozenset({"chair", "member", "viewer"}),
    "view_audit": frozenset({"chair"}),
    "erase_person": frozenset({"chair"}),
    # money
    "view_money": frozenset({"chair", "treasurer", "viewer"}),
    "view_loans": ALL_ROLES,
    "post_money": frozenset({"treasurer"}),
    "apply_loan": frozenset({"chair", "treasurer", "member"}),
    "decide_loans": frozenset({"chair"}),
    # grants and running costs: proposed by the treasurer or the chair, decided by the chair, paid
    # by the treasurer (post_money); gifts in kind recorded by either
    "propose_spending": frozenset({"chair", "treasurer"}),
    "decide_spending": frozenset({"chair"}),
    "record_gifts": frozenset({"chair", "treasurer"}),
    # referrals on a person's file: the chair, or the member for their own people
    "record_referrals": frozenset({"chair", "member"}),
    "write_off": frozenset({"chair"}),
    "change_loan_terms": frozenset({"chair"}),  # reschedule or pause, as the committee decided
    "manage_fund": frozenset({"chair"}),  # the fund's settings (its collection day)
    "close_period": frozenset({"chair"}),
    # bringing the old books in from Excel creates people, loans and money at once: the chair
    "import_books": frozenset({"chair"}),
    "view_reports": frozenset({"chair", "treasurer", "viewer"}),
    "export_money": frozenset({"chair", "treasurer", "viewer"}),
    # The notice-board sheet (công khai tài chính): the chair puts it up, the Ban Chỉ đạo reads it.
    "view_public_accounts": frozenset(
        {"chair", "treasurer", "viewer"}
    ),  # the treasurer draws it up and signs it
    "export_personal": frozenset({"chair"}),
    # Commendations (biểu dương, khen thưởng): the chair records them; those who read the review
    # read the list (a person helped appears there only by the words the committee chose).
    "view_commendations": frozenset({"chair", "viewer"}),
    "record_commendations": frozenset({"chair"}),
    # Visits by mentor: counts per committee member, no person's name (members' names are not
    # protected personal data). The chair and the viewers; a member sees only their own row on
    # screen, so the whole team's export is not theirs; the treasurer does not follow casework.
    "export_visits": frozenset({"chair", "viewer"}),
    # The reminders' texts (/reminders), to copy into the committee's Zalo group: the chair, who
    # runs the team. They name people due for a visit, which the treasurer does not follow (no
    # view_casework), and the treasurer's own list is on their dashboard; viewers (Ban Chỉ đạo)
    # change nothing and send nothing, and read the same overdue figures on the dashboard.
    "send_reminders": frozenset({"chair"}),
}


def role_can(role: str | None, permission: str) -> bool:
    return role is not None and role in PERMISSIONS.get(permission, frozenset())


def can(permission: str) -> bool:
    """For templates and views: may the current user do this?"""
    user = current_user._get_current_object()
    return user.is_authenticated and role_can(user.role, permission)


def public(view: Callable) -> Callable:
    view.access_public = True
    return view


def requires(permission: str) -> Callable[[Callable], Callable]:
    if permission not in PERMISSIONS:
        raise KeyError(f"unknown permission {permission!r}")

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args, **kwargs):
            return view(*args, **kwargs)

        wrapped.access_permission = permission
        return wrapped

    return decorate


def enforce_access():
    """before_request: deny by default."""
    if request.endpoint == "static":
        return None  # files anyone may fetch: no need to look the login up
    if current_user.is_authenticated:
        g.fund = current_user.fund  # also for error pages of unknown addresses
    if request.endpoint is None:
        return None
    view = current_app.view_functions[request.endpoint]
    if getattr(view, "access_public", False):
        return None
    if not current_user.is_authenticated:
        return unauthenticated()
    permission = getattr(view, "access_permission", None)
    if current_user.role == "regional" and request.endpoint == "dashboard.index":
        return redirect(url_for("province.index"))
    if permission is None or not role_can(current_user.role, permission):
        abort(403)
    return None


def unauthenticated():
    target = url_for("auth.login", next=request.full_path if request.method == "GET" else None)
    if getattr(request, "htmx", False):
        # A plain redirect would be followed by the XHR and swapped into the page.
        return "", 401, {"HX-Redirect": target}
    return redirect(target)


def current_fund_id() -> int:
    return g.fund.id


def get_or_404(model, object_id: int, *, lock: bool = False, options=()):
    """Load a row of the current user's fund; another fund's id is indistinguishable from none.
    `options` are loader options (a joinedload locks the joined rows too: not with `lock`)."""
    query = select(model).where(model.id == object_id, model.fund_id == current_fund_id()).options(*options)
    if lock:
        query = query.with_for_update()
    row = db.session.scalar(query)
    if row is None:
        abort(404)
    return row


def scoped(model):
    """select(model) limited to the current fund."""
    return select(model).where(model.fund_id == current_fund_id())


def own_committee_member_id() -> int | None:
    """The committee member linked to the logged-in user in this fund (a member's own record),
    loaded with the login (accounts.load_session_user)."""
    membership = current_user.membership
    member = membership.committee_member if membership is not None else None
    return member.id if member is not None else None


def own_people_clause():
    """WHERE clause for a member's own people. A login with no committee member record has none:
    comparing mentor_id with None would render IS NULL and show every unassigned person."""
    from tracker.models import Person

    mentor_id = own_committee_member_id()
    return false() if mentor_id is None else Person.mentor_id == mentor_id


def sees_only_own_people() -> bool:
    return current_user.role == "member"


def visible_people():
    """select(Person) of the current fund that the current user may see: members their own people,
    treasurers the people money work concerns (those with a loan), chair and viewers everyone."""
    from tracker.models import Loan, Person

    query = scoped(Person)
    if sees_only_own_people():
        query = query.where(own_people_clause())
    elif current_user.role == "treasurer":
        query = query.where(select(Loan.id).where(Loan.person_id == Person.id).exists())
    return query


def people_for_applications():
    """Whom the current user may enter a loan application for: a member their own people, the chair
    and the treasurer anyone supported by the fund."""
    from tracker.models import Person

    query = scoped(Person).where(Person.status == "supported", Person.erased_at.is_(None))
    if sees_only_own_people():
        query = query.where(own_people_clause())
    return query


def get_person_or_404(person_id: int, options=(), *, lock: bool = False):
    """A person of the current fund whom the current user may see; 404 otherwise. `options` are
    loader options (the person's page names the mentor). `lock`: for a change of the person's file,
    held until the transaction ends (FOR UPDATE), so that the checks the view makes (the status,
    the mentor, an erasure) still hold when it writes."""
    from tracker.models import Person

    query = visible_people().where(Person.id == person_id).options(*options)
    if lock:
        query = query.with_for_update(of=Person)
    person = db.session.scalar(query)
    if person is None:
        abort(404)
    return person
