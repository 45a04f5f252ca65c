"""Placeholder: being written."""

from flask import Blueprint

from tracker.access import requires

bp = Blueprint("donations", __name__, url_prefix="/donations")


@bp.route("")
@requires("view_money")
def index():
    """Placeholder."""
    return "…"
