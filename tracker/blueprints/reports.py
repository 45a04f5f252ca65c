"""Placeholder: being written."""

from flask import Blueprint

from tracker.access import requires

bp = Blueprint("reports", __name__, url_prefix="/reports")


@bp.route("")
@requires("view_reports")
def index():
    """Placeholder."""
    return "…"
