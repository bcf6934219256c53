from flask import render_template

from auth.roles import roles_required
from core.clock import local_today
from core.models import Role
from core.tickets import active_services, waiting_queue

from . import blueprint


@blueprint.get("/")
@roles_required(Role.OFFICER, Role.MANAGER, Role.ADMIN)
def index():
    day = local_today()
    queues = [(service, waiting_queue(service.id, day)) for service in active_services()]
    return render_template("desk/index.html", queues=queues)
