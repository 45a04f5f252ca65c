"""Donors' thank-you letters (Thư cảm ơn): what a donor gave in a year and what that money did,
written as a Vietnamese letter ("Kính gửi: Ông …"), one at a time or a year's in one print run.

A letter names a person helped only with their consent (queries.letters); because it can, only the
chair prints letters, and every person named in one is logged like an opening of their file.
"""

from flask import Blueprint, abort, g, render_template, request
from flask_babel import get_locale

from tracker import clock
from tracker.i18n import gettext as _
from tracker.models import Donor
from tracker.queries import letters as lettering
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


def year_choices() -> list[int]:
    today = clock.today()
    return list(range(today.year, max(reviewing.FIRST_YEAR, today.year - 6) - 1, -1))


@bp.route("/donor-letters")
@requires("export_personal")
def index():
    """Render the donors who gave in a year, each with a link to their thank-you letter."""
    year = read_year()
    rows = lettering.donor_years(g.fund.id, year)
    donors = {donor.id: donor for donor in lettering.donors(g.fund.id, [row[0] for row in rows])}
    locale = str(get_locale())
    return render_template(
        "letters/index.html",
        year=year,
        donors=[(*row, lettering.addressee(donors[row[0]], locale).salutation) for row in rows],
        years=year_choices(),
    )


def render_letters(template: str, pairs: list[tuple[Donor, lettering.Letter]], year: int, **context):
    """A page of letters, logging every person they name."""
    today = clock.today()
    return render_logged(
        template,
        sorted({person.id for _donor, letter in pairs for person in letter.named_people}),
        "donor_letter",
        pairs=pairs,
        year=year,
        head=reviewing.document_head(g.fund, today),
        signed_for=reviewing.SIGNED_FOR,
        signer=reviewing.SIGNER,
        addressee=lettering.addressee,
        **context,
    )


@bp.route("/donor-letter")
@requires("export_personal")
def letter():
    """Render the printable thank-you letter to one donor for one year."""
    donor = get_or_404(Donor, read_donor_id())
    year = read_year()
    letter = lettering.donor_letter(g.fund.id, donor.id, year)
    return render_letters("letters/letter.html", [(donor, letter)], year, donor=donor, letter=letter)


@bp.route("/donor-letters/print")
@requires("export_personal")
def print_all():
    """Render every letter of a year on one page to print in one run: a page break between donors."""
    year = read_year()
    donor_ids = [row[0] for row in lettering.donor_years(g.fund.id, year)]
    donors = {donor.id: donor for donor in lettering.donors(g.fund.id, donor_ids)}
    letters = lettering.letters(g.fund.id, year, donor_ids)
    pairs = [(donors[donor_id], letters[donor_id]) for donor_id in donor_ids]
    return render_letters("letters/print.html", pairs, year)
