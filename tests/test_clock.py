"""The commune's date and time: Vietnam (UTC+7, no summer time), whatever the server's timezone."""

import datetime as dt
import os

import pytest

from tests.conftest import RUN_DAY
from tracker import clock


@pytest.mark.parametrize(
    "utc, day",
    [
        (dt.datetime(2026, 11, 27, 16, 59, 59), dt.date(2026, 11, 27)),
        (dt.datetime(2026, 11, 27, 17, 0, 0), dt.date(2026, 11, 28)),  # midnight in Hồng Sơn
        (dt.datetime(2026, 12, 31, 17, 0, 0), dt.date(2027, 1, 1)),
        (dt.datetime(2026, 6, 30, 23, 0, 0), dt.date(2026, 7, 1)),
    ],
)
def test_a_new_day_begins_at_17_utc(utc, day):
    assert clock.date_at(utc.replace(tzinfo=dt.UTC)) == day
    # The same moment written in another zone is the same date in the commune.
    elsewhere = utc.replace(tzinfo=dt.UTC).astimezone(dt.timezone(dt.timedelta(hours=-5)))
    assert clock.date_at(elsewhere) == day


def test_stored_times_are_shown_in_vietnam_time():
    assert clock.to_local(dt.datetime(2026, 11, 27, 17, 30)) == dt.datetime(2026, 11, 28, 0, 30)
    assert clock.to_local(None) is None


def test_the_suite_runs_on_one_day():
    # Pinned by conftest: a run that crosses midnight in Vietnam keeps the day it started on.
    assert clock.today() == RUN_DAY
    if not os.environ.get("TEST_TODAY"):  # the day the run started, not another one
        now = clock.date_at(dt.datetime.now(dt.UTC))
        assert RUN_DAY in (now, now - dt.timedelta(days=1))
