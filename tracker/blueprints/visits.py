"""Visits (thăm hỏi, gặp gỡ): the quick visit form, a person's visit timeline and the visit queue.

The rules (the next visit date, who is due) live in tracker.casework; these views validate, call
it, commit once and respond. The person page includes visits/_form.html and visits/_timeline.html,
and passes them what they show: visit_form_for(person) and timeline_context(person).
"""

import datetime as dt
from urllib.parse import urlsplit

from flask import Blueprint, abort, flash, g, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from htmx_flask import make_response as htmx_response
from sqlalchemy.orm import joinedload
from werkzeug.exceptions import NotFound

from tracker import audit, casework, clock
from tracker.blueprints.people.routes import loans_of
from tracker.extensions import db
from tracker.formatting import format_date
from tracker.i18n import gettext as _
from tracker.models import CommitteeMember, Person
from tracker.web import once
from tracker.web.access import (
    get_or_404,
    get_person_or_404,
    own_committee_member_id,
    requires,
    sees_only_own_people,
)
from tracker.web.shared import VisitForm, timeline_context, visit_form_for
from tracker.web.views import id_arg, page_of, render_logged, wants_fragment

bp = Blueprint("visits", __name__, url_prefix="/visits")

PAGE_SIZE = 50
NOTE_LIMIT = 2000
# The next visit is planned at most about a year ahead: a longer gap is not mentoring.
LONGEST_GAP = dt.timedelta(days=366)
SHOW_FILTERS = ("overdue", "due")


def respond_form(person: Person, form: VisitForm, status: int):
    """The quick form again: the fragment to htmx, a page of its own to a plain form post."""
    if wants_fragment():
        return htmx_response(render_template("visits/_form.html", person=person, visit_form=form), status)
    return render_template("visits/form.html", person=person, visit_form=form), status


@bp.route("", methods=["POST"])
@requires("log_visits")
def create():
    """Record a visit; htmx gets a fresh quick form and the timeline with the new visit."""
    # locked: a visit checks the person's status and mentor, which the chair may be changing
    person = get_person_or_404(id_arg(request.form.get("person_id")) or 0, lock=True)
    form = checked_form(person)
    if form.errors:
        return respond_form(person, form, 422)
    if (earlier := once.sent_before(form)) is not None:
        return once.answer_again(earlier)
    visit = record_visit(person, form)
    db.session.commit()
    flash(_("Visit recorded. Next visit: %(date)s.", date=format_date(visit.next_visit_on)), "success")
    if wants_fragment():
        return respond_recorded(person, visit)
    return redirect(url_for("people.detail", person_id=person.id), 303)


@bp.route("/sync", methods=["POST"])
@requires("log_visits")
def sync():
    """Record a visit that waited on the phone while it was offline (static/offline.js). Answers
    JSON: `saved`, `saved_before` (a sending with the same form key was saved: network back, page
    reloaded, two tabs) or `refused` with the reasons, which the phone shows the member."""
    try:
        person = get_person_or_404(id_arg(request.form.get("person_id")) or 0, lock=True)
    except NotFound:
        reason = _("This person is no longer assigned to you, so the visit was not saved. Ask the chair.")
        return refused([reason], 404)
    form = checked_form(person)
    if form.errors:
        return refused(form.form_errors + field_errors(form), 422)
    if (earlier := once.sent_before(form)) is not None:
        db.session.rollback()
        return jsonify(status="saved_before", location=earlier)
    visit = record_visit(person, form)
    db.session.commit()
    return jsonify(
        status="saved",
        location=url_for("people.detail", person_id=person.id),
        next_visit_on=format_date(visit.next_visit_on),
    ), 201


def refused(reasons: list[str], status: int):
    db.session.rollback()
    return jsonify(status="refused", reasons=[str(reason) for reason in reasons]), status


def field_errors(form: VisitForm) -> list[str]:
    """Each field's error after the field's name: the phone shows them away from the form."""
    return [
        f"{field.label.text}: {error}"
        for field in form
        if field.name not in ("csrf_token", "form_key")
        for error in field.errors
    ]


def checked_form(person: Person) -> VisitForm:
    """The posted visit form, validated; a closed case adds a form error."""
    form = VisitForm(person=person)
    if person.status != "supported":
        form.form_errors.append(
            _("This case is closed, so no visit can be recorded. The chair can reopen it if needed.")
        )
    form.validate()
    return form


def record_visit(person: Person, form: VisitForm):
    """Save the visit and its audit event, and note where a second sending of the form goes."""
    visit = casework.log_visit(
        person,
        mentor_id=form.chosen_mentor_id,
        visited_on=form.visit_date,
        kind=form.kind.data,
        summary=form.summary.data or "",
        livelihood=form.livelihood.data or "",
        concerns=form.concerns.data or "",
        next_visit_on=form.next_visit_on.data,
        user_id=current_user.id,
    )
    # Ids and dates only: the audit log is append-only and must not keep personal notes.
    audit.record(
        "visit.create",
        visit,
        after={
            "person_id": visit.person_id,
            "mentor_id": visit.mentor_id,
            "visited_on": visit.visited_on.isoformat(),
            "next_visit_on": visit.next_visit_on.isoformat(),
        },
    )
    once.remember_where(url_for("people.detail", person_id=person.id))
    return visit


