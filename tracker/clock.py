"""The date in the commune (Asia/Ho_Chi_Minh), whatever the server's timezone."""

import datetime as dt
from zoneinfo import ZoneInfo

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")


def today() -> dt.date:
    return date_at(dt.datetime.now(dt.UTC))


def date_at(moment: dt.datetime) -> dt.date:
    """The commune's date at an aware moment: a new day begins at 17:00 UTC."""
    return moment.astimezone(VIETNAM).date()


def to_local(moment: dt.datetime | None) -> dt.datetime | None:
    """Stored times are naive UTC; show them in Vietnam time."""
    if moment is None:
        return None
    return moment.replace(tzinfo=dt.UTC).astimezone(VIETNAM).replace(tzinfo=None)
