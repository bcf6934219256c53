"""Kiosk printers: their settings, and the state they were last seen in."""

from __future__ import annotations

from dataclasses import dataclass

from escpos.capabilities import CAPABILITIES
from flask_babel import lazy_gettext as _l

from core.accounts.devices import KnownDevice
from core.accounts.printer_addresses import allowed_printer_url
from core.audit import record_event
from core.clock import utcnow
from core.db.upsert import session_upsert
from core.errors import InvalidInput
from core.models import Device, DeviceKind, Printer, PrinterState, PrintVia, User
from extensions import db
from printing.slip import MODES, PAPER_DOTS, Paper

# Profiles offered on the printers page, with what a buyer would recognise.
PROFILES = {
    "NT-80-V-UL": _l("Máy in 80 mm phổ thông (Xprinter XP-80, XP-Q200…): 576 điểm, có dao cắt"),
    "TM-T20II": _l("Epson TM-T20/TM-T82: 576 điểm, có dao cắt, có bảng mã TCVN-3"),
    "TM-T88V": _l("Epson TM-T88: 512 điểm, có dao cắt, có bảng mã TCVN-3"),
    "POS-5890": _l("Máy in 58 mm phổ thông (Xprinter XP-58…): 384 điểm, xé tay"),
    "default": _l("Máy in ESC/POS chung: khổ tùy chọn, có dao cắt"),
}
PAPER_CHOICES = {
    576: _l("80 mm (576 điểm)"),
    512: _l("80 mm (512 điểm)"),
    384: _l("58 mm (384 điểm)"),
}
MODE_CHOICES = {
    "raster": _l("Ảnh (mọi máy in, tiếng Việt luôn đúng)"),
    "text": _l("Chữ TCVN-3 (chỉ máy Epson có bảng mã 30/31; phiếu nhỏ nhất)"),
}
VIA_CHOICES = {
    PrintVia.SERVER: _l("Máy chủ gửi thẳng đến máy in (máy in mạng)"),
    PrintVia.AGENT: _l("Chương trình in trên máy kiosk (máy in cắm vào kiosk)"),
}
STATE_LABELS = {
    PrinterState.UNKNOWN: _l("Chưa rõ"),
    PrinterState.ONLINE: _l("Sẵn sàng"),
    PrinterState.PAPER_LOW: _l("Sắp hết giấy"),
    PrinterState.PAPER_OUT: _l("Hết giấy"),
    PrinterState.OFFLINE: _l("Không hoạt động"),
}
ERROR_LABELS = {
    "unreachable": _l("Không kết nối được máy in (tắt máy, rút cáp hoặc sai địa chỉ)."),
    "silent": _l("Máy in nhận kết nối nhưng không trả lời (treo hoặc bận)."),
    "offline": _l("Máy in báo lỗi (mở nắp, kẹt giấy hoặc quá nhiệt)."),
    "paper_out": _l("Máy in hết giấy."),
    "send_failed": _l("Mất kết nối khi đang gửi phiếu."),
    "no_printer": _l("Địa chỉ máy in không dùng được."),
    "not_allowed": _l(
        "Máy chủ không được phép gửi đến địa chỉ máy in này (ngoài PRINTER_NETWORKS, "
        "hoặc máy in cắm vào kiosk)."
    ),
    "expired": _l("Phiếu chờ in quá lâu nên đã dừng in."),
    "interrupted": _l("Chương trình in dừng giữa chừng: không rõ phiếu đã in hay chưa."),
    "render_failed": _l("Không tạo được nội dung phiếu."),
    "worker_silent": _l(
        "Phiếu chờ in quá lâu: kiểm tra chương trình in trên máy chủ (print-worker)."
    ),
    "agent_silent": _l(
        "Chương trình in trên máy kiosk không liên lạc với máy chủ: phiếu đang chờ in."
    ),
}
DEFAULT_PROFILE = "NT-80-V-UL"
NARROW_PROFILE = "POS-5890"


def has_printer(device: Device | KnownDevice) -> bool:
    """Whether the kiosk has a printer address (not blank, not 'none')."""
    url = (device.printer_url or "").strip().lower()
    return bool(url) and url != "none"


def default_via(url: str | None) -> PrintVia:
    """A network printer is reached by the server; anything plugged in, by the kiosk's agent."""
    return PrintVia.SERVER if (url or "").lower().startswith("tcp://") else PrintVia.AGENT


def profile_dots(profile: str) -> int | None:
    """The profile's paper width in dots, where the printer database knows it."""
    try:
        return int(CAPABILITIES["profiles"][profile]["media"]["width"]["pixels"])
    except (KeyError, ValueError, TypeError):
        return None


def profile_has_tcvn3(profile: str) -> bool:
    pages = CAPABILITIES["profiles"].get(profile, {}).get("codePages", {})
    return pages.get("30") == "TCVN-3-1" and pages.get("31") == "TCVN-3-2"


def find_printer(device_id: int) -> Printer | None:
    return db.session.execute(
        db.select(Printer).filter_by(device_id=device_id)
    ).scalar_one_or_none()


def printer_for(device: Device) -> Printer:
    """The kiosk's printer settings: its row, or the defaults for its address (not saved)."""
    printer = find_printer(device.id)
    if printer is not None:
        return printer
    return Printer(
        device_id=device.id,
        device=device,
        paper_dots=576,
        profile=DEFAULT_PROFILE,
        mode="raster",
        via=default_via(device.printer_url),
        check_status=True,
        state=PrinterState.UNKNOWN,
    )


