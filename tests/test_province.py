"""The province's view: a regional login compares the funds of its province, never sees a name."""

import datetime as dt
import re

from tests.conftest import PASSWORD, Browser
from tests.factories import add_donor, add_person, disbursed_loan, donate, repay
from tracker import accounts, clock
from tracker.extensions import db
from tracker.money import balances

TODAY = clock.today()


def regional(app, province="Lâm Đồng", username="bcd_tinh"):
    with app.app_context():
        accounts.create_regional_user(username, PASSWORD, province, "Ban Chỉ đạo tỉnh")
        db.session.commit()
    browser = Browser(app.test_client())
    assert browser.login(username).status_code == 302
    return browser


def second_fund(app, province="Lâm Đồng", commune="xã Tân Hà", cash=5_000_000):
    with app.app_context():
        fund = accounts.create_fund(f"Quỹ {commune}", commune, province)
        accounts.create_user(f"t_{fund.id}", PASSWORD, fund.id, "treasurer")
        accounts.create_user(f"c_{fund.id}", PASSWORD, fund.id, "chair")
        donor = add_donor(fund.id, "Nhà hảo tâm Tân Hà", "individual")
        person = add_person(fund.id, "Hồ Văn Bí Mật")
        db.session.commit()
        fund_id = fund.id
    donate(app, fund_id, donor, cash, TODAY - dt.timedelta(days=60))
    return fund_id, person


def test_regional_login_lands_on_the_province_table(app, money, seed):
    donate(app, seed.fund_id, money.donor_id, 20_000_000, TODAY - dt.timedelta(days=300))
    loan = disbursed_loan(
        app, seed.fund_id, money.person_id, 12_000_000, TODAY - dt.timedelta(days=200), term=12
    )
    repay(app, loan, 1_000_000, TODAY - dt.timedelta(days=150))
    other, _ = second_fund(app)
    far, _ = second_fund(app, province="Nghệ An", commune="xã Xa Xôi")
    browser = regional(app)
    response = browser.get("/")
    assert response.status_code == 302 and response.location.endswith("/province")
    page = browser.get("/province").get_data(as_text=True)
    assert "xã Hồng Sơn" in page and "xã Tân Hà" in page and "xã Xa Xôi" not in page
    assert "9.000.000 ₫" in page  # Hồng Sơn's cash: 20 − 12 + 1
    assert "11.000.000 ₫" in page  # its outstanding
    assert "14.000.000 ₫" in page  # the province's cash in all: 9 + 5
    # no person's name, not even on a fund's own dashboard
    fund_page = browser.get(f"/province/funds/{seed.fund_id}").get_data(as_text=True)
    for text in (page, fund_page):
        assert "Nguyễn Văn An" not in text and "Hồ Văn Bí Mật" not in text and "Lê Thị Bích" not in text
    assert browser.get(f"/province/funds/{far}").status_code == 404
    assert browser.get(f"/province/funds/{other}").status_code == 200


def cells(page: str, commune: str) -> list[str]:
    """The cells of a fund's row (or of the footer, commune="Total"/"Tổng cộng") in the table."""
    row = re.search(r"<tr>\s*<t[dh]>(?:<a [^>]*>)?" + re.escape(commune) + r".*?</tr>", page, re.S)
    return [
        re.sub(r"<[^>]+>", "", cell).strip()
        for cell in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row[0], re.S)
    ]


