"""The language of a request: Vietnamese by default, English when the user asked for it.

Code translates with Flask-Babel's `gettext`, `ngettext` and `lazy_gettext`, imported from here so
that every module says it the same way; templates get Flask-Babel's own `_`.
"""

from flask import has_request_context, request, session
from flask_babel import gettext, lazy_gettext, ngettext
from flask_login import current_user

__all__ = ["LOCALES", "gettext", "lazy_gettext", "ngettext", "select_locale"]

LOCALES = ("vi", "en")


def select_locale() -> str:
    if not has_request_context():
        return "vi"
    if current_user and current_user.is_authenticated and current_user.locale in LOCALES:
        return current_user.locale
    if session.get("locale") in LOCALES:
        return session["locale"]
    if request.args.get("lang") in LOCALES:
        return request.args["lang"]
    return "vi"
