"""What templates are given: translation, dates, and the form field macro."""

import datetime as dt

from flask import render_template_string
from werkzeug.datastructures import MultiDict
from wtforms.validators import InputRequired

from tracker import formatting
from tracker.web.forms import Form, IsoDateField


def test_templates_translate_as_jinja_newstyle_gettext_does(app):
    with app.test_request_context():
        assert render_template_string('{{ _("Paid") }}') == "Đã trả"
        assert render_template_string('{{ _("Overdue by %(days)d days", days=3) }}') == "Quá hạn 3 ngày"
        # variables are escaped, the translation is not; "%%" is a percent sign
        assert render_template_string('{{ _("<b>%(x)s</b>", x="<i>") }}') == "<b>&lt;i&gt;</b>"
        assert render_template_string('{{ _("100%%") }}') == "100%"


def test_dates_read_as_strftime_wrote_them():
    for day in (
        dt.date(2026, 11, 27),
        dt.date(2027, 1, 5),
        dt.date(999, 3, 4),
        dt.datetime(2026, 2, 3, 23, 59),
    ):
        assert formatting.format_date(day) == day.strftime("%d/%m/%Y")


def test_a_field_has_its_label_hint_weekday_and_error_next_to_it(app):
    class PaymentForm(Form):
        paid_on = IsoDateField(
            "Ngày trả", [InputRequired("Nhập ngày trả nợ.")], description="Ngày ghi trên biên lai."
        )

    with app.test_request_context():
        form = PaymentForm(formdata=MultiDict({"paid_on": ""}), meta={"csrf": False})
        form.validate()
        html = render_template_string(
            '{% from "_macros.html" import field %}{{ field(form.paid_on, type="date") }}', form=form
        )
    assert '<div class="field has-error">' in html
    assert '<label for="paid_on">Ngày trả</label>' in html
    assert (
        '<input aria-describedby="paid_on-day paid_on-hint paid_on-error" aria-invalid="true"'
        ' id="paid_on" name="paid_on" required type="date" value="">'
    ) in html
    # an empty date still says in which order to type it
    assert (
        '<p class="hint muted date-echo" id="paid_on-day" aria-live="polite"'
        ' data-empty="Ngày/tháng/năm: dd/mm/yyyy">Ngày/tháng/năm: dd/mm/yyyy</p>'
    ) in html
    assert '<p class="hint muted" id="paid_on-hint">Ngày ghi trên biên lai.</p>' in html
    assert '<p class="field-error" id="paid_on-error">Nhập ngày trả nợ.</p>' in html
