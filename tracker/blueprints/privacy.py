"""A person's rights over their data (Law 91/2025/QH15): export everything held, and erasure.

Both are the chair's alone. An export is logged like an opening of the file; an erasure keeps the
money records (loans, schedule, repayments, the journal) and blanks the rest
(personal_data.erase_person).
"""

import json
import unicodedata

from flask import Blueprint, Response, abort, flash, g, redirect, render_template, request, url_for
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length, ValidationError

from tracker import accounts, audit, clock, database, personal_data
from tracker.extensions import db
from tracker.i18n import gettext as _
from tracker.i18n import lazy_gettext as _l
from tracker.models import (
    Person,
)
from tracker.text import without_hidden_characters
from tracker.web.access import get_person_or_404, requires
from tracker.web.forms import PasswordAgainForm

bp = Blueprint("privacy", __name__)


def canonical(value: str) -> str:
    """One spelling of a typed text, whatever Unicode form the keyboard produced (Unikey sends
    composed or decomposed accents), however the spaces fell, and without the characters that
    print nothing (a name saved before names refused them may hold one)."""
    return " ".join(without_hidden_characters(unicodedata.normalize("NFC", value or "")).split())


def same_name(typed: str, name: str) -> bool:
    return bool(typed) and canonical(typed) == canonical(name)


class EraseForm(PasswordAgainForm):
    confirm = StringField(
        _l("Type the person's full name to confirm"),
        [DataRequired(_l("Type the person's full name exactly as it is shown above."))],
    )
    reason = TextAreaField(
        _l("Reason"),
        [
            DataRequired(_l("Enter the reason, e.g. the person's written request of 05/02/2026.")),
            Length(max=500),
        ],
    )

    def __init__(self, *args, person: Person, **kwargs):
        super().__init__(*args, **kwargs)
        self.person = person

    def validate_confirm(self, field):
        if not same_name(field.data, self.person.full_name):
            raise ValidationError(
                _l("This is not the person's name: type it exactly as it is shown above to confirm.")
            )

    def validate_reason(self, field):
        # The reason goes into the append-only audit log, where it could never be erased.
        reason = canonical(field.data).casefold()
        details = (self.person.full_name, self.person.phone)
        if any(detail and canonical(detail).casefold() in reason for detail in details):
            raise ValidationError(
                _l("Do not write the person's name or phone in the reason: it is kept in the audit log.")
            )


# ------------------------------------------------------------------------------ export


@bp.route("/people/<int:person_id>/export")
@requires("export_personal")
def export(person_id: int):
    """Download everything held about a person as JSON (?format=html: a printable page); logged."""
    chosen = request.args.get("format", "json")
    if chosen not in ("json", "html"):
        abort(400)
    person = get_person_or_404(person_id)
    audit.log_access([person.id], "export")  # first: the export lists itself in the access log
    data = {
        "fund": g.fund.name,
        "exported_on": clock.today(),
        **personal_data.person_data(person),
    }
    if chosen == "html":
        return render_template(
            "privacy/export.html",
            person=person,
            data=data,
        )
    body = json.dumps(data, ensure_ascii=False, indent=2, default=personal_data.json_value)
    return Response(
        body.encode("utf-8"),
        content_type="application/json; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="nguoi-{person.id}.json"'},
    )


# ------------------------------------------------------------------------------ erasure


def render_erase(person: Person, form: EraseForm, status: int = 200):
    return render_template("privacy/erase.html", person=person, form=form), status


@bp.route("/people/<int:person_id>/erase")
@requires("erase_person")
def erase_form(person_id: int):
    """Render the erasure page: what is removed, what is kept, and the confirmation form."""
    person = get_person_or_404(person_id)
    return render_erase(person, EraseForm(formdata=None, person=person))


@bp.route("/people/<int:person_id>/erase", methods=["POST"])
@requires("erase_person")
def erase(person_id: int):
    """Erase a person's personal data, keeping the money records; the name becomes a placeholder."""
    person = get_person_or_404(person_id)
    form = EraseForm(person=person)
    if not accounts.password_confirmed(form):
        return render_erase(person, form, 422)
    database.lock_row(person)  # two erasures at once: the second finds it done
    if person.erased_at is not None:
        form.form_errors.append(_("This person's data has already been erased."))
    if not form.validate() or form.form_errors:
        return render_erase(person, form, 422)
    personal_data.erase_person(person, clock.today())
    # Only the reason: the log is append-only, so a name written here could never be erased.
    audit.record("person.erase", person, after={"reason": form.reason.data})
    db.session.commit()
    flash(_("The personal data is erased. The loans and repayments are kept."), "success")
    return redirect(url_for("people.detail", person_id=person.id), 303)
