"""The support team (Tổ giúp đỡ): list, add, edit inline, mark as left, link to a login."""

from flask import Blueprint, flash, g, redirect, render_template, url_for
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from tracker import audit, casework
from tracker.extensions import db
from tracker.i18n import gettext as _
from tracker.i18n import lazy_gettext as _l
from tracker.models import CommitteeMember, Membership, User
from tracker.web import once
from tracker.web.access import get_or_404, requires, scoped
from tracker.web.forms import EmailField, Form, IsoDateField, NameField, PhoneField
from tracker.web.once import OnceForm
from tracker.web.views import wants_fragment

bp = Blueprint("members", __name__, url_prefix="/members")

AUDITED_FIELDS = (
    "full_name",
    "position",
    "organisation",
    "phone",
    "email",
    "joined_on",
    "left_on",
    "user_id",
)


class MemberForm(OnceForm):
    full_name = NameField(
        _l("Full name"), [DataRequired(_l("Enter the member's full name.")), Length(max=200)]
    )
    position = StringField(_l("Position"), [Length(max=200)])
    organisation = NameField(_l("Organisation"), [Length(max=200)])
    phone = PhoneField(_l("Phone"))
    email = EmailField(
        _l("Email"),
        [Length(max=254)],
        description=_l("Where the reminders of visits due are sent (a member without a login too)."),
    )
    joined_on = IsoDateField(_l("Joined on"), [Optional()])
    user_id = SelectField(_l("Login"), coerce=int, default=0)

    def __init__(self, *args, member: CommitteeMember | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user_id.choices = [(0, _("No login")), *linkable_logins(member)]


class LeaveForm(Form):
    left_on = IsoDateField(_l("Left on"), [InputRequired(_l("Enter the date the member left."))])


def linkable_logins(member: CommitteeMember | None) -> list[tuple[int, str]]:
    """Logins of this fund not yet linked to another committee member."""
    taken = select(CommitteeMember.user_id).where(
        CommitteeMember.fund_id == g.fund.id,
        CommitteeMember.user_id.is_not(None),
        CommitteeMember.id != (member.id if member else -1),
    )
    users = db.session.scalars(
        select(User)
        .join(Membership)
        .where(Membership.fund_id == g.fund.id, User.id.not_in(taken))
        .order_by(User.username)
    )
    return [
        (user.id, f"{user.username} ({user.full_name})" if user.full_name else user.username)
        for user in users
    ]


def fund_members() -> list[CommitteeMember]:
    """The team, current members first, each with their login (the cards name it): one query."""
    query = (
        scoped(CommitteeMember)
        .options(joinedload(CommitteeMember.user))
        .order_by(CommitteeMember.left_on.is_not(None), CommitteeMember.sort_key, CommitteeMember.id)
    )
    return list(db.session.scalars(query))


def apply_form(member: CommitteeMember, form: MemberForm) -> None:
    member.set_name(form.full_name.data)
    member.position = form.position.data
    member.organisation = form.organisation.data
    member.phone = form.phone.data
    member.email = form.email.data
    member.joined_on = form.joined_on.data
    member.user_id = form.user_id.data or None


def render_panel(form: MemberForm, status: int = 200):
    template = "members/_panel.html" if wants_fragment() else "members/index.html"
    return render_template(template, members=fund_members(), form=form), status


@bp.route("")
@requires("view_members")
def index():
    """Render the team list with the add form for the chair."""
    return render_panel(MemberForm())


@bp.route("", methods=["POST"])
@requires("manage_members")
def create():
    """Add a committee member; htmx gets the refreshed panel, a plain form a redirect."""
    form = MemberForm()
    if not form.validate():
        return render_panel(form, 422)
    if (earlier := once.sent_before(form)) is not None:
        return once.answer_again(earlier)
    member = CommitteeMember(fund_id=g.fund.id)
    apply_form(member, form)
    db.session.add(member)
    audit.record("member.create", member, after=audit.snapshot(member, AUDITED_FIELDS))
    once.remember_where(url_for("members.index"))
    db.session.commit()
    flash(_("Added %(name)s to the team.", name=member.full_name), "success")
    if wants_fragment():
        return render_panel(MemberForm(formdata=None))
    return redirect(url_for("members.index"), 303)


@bp.route("/<int:member_id>")
@requires("view_members")
def detail(member_id: int):
    """Render one committee member."""
    member = get_or_404(CommitteeMember, member_id)
    return render_template("members/detail.html", member=member, leave_form=LeaveForm())


@bp.route("/<int:member_id>/edit")
@requires("manage_members")
def edit(member_id: int):
    """Render the edit form: inline card for htmx, full page otherwise."""
    member = get_or_404(CommitteeMember, member_id)
    form = MemberForm(obj=member, member=member)
    form.user_id.data = member.user_id or 0
    template = "members/_edit.html" if wants_fragment() else "members/edit.html"
    return render_template(template, member=member, form=form)


@bp.route("/<int:member_id>/card")
@requires("view_members")
def card(member_id: int):
    """Render one member's card (what 'Cancel' on the inline editor swaps back in); a plain request
    goes to the member's page."""
    member = get_or_404(CommitteeMember, member_id)
    if not wants_fragment():
        return redirect(url_for("members.detail", member_id=member.id))
    return render_template("members/_card.html", member=member)


@bp.route("/<int:member_id>", methods=["POST"])
@requires("manage_members")
def update(member_id: int):
    """Save an edit; htmx gets the updated card back in place."""
    member = get_or_404(CommitteeMember, member_id)
    form = MemberForm(member=member)
    if not form.validate():
        template = "members/_edit.html" if wants_fragment() else "members/edit.html"
        return render_template(template, member=member, form=form), 422
    before = audit.snapshot(member, AUDITED_FIELDS)
    apply_form(member, form)
    audit.record("member.update", member, before=before, after=audit.snapshot(member, AUDITED_FIELDS))
    db.session.commit()
    if wants_fragment():
        return render_template("members/_card.html", member=member)
    flash(_("Saved."), "success")
    return redirect(url_for("members.detail", member_id=member.id), 303)


@bp.route("/<int:member_id>/leave", methods=["POST"])
@requires("manage_members")
def leave(member_id: int):
    """Mark a member as having left the team."""
    # locked: a mentor assignment to this member, at the same moment, waits for it or comes first
    member = get_or_404(CommitteeMember, member_id, lock=True)
    form = LeaveForm()
    if member.has_left:
        flash(_("This member has already left the team."), "error")
        return redirect(url_for("members.detail", member_id=member.id), 303)
    if not form.validate():
        return render_template("members/detail.html", member=member, leave_form=form), 422
    if member.joined_on and form.left_on.data < member.joined_on:
        form.left_on.errors.append(_("The member cannot leave before joining."))
        return render_template("members/detail.html", member=member, leave_form=form), 422
    still_assigned = casework.people_assigned_to(member.id)
    if still_assigned:
        form.left_on.errors.append(
            _(
                "%(name)s still mentors %(people)s. Assign them to someone else first.",
                name=member.full_name,
                people=", ".join(person.full_name for person in still_assigned),
            )
        )
        return render_template("members/detail.html", member=member, leave_form=form), 422
    before = audit.snapshot(member, AUDITED_FIELDS)
    member.left_on = form.left_on.data
    audit.record("member.leave", member, before=before, after=audit.snapshot(member, AUDITED_FIELDS))
    db.session.commit()
    flash(_("%(name)s is marked as having left the team.", name=member.full_name), "success")
    return redirect(url_for("members.detail", member_id=member.id), 303)
