"""A fund's revisions change with every write to its rows (its money, or the rest), and the figures
kept against them are never shown after a write."""

import datetime as dt

import pytest
import sqlalchemy as sa

from tests.conftest import counting_queries
from tests.factories import disbursed_loan, donate, repay
from tracker import clock
from tracker.extensions import db
from tracker.models import Donor, Fund, Person
from tracker.queries import figure_cache

TODAY = clock.today()


def revision_of(app, fund_id) -> dict[str, int]:
    with app.app_context():
        return figure_cache.revisions([fund_id])[fund_id]


def test_a_write_gives_its_fund_a_new_revision_and_leaves_the_others(app, seed, money):
    before = revision_of(app, seed.fund_id), revision_of(app, seed.other_fund_id)
    donate(app, seed.fund_id, money.donor_id, 5_000_000, TODAY)
    after = revision_of(app, seed.fund_id), revision_of(app, seed.other_fund_id)
    assert after[0]["money"] != before[0]["money"]
    assert after[1] == before[1]


def test_a_visit_changes_the_casework_revision_and_leaves_the_money_one(app, seed, money, as_role):
    before = revision_of(app, seed.fund_id)
    assert (
        as_role("chair").post("/visits", {"person_id": money.person_id, "summary": "Ổn"}).status_code == 303
    )
    after = revision_of(app, seed.fund_id)
    assert after["casework"] != before["casework"] and after["money"] == before["money"]


def test_a_rolled_back_write_changes_nothing(app, seed, money):
    before = revision_of(app, seed.fund_id)
    with app.app_context():
        db.session.get(Person, money.person_id).phone = "0912345678"
        db.session.flush()
        assert figure_cache.written_funds(db.session) == {"casework": {seed.fund_id}}
        db.session.rollback()
        assert figure_cache.written_funds(db.session) == {}
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

    def kept():
        return figure_cache.fund_figures(seed.fund_id, ("casework",), ("test",), compute)

    with app.test_request_context(method="POST"):  # a request that writes
        assert kept() == 0
        assert kept() == 0
        assert len(calls) == 1  # the second call was kept
        db.session.get(Person, money.person_id).phone = "0912345678"
        # not committed: the figures include a change nobody else can see yet, so they are not kept
        assert kept() == 1
        db.session.rollback()
        assert kept() == 0
    assert len(calls) == 2  # the uncommitted call computed; the one after the rollback was kept


def test_the_revision_is_random_not_counted(app, seed):
    first = revision_of(app, seed.fund_id)["casework"]
    with app.app_context():
        db.session.get(Fund, seed.fund_id).name = "Quỹ xã Hồng Sơn mới"
        db.session.commit()
    second = revision_of(app, seed.fund_id)["casework"]
    with app.app_context():
        db.session.get(Fund, seed.fund_id).name = "Quỹ xã Hồng Sơn"
        db.session.commit()
    third = revision_of(app, seed.fund_id)["casework"]
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


def test_a_kept_page_reads_the_revisions_and_nothing_else(app, seed, money, as_role):
    """A dashboard or a report whose figures are kept costs the login's query and one read of the
    fund's revisions."""
    app.config["FIGURES_CACHE"] = "on"
    donate(app, seed.fund_id, money.donor_id, 30_000_000, TODAY - dt.timedelta(days=40))
    loan = disbursed_loan(
        app, seed.fund_id, money.person_id, 6_000_000, TODAY - dt.timedelta(days=35), term=6
    )
    repay(app, loan, 1_000_000, TODAY - dt.timedelta(days=3))
    chair = as_role("chair")
    for url in ("/", "/reports/aging"):
        chair.get(url)  # computed and kept
        with counting_queries(app) as seen:
            assert chair.get(url).status_code == 200
        assert len([s for s in seen if not s.startswith("BEGIN")]) == 2, (url, seen)


