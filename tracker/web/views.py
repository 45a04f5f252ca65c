"""Small helpers every blueprint's views use."""

from typing import NamedTuple

from flask import render_template, request
from sqlalchemy import func, select
from werkzeug.routing import IntegerConverter

from tracker import audit
from tracker.extensions import db

# Row ids are 64-bit integers in the database. A longer number names no row, and must not reach the
# driver either: SQLite cannot bind it (OverflowError, a server error instead of a 404).
MAX_ID = 2**63 - 1


class IdConverter(IntegerConverter):
    """`<int:...>` in our routes: a number the database can hold as an id, otherwise 404."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def id_arg(text: str | None) -> int | None:
    """An id from a query string or a form field ('12'), or None. ASCII digits only: '²'.isdigit()
    is true, yet int('²') fails."""
    text = (text or "").strip()
    if not (text.isascii() and text.isdigit()) or len(text) > len(str(MAX_ID)):
        return None
    value = int(text)
    return value if value <= MAX_ID else None


def wants_fragment() -> bool:
    """True for a request made by one of our htmx elements (not a boosted link or history restore).

    Such a request gets the fragment it targets; everything else gets the full page.
    """
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request


def page_number() -> int:
    try:
        return min(max(1, int(request.args.get("page", 1))), 100_000)
    except ValueError:
        return 1


class Page(NamedTuple):
    rows: list
    total: int  # rows in all pages
    page: int
    pages: int


def page_of(query, size: int) -> Page:
    """One page of a select of one ORM entity (?page=N).

    The total rides along on every row as a window count, so a page costs one query; a page past
    the end has no row to carry it, and asks for the count alone. For a fund's short lists (people,
    loans, donations, the visit queue): the window counts every row before the limit, where a
    separate count of a long log could use an index and stop early."""
    page = page_number()
    rows = db.session.execute(
        query.add_columns(func.count().over()).offset((page - 1) * size).limit(size)
    ).all()
    if rows:
        total = rows[0][1]
    elif page == 1:
        total = 0
    else:
        total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    return Page([row[0] for row in rows], total, page, max(1, -(-total // size)))


def render_logged(template: str, person_ids, action: str = "view", **context) -> str:
    """Render a page that shows people's data, then log that it was seen (audit.log_access): the
    page leaves the server only once its opening is on record."""
    page = render_template(template, **context)
    audit.log_access(person_ids, action)
    return page
