"""Template helpers written for speed must write what the slower originals wrote."""

import datetime as dt

from flask import render_template, render_template_string, url_for

from tracker import formatting
from tracker.web.views import MAX_ID


def test_url_for_each_builds_what_url_for_builds(app):
    with app.test_request_context():
        receipt = app.jinja_env.globals["url_for_each"]("loans.repayment_receipt", "repayment_id")
        timeline = app.jinja_env.globals["url_for_each"]("visits.timeline", "person_id", visits=40)
        for row_id in (1, 7, 120, 98765, MAX_ID - 1):
            assert receipt(row_id) == url_for("loans.repayment_receipt", repayment_id=row_id)
            assert timeline(row_id) == url_for("visits.timeline", person_id=row_id, visits=40)


def test_url_for_each_builds_each_address_when_the_placeholder_is_taken(app):
    with app.test_request_context():
        build = app.jinja_env.globals["url_for_each"]("visits.timeline", "person_id", visits=MAX_ID)
        assert build(5) == url_for("visits.timeline", person_id=5, visits=MAX_ID)


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


def test_field_labels_read_as_wtforms_writes_them(app):
    from tracker.blueprints.auth import OwnPasswordForm
    from tracker.blueprints.loans import RepaymentForm
    from tracker.blueprints.people import PersonForm

    with app.test_request_context():
        for form in (PersonForm(formdata=None), OwnPasswordForm(formdata=None), RepaymentForm(formdata=None)):
            for field in form:
                if field.type in ("CSRFTokenField", "HiddenField"):
                    continue
                assert str(field.label()) in render_template("_field.html", field=field), field.name