def ensure_printer(device: Device) -> Printer:
    """The kiosk's printer row, created with defaults if missing (safe when two race)."""
    insert = session_upsert()
    db.session.execute(
        insert(Printer)
        .values(
            device_id=device.id,
            paper_dots=576,
            profile=DEFAULT_PROFILE,
            mode="raster",
            via=default_via(device.printer_url).value,
            check_status=True,
            state=PrinterState.UNKNOWN.value,
        )
        .on_conflict_do_nothing(index_elements=["device_id"])
    )
    return db.session.execute(db.select(Printer).filter_by(device_id=device.id)).scalar_one()


def paper_of(printer: Printer) -> Paper:
    return Paper(dots=printer.paper_dots, profile=printer.profile, mode=printer.mode)


def kiosk_printers(via: PrintVia | None = None) -> list[tuple[Device, Printer]]:
    """Active kiosks that have a printer, with their settings, by name."""
    kiosks = db.session.execute(
        db.select(Device)
        .where(Device.kind == DeviceKind.KIOSK, Device.revoked_at.is_(None))
        .order_by(Device.name, Device.id)
    ).scalars()
    rows = db.session.execute(db.select(Printer)).scalars()
    settings = {printer.device_id: printer for printer in rows}
    result = []
    for device in kiosks:
        if not has_printer(device):
            continue
        printer = settings.get(device.id) or printer_for(device)
        if via is None or printer.via == via:
            result.append((device, printer))
    return result


@dataclass(frozen=True)
class PrinterSettings:
    url: str
    paper_dots: int
    profile: str
    mode: str
    via: str
    check_status: bool


def validate_settings(settings: PrinterSettings) -> str | None:
    """Check the settings; returns the canonical address (None for no printer)."""
    url = allowed_printer_url(settings.url)
    if settings.paper_dots not in PAPER_DOTS:
        raise InvalidInput(_l("Khổ giấy không hợp lệ."))
    if settings.profile not in CAPABILITIES["profiles"]:
        raise InvalidInput(_l("Không có loại máy in “{profile}”."), profile=settings.profile)
    widest = profile_dots(settings.profile)
    if widest is not None and settings.paper_dots > widest:
        raise InvalidInput(
            _l("Loại máy in này chỉ in được {dots} điểm mỗi dòng: chọn khổ giấy nhỏ hơn."),
            dots=widest,
        )
    if settings.mode not in MODES:
        raise InvalidInput(_l("Chế độ in không hợp lệ."))
    if settings.mode == "text" and not profile_has_tcvn3(settings.profile):
        raise InvalidInput(
            _l(
                "Chế độ chữ chỉ dùng được với máy in có bảng mã TCVN-3 (Epson trang 30/31); "
                "hãy chọn chế độ ảnh."
            )
        )
    if settings.via not in {via.value for via in PrintVia}:
        raise InvalidInput(_l("Cách gửi lệnh in không hợp lệ."))
    if settings.via == PrintVia.SERVER.value and url and not url.startswith("tcp://"):
        raise InvalidInput(
            _l(
                "Máy chủ chỉ gửi phiếu đến máy in mạng (tcp://…): máy in cắm vào máy kiosk "
                "phải in qua chương trình in trên máy kiosk."
            ),
            field="via",
        )
    return url


def as_text(value) -> str | None:
    return None if value is None else str(value)


def configure_printer(device: Device, settings: PrinterSettings, user: User) -> Printer:
    """Save a kiosk's printer settings; queued jobs are drawn again for the new paper."""
    from printing.jobs import forget_rendered_payloads

    url = validate_settings(settings)
    printer = ensure_printer(device)
    wanted = {
        "printer_url": url,
        "paper_dots": settings.paper_dots,
        "profile": settings.profile,
        "mode": settings.mode,
        "via": PrintVia(settings.via),
        "check_status": settings.check_status,
    }
    changes = {}
    for name, value in wanted.items():
        target = device if name == "printer_url" else printer
        before = getattr(target, name)
        if before != value:
            changes[name] = [as_text(before), as_text(value)]
            setattr(target, name, value)
    if changes:
        forget_rendered_payloads(device.id)
        record_event("printer.configured", device, user=user, **changes)
    db.session.flush()
    return printer


def record_state(
    device: Device, state: str, code: str = "", detail: str = "", *, printed: bool = False
) -> Printer:
    """Remember how the printer answered; a change of state is an audit event."""
    printer = ensure_printer(device)
    now = utcnow()
    new_state = PrinterState(state)
    if new_state == PrinterState.UNKNOWN and printed:
        new_state = PrinterState.ONLINE  # it took a job: as good as online for a file or queue
    if new_state not in (PrinterState.UNKNOWN, printer.state):
        record_event(
            "printer.state_changed",
            device,
            before=printer.state.value,
            after=new_state.value,
            error=code or None,
        )
        printer.state = new_state
        printer.state_since = now
    printer.checked_at = now
    if code:
        printer.last_error_code = code
        printer.last_error = detail[:500] or None
        printer.last_error_at = now
    if printed:
        printer.last_printed_at = now
    return printer