def test_overdue_par30_and_the_province_total(app, money, seed):
    """Hồng Sơn: 12 M over 12 months from 200 days ago, one month paid, so 5 installments late, the
    oldest ~140 days: all 11 M outstanding is at risk. Tân Hà: 3 M lent 10 days ago, nothing due yet.
    The province: 11 M at risk of 14 M, PAR30 78,6%."""
    donate(app, seed.fund_id, money.donor_id, 20_000_000, TODAY - dt.timedelta(days=300))
    loan = disbursed_loan(
        app, seed.fund_id, money.person_id, 12_000_000, TODAY - dt.timedelta(days=200), term=12
    )
    repay(app, loan, 1_000_000, TODAY - dt.timedelta(days=150))
    other, person = second_fund(app)
    disbursed_loan(app, other, person, 3_000_000, TODAY - dt.timedelta(days=10), term=3)
    with app.app_context():
        from tracker.models import Loan

        expected_overdue = balances.positions_of([db.session.get(Loan, loan)], TODAY)[
            loan
        ].arrears.overdue_amount
    assert 4_000_000 <= expected_overdue <= 6_000_000
    page = regional(app).get("/province").get_data(as_text=True)
    hong_son, tan_ha, total = cells(page, "xã Hồng Sơn"), cells(page, "xã Tân Hà"), cells(page, "Tổng cộng")
    # commune, cash, donated, lent, outstanding, overdue, PAR30, people, visits overdue
    assert hong_son[4:7] == ["11.000.000 ₫", f"{expected_overdue:,} ₫".replace(",", "."), "100,0%"]
    assert tan_ha[4:7] == ["3.000.000 ₫", "0 ₫", "0,0%"]
    assert total[4] == "14.000.000 ₫" and total[6] == "78,6%"
    # the province's charts: cash now is the 11 M of both funds' cash (20 − 12 + 1, 5 − 3)
    assert "Tiền mặt của các quỹ trong tỉnh cuối mỗi tháng" in page
    assert "11 tr</text>" in page


def test_sorting_by_a_figure(app, money, seed):
    donate(app, seed.fund_id, money.donor_id, 1_000_000, TODAY - dt.timedelta(days=10))
    second_fund(app, commune="xã Giàu Có", cash=90_000_000)
    browser = regional(app)
    page = browser.get("/province?sort=cash&dir=desc").get_data(as_text=True)
    assert page.index("xã Giàu Có") < page.index("xã Hồng Sơn")
    page = browser.get("/province?sort=cash&dir=asc").get_data(as_text=True)
    assert page.index("xã Hồng Sơn") < page.index("xã Giàu Có")
    assert browser.get("/province?sort=drop table&dir=x").status_code == 200


def test_the_riskiest_first_starts_with_a_real_risk_and_communes_read_in_vietnamese_order(app, money, seed):
    """PAR30 high to low: a fund with no loan out has no PAR30 and goes last, not first. Communes
    in Vietnamese order: xã Ân Phú before xã Bình An (Â sorts with A, though its code is larger)."""
    donate(app, seed.fund_id, money.donor_id, 20_000_000, TODAY - dt.timedelta(days=300))
    disbursed_loan(app, seed.fund_id, money.person_id, 2_000_000, TODAY - dt.timedelta(days=200), term=2)
    second_fund(app, commune="xã Bình An")
    second_fund(app, commune="xã Ân Phú")
    browser = regional(app)

    def order(query: str) -> list[str]:
        page = browser.get(f"/province{query}").get_data(as_text=True)
        communes = ["xã Hồng Sơn", "xã Bình An", "xã Ân Phú"]
        return sorted(communes, key=page.index)

    assert order("?sort=par30&dir=desc")[0] == "xã Hồng Sơn"  # the one fund with loans overdue
    assert order("?sort=par30&dir=asc")[0] == "xã Hồng Sơn"  # and the others, without PAR30, last
    assert order("?sort=commune&dir=asc") == ["xã Ân Phú", "xã Bình An", "xã Hồng Sơn"]
    assert order("") == ["xã Ân Phú", "xã Bình An", "xã Hồng Sơn"]
    assert order("?sort=commune&dir=desc") == ["xã Hồng Sơn", "xã Bình An", "xã Ân Phú"]


