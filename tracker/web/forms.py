"""Form fields shared by every blueprint; each blueprint's own forms sit next to its routes."""

import datetime as dt
import re
import unicodedata

import flask_babel
from flask import g
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, PasswordField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, ValidationError

from tracker import clock, personal_data
from tracker.formatting import format_number
from tracker.i18n import lazy_gettext as _l
from tracker.money import ledger
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
    direction overrides in any but passwords, and says WTForms' own messages in our words."""

    class Meta:
        def bind_field(self, form, unbound_field, options):
            filters = list(unbound_field.kwargs.get("filters", []))
            field_class = unbound_field.field_class
            strips = getattr(field_class, "strip_whitespace", not issubclass(field_class, PasswordField))
            if issubclass(field_class, StringField) and strips:
                filters.append(tidy)
            if issubclass(field_class, HiddenField) and "render_kw" not in unbound_field.kwargs:
                # No id on a hidden input: nothing labels it, and with two forms on a page (a person's
                # file has three) their csrf_token and form_key ids would clash.
                options["render_kw"] = {"id": False}
            return unbound_field.bind(form=form, filters=filters, **options)

        def get_translations(self, form):
            """Instead of Flask-WTF's (WTF_I18N_ENABLED), which loads WTForms' own catalogues:
            WTForms has no Vietnamese."""
            return WTFORMS_MESSAGES

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


class PasswordAgainForm(Form):
    """A decision that asks for the password again when it was typed more than REAUTH_MINUTES ago
    (accounts.password_confirmed): the field shows only then (templates/_password_again.html)."""

    password = PasswordField(_l("Your password"))


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


# One @, something before it, a dot in the part after, no spaces: what a typo breaks. Whether the
# box exists only the mail server can tell (flask remind reports a refusal).
EMAIL_PATTERN = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")


class EmailField(StringField):
    """An email address, optional; stored in lower case, without spaces around it."""

    def pre_validate(self, form):
        self.data = (self.data or "").strip().lower()
        if self.data and not EMAIL_PATTERN.fullmatch(self.data):
            raise ValidationError(_l("Enter an email address like ten@gmail.com, or leave it empty."))


class MoneyField(StringField):
    """Whole đồng, typed as 50.000.000, 50000000 or 50 000 000; the error names the field."""

    strip_whitespace = False  # parse_amount does its own; data is an int

    def __init__(self, *args, render_kw=None, **kwargs):
        # a phone shows its number pad; static/app.js groups the digits with dots as they are typed
        render_kw = {"inputmode": "numeric", "autocomplete": "off", "data-money": "", **(render_kw or {})}
        super().__init__(*args, render_kw=render_kw, **kwargs)

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


class NamesNobody:
    """Refuses a text that names a person helped by the fund (full name or phone): it is kept for
    good, in the journal or the audit log, where an erasure could not take the name out."""

    def __call__(self, form, field):
        if field.data and g.get("fund") and personal_data.people_named_in(g.fund.id, field.data):
            raise ValidationError(
                _l(
                    "Do not write the name or phone of a person helped here: it is kept in the books "
                    "for good, even if their file is erased."
                )
            )


class PaperReceiptFields:
    """The donation and repayment forms' folded part "Phiếu thu giấy": the book and number of the
    pre-numbered paper phiếu thu the money was first written on (at a meeting), when it is entered
    later. Both optional; the journal refuses one already entered."""

    paper_book = StringField(_l("Book no."), [Length(max=20)])
    paper_no = StringField(_l("Paper receipt no."), [Length(max=20)])

    def validate_paper_no(self, field):
        if self.paper_book.data and not field.data:
            raise ValidationError(_l("Enter the number of the paper receipt too, or clear the book."))


def reason_field(label=None) -> TextAreaField:
    """The reason for a reversal, a rejection or a write-off. It stays in the books (the journal and
    the loan are never erased), so the form says not to write personal details in it, and refuses
    a person's name."""
    return TextAreaField(
        label or _l("Reason"),
        [DataRequired(_l("Enter the reason.")), Length(max=500), NamesNobody()],
        description=_l(
            "Kept in the books for good, even if a person's file is erased: "
            "do not write personal details here."
        ),
    )


