"""Small helpers every blueprint's views use."""

from flask import request


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
