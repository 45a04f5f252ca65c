"""flask --app app import FILE --fund ID [--commit]: the old books from an Excel workbook, checked
first (a dry run, the default), imported with --commit. Errors and the summary in Vietnamese."""

from pathlib import Path

import click
from flask.cli import with_appcontext
from flask_babel import force_locale

from tracker.extensions import db
from tracker.i18n import gettext as _
from tracker.importing import apply, reader, summary
from tracker.models import Fund


@click.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--fund", "fund_id", type=int, required=True, help="Id of the fund the books are for.")
@click.option("--commit", "write", is_flag=True, help="Import (without it: check only, nothing is saved).")
@with_appcontext
def import_command(path: Path, fund_id: int, write: bool):
    """Import a fund's old books from an Excel workbook made from /import/template.xlsx."""
    if db.session.get(Fund, fund_id) is None:
        raise click.BadParameter(f"no fund has id {fund_id}", param_hint="--fund")
    parsed = reader.read(path.read_bytes())
    outcome = (apply.commit if write else apply.dry_run)(fund_id, parsed, None)
    with force_locale(reader.LOCALE):
        for problem in outcome.errors:
            click.echo(_("Error: %(problem)s", problem=problem.text()), err=True)
        for problem in outcome.warnings:
            click.echo(_("To look at: %(problem)s", problem=problem.text()))
        for line in summary.lines(outcome, imported=write and outcome.ok):
            click.echo(line)
    if outcome.errors:
        raise click.exceptions.Exit(1)
