"""What each notice says, in Vietnamese: data sent to a citizen, like the printed forms,
not a screen string. SMS and Zalo get the short text (plain ASCII for SMS when `SMS_ASCII`
is set); an e-mail gets a subject, the same text and the centre's name below it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import current_app

from core.clock import to_local
from core.models import NoticeChannel, NoticeKind
from core.vntext import unaccent_keep_case

SUBJECTS = {
    NoticeKind.TURN_NEAR: "Sắp đến lượt số {number}",
    NoticeKind.CALLED: "Mời số {number} đến quầy {counter}",
    NoticeKind.DOSSIER_RECEIVED: "Đã tiếp nhận hồ sơ {code}",
    NoticeKind.SUPPLEMENT: "Hồ sơ {code} cần bổ sung",
    NoticeKind.NEW_DUE: "Hồ sơ {code}: hẹn trả kết quả mới",
    NoticeKind.RESULT_READY: "Hồ sơ {code} đã có kết quả",
    NoticeKind.BOOKING_CONFIRMED: "Đã đặt lịch hẹn {code}",
    NoticeKind.BOOKING_REMINDER: "Nhắc lịch hẹn {code}",
}
TEXTS = {
    NoticeKind.TURN_NEAR: "Sắp đến lượt số {number}: còn {ahead} người trước bạn. "
    "Xin mời có mặt gần quầy.",
    NoticeKind.CALLED: "Mời số {number} đến quầy {counter}.",
    NoticeKind.DOSSIER_RECEIVED: "Đã tiếp nhận hồ sơ {code}, hẹn trả kết quả {due}. "
    "Tra cứu: {link}",
    NoticeKind.SUPPLEMENT: "Hồ sơ {code} cần bổ sung giấy tờ, xin liên hệ bộ phận một cửa. "
    "Tra cứu: {link}",
    NoticeKind.NEW_DUE: "Xin lỗi vì hồ sơ {code} chậm trả; hẹn trả kết quả mới {due}. "
    "Tra cứu: {link}",
    NoticeKind.RESULT_READY: "Hồ sơ {code} đã có kết quả, mời đến nhận. Tra cứu: {link}",
    NoticeKind.BOOKING_CONFIRMED: "Đã đặt lịch {service} lúc {start}, mã {code}. "
    "Xem, đổi hoặc hủy: {link}",
    NoticeKind.BOOKING_REMINDER: "Nhắc lịch hẹn {service} lúc {start}, mã {code}. "
    "Xem, đổi hoặc hủy: {link}",
}
assert set(SUBJECTS) == set(TEXTS) == set(NoticeKind)


@dataclass(frozen=True)
class Wording:
    subject: str
    text: str


def moment_words(moment: datetime) -> str:
    """'08:30 ngày 09/12/2026', in local time."""
    return to_local(moment).strftime("%H:%M ngày %d/%m/%Y")


def wording(kind: NoticeKind, channel: NoticeChannel, **values) -> Wording:
    """The subject and text of a notice of `kind` on `channel`."""
    subject = SUBJECTS[kind].format(**values)
    text = TEXTS[kind].format(**values)
    config = current_app.config
    if channel == NoticeChannel.EMAIL:
        names = (config["CENTRE_NAME"], config["AGENCY_NAME"])
        signature = "\n".join(name for name in names if name)
        return Wording(subject, f"{text}\n\n--\n{signature}\n")
    if channel == NoticeChannel.SMS and config["SMS_ASCII"]:
        text = unaccent_keep_case(text)
    return Wording(subject, text)
