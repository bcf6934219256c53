"""The booking page (/dat-lich): choose a service, a day and a slot, leave a name and a way to
be reached; the booking's own page (its link) shows the code and QR code for the kiosk and
cancels or moves it. Thin views over core.appointments."""

from datetime import date

from flask import make_response, redirect, render_template, request, url_for

from core.appointments.booking import (
    CHANNELS,
    Booker,
    book,
    cancel,
    find_appointment,
    move,
)
from core.appointments.booking import manage_url as booking_url
from core.appointments.check_in import check_in_window
from core.appointments.slots import (
    bookable_days,
    bookable_services,
    booking_settings,
    offered_slots,
    parse_start,
)
from core.clock import to_local
from core.models import Appointment, AppointmentStatus, Service
from core.queue.opening_hours import WEEKDAY_SHORT_NAMES
from extensions import limiter
from security import booking_bucket, booking_change_limit, booking_limit
from web.caching import no_store
from web.commit import FAILED, commit_or_explain

from . import blueprint
from .forms import BookingForm, CancelForm, MoveForm
from .views import qr_svg

BOOKING_PATH = "/dat-lich"


def chosen_day(days: list[date], text: str | None) -> date | None:
    try:
        day = date.fromisoformat(text or "")
    except ValueError:
        return days[0] if days else None
    return day if day in days else (days[0] if days else None)


def slot_choices(form, service: Service, day: date | None) -> list:
    slots = offered_slots(service, day) if day else []
    form.start.choices = [(to_local(slot.start).isoformat(), "") for slot in slots]
    return slots


@blueprint.route(BOOKING_PATH, methods=["GET", "POST"])
@limiter.limit(booking_limit, methods=["POST"])
def booking_page():
    services = bookable_services()
    service = next((s for s in services if s.code == request.values.get("service")), None)
    service = service or (services[0] if services else None)
    days = bookable_days(booking_settings(service)) if service else []
    day = chosen_day(days, request.values.get("date"))
    form = BookingForm(service=service.code if service else "")
    slots = slot_choices(form, service, day) if service else []
    if service and form.validate_on_submit():
        contact = Booker(
            form.name.data,
            form.phone.data,
            form.email.data,
            form.citizen_id.data,
            tuple(channel for channel in CHANNELS if form[f"consent_{channel}"].data),
        )
        start = parse_start(form.start.data)
        appointment = commit_or_explain(lambda: book(service.code, start, contact), form=form)
        if appointment is not FAILED:
            return redirect(url_for("public.booking", token=appointment.token))
        slots = slot_choices(form, service, day)
    return render_template(
        "public/booking.html",
        services=services,
        service=service,
        days=days,
        day=day,
        slots=slots,
        form=form,
        weekday_names=WEEKDAY_SHORT_NAMES,
    ), (422 if form.errors or getattr(form, "form_errors", None) else 200)


def page_of(appointment: Appointment, **context):
    opens, closes = check_in_window(appointment.starts_at)
    response = render_template(
        "public/booking_show.html",
        appointment=appointment,
        link=booking_url(appointment.token),
        check_in_opens=opens,
        check_in_closes=closes,
        open_for_change=appointment.status == AppointmentStatus.BOOKED,
        weekday_names=WEEKDAY_SHORT_NAMES,
        **context,
    )
    return no_store(make_response(response))


@blueprint.route(f"{BOOKING_PATH}/<token>", methods=["GET", "POST"])
@limiter.limit(booking_change_limit, methods=["POST"])
@limiter.limit(booking_change_limit, methods=["POST"], key_func=booking_bucket)
def booking(token: str):
    """A booking's page: its code and QR code; moving it to another slot, or cancelling it."""
    if request.method == "POST" and "cancel" in request.form:
        if CancelForm().validate_on_submit():
            commit_or_explain(lambda: cancel(token))
        return redirect(url_for("public.booking", token=token))
    appointment = find_appointment(token)
    settings = booking_settings(appointment.service)
    days = bookable_days(settings) if settings else []
    day = chosen_day(days, request.values.get("date") or appointment.day.isoformat())
    form = MoveForm()
    slots = slot_choices(form, appointment.service, day) if settings else []
    if form.validate_on_submit():
        start = parse_start(form.start.data)
        if commit_or_explain(lambda: move(token, start), form=form) is not FAILED:
            return redirect(url_for("public.booking", token=token))
    return page_of(
        appointment, form=form, cancel_form=CancelForm(), days=days, day=day, slots=slots
    )


@blueprint.get(f"{BOOKING_PATH}/<token>/qr.svg")
def booking_qr(token: str):
    """The booking's code as a QR code, for the kiosk's scanner."""
    return qr_svg(find_appointment(token).code)
