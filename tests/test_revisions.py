"""A fund's revision changes with every write to its rows, and the figures kept against it are
never shown after a write."""

import datetime as dt

import pytest
import sqlalchemy as sa

from tests.conftest import PASSWORD, counting_queries
from tests.factories import disbursed_loan, donate, repay
from tracker import accounts, clock
from tracker.extensions import db
from tracker.models import Donor, Fund, Person
from tracker.queries import figure_cache

TODAY = clock.today()


def revision_of(app, fund_id):
    with app.app_context():
        return figure_cache.revision(fund_id)


def test_a_write_gives_its_fund_a_new_revision_and_leaves_the_others(app, seed, money):
    before = revision_of(app, seed.fund_id), revision_of(app, seed.other_fund_id)
    donate(app, seed.fund_id, money.donor_id, 5_000_000, TODAY)
    after = revision_of(app, seed.fund_id), revision_of(app, seed.other_fund_id)
    assert after[0] != before[0]
    assert after[1] == before[1]


def test_a_rolled_back_write_changes_nothing(app, seed, money):
    before = revision_of(app, seed.fund_id)
    with app.app_context():
        db.session.get(Person, money.person_id).phone = "0912345678"
        db.session.flush()
        assert figure_cache.written_funds(db.session) == {seed.fund_id}
        db.session.rollback()
        assert figure_cache.written_funds(db.session) == set()
        db.session.commit()
    assert revision_of(app, seed.fund_id) == before


def test_opening_a_file_is_a_read_not_a_write(app, seed, money, as_role):
    chair = as_role("chair")
    before = revision_of(app, seed.fund_id)
    assert "Nguyễn Văn An" in chair.get(f"/people/{money.person_id}").get_data(as_text=True)
    assert revision_of(app, seed.fund_id) == before  # the file-access log and audit are not figures


def cash_on_dashboard(client) -> str:
    from tests.test_dashboard import figure

    return figure(client.get("/").get_data(as_text=True), "cash")


def test_the_dashboard_shows_each_write_at_once(app, seed, money, as_role):
    app.config["FIGURES_CACHE"] = "on"  # as in production: kept figures are served, not checked
    chair = as_role("chair")
    assert cash_on_dashboard(chair) == "0 ₫"
    donate(app, seed.fund_id, money.donor_id, 30_000_000, TODAY - dt.timedelta(days=40))
    assert cash_on_dashboard(chair) == "30.000.000 ₫"
    loan = disbursed_loan(
        app, seed.fund_id, money.person_id, 10_000_000, TODAY - dt.timedelta(days=35), term=5
    )
    assert cash_on_dashboard(chair) == "20.000.000 ₫"
    assert cash_on_dashboard(chair) == "20.000.000 ₫"  # kept: the same figures again
    repay(app, loan, 2_000_000, TODAY)
    assert cash_on_dashboard(chair) == "22.000.000 ₫"


def test_verify_mode_catches_a_write_that_escapes_the_revision(app, seed, money, as_role, caplog):
    """A change made behind the ORM's back (raw SQL) keeps the old revision: in the test suite's
    "verify" mode the kept figures are computed again and the difference fails the request."""
    donate(app, seed.fund_id, money.donor_id, 30_000_000, TODAY)
    chair = as_role("chair")
    assert chair.get("/").status_code == 200  # computed and kept
    with app.app_context():
        people = Person.__table__
        db.session.execute(sa.update(people).where(people.c.id == money.person_id).values(status="settled"))
        db.session.commit()
    assert chair.get("/").status_code == 500
    assert "StaleFigures" in caplog.text and "the kept figures differ" in caplog.text


def test_a_request_that_has_written_neither_reads_nor_fills_the_cache(app, seed, money):
    app.config["FIGURES_CACHE"] = "on"
    calls = []

    def compute():
        calls.append(1)
        return db.session.scalar(sa.select(sa.func.count()).where(Person.phone == "0912345678"))

    with app.test_request_context(method="POST"):  # a request that writes
        assert figure_cache.kept(seed.fund_id, ("test",), compute) == 0
        assert figure_cache.kept(seed.fund_id, ("test",), compute) == 0
        assert len(calls) == 1  # the second call was kept
        db.session.get(Person, money.person_id).phone = "0912345678"
        # not committed: the figures include a change nobody else can see yet, so they are not kept
        assert figure_cache.kept(seed.fund_id, ("test",), compute) == 1
        db.session.rollback()
        assert figure_cache.kept(seed.fund_id, ("test",), compute) == 0
    assert len(calls) == 2  # the uncommitted call computed; the one after the rollback was kept


