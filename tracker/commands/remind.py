"""flask --app app remind [--fund ID] [--dry-run]: the day's reminders by email, for cron."""

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from tracker import clock, reminders
from tracker.extensions import db
from tracker.models import Fund


@click.command("remind")
@with_appcontext
@click.option("--fund", "fund_id", type=int, help="Only this fund (its id); every fund otherwise.")
@click.option("--dry-run", is_flag=True, help="Print what would be sent; send and log nothing.")
def remind_command(fund_id: int | None, dry_run: bool):
    """Email each member the people they must visit this week, the treasurer the repayments due
    and overdue, the chair (weekly) whoever is overdue by more than the fund's N days. What went
    today is not sent again; exits 1 if a message could not be sent."""
    query = select(Fund).order_by(Fund.id)
    if fund_id is not None:
        query = query.where(Fund.id == fund_id)
    funds = list(db.session.scalars(query))
    if fund_id is not None and not funds:
        raise click.ClickException(f"không có quỹ nào có id {fund_id}")
    configured = reminders.mail_configured()
    if not configured and not dry_run:
        click.echo(
            "Chưa cấu hình máy chủ thư (TRACKER_MAIL_SERVER): không gửi thư nào. "
            "Tổ trưởng vẫn sao chép được các tin nhắn ở trang /reminders."
        )
        return
    if not dry_run and reminders.sender() is None:
        raise click.ClickException(
            "chưa đặt địa chỉ người gửi: TRACKER_MAIL_DEFAULT_SENDER (ví dụ quyhongson@gmail.com)"
        )
    today = clock.today()
    total = reminders.Outcome()
    for fund in funds:
        click.echo(f"{fund.name} (id {fund.id}), ngày {today:%d/%m/%Y}:")
        outcome = reminders.send_fund(fund, today, dry_run=dry_run, echo=click.echo)
        for name in ("sent", "skipped", "no_address", "failed"):
            setattr(total, name, getattr(total, name) + getattr(outcome, name))
    verb = "sẽ gửi" if dry_run else "đã gửi"
    click.echo(
        f"Tổng cộng: {verb} {total.sent}, bỏ qua {total.skipped} (đã gửi trước đó), "
        f"không có địa chỉ thư {total.no_address}, lỗi {total.failed}."
    )
    if total.failed:
        raise SystemExit(1)
