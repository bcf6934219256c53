"""Operations: the health check a load balancer and monitoring poll."""

from flask import Blueprint

blueprint = Blueprint("ops", __name__)

from . import views  # noqa: E402,F401
