"""The six-monthly and year-end review (sơ kết, tổng kết) sent to the Ban Chỉ đạo: on screen,
print-ready, and as ?format=csv|xlsx with one row per figure.

The figures come from tracker.queries.review; this module reads the period, checks who may do what, keeps
the chair's "what to do next" list and renders the same figures three ways.
"""

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms import HiddenField, TextAreaField
from wtforms.validators import Length

from tracker import audit, clock
from tracker.extensions import db
from tracker.formatting import format_date
from tracker.i18n import gettext as _
from tracker.i18n import lazy_gettext as _l
from tracker.models import ReviewNote, utcnow
from tracker.queries import figure_cache
from tracker.queries import review as reviewing
from tracker.queries.figure_cache import CASEWORK, MONEY
from tracker.web import sheets
from tracker.web.access import requires
from tracker.web.exports import export, export_format
from tracker.web.forms import Form

bp = Blueprint("review", __name__, url_prefix="/reports")


class NoteForm(Form):
    period = HiddenField()
    text = TextAreaField(
        _l("What to do next (one item per line)"),
        [
            Length(
                max=reviewing.NOTE_LIMIT,
                message=_l("Write at most %(max)d characters here."),
            )
        ],
    )


def render_review(result: reviewing.Review, form: NoteForm | None = None, status: int = 200):
    today = clock.today()
    note, text = reviewing.next_steps_text(g.fund.id, result)
    if form is None:
        form = NoteForm(formdata=None, data={"period": result.period.key, "text": text})
    return (
        render_template(
            "review/show.html",
            review=result,
            period=result.period,
            title=reviewing.official_title(result.period),
            periods=picker_periods(result.period.key, today),
            next_steps=reviewing.note_lines(text),
            note=note,
            form=form,
            printed_on=today,
        ),
        status,
    )


def picker_periods(chosen: str, today) -> list[reviewing.Period]:
    periods = reviewing.recent_periods(today)
    if chosen and chosen not in {period.key for period in periods}:
        try:
            periods.insert(0, reviewing.parse_period(chosen, today))
        except reviewing.PeriodError:
            pass  # a bad period stays in the query string and in the error message only
    return periods


@bp.route("/review")
@requires("view_reports")
def show():
    """Render the review of a year or half year (?period=2026, 2026-H1, 2026-H2); ?format=csv|xlsx
    exports its figures (money export permission: donors' names, no borrower's)."""
    chosen = export_format("export_money")
    asked = request.args.get("period", "")
    today = clock.today()
    try:
        period = reviewing.parse_period(asked, today)
    except reviewing.PeriodError as error:
        if chosen:
            abort(400, description=str(error.message))
        page = render_template(
            "review/show.html",
            review=None,
            error=error.message,
            asked=asked,
            periods=picker_periods("", today),
        )
        return page, 400
    if chosen:
        result = reviewing.review_figures(g.fund.id, period, today)
        _note, steps = reviewing.next_steps_text(g.fund.id, result)
        rows = [*reviewing.figure_rows(result), *reviewing.next_step_rows(steps)]
        subtitle = _(
            "From %(start)s to %(end)s", start=format_date(period.start), end=format_date(period.end)
        )
        title = reviewing.official_title(period)
        return export(
            chosen, reviewing.export_name(period), sheets.REVIEW, rows, subtitle=subtitle, title=title
        )
    # kept until the fund's next write (queries.figure_cache)
    result = figure_cache.fund_figures(
        g.fund.id,
        (MONEY, CASEWORK),
        ("review", period.key),
        lambda: reviewing.review_figures(g.fund.id, period, today),
    )
    return render_review(result)


@bp.route("/review/notes", methods=["POST"])
@requires("close_period")
def save_notes():
    """Save the chair's "what to do next" list of a period; an empty list brings back the suggestions."""
    form = NoteForm()
    if not (form.period.data or "").strip():
        abort(400, description=_("Choose the period of the review."))
    try:
        period = reviewing.parse_period(form.period.data, clock.today())
    except reviewing.PeriodError as error:
        abort(400, description=str(error.message))
    if not form.validate():
        return render_review(reviewing.review_figures(g.fund.id, period, clock.today()), form, 422)
    note = reviewing.saved_note(g.fund.id, period)
    before = note.text if note else ""
    text = form.text.data or ""
    if text == before:
        return redirect(url_for("review.show", period=period.key), 303)
    if not text:
        db.session.delete(note)
    else:
        if note is None:
            note = ReviewNote(fund_id=g.fund.id, period=period.key)
            db.session.add(note)
        note.text = text
        note.updated_by_id = current_user.id
        note.updated_at = utcnow()
    # The period and the number of items, not the text: the list may name a person, and the
    # audit log is kept for good, where an erasure could not take the name out.
    audit.record(
        "review.notes",
        note if text else None,
        before={"period": period.key, "items": len(reviewing.note_lines(before))},
        after={"period": period.key, "items": len(reviewing.note_lines(text))},
    )
    db.session.commit()
    flash(_("The list of what to do next is saved."), "success")
    return redirect(url_for("review.show", period=period.key), 303)
