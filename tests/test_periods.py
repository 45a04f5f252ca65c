"""Closing the books (/periods): only the chair closes a period, never backwards, and nothing
dated on or before its last day can then be posted or reversed."""

import datetime as dt

import sqlalchemy as sa

from tests.factories import repay
from tracker.extensions import db
from tracker.models import JournalLine


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_period_close_blocks_postings_and_reversals_on_or_before_it(app, seed, as_role, active_loan):
    repayment_id = repay(app, active_loan, 1_000_000, dt.date(2026, 3, 1))
    chair = as_role("chair")
    assert as_role("treasurer").post("/periods", {"closed_through": "2026-03-31"}).status_code == 403
    assert chair.post("/periods", {"closed_through": "2026-03-31"}).status_code == 303
    assert chair.post("/periods", {"closed_through": "2026-02-01"}).status_code == 422
    treasurer = as_role("treasurer")
    before = count(app, JournalLine)
    refused = treasurer.post(
        f"/loans/{active_loan}/repayments", {"amount": "1.000", "paid_on": "2026-03-31", "method": "cash"}
    )
    assert refused.status_code == 422 and "31/03/2026" in refused.get_data(as_text=True)
    assert treasurer.post(f"/repayments/{repayment_id}/reverse", {"reason": "Sai"}).status_code == 422
    assert count(app, JournalLine) == before
    ok = treasurer.post(
        f"/loans/{active_loan}/repayments", {"amount": "1.000", "paid_on": "2026-04-01", "method": "cash"}
    )
    assert ok.status_code == 303
