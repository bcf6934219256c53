"""Who may open the admin screens: admins change things, managers look, others are kept out."""

from admin_support import StaffClient, csrf_token, database_state, text_of

LISTS = ["/admin/", "/admin/services", "/admin/counters", "/admin/users", "/admin/devices"]
FORMS = [
    "/admin/services/new",
    "/admin/services/1/edit",
    "/admin/counters/new",
    "/admin/counters/1/edit",
    "/admin/users/new",
    "/admin/users/1/edit",
    "/admin/users/1/password",
    "/admin/devices/new",
    "/admin/devices/1/edit",
    "/admin/devices/1/revoke",
    "/admin/devices/1/rotate",
    "/admin/devices/1/key",
]
ACTIONS = [url for url in FORMS if not url.endswith("/key")] + [
    "/admin/users/1/deactivate",
    "/admin/users/1/reactivate",
]


def test_anonymous_visitors_are_sent_to_log_in(app, demo):
    visitor = StaffClient(app)
    for url in LISTS + FORMS:
        response = visitor.get(url)
        assert response.status_code == 302, url
        assert response.location.startswith("/auth/login?next="), url
    login_page = visitor.get("/auth/login?next=/admin/")
    assert "Vui lòng đăng nhập để tiếp tục." in text_of(login_page)
    before = database_state()
    token = csrf_token(text_of(login_page))
    for url in ACTIONS:
        assert visitor.post(url, {"csrf_token": token}).status_code == 302, url
    assert database_state() == before


def test_officers_get_403_everywhere(app, demo):
    officer = StaffClient(app, "canbo1")
    token = csrf_token(text_of(officer.get("/desk/")))
    before = database_state()
    for url in LISTS + FORMS:
        response = officer.get(url)
        assert response.status_code == 403, url
        assert "Bạn không có quyền thực hiện thao tác này." in text_of(response)
    for url in ACTIONS:
        assert officer.post(url, {"csrf_token": token}).status_code == 403, url
    assert database_state() == before


def test_managers_see_the_lists_read_only_and_change_nothing(app, demo):
    manager = StaffClient(app, "lanhdao")
    for url in LISTS:
        page = text_of(manager.get(url))
        assert "chế độ chỉ đọc" in page, url
        assert "/edit" not in page and "/new" not in page, url
    token = csrf_token(text_of(manager.get("/admin/users")))
    before = database_state()
    for url in FORMS:
        assert manager.get(url).status_code == 403, url
    for url in ACTIONS:
        assert manager.post(url, {"csrf_token": token}).status_code == 403, url
    assert database_state() == before


def test_admin_home_lists_the_setup_and_latest_changes(app, demo):
    admin = StaffClient(app, "quantri")
    page = text_of(admin.get("/admin/"))
    assert "Tổng quan cấu hình" in page and "Chưa có thay đổi nào." in page
    for link in ("/admin/services", "/admin/counters", "/admin/users", "/admin/devices"):
        assert f'href="{link}"' in page
    admin.submit("/admin/counters/new", {"number": "9", "name": "Quầy tra cứu"})
    page = text_of(admin.get("/admin/"))
    assert "Thêm quầy" in page and "9 · Quầy tra cứu" in page and "Phạm Quốc Bảo" in page


def test_admin_screens_speak_english(app, demo):
    admin = StaffClient(app, "quantri")
    page = text_of(admin.get("/admin/services?lang=en"))
    assert "Add service" in page and "Opening hours" in page
    assert "Dịch vụ" not in page.split("</nav>")[1]


def test_unknown_records_are_404(app, demo):
    admin = StaffClient(app, "quantri")
    for url in [url.replace("/1/", "/99/") for url in FORMS if "/1/" in url]:
        assert admin.get(url).status_code == 404, url


def test_posts_without_a_csrf_token_are_refused(app, demo):
    admin = StaffClient(app, "quantri")
    before = database_state()
    response = admin.post("/admin/counters/new", {"number": "9", "name": "Quầy 9"})
    assert response.status_code == 400
    assert database_state() == before
