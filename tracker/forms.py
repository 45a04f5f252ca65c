"""Form fields shared by every blueprint; each blueprint's own forms sit next to its routes."""

import datetime as dt
import re
import unicodedata

from flask_wtf import FlaskForm
from wtforms import DateField, PasswordField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, ValidationError
from wtforms.widgets.core import clean_key

from tracker import clock, ledger
from tracker.field_html import field_html
from tracker.formatting import format_number
from tracker.i18n import lazy_gettext as _l
from tracker.text import has_direction_overrides, has_hidden_characters, normalise_phone

EARLIEST_DATE = dt.date(1950, 1, 1)

# C0 control characters except tab, line feed and carriage return. Nobody types them (they come with
# text pasted from elsewhere); PostgreSQL refuses NUL in text, and the XLSX format refuses them all,
# so a stored one would break every export that shows it.
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
CONTROL_CHARACTERS_MESSAGE = _l(
    "This has invisible control characters, often from pasted text; type it in again."
)
DIRECTION_OVERRIDES_MESSAGE = _l(
    "This has characters that change the direction of the text, often from pasted text; type it in again."
)
HIDDEN_CHARACTERS_IN_NAME_MESSAGE = _l(
    "The name has invisible characters or characters that change the direction of the text, "
    "often from pasted text; type it in again."
)


def tidy(value) -> str:
    """Typed text composed (NFC) and without surrounding whitespace. Unikey and some phones send
    decomposed accents ("e" + U+0302 + U+0301 for "ế"), others composed ones: the same name would
    otherwise be stored two ways, which compare, count (Length) and match differently."""
    return unicodedata.normalize("NFC", value).strip() if isinstance(value, str) else ""


class Form(FlaskForm):
    """Base form: composes (NFC) and strips every text input but passwords (taken as typed:
    " mật khẩu" saved as "mật khẩu" would not be the password its owner chose, nor would the
    composed form of a password typed decomposed), refuses control characters in any field and
    direction overrides in any but passwords; its fields render through tracker.field_html."""

    class Meta:
        def bind_field(self, form, unbound_field, options):
            filters = list(unbound_field.kwargs.get("filters", []))
            field_class = unbound_field.field_class
            strips = getattr(field_class, "strip_whitespace", not issubclass(field_class, PasswordField))
            if issubclass(field_class, StringField) and strips:
                filters.append(tidy)
            return unbound_field.bind(form=form, filters=filters, **options)

        def render_field(self, field, render_kw):
            """WTForms' markup, written by tracker.field_html where it knows the widget."""
            attrs = {clean_key(key): value for key, value in (field.render_kw or {}).items()}
            attrs.update((clean_key(key), value) for key, value in render_kw.items())
            return field_html(field, attrs) or field.widget(field, **attrs)

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        for field in self:
            refusal = refused_characters(field)
            if refusal is not None:
                field.errors = [*field.errors, refusal]
                valid = False
        return valid

    @property
    def first_error(self) -> str | None:
        for errors in self.errors.values():
            if errors:
                return errors[0]
        return None


def refused_characters(field) -> str | None:
    """What no field may hold, as typed. Control characters: PostgreSQL refuses NUL and XLSX every
    one. Direction overrides: they show other text than the one stored, on screen, on receipts and
    in exports, whatever the field; not in a password, never shown and to be taken as typed (a
    NameField refuses them with the other hidden characters, in its own words)."""
    typed = [value for value in field.raw_data or () if isinstance(value, str)]
    if any(CONTROL_CHARACTERS.search(value) for value in typed):
        return CONTROL_CHARACTERS_MESSAGE
    if isinstance(field, NameField | PasswordField):
        return None
    if any(has_direction_overrides(value) for value in typed):
        return DIRECTION_OVERRIDES_MESSAGE
    return None


class NameField(StringField):
    """A person's or an organisation's name. It refuses the characters that print nothing or move
    the text around them (tracker.text.has_hidden_characters), which come with names pasted from
    elsewhere: names are compared (duplicates, the erasure's confirmation), searched and sorted, and
    printed on receipts and letters, where an invisible character makes two names that look alike
    differ and a direction override shows a name other than the one stored."""

    def pre_validate(self, form):
        if has_hidden_characters(self.data):
            raise ValidationError(HIDDEN_CHARACTERS_IN_NAME_MESSAGE)


class IsoDateField(DateField):
    """A date typed as yyyy-mm-dd (the browser's date input sends that) or dd/mm/yyyy."""

    def __init__(self, label=None, validators=None, *, not_after_today: bool = True, **kwargs):
        super().__init__(label, validators, format=["%Y-%m-%d", "%d/%m/%Y"], **kwargs)
        self.not_after_today = not_after_today

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None
            raise ValueError(_l("Enter a real date as dd/mm/yyyy, for example 27/11/2026.")) from None

    def pre_validate(self, form):
        if self.data is None:
            return
        if self.data < EARLIEST_DATE:
            raise ValidationError(_l("This date is too far in the past."))
        if self.not_after_today and self.data > clock.today():
            raise ValidationError(_l("This date is in the future; enter today's date or earlier."))
        if not self.not_after_today and self.data > clock.today() + dt.timedelta(days=3 * 366):
            raise ValidationError(_l("This date is too far in the future."))


class PhoneField(StringField):
    """A Vietnamese phone number; stored as 10 digits with a leading 0."""

    def pre_validate(self, form):
        if not self.data:
            self.data = ""
            return
        phone = normalise_phone(self.data)
        if phone is None:
            raise ValidationError(
                _l("Enter a 10-digit phone number starting with 0, for example 0912345678.")
            )
        self.data = phone


class MoneyField(StringField):
    """Whole đồng, typed as 50.000.000, 50000000 or 50 000 000; the error names the field."""

    strip_whitespace = False  # parse_amount does its own; data is an int

    def process_formdata(self, valuelist):
        self.raw_text = valuelist[0] if valuelist else ""
        self.data = None
        if not self.raw_text.strip():
            self.raw_data = []  # spaces alone are no amount: InputRequired says so, as for nothing
            return
        try:
            self.data = ledger.parse_amount(self.raw_text)
        except ledger.AmountError:
            raise ValueError(
                _l(
                    "%(field)s: type a whole number of đồng greater than zero and at most "
                    "1.000.000.000.000, for example 5.000.000.",
                    field=self.label.text,
                )
            ) from None

    def _value(self):
        if self.data is not None:
            return format_number(self.data)
        return getattr(self, "raw_text", "") or ""


def refusal_to_form(form: FlaskForm, refusal) -> None:
    """Show a journal refusal next to the field it concerns (or the form's first field)."""
    field = getattr(form, refusal.field or "", None)
    if field is None:
        form.form_errors.append(refusal.message)
    else:
        field.errors = [*field.errors, refusal.message]


def reason_field(label=None) -> TextAreaField:
    """The reason for a reversal, a rejection or a write-off. It stays in the books (the journal and
    the loan are never erased), so the form says not to write personal details in it."""
    return TextAreaField(
        label or _l("Reason"),
        [DataRequired(_l("Enter the reason.")), Length(max=500)],
        description=_l(
            "Kept in the books for good, even if a person's file is erased: "
            "do not write personal details here."
        ),
    )
