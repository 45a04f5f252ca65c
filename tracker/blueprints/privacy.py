"""Placeholder: being written."""

from flask import Blueprint

bp = Blueprint("privacy", __name__)