def test_no_page_or_export_with_personal_data_opens_to_a_regional_login(app, money, seed):
    donate(app, seed.fund_id, money.donor_id, 20_000_000, TODAY - dt.timedelta(days=300))
    loan = disbursed_loan(
        app, seed.fund_id, money.person_id, 2_000_000, TODAY - dt.timedelta(days=100), term=2
    )
    browser = regional(app)
    ids = {
        "person_id": money.person_id,
        "loan_id": loan,
        "member_id": seed.member_cm_id,
        "donor_id": money.donor_id,
    }
    opened = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint in ("static",) or rule.endpoint.startswith("province."):
            continue
        if rule.endpoint.startswith("auth.") or rule.endpoint.startswith("setup."):
            continue
        if getattr(app.view_functions[rule.endpoint], "access_public", False):
            continue  # open to anyone, logged in or not (the phone app's files): nobody's data
        values = {arg: ids.get(arg, 1) for arg in rule.arguments}
        with app.test_request_context():
            from flask import url_for

            url = url_for(rule.endpoint, **values)
        for suffix in ("", "?format=csv", "?format=xlsx"):
            response = browser.client.get(url + suffix)
            if response.status_code == 200:
                opened.append(url + suffix)
            body = response.get_data()
            assert "Nguyễn Văn An".encode() not in body, url + suffix
    assert opened == [], f"a regional login opened {opened}"


def test_province_table_query_count_does_not_grow_with_funds(app, money, seed, count_queries):
    app.config["FIGURES_CACHE"] = "off"  # every row computed, as after a write to each fund
    browser = regional(app)

    def count():
        return count_queries(lambda: browser.get("/province"))

    fund_id, person = second_fund(app, commune="xã Một")
    disbursed_loan(app, fund_id, person, 1_000_000, TODAY - dt.timedelta(days=40), term=2)
    few = count()
    for n in range(5):
        fund_id, person = second_fund(app, commune=f"xã Thêm {n}")
        disbursed_loan(app, fund_id, person, 1_000_000, TODAY - dt.timedelta(days=40), term=2)
    assert count() == few


def test_create_regional_login_from_the_command_line(app, seed, runner):
    result = runner.invoke(
        args=[
            "create-user",
            "tinh",
            "--role",
            "regional",
            "--province",
            "Lâm Đồng",
            "--password",
            "mat-khau-1",
        ]
    )
    assert result.exit_code == 0, result.output
    missing = runner.invoke(args=["create-user", "tinh2", "--role", "regional", "--password", "mat-khau-1"])
    assert missing.exit_code != 0
    browser = Browser(app.test_client())
    assert browser.login("tinh", "mat-khau-1").status_code == 302
    assert re.search(r"Lâm Đồng", browser.get("/province").get_data(as_text=True))


def test_a_write_to_one_fund_recomputes_only_its_row(app, money, seed, monkeypatch):
    """The table keeps a row per fund: after a write to one fund, the next view computes that row
    alone (a fund's write used to drop the whole province's figures: 245–291 ms for 126 funds)."""
    from tracker.queries import province

    app.config["FIGURES_CACHE"] = "on"
    first, person = second_fund(app, commune="xã Một")
    disbursed_loan(app, first, person, 1_000_000, TODAY - dt.timedelta(days=40), term=2)
    second, other = second_fund(app, commune="xã Hai")
    asked, fund_rows = [], province.fund_rows
    monkeypatch.setattr(
        province, "fund_rows", lambda ids, today: asked.append(sorted(ids)) or fund_rows(ids, today)
    )
    browser = regional(app)
    assert browser.get("/province").status_code == 200
    assert browser.get("/province").status_code == 200  # all kept
    disbursed_loan(app, second, other, 1_000_000, TODAY - dt.timedelta(days=20), term=2)
    page = browser.get("/province").get_data(as_text=True)
    assert asked[0] == sorted(asked[0]) and len(asked) == 2 and asked[1] == [second]
    assert "xã Hai" in page


def test_a_city_that_is_a_province_is_never_called_a_tinh(app, seed):
    with app.app_context():
        accounts.create_regional_user("bcd_hue", PASSWORD, "Huế", "Ban Chỉ đạo thành phố Huế")
        db.session.commit()
    browser = Browser(app.test_client())
    browser.login("bcd_hue", PASSWORD)
    page = browser.get("/province").get_data(as_text=True)
    assert "Các Quỹ giúp đỡ người hoàn lương thành phố Huế" in page
    assert "<span>thành phố Huế</span>" in page  # beside the app's name in the header
    assert "tỉnh huế" not in page.lower()
    review = browser.get("/province/review").get_data(as_text=True)
    assert "THÀNH\u00a0PHỐ\u00a0HUẾ" in review
    assert "tỉnh huế" not in review.lower()
