"""The dossier desk: reception, processing, return, forms, public look-up and the
catalogue and calendar screens for admins."""

from flask import Blueprint

blueprint = Blueprint("dossiers", __name__, template_folder="templates", cli_group="dossiers")

from . import admin, cli, lookup, views  # noqa: E402,F401


@blueprint.record_once
def register_calendar_commands(state) -> None:
    state.app.cli.add_command(cli.calendar_group)
