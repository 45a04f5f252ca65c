"""A loan's papers, prefilled (tracker.papers writes their text): an A4 page to print and sign, or
with ?format=docx the same paper as a Word file to edit first."""

from flask import Response, abort, g, request, url_for

from tracker import audit, papers
from tracker.blueprints.loans.routes import bp, get_loan_or_404
from tracker.i18n import lazy_gettext as _l
from tracker.papers_docx import docx_bytes
from tracker.text import searchable
from tracker.web.access import requires
from tracker.web.views import render_logged

DOCX_MIMETYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@bp.route("/loans/<int:loan_id>/papers/<kind>")
@requires("view_loans")
def paper(loan_id: int, kind: str):
    """Render one of the loan's papers (application, agreement, minutes, handover); 404 for one that
    makes no sense yet (see papers.available). It names the borrower: its opening is logged."""
    loan = get_loan_or_404(loan_id)
    if kind not in papers.PAPERS or not papers.available(kind, loan):
        abort(404)
    document = papers.build(kind, loan, g.fund)
    chosen = request.args.get("format", "")
    if chosen == "docx":
        body = docx_bytes(document)
        audit.log_access([loan.person_id], "paper_file")
        response = Response(body, mimetype=DOCX_MIMETYPE)
        name = "-".join(searchable(document.title).split())
        response.headers["Content-Disposition"] = f'attachment; filename="{name}-{loan.id}.docx"'
        return response
    if chosen not in ("", "html"):
        abort(400)
    return render_logged(
        "loans/paper.html",
        [loan.person_id],
        "paper",
        loan=loan,
        paper=document,
        nation=papers.NATION,
        motto=papers.MOTTO,
        back=url_for("loans.detail", loan_id=loan.id),
    )


PAPER_NAMES = {
    "application": _l("Loan application"),
    "agreement": _l("Loan agreement"),
    "minutes": _l("Minutes of the review"),
    "handover": _l("Handover record"),
}
WAITS_FOR = {"agreement": _l("after the approval"), "handover": _l("after the disbursement")}


@bp.app_template_global()
def loan_papers(loan) -> list[tuple[str, str, str]]:
    """(kind, name, what it waits for or "") for the loan page's list of papers; a rejected
    application has no agreement or handover to wait for."""
    return [
        (kind, str(PAPER_NAMES[kind]), "" if papers.available(kind, loan) else str(WAITS_FOR[kind]))
        for kind in papers.PAPERS
        if papers.available(kind, loan) or loan.status != "rejected"
    ]