def test_a_visit_keeps_the_money_figures(app, seed, money, as_role, monkeypatch):
    """The dashboard's money sums are kept against the money revision: a visit recomputes the
    people's figures, not the journal's."""
    from tracker.queries import dashboard

    app.config["FIGURES_CACHE"] = "on"
    donate(app, seed.fund_id, money.donor_id, 30_000_000, TODAY - dt.timedelta(days=40))
    chair = as_role("chair")
    assert chair.get("/").status_code == 200
    computed, fund_figures = [], dashboard.fund_figures
    monkeypatch.setattr(dashboard, "fund_figures", lambda *args: computed.append(1) or fund_figures(*args))
    assert chair.post("/visits", {"person_id": money.person_id, "summary": "Ổn"}).status_code == 303
    assert chair.get("/").status_code == 200
    assert computed == []
    donate(app, seed.fund_id, money.donor_id, 1_000_000, TODAY)
    assert chair.get("/").status_code == 200
    assert computed == [1]


def test_an_erased_name_leaves_no_kept_copy_in_the_process_that_erased_it(app, seed, money, as_role):
    """The outstanding report names the borrower and is kept; after the erasure nothing of the name
    stays in this process."""
    app.config["FIGURES_CACHE"] = "on"
    donate(app, seed.fund_id, money.donor_id, 30_000_000, TODAY - dt.timedelta(days=40))
    disbursed_loan(app, seed.fund_id, money.person_id, 6_000_000, TODAY - dt.timedelta(days=35), term=6)
    chair = as_role("chair")
    assert "Nguyễn Văn An" in chair.get("/reports/outstanding").get_data(as_text=True)
    store = app.extensions["figures"]
    assert "Nguyễn Văn An" in repr(store._values)
    erased = chair.post(
        f"/people/{money.person_id}/erase", {"confirm": "Nguyễn Văn An", "reason": "Theo đơn"}
    )
    assert erased.status_code == 303
    assert "Nguyễn Văn An" not in repr(store._values)
    assert "Nguyễn Văn An" not in chair.get("/reports/outstanding").get_data(as_text=True)


def test_nothing_of_a_single_record_or_a_permission_scoped_list_is_kept(app, seed, money, as_role):
    """A person's file, a loan's page and the loans list read their rows on every view: a kept or
    shared copy of them would be a privacy bug (two were found when they were kept)."""
    app.config["FIGURES_CACHE"] = "on"
    donate(app, seed.fund_id, money.donor_id, 30_000_000, TODAY - dt.timedelta(days=40))
    loan = disbursed_loan(app, seed.fund_id, money.person_id, 6_000_000, TODAY - dt.timedelta(days=35))
    chair, member = as_role("chair"), as_role("member")
    app.extensions["figures"]._values.clear()  # what their dashboards kept at login
    for url in (f"/people/{money.person_id}", f"/loans/{loan}", "/loans", "/people", "/visits"):
        assert chair.get(url).status_code == 200
        assert member.get(url).status_code == 200
    assert app.extensions["figures"]._values == {}


def test_another_process_lets_an_erased_name_go_when_it_next_looks_the_fund_up(
    app, seed, money, as_role, database_uri
):
    """Two workers: one shows the outstanding report and keeps it, the other erases a borrower. The
    first keeps no copy of the name once it looks the fund's figures up again."""
    from tests.conftest import Browser, base_config
    from tracker import create_app

    app.config["FIGURES_CACHE"] = "on"
    other = create_app({**base_config(database_uri), "FIGURES_CACHE": "on"})
    donate(app, seed.fund_id, money.donor_id, 30_000_000, TODAY - dt.timedelta(days=40))
    disbursed_loan(app, seed.fund_id, money.person_id, 6_000_000, TODAY - dt.timedelta(days=35), term=6)
    chair = as_role("chair")
    assert "Nguyễn Văn An" in chair.get("/reports/outstanding").get_data(as_text=True)
    assert "Nguyễn Văn An" in repr(app.extensions["figures"]._values)

    elsewhere = Browser(other.test_client())
    assert elsewhere.login("chair").status_code == 302
    erased = elsewhere.post(
        f"/people/{money.person_id}/erase", {"confirm": "Nguyễn Văn An", "reason": "Theo đơn"}
    )
    assert erased.status_code == 303
    assert "Nguyễn Văn An" in repr(app.extensions["figures"]._values)  # the first worker's copy
    assert chair.get("/reports/outstanding").status_code == 200  # the first worker looks again
    assert "Nguyễn Văn An" not in repr(app.extensions["figures"]._values)
    with other.app_context():
        db.engine.dispose()
