"""Demo data: a Department of Transport desk that works whenever someone tries it.

No password is known in advance: each demo account gets a random one when it is created,
kept for `demo-info` in the instance folder of that machine, readable by its owner only.
"""

import json
import secrets
from collections.abc import Callable
from pathlib import Path

from core.accounts.devices import create_device
from core.accounts.users import add_user, assign_post, new_username
from core.agencies.registry import home_agency
from core.dossiers.procedures import seed_demo_catalogue
from core.dossiers.settings import dossier_settings, save_settings, stored_setting
from core.models import (
    BookingSettings,
    Counter,
    Device,
    DeviceKind,
    Role,
    Service,
    ServiceHours,
    User,
)
from core.private_files import write_private_file
from demo.agencies import seed_home_agency
from extensions import db

DEMO_SERVICES = [
    # code, prefix, Vietnamese name, English name
    ("GPLX", "A", "Cấp, đổi giấy phép lái xe", "Driving licences"),
    ("PTIEN", "B", "Đăng ký, kiểm định phương tiện", "Vehicle registration and inspection"),
    ("VTAI", "C", "Giấy phép, phù hiệu vận tải", "Transport permits and badges"),
    ("KCHT", "D", "Cấp phép thi công công trình đường bộ", "Road works permits"),
    ("TRAKQ", "E", "Trả kết quả hồ sơ", "Collect results"),
]
DEMO_COUNTERS = [
    (1, "Quầy số 1", ["GPLX"]),
    (2, "Quầy số 2", ["GPLX", "PTIEN"]),
    (3, "Quầy số 3", ["PTIEN", "VTAI"]),
    (4, "Quầy số 4", ["VTAI", "KCHT"]),
    (5, "Quầy số 5", ["TRAKQ", "GPLX", "PTIEN", "VTAI", "KCHT"]),
]
DEMO_USERS = [
    # username, role, full name
    ("canbo1", Role.OFFICER, "Nguyễn Thị Lan"),
    ("canbo2", Role.OFFICER, "Trần Văn Minh"),
    ("lanhdao", Role.MANAGER, "Lê Hoàng Nam"),
    ("quantri", Role.ADMIN, "Phạm Quốc Bảo"),
    # The processing officers of the desk's own agency (their posts: DEMO_POSTS).
    ("chuyenvien", Role.SPECIALIST, "Đỗ Thu Hà"),
    ("truongphong", Role.UNIT_HEAD, "Vũ Đức Thắng"),
    ("giamdoc", Role.AGENCY_LEADER, "Hoàng Minh Tuấn"),
]
# username: the unit of the desk's agency (None: the agency's leader).
DEMO_POSTS = {"chuyenvien": "QLPT", "truongphong": "QLPT", "giamdoc": None}
DEMO_KIOSK_NAME = "Kiosk sảnh chính (demo)"
WHOLE_DAY = (0, 24 * 60)
PASSWORD_LETTERS = "abcdefghjkmnpqrstuvwxyz23456789"  # none that look alike


def random_password(username: str) -> str:
    """Three groups of four random letters and digits, e.g. `k7pw-2mxe-9tqa`."""
    return "-".join("".join(secrets.choice(PASSWORD_LETTERS) for _ in range(4)) for _ in range(3))


def demo_passwords_file(instance: Path) -> Path:
    return instance / "demo-passwords.json"


def demo_passwords(instance: Path) -> dict[str, str]:
    """The demo accounts' passwords this machine created, by username."""
    path = demo_passwords_file(instance)
    return json.loads(path.read_text()) if path.exists() else {}


def keep_demo_passwords(instance: Path, passwords: dict[str, str]) -> None:
    """Add `passwords` to the instance folder's file, readable by its owner only."""
    path = demo_passwords_file(instance)
    kept = {**demo_passwords(instance), **passwords}
    path.parent.mkdir(parents=True, exist_ok=True)
    write_private_file(path, (json.dumps(kept, indent=1) + "\n").encode())


