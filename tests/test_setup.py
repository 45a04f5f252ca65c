"""First run: create the fund with its chair, or load the demo; then the page is gone."""

import re

import sqlalchemy as sa

from tests.conftest import Browser
from tracker.extensions import db
from tracker.models import CommitteeMember, Fund

FUND = {
    "fund_name": "Quỹ giúp đỡ người hoàn lương xã Tân Phú",
    "commune": "xã Tân Phú",
    "province": "Đồng Nai",
    "full_name": "Nguyễn Văn Tâm",
    "username": "tamnv",
    "password": "mat-khau-dai-1",
    "confirm": "mat-khau-dai-1",
}


def test_empty_installation_sends_visitors_to_setup(app, visitor):
    response = visitor.get("/")
    assert response.status_code == 302
    response = visitor.get(response.location)
    assert response.status_code == 302 and response.location.endswith("/setup/")
    page = visitor.get("/setup/").get_data(as_text=True)
    assert 'name="fund_name"' in page and "setup/demo" in page


def test_create_fund_and_chair_then_log_in(app, visitor):
    response = visitor.post("/setup/", FUND)
    assert response.status_code == 302
    assert visitor.login("tamnv", "mat-khau-dai-1").status_code == 302
    page = visitor.get("/").get_data(as_text=True)
    assert "xã Tân Phú" in page
    assert visitor.get("/users").status_code == 200  # the new login is the chair
    assert Browser(app.test_client()).get("/setup/").status_code == 404


def test_setup_refuses_bad_input(app, visitor):
    response = visitor.post("/setup/", {**FUND, "confirm": "khac-nhau-123", "commune": ""})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert page.count('class="field-error"') == 2
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Fund)) == 0


DEMO_LOGINS = {
    "chair": "Tổ trưởng",
    "treasurer": "Thủ quỹ",
    "member": "Thành viên",
    "viewer": "Ban Chỉ đạo (chỉ xem)",
    "tinh": "Ban Chỉ đạo tỉnh",
}


def test_the_first_page_names_all_five_demo_logins(app, visitor):
    page = visitor.get("/setup/").get_data(as_text=True)
    shown = dict(re.findall(r'<tr data-login="(\w+)"><td><code>\w+</code></td><td>([^<]*)</td>', page))
    assert shown == DEMO_LOGINS
    assert "năm tài khoản, cùng mật khẩu hongson-demo" in page


def test_the_demo_message_names_all_five_logins_and_each_logs_in(app, visitor):
    response = visitor.post("/setup/demo")
    assert response.status_code == 302
    message = visitor.get(response.location).get_data(as_text=True)
    for login, role in DEMO_LOGINS.items():
        assert f"{login} ({role})" in message
    assert "cùng mật khẩu hongson-demo" in message
    for login in DEMO_LOGINS:
        browser = Browser(app.test_client())
        assert browser.login(login, "hongson-demo").status_code == 302, login


def test_load_demo_from_the_first_page(app, visitor):
    assert visitor.post("/setup/demo").status_code == 302
    assert visitor.login("chair", "hongson-demo").status_code == 302
    assert "Hồng Sơn" in visitor.get("/").get_data(as_text=True)
    assert visitor.post("/setup/demo").status_code == 404


def test_setup_is_gone_once_a_fund_exists(seed, visitor):
    assert visitor.get("/setup/").status_code == 404
    assert visitor.post("/setup/", FUND).status_code == 404
    assert visitor.post("/setup/demo").status_code == 404


def test_demo_team(app, visitor):
    visitor.post("/setup/demo")
    with app.app_context():
        members = db.session.scalars(sa.select(CommitteeMember)).all()
        logins = {m.user.username: m for m in members if m.user}
        assert len(members) == 15
        organisations = {m.organisation for m in members}
        assert {
            "Công an xã",
            "Hội Cựu chiến binh",
            "Hội Phụ nữ",
            "Hội Nông dân",
            "Đoàn Thanh niên",
        } <= organisations
        assert "Chủ tịch UBMTTQ" in logins["chair"].position and "Tổ trưởng" in logins["chair"].position
        assert "member" in logins and "viewer" not in logins


def test_setup_finds_the_province_as_typed_and_refuses_a_typo(app, visitor):
    refused = visitor.post("/setup/", {**FUND, "province": "Đồng Nai Mới"})
    assert refused.status_code == 422 and "34 tỉnh, thành phố" in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Fund)) == 0
    assert visitor.post("/setup/", {**FUND, "province": "tinh dong nai"}).status_code == 302
    with app.app_context():
        assert db.session.scalar(sa.select(Fund.province)) == "Đồng Nai"
