"""Extension singletons, bound to the app in create_app()."""

from flask_babel import Babel
from flask_compress import Compress
from flask_login import LoginManager
from flask_mailman import Mail
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from htmx_flask import Htmx
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

# Named constraints so that migrations can alter them on SQLite and PostgreSQL alike.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
migrate = Migrate(compare_type=True, render_as_batch=True)
login_manager = LoginManager()
htmx = Htmx()
csrf = CSRFProtect()
babel = Babel()
# Text answers go out compressed (zstd, br or gzip, as the browser asks): a commune office or a
# phone on a poor connection waits for bytes, and HTML, CSS and htmx shrink to about a third.
# In the app itself, so it works alike behind nginx, gunicorn or waitress.
compress = Compress()
# Reminders by email (flask remind): SMTP settings from TRACKER_MAIL_* (MAIL_SERVER, MAIL_PORT, ...)
mail = Mail()
