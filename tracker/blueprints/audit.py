"""Placeholder: being written."""

from flask import Blueprint

from tracker.access import requires

bp = Blueprint("audit", __name__, url_prefix="/audit")


@bp.route("")
@requires("view_audit")
def index():
    """Placeholder."""
    return "…"
