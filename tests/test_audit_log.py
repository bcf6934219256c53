"""The audit-log viewer: admins only, filters, newest first, pages, readable actions."""

import time_machine

from conftest import count, local_time
from core.dossiers.states import Action, move
from core.queue.calling import call_next
from core.queue.ticket_flow import Actor
from desk_support import fresh_user_per_request  # noqa: F401  (fixture)
from extensions import db
from tests import factories


def listed(client, query: str = "") -> str:
    """The rows of the viewer's table (the filter's drop-downs name every action too)."""
    page = client.get("/admin/audit" + query).get_data(as_text=True)
    return page.split('<section class="card admin-card">', 1)[1].split("</section>", 1)[0]


def test_only_admins_open_the_audit_log(app, demo, auth):
    for username, status in (("canbo1", 403), ("lanhdao", 403), ("quantri", 200)):
        client = app.test_client()
        auth.login(username, client=client)
        assert client.get("/admin/audit").status_code == status, username
    assert app.test_client().get("/admin/audit").status_code == 302


def test_filters_pages_and_labels(app, demo, auth):
    with time_machine.travel(local_time(2027, 3, 1, 8, 0), tick=False):
        factories.counter_session("canbo1", 1)
        first = factories.ticket("GPLX")
        call_next(1, Actor(user=factories.user("canbo1")))
        db.session.commit()
    with time_machine.travel(local_time(2027, 3, 2, 9, 0), tick=False):
        dossier = factories.dossier()
        move(dossier, Action.TRANSFER, user=factories.user())
        db.session.commit()
    client = app.test_client()
    with time_machine.travel(local_time(2027, 3, 2, 10, 0), tick=False):
        auth.login("quantri", client=client)
        everything = client.get("/admin/audit").get_data(as_text=True)
        assert "Nhật ký thao tác" in everything
        # Newest first, in words.
        table = everything.split("<table")[1]
        transfer = table.index("Hồ sơ: chuyển cho đơn vị xử lý")
        receipt = table.index("Hồ sơ: tiếp nhận")
        call = table.index("Số thứ tự: gọi")
        assert transfer < receipt < call
        one_day = listed(client, "?start=2027-03-01&end=2027-03-01")
        assert "Số thứ tự: gọi" in one_day and "Hồ sơ: tiếp nhận" not in one_day
        by_subject = listed(client, f"?subject={dossier.code.lower()}")
        assert "Hồ sơ: tiếp nhận" in by_subject and "Số thứ tự: gọi" not in by_subject
        by_ticket = listed(client, f"?subject={first.number}")
        assert "Số thứ tự: gọi" in by_ticket and "Hồ sơ" not in by_ticket
        by_user = listed(client, f"?user={factories.user('quantri').id}")
        assert "1 thao tác" in by_user and "Đăng nhập" in by_user  # signing in, alone
        by_officer = listed(client, f"?user={factories.user('canbo2').id}")
        assert "Không có thao tác nào khớp bộ lọc" in by_officer
        by_action = listed(client, "?action=dossier.transfer")
        assert "1 thao tác" in by_action
        bad = client.get("/admin/audit?start=2027-13-45&page=999")
        assert bad.status_code in (200, 404)
        assert "không phải ngày hợp lệ" in client.get("/admin/audit?start=hôm-qua").get_data(
            as_text=True
        )


def test_many_events_are_paged(app, demo, auth):
    from core.models import AuditEvent
    from privacy.audit_log import PER_PAGE

    db.session.add_all(
        AuditEvent(action="service.updated", subject_type="service", subject_id=1, details={})
        for _ in range(120)
    )
    db.session.commit()
    client = app.test_client()
    auth.login("quantri", client=client)
    first = client.get("/admin/audit").get_data(as_text=True)
    # The demo's own events and the sign-in come on top of the 120 (how many depends on
    # what seeding records): the pages follow the total.
    total = count(AuditEvent)
    pages = -(-total // PER_PAGE)
    assert total > 120 and pages >= 3
    assert f"Trang 1 / {pages}" in first and "page=2" in first
    last = client.get(f"/admin/audit?page={pages}").get_data(as_text=True)
    assert last.count("Nhật ký thao tác") >= 1 and f"Trang {pages} / {pages}" in last