def respond_recorded(person: Person, visit):
    """A fresh quick form confirming the visit under the button that saved it (on a phone the
    page's messages are out of sight) and, on the person's page, the timeline with the new visit
    and the summary with the next visit out of band: one round trip where the timeline used to ask
    again after the answer."""
    context = {"person": person, "visit_form": visit_form_for(person), "recorded": visit}
    html = render_template("visits/_form.html", **context)
    if on_person_page(person):
        html += render_template("visits/_timeline.html", oob=True, **context, **timeline_context(person))
        summary = loans_of(person, clock.today())
        html += render_template("people/_summary.html", oob=True, person=person, **summary)
    return htmx_response(html, 200)


def on_person_page(person: Person) -> bool:
    """Whether the htmx request came from the person's page, which shows the timeline (the form's
    page of its own has none, and an out-of-band piece without a place is an error in htmx)."""
    current = urlsplit(request.headers.get("HX-Current-URL", "")).path
    return current == url_for("people.detail", person_id=person.id)


@bp.route("/new/<int:person_id>")
@requires("log_visits")
def new(person_id: int):
    """Render the quick visit form on a page of its own (the person page embeds the same form)."""
    person = get_person_or_404(person_id)
    return render_logged(
        "visits/form.html", [person.id], "visit_form", person=person, visit_form=visit_form_for(person)
    )


@bp.route("/person/<int:person_id>/timeline")
@requires("view_visits")
def timeline(person_id: int):
    """Render a person's visit timeline (the person page reloads it after a visit is recorded); a plain
    request goes to the person's page, which shows it."""
    person = get_person_or_404(person_id)
    if not wants_fragment():
        return redirect(url_for("people.detail", person_id=person.id, visits=request.args.get("visits")))
    # The timeline holds casework notes: reading it is an opening of the person's file.
    return render_logged("visits/_timeline.html", [person.id], person=person, **timeline_context(person))


# ------------------------------------------------------------------------------------ the queue


def queue_page(today: dt.date, mentor_id: int | None, unassigned: bool = False):
    """What visits/_queue.html shows: one page of the queue (overdue first), the number of pages, and
    the ?show= filter it applies; three queries at most."""
    query = casework.queue_query(g.fund.id, today, mentor_id)
    if unassigned:
        query = query.where(Person.mentor_id.is_(None))
    show = request.args.get("show")
    if show == "overdue":
        query = query.where(Person.visit_overdue(today))
    elif show == "due":
        query = query.where(Person.next_visit_on >= today)
    people = page_of(query.options(joinedload(Person.mentor)), PAGE_SIZE)
    return {
        "people": people.rows,
        "total": people.total,
        "page": people.page,
        "pages": people.pages,
        "show": show if show in SHOW_FILTERS else None,
        "as_of": today,
        "due_soon_days": casework.DUE_SOON_DAYS,
    }


@bp.route("")
@requires("view_visits")
def index():
    """Render the visit queue: a member's own people due or overdue; for the chair and viewers the
    counts per mentor, and the list behind each count (?mentor_id=<id>|none|all)."""
    today = clock.today()
    if sees_only_own_people():
        return own_queue(today)
    chosen = request.args.get("mentor_id")
    if chosen is None:
        return mentor_counts(today)
    return queue_behind_count(chosen, today)


def own_queue(today: dt.date):
    """A member's own people, overdue first; a login linked to no member of the team has none."""
    mentor_id = own_committee_member_id()
    if mentor_id is None:
        return render_template("visits/unlinked.html")
    return render_template("visits/own.html", **queue_page(today, mentor_id))


def mentor_counts(today: dt.date):
    """For each mentor, how many of their people are due soon and how many overdue."""
    rows = casework.queue_counts_by_mentor(g.fund.id, today)
    return render_template(
        "visits/counts.html",
        rows=rows,
        total_due=sum(row[1] for row in rows),
        total_overdue=sum(row[2] for row in rows),
        due_soon_days=casework.DUE_SOON_DAYS,
    )


def queue_behind_count(chosen: str, today: dt.date):
    """The list behind a count: one mentor's people (?mentor_id=<id>), the people with no mentor
    (none), or everyone's, each with their mentor named (all)."""
    if chosen == "all":
        return render_template(
            "visits/queue.html",
            heading=_("All visits due"),
            mentor_key="all",
            show_mentor=True,
            **queue_page(today, None),
        )
    if chosen == "none":
        return render_template(
            "visits/queue.html",
            heading=_("Visits of people with no mentor"),
            mentor_key="none",
            **queue_page(today, None, unassigned=True),
        )
    mentor_id = id_arg(chosen)
    if mentor_id is None:
        abort(404)
    mentor = get_or_404(CommitteeMember, mentor_id)
    return render_template(
        "visits/queue.html",
        heading=_("Visits of %(name)s", name=mentor.full_name),
        mentor_key=mentor.id,
        **queue_page(today, mentor.id),
    )
