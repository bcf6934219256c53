"""The counter console: choose a counter, then call, serve and hand over citizens."""

from flask import current_app, flash, jsonify, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from core.models import CounterSession, Role
from core.queue import calling
from core.queue.counters import (
    active_counters,
    close_session,
    open_session,
    open_session_of,
    require_session,
    sessions_today,
)
from core.queue.ticket_flow import Actor, TicketAction
from extensions import db
from web.commit import FAILED, commit_or_explain
from web.roles import roles_required

from . import blueprint
from .console import console_context, console_version
from .forms import ConsoleForm, CounterChoiceForm, TransferForm

DESK_ROLES = (Role.OFFICER, Role.MANAGER)


def officer():
    return current_user._get_current_object()


def back_to_console():
    return redirect(url_for("desk.index"))


def run(operation, category: str = "success") -> None:
    """Run a domain operation, commit once; a refused one is explained and changes nothing.

    What the operation returns is said to the officer: a done action as `success`, a mere
    fact (nobody waiting) as `info`."""
    message = commit_or_explain(operation)
    if message is not FAILED and message:
        flash(message, category)


@blueprint.get("/")
@roles_required(*DESK_ROLES)
def index():
    session = open_session_of(officer())
    if session is None:
        return render_template(
            "desk/choose.html",
            counters=active_counters(),
            taken=sessions_today(),
            queue_lengths={
                counter.id: calling.queue_length(counter) for counter in active_counters()
            },
            form=CounterChoiceForm(),
        )
    return render_template("desk/console.html", **console_context(session))


@blueprint.get("/state")
@roles_required(*DESK_ROLES)
def state():
    """What the console polls: a fingerprint of the counter's queue and current ticket."""
    session = open_session_of(officer())
    return jsonify(version=console_version(session.counter) if session else "no-session")


@blueprint.post("/session")
@roles_required(*DESK_ROLES)
def choose_counter():
    form = CounterChoiceForm()
    if form.validate_on_submit():
        run(lambda: open_session(officer(), form.counter.data) and None)
    else:
        flash(_("Vui lòng chọn một quầy trong danh sách."), "error")
    return back_to_console()


@blueprint.post("/session/end")
@roles_required(*DESK_ROLES)
def hand_back_counter():
    run(lambda: close_session(require_session(officer()), officer()) or _("Đã trả quầy."))
    return back_to_console()


@blueprint.post("/sessions/<int:session_id>/release")
@roles_required(Role.MANAGER)
def release_counter(session_id: int):
    """A manager frees a counter an officer left signed in (for example after going home)."""
    session = db.get_or_404(CounterSession, session_id)
    if session.ended_at is None:
        run(lambda: close_session(session, officer()) or _("Đã giải phóng quầy."))
    return back_to_console()


def ticket_action(action: TicketAction, done_message=None):
    """Apply `action` to the counter's current ticket; `done_message(ticket)` confirms it."""
    form = ConsoleForm()

    def operation():
        number = require_session(officer()).counter.number
        ticket = calling.act_on_current(
            number, action, Actor(user=officer()), expected=form.shown_ticket_id()
        )
        return done_message(ticket) if done_message else None

    run(operation)
    return back_to_console()


@blueprint.post("/call-next")
@roles_required(*DESK_ROLES)
def call_next():
    form = ConsoleForm()

    def operation():
        number = require_session(officer()).counter.number
        result = calling.call_next(number, Actor(user=officer()), expected=form.shown_ticket_id())
        return None if result.called else _("Không có công dân đang chờ.")

    run(operation, "info")
    return back_to_console()


@blueprint.post("/recall")
@roles_required(*DESK_ROLES)
def recall():
    return ticket_action(TicketAction.RECALL)


@blueprint.post("/start")
@roles_required(*DESK_ROLES)
def start():
    return ticket_action(TicketAction.START)


@blueprint.post("/finish")
@roles_required(*DESK_ROLES)
def finish():
    return ticket_action(
        TicketAction.FINISH, lambda ticket: _("Đã hoàn thành số %(number)s.", number=ticket.number)
    )


@blueprint.post("/no-show")
@roles_required(*DESK_ROLES)
def no_show():
    return ticket_action(
        TicketAction.NO_SHOW,
        lambda ticket: _("Đã ghi nhận số %(number)s vắng mặt.", number=ticket.number),
    )


@blueprint.post("/put-back")
@roles_required(*DESK_ROLES)
def put_back():
    return ticket_action(
        TicketAction.PUT_BACK,
        lambda ticket: _("Đã trả số %(number)s về hàng chờ.", number=ticket.number),
    )


@blueprint.post("/transfer")
@roles_required(*DESK_ROLES)
def transfer():
    form = TransferForm()

    def operation():
        ticket = calling.transfer(
            require_session(officer()).counter.number,
            Actor(user=officer()),
            service_code=form.target_service(),
            to_counter_number=form.target_counter(),
            expected=form.shown_ticket_id(),
        )
        return _(
            "Đã chuyển số %(number)s; số này chờ theo đúng thứ tự lấy số.", number=ticket.number
        )

    run(operation)
    return back_to_console()


@blueprint.app_context_processor
def desk_hooks():
    """The dossier hook: offered only when the dossier reception module is installed."""
    return {"dossier_reception": "dossiers.receive" in current_app.view_functions}