def test_the_revision_is_random_not_counted(app, seed):
    first = revision_of(app, seed.fund_id)
    with app.app_context():
        db.session.get(Fund, seed.fund_id).name = "Quỹ xã Hồng Sơn mới"
        db.session.commit()
    second = revision_of(app, seed.fund_id)
    with app.app_context():
        db.session.get(Fund, seed.fund_id).name = "Quỹ xã Hồng Sơn"
        db.session.commit()
    third = revision_of(app, seed.fund_id)
    assert len({first, second, third}) == 3 and second != first + 1 and third != second + 1


def test_the_province_table_shows_a_write_in_any_of_its_funds_and_a_new_fund(app, seed, money):
    from tests.test_province import regional, second_fund

    app.config["FIGURES_CACHE"] = "on"
    donate(app, seed.fund_id, money.donor_id, 20_000_000, TODAY - dt.timedelta(days=30))
    other, _ = second_fund(app, cash=5_000_000)
    browser = regional(app)
    assert "25.000.000 ₫" in browser.get("/province").get_data(as_text=True)  # 20 + 5
    assert "25.000.000 ₫" in browser.get("/province").get_data(as_text=True)  # kept
    with app.app_context():
        donor = db.session.scalar(sa.select(Donor.id).where(Donor.fund_id == other))
    donate(app, other, donor, 1_000_000, TODAY)
    assert "26.000.000 ₫" in browser.get("/province").get_data(as_text=True)
    second_fund(app, commune="xã Mới Lập", cash=2_000_000)
    page = browser.get("/province").get_data(as_text=True)
    assert "xã Mới Lập" in page and "28.000.000 ₫" in page


def test_an_unknown_cache_setting_stops_the_app_from_starting(database_uri):
    from tests.conftest import base_config
    from tracker import create_app

    with pytest.raises(ValueError, match="FIGURES_CACHE"):
        create_app({**base_config(database_uri), "FIGURES_CACHE": "no"})


def test_the_login_reads_the_revision_so_a_kept_page_makes_one_query(
    app, seed, money, as_role, count_queries
):
    """The login's query reads the revision of the user's fund: a dashboard or report whose figures
    are kept costs that one statement, and a loan's page two more (the loan, and the record that
    its borrower's name was seen)."""
    app.config["FIGURES_CACHE"] = "on"
    donate(app, seed.fund_id, money.donor_id, 30_000_000, TODAY - dt.timedelta(days=40))
    loan = disbursed_loan(
        app, seed.fund_id, money.person_id, 6_000_000, TODAY - dt.timedelta(days=35), term=6
    )
    repay(app, loan, 1_000_000, TODAY - dt.timedelta(days=3))
    chair = as_role("chair")
    for url, statements in (("/", 1), ("/reports/aging", 1), (f"/loans/{loan}", 3)):
        chair.get(url)  # computed and kept
        with counting_queries(app) as seen:
            assert chair.get(url).status_code == 200
        assert len([s for s in seen if not s.startswith("BEGIN")]) == statements, (url, seen)


def test_a_loan_page_and_a_file_show_each_write_at_once(app, seed, money, as_role):
    """The loan page and the person's file keep their rows against the revision too: what another
    login writes shows on the next view."""
    app.config["FIGURES_CACHE"] = "on"
    donate(app, seed.fund_id, money.donor_id, 30_000_000, TODAY - dt.timedelta(days=40))
    loan = disbursed_loan(
        app, seed.fund_id, money.person_id, 6_000_000, TODAY - dt.timedelta(days=35), term=6
    )
    chair, member = as_role("chair"), as_role("member")
    assert "6.000.000 ₫" in chair.get(f"/loans/{loan}").get_data(as_text=True)
    repay(app, loan, 1_000_000, TODAY)
    page = chair.get(f"/loans/{loan}").get_data(as_text=True)
    assert 'id="outstanding">5.000.000 ₫' in page and "PT-" in page

    assert "Gặp ở chợ" not in chair.get(f"/people/{money.person_id}").get_data(as_text=True)
    assert member.post("/visits", {"person_id": money.person_id, "summary": "Gặp ở chợ"}).status_code == 303
    assert "Gặp ở chợ" in chair.get(f"/people/{money.person_id}").get_data(as_text=True)


