"""tracker.field_html writes the same HTML as WTForms' own widgets: field by field with awkward
values, and page by page for every page that carries a form (issue 7, where it was made for speed)."""

import datetime as dt
import re

import pytest
from markupsafe import Markup
from werkzeug.datastructures import MultiDict
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.meta import DefaultMeta
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from tests.factories import disbursed_loan, donate, repay
from tracker import clock
from tracker.web.forms import Form, IsoDateField, MoneyField

TODAY = clock.today()
TRICKY = 'Nhà "Bình" <b>&</b> ’ \u00a0'


class EveryWidget(Form):
    name = StringField(TRICKY, [InputRequired(), Length(max=200)], render_kw={"autocomplete": "off"})
    note = TextAreaField("Ghi chú", [Optional(), Length(min=2, max=2000)])
    amount = MoneyField("Số tiền", [InputRequired()])
    born = IntegerField("Năm sinh", [Optional(), NumberRange(min=1900, max=2026)])
    visited_on = IsoDateField("Ngày", [InputRequired()])
    secret = PasswordField("Mật khẩu", [InputRequired(), Length(min=12)])
    token = HiddenField()
    agreed = BooleanField("Đồng ý")
    kind = SelectField("Hình thức", choices=lambda: [("home", "Tại nhà"), ("phone", TRICKY), ("", "—")])
    mentor_id = SelectField(
        "Người kèm cặp", coerce=int, choices=lambda: [(0, "Chưa phân công"), (7, "Phạm Văn Bình")]
    )
    flag = SelectField("Có/không", coerce=lambda v: v == "True", choices=lambda: [(True, "Có"), (False, "")])
    tier = SelectField(
        "Nhóm",
        choices=[SelectChoice("a", "Nhóm A", {"class": "x"}), SelectChoice("b", render_kw={"data-n": '"2"'})],
        render_kw={"data_role": "tier", "disabled": True},
    )
    way = RadioField("Cách", choices=lambda: [("cash", "Tiền mặt"), ("bank", "Chuyển khoản")])


AWKWARD_DATA = [
    MultiDict(),
    MultiDict(
        {
            "name": TRICKY,
            "note": "dòng một\r\n<script>alert(1)</script>",
            "amount": "50.000.000",
            "born": "1985",
            "visited_on": "2026-11-27",
            "secret": "bí mật lắm lắm",
            "token": '"><x>',
            "agreed": "y",
            "kind": "phone",
            "mentor_id": "7",
            "flag": "True",
            "tier": "b",
            "way": "bank",
        }
    ),
    MultiDict({"amount": "năm triệu", "born": "x", "visited_on": "31/02/2026", "mentor_id": "9"}),
]
CALLS = [
    {},
    {"aria_invalid": "true", "aria_describedby": "x-hint x-error"},
    {"aria_invalid": False, "aria_describedby": False, "class_": "wide", "type": "date"},
    {"rows": 3, "inputmode": "numeric", "required": False, "value": TRICKY, "id": "khac"},
    {"data_hx_get": "/a?b=1&c=2", "placeholder": Markup("<i>x</i>"), "autocomplete": "off"},
]


@pytest.mark.parametrize("formdata", AWKWARD_DATA)
def test_every_widget_writes_what_wtforms_writes(app, formdata, monkeypatch):
    with app.test_request_context("/"):
        form = EveryWidget(formdata=formdata, meta={"csrf": False})
        form.validate()
        ours = {(field.name, repr(attrs)): str(field(**attrs)) for field in form for attrs in CALLS}
        with monkeypatch.context() as patched:
            patched.setattr(Form.Meta, "render_field", DefaultMeta.render_field)
            theirs = {(field.name, repr(attrs)): str(field(**attrs)) for field in form for attrs in CALLS}
        assert ours == theirs
        if formdata.get("way") == "bank":
            assert 'checked id="way-1"' in ours[("way", "{}")]


def test_a_widget_it_does_not_know_goes_to_wtforms(app):
    with app.test_request_context("/"):
        form = EveryWidget(formdata=None, meta={"csrf": False})
        assert '<ul id="way"><li><input id="way-0" name="way" type="radio" value="cash">' in str(form.way())


# ------------------------------------------------------------------ whole pages

# The CSRF token is signed with the time, so two fetches a second apart differ there; the key of a
# form that creates something is new at each showing (tracker.web.once). Only there.
CSRF = re.compile(r'(name="(?:csrf_token|form_key)"[^>]*? value|name="csrf-token" content)="[^"]*"')


def same_page_both_ways(browser, monkeypatch, url, data=None) -> str:
    """The page's HTML as tracker.field_html writes it, checked against WTForms' own rendering."""

    def fetch():
        response = browser.post(url, data) if data is not None else browser.get(url)
        return response.status_code, CSRF.sub(r'\1=""', response.get_data(as_text=True))

    ours = fetch()
    with monkeypatch.context() as patched:
        patched.setattr(Form.Meta, "render_field", DefaultMeta.render_field)
        theirs = fetch()
    assert ours == theirs, url
    return ours[1]


def test_pages_with_forms_are_the_same_as_wtforms_writes_them(
    app, seed, money, as_role, visitor, monkeypatch
):
    donate(app, seed.fund_id, money.donor_id, 9_000_000, TODAY - dt.timedelta(days=90))
    loan_id = disbursed_loan(
        app, seed.fund_id, money.person_id, 3_000_000, TODAY - dt.timedelta(days=80), term=6
    )
    repay(app, loan_id, 500_000, TODAY - dt.timedelta(days=40))
    pages = {
        "chair": [
            "/people",
            f"/people/{money.person_id}",
            f"/people/{money.person_id}/edit",
            "/loans",
            f"/loans/{loan_id}",
            "/members",
            "/donors",
            "/users",
            "/audit?kind=money",
            "/reports/cashbook",
            "/visits",
        ],
        "treasurer": ["/donations", f"/loans/{loan_id}", "/donors"],
        "member": ["/visits", f"/people/{money.person_id}"],
    }
    forms_seen = 0
    for role, urls in pages.items():
        browser = as_role(role)
        for url in urls:
            html = same_page_both_ways(browser, monkeypatch, url)
            forms_seen += html.count("<form")
    assert forms_seen >= 20
    same_page_both_ways(visitor, monkeypatch, "/login")
    # forms sent back with errors, values and choices as typed
    chair = as_role("chair")
    html = same_page_both_ways(
        chair, monkeypatch, "/people", {"full_name": "", "birth_year": "19x5", "phone": '"><b>'}
    )
    assert 'aria-invalid="true"' in html
    treasurer = as_role("treasurer")
    html = same_page_both_ways(
        treasurer,
        monkeypatch,
        "/donations",
        {"donor_id": str(money.donor_id), "amount": "năm", "received_on": ""},
    )
    assert f'<option selected value="{money.donor_id}">' in html
