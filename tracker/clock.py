"""The date in the commune (Asia/Ho_Chi_Minh), whatever the server's timezone."""

import datetime as dt
from zoneinfo import ZoneInfo

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")


def today() -> dt.date:
    return dt.datetime.now(VIETNAM).date()


def to_local(moment: dt.datetime | None) -> dt.datetime | None:
    """Stored times are naive UTC; show them in Vietnam time."""
    if moment is None:
        return None
    return moment.replace(tzinfo=dt.UTC).astimezone(VIETNAM).replace(tzinfo=None)
