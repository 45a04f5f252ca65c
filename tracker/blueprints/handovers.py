"""Handing a person's file to another fund of the installation, when the person moves to another
commune: the sending chair proposes, the receiving chair accepts (casework.accept_handover); until
then nothing moves. The loans stay with the fund that lent the money."""

from flask import Blueprint, abort, flash, g, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload

from tracker import audit, casework, database
from tracker.extensions import db
from tracker.i18n import gettext as _
from tracker.models import PersonHandover
from tracker.web.access import get_person_or_404, requires
from tracker.web.shared import HandoverForm

bp = Blueprint("handovers", __name__)


def handovers_of(fund_id: int) -> tuple[list[PersonHandover], list[PersonHandover]]:
    """(waiting for this fund to accept, proposed by this fund), newest first."""
    rows = db.session.scalars(
        select(PersonHandover)
        .where(or_(PersonHandover.to_fund_id == fund_id, PersonHandover.fund_id == fund_id))
        .options(
            joinedload(PersonHandover.person),
            joinedload(PersonHandover.from_fund),
            joinedload(PersonHandover.to_fund),
        )
        .order_by(PersonHandover.proposed_at.desc(), PersonHandover.id.desc())
    ).all()
    incoming = [h for h in rows if h.to_fund_id == fund_id and h.status == "pending"]
    outgoing = [h for h in rows if h.fund_id == fund_id]
    return incoming, outgoing


@bp.route("/handovers")
@requires("manage_people")
def index():
    """Render the files waiting for this fund to accept, and those it handed over."""
    incoming, outgoing = handovers_of(g.fund.id)
    return render_template("handovers/index.html", incoming=incoming, outgoing=outgoing)


@bp.route("/people/<int:person_id>/handover", methods=["POST"])
@requires("manage_people")
def propose(person_id: int):
    """Propose to hand the person's file to another fund (chair)."""
    person = get_person_or_404(person_id, lock=True)
    form = HandoverForm()
    if form.validate():
        if not form.to_fund_id.data:
            form.to_fund_id.errors.append(_("Choose the receiving fund."))
        elif person.erased_at is not None or person.status in ("moved", "deceased"):
            form.to_fund_id.errors.append(_("This file can no longer be handed over."))
        elif casework.pending_handover(person) is not None:
            form.to_fund_id.errors.append(_("This file is already waiting for another fund to accept it."))
    if form.errors:
        # the form sits in the person's file, which the people blueprint renders: its refusal is
        # said at the top of the file
        for errors in form.errors.values():
            for error in errors:
                flash(error, "error")
        return redirect(url_for("people.detail", person_id=person.id, _anchor="handover"), 303)
    handover = PersonHandover(
        person_id=person.id,
        fund_id=g.fund.id,
        to_fund_id=form.to_fund_id.data,
        reason=form.reason.data,
        proposed_by_id=current_user.id,
    )
    db.session.add(handover)
    db.session.flush()
    audit.record("person.handover", person, after={"to_fund_id": handover.to_fund_id})
    db.session.commit()
    flash(_("The file waits for the receiving fund's chair to accept it."), "success")
    return redirect(url_for("people.detail", person_id=person.id), 303)


def get_handover_or_404(handover_id: int, *, receiving: bool) -> PersonHandover:
    """A handover of this fund: one it receives (to accept or decline) or one it sent (to
    withdraw); another fund's is not found."""
    handover = db.session.get(PersonHandover, handover_id)
    if handover is None or g.fund.id != (handover.to_fund_id if receiving else handover.fund_id):
        abort(404)
    database.lock_row(handover)
    return handover


@bp.route("/handovers/<int:handover_id>/accept", methods=["POST"])
@requires("manage_people")
def accept(handover_id: int):
    """Accept a file handed over by another fund: it becomes one of this fund's people."""
    handover = get_handover_or_404(handover_id, receiving=True)
    if handover.status != "pending":
        flash(_("This handover was already settled."), "error")
        return redirect(url_for("handovers.index"), 303)
    person = casework.accept_handover(handover, current_user.id)
    audit.record("person.handover_accept", person, after={"fund_id": handover.fund_id})
    audit.record(
        "person.handover_accept",
        handover.person,
        after={"to_fund_id": handover.to_fund_id},
        fund_id=handover.fund_id,
    )
    db.session.commit()
    flash(_("The file is now this fund's; assign a mentor."), "success")
    return redirect(url_for("people.detail", person_id=person.id), 303)


def end_handover(handover: PersonHandover):
    if handover.status != "pending":
        flash(_("This handover was already settled."), "error")
        return redirect(url_for("handovers.index"), 303)
    handover.status = "cancelled"
    handover.decided_by_id = current_user.id
    audit.record("person.handover_cancel", handover.person, fund_id=handover.fund_id)
    db.session.commit()
    flash(_("The handover is cancelled; the file stays where it was."), "success")
    return redirect(url_for("handovers.index"), 303)


@bp.route("/handovers/<int:handover_id>/decline", methods=["POST"])
@requires("manage_people")
def decline(handover_id: int):
    """Decline a file another fund wants to hand over (the receiving chair)."""
    return end_handover(get_handover_or_404(handover_id, receiving=True))


@bp.route("/handovers/<int:handover_id>/withdraw", methods=["POST"])
@requires("manage_people")
def withdraw(handover_id: int):
    """Withdraw a handover this fund proposed, before the other fund accepts it."""
    return end_handover(get_handover_or_404(handover_id, receiving=False))
