"""Services: the list, a new service, editing one with its numbering and opening hours."""

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import format_date
from flask_babel import gettext as _

from core.clock import local_today
from core.models import Role, Service
from core.queue.numbering import (
    NumberingOutcome,
    pending_change,
    planned_numbering,
    tickets_issued_on,
)
from core.queue.opening_hours import (
    OFFICE_HOURS,
    PRESETS,
    WEEKDAY_NAMES,
    parse_week,
    summarise,
    week_as_text,
    week_of,
)
from core.queue.services import (
    ServiceFields,
    create_service,
    list_services,
    owning_agency,
    pending_changes,
    update_service,
)
from extensions import db
from web.roles import roles_required

from . import blueprint
from .common import FAILED, acting_admin, render_form, save
from .forms import ServiceForm, agency_choices


def fields_of(form: ServiceForm) -> ServiceFields:
    return ServiceFields(
        code=form.code.data,
        name=form.name.data,
        name_en=form.name_en.data or "",
        prefix=form.prefix.data,
        digits=form.digits.data,
        sort_order=form.sort_order.data,
        active=form.active.data,
        agency_id=form.agency_id.data,
    )


def form_page(form: ServiceForm, service: Service | None = None):
    form.agency_id.choices = agency_choices(service.agency_id if service else None)
    return render_form(
        "admin/service_form.html",
        form,
        service=service,
        weekday_names=WEEKDAY_NAMES,
        presets={name: week_as_text(week) for name, week in PRESETS.items()},
        pending=pending_change(service) if service else None,
        issued_today=tickets_issued_on(service, local_today()) if service else 0,
    )


@blueprint.get("/services")
@roles_required(Role.ADMIN, Role.MANAGER)
def services():
    return render_template(
        "admin/services.html",
        services=list_services(),
        pending=pending_changes(),
        summarise=summarise,
        week_of=week_of,
    )


def initial_data(service: Service | None) -> dict:
    """What the form shows first: the service as it will number next, or office hours."""
    if service is None:
        home = owning_agency(None)
        return {
            "hours": hours_data(week_as_text(OFFICE_HOURS)),
            "agency_id": home.id if home else None,
        }
    prefix, digits = planned_numbering(service)
    return {
        "code": service.code,
        "name": service.name,
        "name_en": service.name_en,
        "prefix": prefix,
        "digits": digits,
        "sort_order": service.sort_order,
        "active": service.active,
        "agency_id": service.agency_id,
        "hours": hours_data(week_as_text(week_of(service.hours))),
    }


def hours_data(rows) -> list[dict]:
    return [
        {
            f"{end}_{index}": text
            for index, period in enumerate(day, 1)
            for end, text in zip(("opens", "closes"), period, strict=True)
        }
        for day in rows
    ]


def warn_if_never_open(service: Service) -> None:
    if service.active and not service.hours:
        flash(
            _(
                "Dịch vụ “%(name)s” chưa có giờ cấp số nên máy lấy số sẽ chưa cấp số.",
                name=service.name,
            ),
            "warning",
        )


def announce_numbering(outcome: NumberingOutcome) -> None:
    """Say when a new prefix waits for tomorrow."""
    if outcome.effective_on is None:
        return
    day = format_date(outcome.effective_on, "dd/MM/yyyy")
    if outcome.changed:
        message = _(
            "Hôm nay đã cấp %(count)d số nên cách đánh số mới chỉ áp dụng từ ngày %(day)s; "
            "các số hôm nay giữ nguyên.",
            count=outcome.issued_today,
            day=day,
        )
    else:
        message = _("Cách đánh số mới vẫn chờ áp dụng từ ngày %(day)s.", day=day)
    flash(message, "warning")


@blueprint.route("/services/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def service_new():
    form = ServiceForm(data=initial_data(None))
    form.agency_id.choices = agency_choices()
    service = save(
        form,
        lambda: create_service(fields_of(form), parse_week(form.week_texts()), acting_admin()),
    )
    if service is FAILED:
        return form_page(form)
    flash(_("Đã thêm dịch vụ “%(name)s”.", name=service.name), "success")
    warn_if_never_open(service)
    return redirect(url_for(".services"))


@blueprint.route("/services/<int:service_id>/edit", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def service_edit(service_id: int):
    service = db.session.get(Service, service_id) or abort(404)
    form = ServiceForm(data=initial_data(service))
    form.agency_id.choices = agency_choices(service.agency_id)
    outcome = save(
        form,
        lambda: update_service(
            service, fields_of(form), parse_week(form.week_texts()), acting_admin()
        ),
    )
    if outcome is FAILED:
        return form_page(form, service)
    flash(_("Đã lưu dịch vụ “%(name)s”.", name=service.name), "success")
    announce_numbering(outcome)
    warn_if_never_open(service)
    return redirect(url_for(".services"))
