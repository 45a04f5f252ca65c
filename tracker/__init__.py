"""The reintegration fund tracker: a Flask application factory."""

import os
import secrets
from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from tracker.extensions import babel, compress, csrf, db, htmx, login_manager, mail, migrate


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    load_config(app, test_config)
    init_extensions(app)
    register_blueprints(app)
    register_cli(app)
    from tracker.blueprints import offline
    from tracker.web import hooks

    hooks.init_app(app)
    offline.init_app(app)
    if test_config is None:
        from tracker.commands import backup

        backup.hold_instance_lock(app)
    if app.config["TRUSTED_PROXIES"]:
        # Behind nginx: take the client's address and scheme from X-Forwarded-* (login throttling
        # counts per address, so without this every client would share the proxy's address).
        hops = int(app.config["TRUSTED_PROXIES"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    return app


def load_config(app: Flask, test_config: dict | None) -> None:
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.from_mapping(
        SQLALCHEMY_DATABASE_URI="sqlite:///" + os.path.join(app.instance_path, "tracker.sqlite3"),
        BABEL_DEFAULT_LOCALE="vi",
        BABEL_DEFAULT_TIMEZONE="Asia/Ho_Chi_Minh",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        WTF_CSRF_TIME_LIMIT=None,
        # scrypt with N = 2^16, r = 8, p = 1 (64 MiB per hash): above Werkzeug's default N = 2^15.
        PASSWORD_HASH_METHOD="scrypt:65536:8:1",
        LOGIN_MAX_FAILURES=10,  # wrong passwords for one login from one address, or in one session
        LOGIN_MAX_FAILURES_PER_ADDRESS=30,  # from one address for any login
        LOGIN_FAILURE_WINDOW_MINUTES=15,
        DATABASE_WAIT_SECONDS=10,  # then "busy, try again" (503), well before a worker is killed
        SESSION_IDLE_MINUTES=30,  # a session ends after this long without a request
        SESSION_MAX_HOURS=12,  # and this long after login, whatever
        REAUTH_MINUTES=15,  # decisions that move money or give power ask for the password if older
        HTTPS=False,
        TRUSTED_PROXIES=0,
        PAGE_SIZE=25,
        # flask remind gives up on an SMTP server that does not answer, rather than hang the cron
        MAIL_TIMEOUT=30,
        # the largest request is an Excel workbook uploaded for import (at most 5 MB, importing.reader):
        # anything larger is refused before it is read (413), not spooled to disk whole
        MAX_CONTENT_LENGTH=8 * 1024 * 1024,
    )
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        app.config.from_prefixed_env("TRACKER")
    else:
        app.config.from_mapping(test_config)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = instance_secret_key(app)
    if app.config["HTTPS"]:
        app.config["SESSION_COOKIE_SECURE"] = True


def instance_secret_key(app: Flask) -> str:
    """A random key kept in instance/, so a fresh checkout runs without a secret in source."""
    path = Path(app.instance_path) / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def init_extensions(app: Flask) -> None:
    from tracker import database, i18n
    from tracker.queries import figure_cache

    database.engine_options(app)
    db.init_app(app)
    database.configure_engine_events(app)
    migrate.init_app(app, db)
    htmx.init_app(app)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale)
    figure_cache.init_app(app)
    login_manager.init_app(app)
    mail.init_app(app)
    # before the app's own hooks (web.hooks), so it runs after them, on the finished body
    compress.init_app(app)


def register_blueprints(app: Flask) -> None:
    from tracker.web.views import IdConverter

    # Before any route is added: each rule looks its converters up when it is registered.
    app.url_map.converters["int"] = IdConverter

    from tracker.blueprints import (
        audit,
        auth,
        cash,
        commendations,
        dashboard,
        donations,
        donors,
        gifts,
        handovers,
        importing,
        letters,
        loans,
        members,
        offline,
        people,
        periods,
        privacy,
        province,
        reminders,
        reports,
        review,
        settings,
        setup,
        spending,
        users,
        visits,
    )

    for module in (
        auth,
        setup,
        dashboard,
        members,
        users,
        people,
        handovers,
        visits,
        reminders,
        donors,
        donations,
        cash,
        gifts,
        loans,
        periods,
        settings,
        importing,
        reports,
        review,
        letters,
        commendations,
        privacy,
        audit,
        province,
        offline,
    ):
        app.register_blueprint(module.bp)
    # grants and running costs share their views (blueprints.spending)
    app.register_blueprint(spending.grants)
    app.register_blueprint(spending.expenses)


def register_cli(app: Flask) -> None:
    from tracker.commands import cli

    cli.init_app(app)