class _WTFormsMessages:
    """The messages WTForms writes itself when a validator or a field has none of ours (a Length
    without message, an IntegerField given letters, a choice not in the list), said in our words
    through our catalogue. Some cannot be given a message where the field is declared at all, and a
    validator added without one is covered too. Anything else asked (a label WTForms makes from a
    field's name) is looked up in the catalogue as it is."""

    def gettext(self, string: str) -> str:
        ours = OUR_WORDS.get(string)
        return str(ours) if ours is not None else flask_babel.get_translations().ugettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        ours = OUR_WORDS.get(singular)
        return (
            str(ours) if ours is not None else flask_babel.get_translations().ungettext(singular, plural, n)
        )


WTFORMS_MESSAGES = _WTFormsMessages()

_CHECK = _l("Check what you typed here: it is not in the expected form.")
_CHOOSE = _l("Choose one of the options in the list.")
_EXPIRED = _l("The form has expired or was sent from elsewhere. Reload the page and try again.")
_NOT_EDITABLE = _l("This cannot be changed here.")
# WTForms' message (its msgid; the singular for a plural) -> ours. WTForms formats ours afterwards
# with the same variables (Length: min, max, length; NumberRange: min, max; EqualTo: other_label,
# other_name; AnyOf, NoneOf: values; a multiple choice: value), so ours may use any of them or none.
# tests/test_translations.py checks that every message in WTForms' catalogue is here.
OUR_WORDS = {
    "Field must be equal to %(other_name)s.": _l("This does not match “%(other_label)s”."),
    "Field must be at least %(min)d character long.": _l("Write at least %(min)d characters here."),
    "Field cannot be longer than %(max)d character.": _l("Write at most %(max)d characters here."),
    "Field must be exactly %(max)d character long.": _l("Write exactly %(max)d characters here."),
    "Field must be between %(min)d and %(max)d characters long.": _l(
        "Write %(min)d to %(max)d characters here."
    ),
    "Number must be at least %(min)s.": _l("Enter a number of at least %(min)s."),
    "Number must be at most %(max)s.": _l("Enter a number of at most %(max)s."),
    "Number must be between %(min)s and %(max)s.": _l("Enter a number from %(min)s to %(max)s."),
    "Date must be at least %(min)s.": _l("Enter a date no earlier than %(min)s."),
    "Date must be at most %(max)s.": _l("Enter a date no later than %(max)s."),
    "Date must be between %(min)s and %(max)s.": _l("Enter a date from %(min)s to %(max)s."),
    "This field is required.": _l("Fill this in."),
    "Invalid input.": _CHECK,
    "Invalid email address.": _CHECK,
    "Invalid IP address.": _CHECK,
    "Invalid Mac address.": _CHECK,
    "Invalid URL.": _CHECK,
    "Invalid UUID.": _CHECK,
    "Invalid value, must be one of: %(values)s.": _CHECK,
    "Invalid value, can't be any of: %(values)s.": _CHECK,
    "This field cannot be edited.": _NOT_EDITABLE,
    "This field is disabled and cannot have a value.": _NOT_EDITABLE,
    "Invalid CSRF Token.": _EXPIRED,
    "CSRF token missing.": _EXPIRED,
    "CSRF failed.": _EXPIRED,
    "CSRF token expired.": _EXPIRED,
    "Invalid Choice: could not coerce.": _CHOOSE,
    "Not a valid choice.": _CHOOSE,
    "Invalid choice(s): one or more data inputs could not be coerced.": _CHOOSE,
    "'%(value)s' is not a valid choice for this field.": _CHOOSE,
    "Not a valid datetime value.": _l("Enter a real date and time."),
    "Not a valid date value.": _l("Enter a real date as dd/mm/yyyy, for example 27/11/2026."),
    "Not a valid time value.": _l("Enter a real time as hh:mm, for example 14:30."),
    "Not a valid week value.": _CHECK,
    "Not a valid integer value.": _l("Enter a whole number in digits, for example 12."),
    "Not a valid decimal value.": _l("Enter a number in digits."),
    "Not a valid float value.": _l("Enter a number in digits."),
}
