"""Locale choice (Vietnamese by default, English when the user asked for it) and translation.

Flask-Babel finds the catalogue again on every call (its context, the locale selector, the cache
key); a page translates a few hundred strings, so the catalogue is looked up once per request here.
Code imports `gettext`, `ngettext` and `lazy_gettext` from this module, and templates get the same.
"""

import flask_babel
from babel.support import NullTranslations
from flask import Flask, g, has_app_context, has_request_context, request, session
from flask_babel.speaklater import LazyString
from flask_login import current_user
from jinja2 import pass_context
from markupsafe import Markup

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


def catalogue() -> NullTranslations:
    """The translations of this request's (or CLI command's) language, found once."""
    if not has_app_context():
        return flask_babel.get_translations()  # untranslated
    found = g.get("_catalogue")
    if found is None:
        found = g._catalogue = flask_babel.get_translations()
    return found


def gettext(string: str, **variables) -> str:
    text = catalogue().ugettext(string)
    return text % variables if variables else text


def ngettext(singular: str, plural: str, num: int, **variables) -> str:
    variables.setdefault("num", num)
    return catalogue().ungettext(singular, plural, num) % variables


def lazy_gettext(string: str, **variables) -> LazyString:
    return LazyString(gettext, string, **variables)


def install(app: Flask) -> None:
    """Templates' `_`, `gettext` and `ngettext` use the request's catalogue (after Babel's own)."""
    app.jinja_env.install_gettext_callables(
        gettext=lambda string: catalogue().ugettext(string),
        ngettext=lambda singular, plural, n: catalogue().ungettext(singular, plural, n),
        newstyle=True,
        pgettext=lambda context, string: catalogue().upgettext(context, string),
        npgettext=lambda context, singular, plural, n: catalogue().unpgettext(context, singular, plural, n),
    )
    app.jinja_env.globals.update(_=template_gettext, gettext=template_gettext)


@pass_context
def template_gettext(context, string: str, **variables):
    """Templates' `_` and `gettext`: what Jinja's newstyle gettext does (escaped variables, "%%"
    for a percent sign), in one call instead of three. A page like a loan's translates a few hundred
    strings."""
    text = catalogue().ugettext(string)
    if context.eval_ctx.autoescape:
        text = Markup(text)
    return text % variables if variables or "%" in text else text
