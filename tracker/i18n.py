"""Locale choice: Vietnamese by default, English when the user asked for it."""

from flask import has_request_context, request, session
from flask_login import current_user

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
