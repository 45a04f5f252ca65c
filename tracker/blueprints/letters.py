"""Donors' thank-you letters (Thư cảm ơn): what a donor gave in a year and what that money did.

A letter can name the people the money helped, but only those whose file records their consent to
be named to donors (Person.named_to_donors) and whose data has not been erased; everyone else is
"a person helped in <hamlet>". Because it can name people, only the chair prints letters, and every
person named in one is logged like an opening of their file.
"""

from flask import Blueprint, abort, g, render_template, request

from tracker import clock
from tracker.i18n import gettext as _
from tracker.models import Donor
from tracker.queries import review as reviewing
from tracker.web.access import get_or_404, requires
from tracker.web.views import render_logged

bp = Blueprint("letters", __name__, url_prefix="/reports")


def read_year() -> int:
    """?year= (default: last year); 400 with a message for anything but a year the fund could have."""
    today = clock.today()
    text = request.args.get("year", "").strip()
    if not text:
        return today.year - 1
    # the length before int(): it refuses more than 4300 digits (a ValueError, a 500)
    if not (
        text.isascii()
        and text.isdigit()
        and len(text) == 4
        and reviewing.FIRST_YEAR <= int(text) <= today.year
    ):
        abort(
            400,
            description=_(
                "Enter a year between %(first)s and %(last)s.", first=reviewing.FIRST_YEAR, last=today.year
            ),
        )
    return int(text)


def read_donor_id() -> int:
    text = request.args.get("donor_id", "").strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 12:
        abort(400, description=_("Choose a donor from the list of donors."))
    return int(text)


@bp.route("/donor-letters")
@requires("export_personal")
def index():
    """Render the donors who gave in a year, each with a link to their thank-you letter."""
    year = read_year()
    return render_template(
        "letters/index.html",
        year=year,
        donors=reviewing.donor_years(g.fund.id, year),
        years=list(range(clock.today().year, max(reviewing.FIRST_YEAR, clock.today().year - 6) - 1, -1)),
    )


@bp.route("/donor-letter")
@requires("export_personal")
def letter():
    """Render the printable thank-you letter to one donor for one year."""
    donor = get_or_404(Donor, read_donor_id())
    year = read_year()
    letter = reviewing.donor_letter(g.fund.id, donor.id, year)
    return render_logged(
        "letters/letter.html",
        [person.id for person in letter.named_people],
        "donor_letter",
        donor=donor,
        year=year,
        letter=letter,
        printed_on=clock.today(),
    )
