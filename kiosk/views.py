"""The kiosk page; it issues tickets through the JSON API with its device key."""

from flask import current_app, render_template

from core.clock import local_now
from core.notices.consent import channels_on_for_phones
from core.queue.service_lookup import active_services, kiosk_groups, kiosk_search_key
from core.queue.waiting_counts import waiting_counts

from . import blueprint


@blueprint.get("/")
def index():
    now = local_now()
    counts = waiting_counts(now.date())
    services = [
        {
            "service": service,
            "waiting": counts.get(service.id, 0),
            "open": service.is_open_at(now),
            "search": kiosk_search_key(service),
        }
        for service in active_services()
    ]
    return render_template(
        "kiosk/index.html",
        services=services,
        agencies=kiosk_groups(services),
        return_seconds=current_app.config["KIOSK_RETURN_SECONDS"],
        idle_seconds=current_app.config["KIOSK_IDLE_SECONDS"],
        notice_channel=next(iter(channels_on_for_phones()), None),
    )
