"""Commands: flask --app app demo | create-fund | create-user | set-password | backup | restore | generate |
remind | import."""

from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from tracker import accounts, audit, provinces
from tracker.commands import backup, demo, importing
from tracker.commands.remind import remind_command
from tracker.extensions import db
from tracker.models import Fund, User
from tracker.web.access import ALL_ROLES


@click.command("demo")
@with_appcontext
def demo_command():
    """Load the Hồng Sơn demo fund (five logins: chair, treasurer, member, viewer, tinh; password
    hongson-demo)."""
    fund = demo.load_demo()
    db.session.commit()
    logins = ", ".join(login for login, _role in demo.DEMO_LOGINS)
    click.echo(f"Đã nạp quỹ mẫu Hồng Sơn (id {fund.id}). Tài khoản: {logins}. Mật khẩu: {demo.DEMO_PASSWORD}")


@click.command("create-fund")
@with_appcontext
@click.argument("name")
@click.option("--commune", default="", help="Commune or ward, e.g. 'xã Hồng Sơn'.")
@click.option("--province", default="", help="Province, e.g. 'Lâm Đồng'.")
def create_fund_command(name: str, commune: str, province: str):
    """Create a fund; prints its id alone on the last line."""
    if not name.strip():
        raise click.BadParameter("the fund needs a name", param_hint="NAME")
    if province.strip():
        province = province_named(province)
    duplicate = db.session.scalar(
        select(Fund.id).where(
            Fund.name == name.strip(),
            Fund.commune == commune.strip(),
            Fund.province == province.strip(),
        )
    )
    if duplicate is not None:
        raise click.ClickException(f"a fund with this name and place exists already (id {duplicate})")
    fund = accounts.create_fund(name, commune, province)
    audit.record("fund.create", fund, fund_id=fund.id)
    db.session.commit()
    click.echo(f"Created fund {fund.name!r}")
    click.echo(fund.id)


def province_named(text: str) -> str:
    """One of the 34 provinces, as typed with or without accents; a typo is refused."""
    found = provinces.find(text)
    if found is None:
        raise click.BadParameter(
            f"{text.strip()!r} is not one of the 34 provinces and cities (since 1 July 2025): "
            + ", ".join(provinces.PROVINCES),
            param_hint="--province",
        )
    return found


@click.command("create-user")
@with_appcontext
@click.argument("username")
@click.option("--fund", "fund_id", type=int, help="Id of the fund (for chair, treasurer, member, viewer).")
@click.option("--role", type=click.Choice([*sorted(ALL_ROLES), "regional"]), required=True)
@click.option("--province", default="", help="The province a regional login oversees.")
@click.option("--full-name", default="")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
def create_user_command(
    username: str, fund_id: int | None, role: str, province: str, full_name: str, password: str
):
    """Create a login with a role in one fund, or a regional login for a province (prompts for the
    password if not given)."""
    if role == "regional":
        if not province.strip():
            raise click.BadParameter("a regional login needs --province NAME", param_hint="--province")
        province = province_named(province)
        if db.session.scalar(select(Fund.id).where(Fund.province == province.strip()).limit(1)) is None:
            click.echo(f"Note: no fund of the province {province.strip()!r} yet.")
    elif fund_id is None or db.session.get(Fund, fund_id) is None:
        raise click.BadParameter(f"no fund with id {fund_id}", param_hint="--fund")
    if len(password) < accounts.MIN_PASSWORD_LENGTH:
        raise click.BadParameter("use at least 8 characters", param_hint="--password")
    if not accounts.USERNAME_PATTERN.match(username):
        raise click.BadParameter(
            "use 3-80 letters without accents, digits, '.', '-' or '_'", param_hint="USERNAME"
        )
    if accounts.username_taken(username):
        raise click.BadParameter(f"the username {username!r} is taken", param_hint="USERNAME")
    if role == "regional":
        user = accounts.create_regional_user(username, password, province, full_name)
        audit.record(
            "user.create", user, after={"username": user.username, "role": role, "province": province}
        )
        db.session.commit()
        click.echo(f"Created regional login {user.username!r} for the province {province.strip()!r}")
        return
    user = accounts.create_user(username, password, fund_id, role, full_name)
    audit.record("user.create", user, fund_id=fund_id, after={"username": user.username, "role": role})
    db.session.commit()
    click.echo(f"Created {role} {user.username!r} in fund {fund_id}")


@click.command("set-password")
@with_appcontext
@click.argument("username")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
def set_password_command(username: str, password: str):
    """Set a login's password and end its open sessions: for a login that opens several funds or a
    province, which no chair may reset from the web (prompts for the password if not given)."""
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None:
        raise click.BadParameter(f"no login {username!r}", param_hint="USERNAME")
    if len(password) < accounts.MIN_PASSWORD_LENGTH:
        raise click.BadParameter("use at least 8 characters", param_hint="--password")
    user.password_hash = accounts.hash_password(password)
    accounts.revoke_all_sessions(user.id)
    # In the log of every fund the login opens, as when a chair sets it from the web.
    for membership in user.memberships:
        audit.record("user.password", membership, after={"by": "command line"})
    if not user.memberships:
        audit.record("user.password", user, after={"by": "command line"})
    db.session.commit()
    click.echo(f"New password set for {user.username!r}; its open sessions are ended.")


def describe(summary) -> str:
    counts = ", ".join(f"{table} {count}" for table, count in summary.counts.items())
    return (
        f"{summary.path}: {summary.size:,} bytes, integrity {summary.integrity}, "
        f"ledger sum {summary.ledger_sum}\n  {counts}"
    )


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup_command(path: Path):
    """Write a consistent copy of the database to PATH (safe while the app is running)."""
    try:
        summary = backup.backup(current_app, path)
    except backup.BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(describe(summary))


@click.command("restore")
@click.argument("path", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_appcontext
def restore_command(path: Path, yes: bool):
    """Replace the database with the backup at PATH (the server must be stopped)."""
    if not yes:
        click.confirm(f"Replace the database with {path}? Everything since that backup is lost.", abort=True)
    try:
        summary = backup.restore(current_app, path)
    except backup.BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo("Restored. " + describe(summary))


@click.command("generate")
@click.option("--funds", "n_funds", type=click.IntRange(1, 100_000), required=True, help="How many funds.")
@click.option("--seed", type=int, default=1, show_default=True, help="The same seed gives the same data.")
@click.option(
    "--as-of",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="The day the data runs up to (default: today in Vietnam).",
)
@click.option(
    "--password", default=None, help="Password of the generated logins (default: du-lieu-mau-2025)."
)
@click.option("--no-logins", is_flag=True, help="Create no logins at all.")
@with_appcontext
def generate_command(n_funds: int, seed: int, as_of, password: str | None, no_logins: bool):
    """Fill the database with N realistic funds over the 34 provinces (DESIGN §7 proportions)."""
    from tracker.commands import generate

    password = None if no_logins else (password or generate.DEFAULT_PASSWORD)
    totals = generate.generate(
        n_funds, seed, as_of=as_of.date() if as_of else None, password=password, echo=click.echo
    )
    for line in generate.describe(totals, password):
        click.echo(line)


def init_app(app: Flask) -> None:
    for command in (
        demo_command,
        create_fund_command,
        create_user_command,
        set_password_command,
        backup_command,
        restore_command,
        generate_command,
        remind_command,
        importing.import_command,
    ):
        app.cli.add_command(command)
