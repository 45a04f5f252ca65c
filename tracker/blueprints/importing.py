"""Import from Excel (chair): the template to download, the upload and its dry run, then the
import. The file uploaded waits between the dry run and the import in the instance folder, under a
random name kept in the login's session (never in a public folder), and is deleted by the import
or by the next upload."""

import secrets
import time
from pathlib import Path

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user
from flask_wtf.file import FileField

from tracker.formatting import format_number
from tracker.i18n import gettext as _
from tracker.i18n import lazy_gettext as _l
from tracker.importing import apply, reader, summary, template
from tracker.web.access import requires
from tracker.web.exports import XLSX_MIMETYPE
from tracker.web.forms import Form

bp = Blueprint("importing", __name__, url_prefix="/import")

# Rows one upload may hold: an import posts each row through the journal, about 5 ms a row on a
# commune's PC (809 rows of a generated fund: 3.7 s for the check, as much again for the import),
# and a request must end well within the server's 30 seconds. Larger books go in several files
# (a later file may use the codes of an earlier one) or through the command, which has no limit.
PAGE_MAX_ROWS = 4_000
SESSION_KEY = "import_upload"  # {"token": file name, "fund_id": id, "digest": sha256}
KEEP_SECONDS = 24 * 3600  # an upload never imported is deleted by the next upload after a day


class UploadForm(Form):
    file = FileField(_l("Workbook (.xlsx)"))


class ImportForm(Form):
    """The import of the file checked: no field but the CSRF token; the file is the session's."""


def uploads() -> Path:
    folder = Path(current_app.instance_path) / "imports"
    folder.mkdir(exist_ok=True)
    return folder


def forget_upload() -> None:
    kept = session.pop(SESSION_KEY, None)
    if kept:
        (uploads() / kept["token"]).unlink(missing_ok=True)
    now = time.time()
    for stale in uploads().glob("*.xlsx"):
        if now - stale.stat().st_mtime > KEEP_SECONDS:
            stale.unlink(missing_ok=True)


def kept_upload() -> bytes | None:
    kept = session.get(SESSION_KEY)
    if not kept or kept.get("fund_id") != g.fund.id:
        return None
    path = uploads() / kept["token"]
    return path.read_bytes() if path.is_file() else None


def render_page(form=None, outcome=None, status: int = 200):
    return (
        render_template(
            "importing/index.html",
            form=form or UploadForm(formdata=None),
            import_form=ImportForm(formdata=None),
            outcome=outcome,
            summary=summary.lines(outcome, imported=False) if outcome is not None else [],
        ),
        status,
    )


@bp.route("")
@requires("import_books")
def index():
    """Render the steps: download the template, upload the filled workbook for a dry run."""
    return render_page()


@bp.route("/template.xlsx")
@requires("import_books")
def template_file():
    """The empty template, with its instructions sheet."""
    response = Response(template.workbook_bytes(), mimetype=XLSX_MIMETYPE)
    response.headers["Content-Disposition"] = 'attachment; filename="mau-nhap-so-sach.xlsx"'
    return response


@bp.route("", methods=["POST"])
@requires("import_books")
def check():
    """The dry run of an uploaded workbook: its errors, or what it would create."""
    form = UploadForm()
    upload = request.files.get("file")
    if upload is not None:
        # a large upload is spooled to a temporary file: read what is needed, and close it now
        try:
            name, data = upload.filename or "", upload.stream.read(reader.MAX_BYTES + 1)
        finally:
            upload.close()
    if not form.validate() or upload is None or not name:
        form.file.errors = [*form.file.errors, _("Choose the workbook to upload.")]
        return render_page(form, status=422)
    if not name.lower().endswith(".xlsx"):
        form.file.errors.append(_("Upload an Excel workbook (.xlsx), made from the template."))
        return render_page(form, status=422)
    forget_upload()
    parsed = reader.read(data)
    if sum(len(rows) for rows in parsed.rows.values()) > PAGE_MAX_ROWS:
        form.file.errors.append(
            _(
                "The file has more than %(count)s rows: split it into several files (a later file may use "
                "the codes of an earlier one), or ask for it to be imported with the command line.",
                count=format_number(PAGE_MAX_ROWS),
            )
        )
        return render_page(form, status=422)
    outcome = apply.dry_run(g.fund.id, parsed, current_user.id)
    if parsed.errors and not any(parsed.rows.values()):
        form.file.errors.extend(str(problem.message) for problem in parsed.errors)
        return render_page(form, status=422)
    if outcome.ok and sum(outcome.created.values()):
        token = secrets.token_urlsafe(24) + ".xlsx"
        (uploads() / token).write_bytes(data)
        session[SESSION_KEY] = {"token": token, "fund_id": g.fund.id, "digest": parsed.digest}
    return render_page(outcome=outcome, status=200 if outcome.ok else 422)


@bp.route("/commit", methods=["POST"])
@requires("import_books")
def commit():
    """Import the workbook checked last, in one transaction: everything or nothing."""
    form = ImportForm()
    data = kept_upload()
    if not form.validate() or data is None:
        flash(_("Upload the workbook again: it is checked first, then imported."), "error")
        return redirect(url_for("importing.index"), 303)
    outcome = apply.commit(g.fund.id, reader.read(data), current_user.id)
    forget_upload()
    if not outcome.ok:  # the books changed since the dry run (a payment, a closed period)
        return render_page(outcome=outcome, status=422)
    for line in summary.lines(outcome, imported=True):
        flash(line, "success")
    return redirect(url_for("importing.index"), 303)
