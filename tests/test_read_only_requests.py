"""On PostgreSQL, a request that writes nothing by contract (a GET, outside database.writing())
runs its statements outside a transaction block, on a connection that is read-only
by default (tracker/database.py): the database refuses a write that slips into such a page, no
BEGIN or COMMIT costs a round trip, and psycopg keeps its prepared statements."""

import datetime as dt

import pytest
import sqlalchemy as sa

from tests.conftest import POSTGRES_URL
from tracker import database
from tracker.extensions import db
from tracker.models import Donor
from tracker.web.access import public

pytestmark = pytest.mark.skipif(not POSTGRES_URL, reason="SQLite has no read-only transactions")


@pytest.fixture
def routes(app, seed):
    """Routes for these tests only, added before the app serves its first request."""

    def add_donor(name: str) -> str:
        donor = Donor(fund_id=seed.fund_id, kind="individual")
        donor.set_name(name)
        db.session.add(donor)
        db.session.commit()
        return "written"

    app.add_url_rule("/_test/writes", "test_writes", public(lambda: add_donor("Ghi không báo trước")))

    def declared_write() -> str:
        with database.writing():
            return add_donor("Ghi có báo trước")

    app.add_url_rule("/_test/declared", "test_declared", public(declared_write))

    def transaction_status() -> str:
        db.session.scalar(sa.text("SELECT 1"))
        return db.session.connection().connection.dbapi_connection.info.transaction_status.name

    app.add_url_rule("/_test/status", "test_status", public(transaction_status))

    def status_writing() -> str:
        with database.writing():
            return transaction_status()

    app.add_url_rule("/_test/status-writing", "test_status_writing", public(status_writing))
    app.add_url_rule(
        "/_test/prepared",
        "test_prepared",
        public(lambda: str(db.session.scalar(sa.text("SELECT count(*) FROM pg_prepared_statements")))),
    )


def donor_named(app, name: str) -> bool:
    with app.app_context():
        return any(donor.name == name for donor in db.session.scalars(sa.select(Donor)))


def test_a_page_that_writes_without_saying_so_is_refused_by_the_database(app, routes, visitor):
    response = visitor.get("/_test/writes")
    assert response.status_code == 500
    assert not donor_named(app, "Ghi không báo trước")
    response = visitor.get("/_test/declared")  # inside database.writing(): a read-write transaction
    assert response.status_code == 200
    assert donor_named(app, "Ghi có báo trước")


def test_prepared_statements_outlive_read_only_requests(app, routes, as_role):
    chair = as_role("chair")
    for _ in range(8):
        assert chair.get("/about").status_code == 200
    # psycopg prepares a statement it has run 5 times on a connection; the login's query has run
    # 9 times on this one, each in a request of its own that ended without a rollback
    assert int(chair.get("/_test/prepared").get_data(as_text=True)) >= 1


def test_a_read_only_request_opens_no_transaction_and_a_writing_one_does(app, routes, visitor):
    assert visitor.get("/_test/status").get_data(as_text=True) == "IDLE"  # no BEGIN was sent
    assert visitor.get("/_test/status-writing").get_data(as_text=True) == "INTRANS"  # BEGIN READ WRITE
    assert visitor.get("/_test/status").get_data(as_text=True) == "IDLE"  # the connection is reused


def test_a_streamed_cash_book_reads_in_one_snapshot(app, seed, money, as_role):
    """The CSV export reads with a server-side cursor, which needs a transaction block: the export
    opens one (REPEATABLE READ, read only) before its first statement."""
    from tests.factories import donate

    for day in range(1, 4):
        donate(app, seed.fund_id, money.donor_id, 1_000_000 * day, dt.date(2026, 1, day))
    response = as_role("treasurer").get("/reports/cashbook?start=2026-01-01&end=2026-01-31&format=csv")
    lines = response.get_data(as_text=True).splitlines()
    assert response.status_code == 200 and len(lines) == 6, lines  # header, opening, 3, closing
    assert lines[-1].endswith(",6000000"), lines[-1]
