"""The six-monthly and year-end review (sơ kết, tổng kết) the team files with the Front: the document
on screen, print-ready, as a Word file (?format=docx) and as ?format=csv|xlsx with one row per figure.

The figures come from tracker.queries.review; this module reads the period (?period= or
?from=&to=), checks who may do what, keeps the chair's text of each section and renders the same
figures and text every way.
"""

from flask import Blueprint, Response, abort, flash, g, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms import HiddenField, TextAreaField
from wtforms.validators import Length

from tracker import audit, clock
from tracker.extensions import db
from tracker.formatting import format_date
from tracker.i18n import gettext as _
from tracker.i18n import lazy_gettext as _l
from tracker.models import ReviewNote, utcnow
from tracker.queries import commendations as commending
from tracker.queries import figure_cache
from tracker.queries import review as reviewing
from tracker.queries.figure_cache import CASEWORK, MONEY
from tracker.review_docx import review_docx
from tracker.web import sheets
from tracker.web.access import requires
from tracker.web.exports import export, export_format
from tracker.web.forms import Form

bp = Blueprint("review", __name__, url_prefix="/reports")

DOCX_MIMETYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
SECTION_LABELS = {
    "situation": _l("The situation (one paragraph per line)"),
    "shortcomings": _l("Shortcomings and their causes (one paragraph per line)"),
    "lessons": _l("Lessons learned (one paragraph per line)"),
    "next_steps": _l("What to do next (one item per line)"),
    "proposals": _l("Proposals and recommendations (one paragraph per line)"),
    "recipients": _l("Recipients (one per line)"),
}


class NoteForm(Form):
    period = HiddenField()
    section = HiddenField()
    text = TextAreaField(
        _l("What to do next (one item per line)"),
        [
            Length(
                max=reviewing.NOTE_LIMIT,
                message=_l("Write at most %(max)d characters here."),
            )
        ],
    )


def section_form(period: reviewing.Period, section: reviewing.SectionText, posted: NoteForm | None):
    if posted is not None and posted.section.data == section.key:
        form = posted
    else:
        form = NoteForm(
            formdata=None, data={"period": period.key, "section": section.key, "text": section.text}
        )
    form.text.label.text = str(SECTION_LABELS[section.key])
    return form


def render_review(result: reviewing.Review, form: NoteForm | None = None, status: int = 200):
    today = clock.today()
    sections = reviewing.section_texts(g.fund.id, result, g.fund)
    forms = {key: section_form(result.period, section, form) for key, section in sections.items()}
    return (
        render_template(
            "review/show.html",
            review=result,
            period=result.period,
            title=reviewing.official_title(result.period),
            head=reviewing.document_head(g.fund, today),
            tables=reviewing.figure_tables(result),
            sections=sections,
            forms=forms,
            periods=picker_periods(result.period, today),
            printed_on=today,
            signed_for=reviewing.SIGNED_FOR,
            signer=reviewing.SIGNER,
            results_heading=reviewing.RESULTS_HEADING,
            commendations=commending.review_part(g.fund.id, result.period.start, result.as_of),
            commendations_heading=commending.REVIEW_HEADING,
            today=today,
        ),
        status,
    )


def picker_periods(chosen: reviewing.Period | None, today) -> list[reviewing.Period]:
    periods = reviewing.recent_periods(today)
    if chosen is not None and not chosen.custom and chosen.key not in {period.key for period in periods}:
        periods.insert(0, chosen)
    return periods


def asked_period(today) -> reviewing.Period:
    """?from=&to= (any range) or ?period= (a year or half year); PeriodError if either is wrong.
    Both dates left empty ask for no range, as the other reports read empty dates."""
    args = request.args
    if (args.get("from") or "").strip() or (args.get("to") or "").strip():
        return reviewing.parse_range(args.get("from"), args.get("to"), today)
    return reviewing.parse_period(args.get("period", ""), today)