def seed_demo(
    kiosk_key_file: Path, password_for: Callable[[str], str] = random_password
) -> list[str]:
    """Add whatever demo data is missing and say what was added; the caller commits.

    New demo accounts get `password_for(username)` (random unless a test says otherwise),
    kept beside the kiosk's key for `demo-info`."""
    added = seed_home_agency()
    home = home_agency(dossier_settings()["agency_code"])
    services = {
        service.code: service for service in db.session.execute(db.select(Service)).scalars()
    }
    for order, (code, prefix, name, name_en) in enumerate(DEMO_SERVICES):
        if code in services:
            continue
        service = Service(
            code=code,
            prefix=prefix,
            name=name,
            name_en=name_en,
            digits=3,
            sort_order=order,
            agency=home,
        )
        service.hours = [
            ServiceHours(weekday=weekday, opens_minute=WHOLE_DAY[0], closes_minute=WHOLE_DAY[1])
            for weekday in range(7)
        ]
        db.session.add(service)
        services[code] = service
        added.append(f"service {code}")
    counters = {counter.number for counter in db.session.execute(db.select(Counter)).scalars()}
    for number, name, codes in DEMO_COUNTERS:
        if number in counters:
            continue
        db.session.add(
            Counter(
                number=number,
                name=name,
                services=[services[code] for code in codes],
                agency=home,
            )
        )
        added.append(f"counter {number}")
    usernames = set(db.session.execute(db.select(User.username)).scalars())
    passwords = {}
    for username, role, full_name in DEMO_USERS:
        if username not in usernames:
            passwords[username] = password_for(username)
            add_user(new_username(username), role.value, passwords[username], full_name, None)
            added.append(f"user {username}")
    if passwords:
        keep_demo_passwords(kiosk_key_file.parent, passwords)
    db.session.flush()
    kiosk = db.session.execute(
        db.select(Device).filter_by(kind=DeviceKind.KIOSK, name=DEMO_KIOSK_NAME, revoked_at=None)
    ).scalar_one_or_none()
    if kiosk is None or not kiosk_key_file.exists():
        if kiosk is not None:
            from core.accounts.devices import revoke_device

            revoke_device(kiosk)
        _, key = create_device(DeviceKind.KIOSK.value, DEMO_KIOSK_NAME)
        kiosk_key_file.parent.mkdir(parents=True, exist_ok=True)
        write_private_file(kiosk_key_file, (key + "\n").encode())
        added.append("demo kiosk")
    added += seed_demo_bookings(services.values())
    place_demo_officers()
    added += seed_demo_catalogue()
    added += seed_demo_settings()
    return added


def seed_demo_bookings(services) -> list[str]:
    """The demo services take bookings at every hour of every day, today and 14 days on,
    in 15-minute slots of 2 places, until a slot starts."""
    db.session.flush()
    added = []
    for service in services:
        if db.session.get(BookingSettings, service.id) is None:
            db.session.add(
                BookingSettings(
                    service_id=service.id,
                    enabled=True,
                    slot_minutes=15,
                    places=2,
                    days_ahead=14,
                    opens_minute=WHOLE_DAY[0],
                    closes_minute=WHOLE_DAY[1],
                    cutoff_minutes=0,
                    working_days_only=False,
                )
            )
            added.append(f"booking settings {service.code}")
    return added


def place_demo_officers() -> None:
    """The demo's processing officers in the desk's own agency and its units."""
    agency = home_agency(dossier_settings()["agency_code"])
    for username, unit_code in DEMO_POSTS.items():
        officer = db.session.execute(db.select(User).filter_by(username=username)).scalar_one()
        if officer.agency_id is None:
            unit = next((unit for unit in agency.units if unit.code == unit_code), None)
            assign_post(officer, agency, unit)


# The demo centre's place on its documents (a real centre gives its own at `init-db`).
DEMO_SETTINGS = {
    "province": "Thành phố Hà Nội",
    "agency_name": "Sở Giao thông vận tải",
    "report_symbol": "BC-SGTVT",
    "signer_name": "Nguyễn Văn Bình",
}


def seed_demo_settings() -> list[str]:
    """The demo's province, agency and signer, where nothing is set yet."""
    current = dossier_settings()
    missing = {
        key: value
        for key, value in DEMO_SETTINGS.items()
        if stored_setting(key) is None and current[key] != value
    }
    if not missing:
        return []
    save_settings(missing)
    return ["demo settings"]
