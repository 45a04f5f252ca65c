"""Placeholder: being written."""

from flask import Blueprint

from tracker.access import requires

bp = Blueprint("donors", __name__, url_prefix="/donors")


@bp.route("")
@requires("view_money")
def index():
    """Placeholder."""
    return "…"