@bp.route("/review")
@requires("view_reports")
def show():
    """Render the review of a year, a half year (?period=2026, 2026-H1, 2026-H2) or any range
    (?from=2025-01-01&to=2026-12-31) as the document the chair signs; ?format=docx is the same
    document to edit in Word, ?format=csv|xlsx its figures (money export permission: donors' names,
    no borrower's)."""
    docx = request.args.get("format") == "docx"
    chosen = None if docx else export_format("export_money")
    today = clock.today()
    try:
        period = asked_period(today)
    except reviewing.PeriodError as error:
        if chosen or docx:
            abort(400, description=str(error.message))
        page = render_template(
            "review/show.html",
            review=None,
            error=error.message,
            asked=request.args,
            periods=picker_periods(None, today),
            today=today,
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
    if docx:
        body = review_docx(
            result,
            reviewing.official_title(period),
            reviewing.document_head(g.fund, today),
            reviewing.section_texts(g.fund.id, result, g.fund),
            reviewing.figure_tables(result),
            commending.review_part(g.fund.id, period.start, result.as_of),
        )
        response = Response(body, mimetype=DOCX_MIMETYPE)
        response.headers["Content-Disposition"] = (
            f'attachment; filename="{reviewing.export_name(period)}.docx"'
        )
        return response
    return render_review(result)


@bp.route("/review/notes", methods=["POST"])
@requires("close_period")
def save_notes():
    """Save the chair's text of one section of a period's review (the "what to do next" list when no
    section is named); an empty text brings back the suggestion."""
    form = NoteForm()
    if not (form.period.data or "").strip():
        abort(400, description=_("Choose the period of the review."))
    section = (form.section.data or "").strip() or reviewing.NEXT_STEPS
    if section not in reviewing.SECTIONS:
        abort(400, description=_("Choose a section of the review."))
    form.section.data = section
    try:
        period = reviewing.parse_period(form.period.data, clock.today())
    except reviewing.PeriodError as error:
        abort(400, description=str(error.message))
    if not form.validate():
        return render_review(reviewing.review_figures(g.fund.id, period, clock.today()), form, 422)
    note = reviewing.saved_note(g.fund.id, period, section)
    before = note.text if note else ""
    text = (form.text.data or "").strip()
    anchor = section.replace("_", "-")  # the section's id on the page
    back = redirect(url_for("review.show", **period.query) + f"#{anchor}", 303)
    if text == before:
        return back
    if not text:
        db.session.delete(note)
    else:
        if note is None:
            note = ReviewNote(fund_id=g.fund.id, period=period.key, section=section)
            db.session.add(note)
        note.text = text
        note.updated_by_id = current_user.id
        note.updated_at = utcnow()
    # The period, the section and the number of lines, not the text: it may name a person, and the
    # audit log is kept for good, where an erasure could not take the name out.
    audit.record(
        "review.notes",
        note if text else None,
        before={"period": period.key, "section": section, "items": len(reviewing.note_lines(before))},
        after={"period": period.key, "section": section, "items": len(reviewing.note_lines(text))},
    )
    db.session.commit()
    flash(_("The text of the review is saved."), "success")
    return back


@bp.route("/public")
@requires("view_public_accounts")
def public():
    """Render the public accounts (công khai tài chính) of a half year or a year (?period=2026-H1;
    by default the last finished half year): one A4 page for the notice board and the donors, which
    names no borrower."""
    today = clock.today()
    asked = request.args.get("period", "")
    try:
        if reviewing.RANGE_SEPARATOR in asked:
            raise reviewing.PeriodError(
                _l("Enter a period as a year (2026) or a half year (2026-H1 or 2026-H2).")
            )
        period = reviewing.parse_period(asked, today)
    except reviewing.PeriodError as error:
        page = render_template(
            "reports/public.html",
            sheet=None,
            error=error.message,
            periods=picker_periods(None, today),
            today=today,
        )
        return page, 400
    return render_template(
        "reports/public.html",
        sheet=reviewing.public_accounts(g.fund.id, period, today),
        period=period,
        title=reviewing.public_title(period),
        head=reviewing.document_head(g.fund, today),
        periods=picker_periods(period, today),
        signed_for=reviewing.SIGNED_FOR,
        signer=reviewing.SIGNER,
        today=today,
    )
