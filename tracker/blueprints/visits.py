"""Placeholder: being written."""

from flask import Blueprint

from tracker.access import requires

bp = Blueprint("visits", __name__, url_prefix="/visits")


@bp.route("")
@requires("view_visits")
def index():
    """Placeholder."""
    return "…"
