"""Staff sign-in and sign-out."""

from flask import Blueprint

blueprint = Blueprint("auth", __name__, template_folder="templates")

from . import idle, views  # noqa: E402,F401
