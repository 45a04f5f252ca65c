"""On PostgreSQL, a request that writes nothing by contract (a GET, outside database.writing())
runs its statements outside a transaction block, on a connection that is read-only
by default (tracker/database.py): the database refuses a write that slips into such a page, no
BEGIN or COMMIT costs a round trip, and psycopg keeps its prepared statements."""

import csv
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

    def read_only() -> str:
        return db.session.scalar(sa.text("SHOW transaction_read_only"))

    def read_only_writing() -> str:
        with database.writing():
            return read_only()

    app.add_url_rule("/_test/read-only", "test_read_only", public(read_only))
    app.add_url_rule("/_test/read-only-writing", "test_read_only_writing", public(read_only_writing))


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


def test_a_get_reads_in_a_read_only_transaction_and_its_log_writes(app, routes, visitor):
    assert visitor.get("/_test/read-only").get_data(as_text=True) == "on"
    assert visitor.get("/_test/read-only-writing").get_data(as_text=True) == "off"
    assert visitor.get("/_test/read-only").get_data(as_text=True) == "on"  # the connection reused


def test_a_streamed_cash_book_reads_in_one_snapshot(app, seed, money, as_role):
    """The CSV export reads a batch at a time in one snapshot (REPEATABLE READ, read only): its
    opening balance agrees with its rows."""
    from tests.factories import donate

    for day in range(1, 4):
        donate(app, seed.fund_id, money.donor_id, 1_000_000 * day, dt.date(2026, 1, day))
    response = as_role("treasurer").get("/reports/cashbook?start=2026-01-01&end=2026-01-31&format=csv")
    lines = response.get_data(as_text=True).splitlines()
    assert response.status_code == 200 and len(lines) == 6, lines  # header, opening, 3, closing
    header, closing = csv.reader([lines[0].lstrip("\ufeff"), lines[-1]])
    closing = dict(zip(header, closing, strict=True))
    assert closing["kind"] == "closing" and closing["balance"] == "6000000", closing