def test_an_erased_file_leaves_no_kept_copy_in_the_process_that_erased_it(app, seed, money, as_role):
    app.config["FIGURES_CACHE"] = "on"
    chair = as_role("chair")
    assert (
        chair.post("/visits", {"person_id": money.person_id, "summary": "Nợ tiền hàng xóm"}).status_code
        == 303
    )
    assert "Nợ tiền hàng xóm" in chair.get(f"/people/{money.person_id}").get_data(as_text=True)
    store = app.extensions["figures"]
    assert any(key[0] == seed.fund_id and "visits" in key for key in store._values)
    erased = chair.post(
        f"/people/{money.person_id}/erase", {"confirm": "Nguyễn Văn An", "reason": "Theo đơn"}
    )
    assert erased.status_code == 303
    assert not any(key[0] == seed.fund_id for key in store._values)
    assert "Nợ tiền hàng xóm" not in repr(store._values)
    assert "Nợ tiền hàng xóm" not in chair.get(f"/people/{money.person_id}").get_data(as_text=True)


def test_kept_lists_of_people_are_kept_per_whose_list_it_is(app, seed, money, as_role):
    """The people a login may apply for are kept per scope: the chair's list (everyone supported)
    is never served to a member, not even to a member with no committee record (who has nobody)."""
    app.config["FIGURES_CACHE"] = "on"
    with app.app_context():
        accounts.create_user("member3", PASSWORD, seed.fund_id, "member", "Thành viên chưa gắn")
        db.session.commit()
    chair_page = as_role("chair").get("/loans").get_data(as_text=True)
    assert "Nguyễn Văn An" in chair_page and "Lê Thị Bích" in chair_page  # kept: everyone
    own = as_role("member").get("/loans").get_data(as_text=True)
    assert "Nguyễn Văn An" in own and "Lê Thị Bích" not in own  # kept: their own people
    nobody = as_role("member3").get("/loans").get_data(as_text=True)
    assert "Nguyễn Văn An" not in nobody and "Không có người nào mà bạn có thể làm đơn vay" in nobody


def test_another_process_lets_an_erased_files_copy_go_when_it_next_looks_the_fund_up(
    app, seed, money, as_role, database_uri
):
    """Two workers: one shows a file and keeps its notes, the other erases it. The first keeps no
    copy of the notes once it looks anything of that fund up again."""
    from tests.conftest import Browser, base_config
    from tracker import create_app

    app.config["FIGURES_CACHE"] = "on"
    other = create_app({**base_config(database_uri), "FIGURES_CACHE": "on"})
    chair = as_role("chair")
    assert (
        chair.post("/visits", {"person_id": money.person_id, "summary": "Nợ tiền hàng xóm"}).status_code
        == 303
    )
    assert "Nợ tiền hàng xóm" in chair.get(f"/people/{money.person_id}").get_data(as_text=True)
    assert "Nợ tiền hàng xóm" in repr(app.extensions["figures"]._values)

    elsewhere = Browser(other.test_client())
    assert elsewhere.login("chair").status_code == 302
    erased = elsewhere.post(
        f"/people/{money.person_id}/erase", {"confirm": "Nguyễn Văn An", "reason": "Theo đơn"}
    )
    assert erased.status_code == 303
    assert "Nợ tiền hàng xóm" in repr(app.extensions["figures"]._values)  # the first worker's copy
    assert chair.get("/loans").status_code == 200  # the first worker looks the fund up again
    assert "Nợ tiền hàng xóm" not in repr(app.extensions["figures"]._values)
    with other.app_context():
        db.engine.dispose()
