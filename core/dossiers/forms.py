"""The one-stop forms as data: each builder returns a FormDocument that the print page
(HTML) and the PDF renderer both lay out. Forms are legal documents: their wording is
Vietnamese whatever the screen language; names and numbering come from the settings."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import force_locale

from core.clock import local_text, local_today, to_local
from core.dossiers.links import printed_check_part
from core.dossiers.settings import BASIS_2018, issued_by
from core.dossiers.states import STATUS_LABELS, Action
from core.i18n import format_figure
from core.models import (
    ApplicantKind,
    Channel,
    Collector,
    DocumentKind,
    Dossier,
    DossierSupplementRequest,
    IdKind,
    ReceptionSlip,
    SlipKind,
)

KIND_WORDS = {
    DocumentKind.ORIGINAL: "Bản chính",
    DocumentKind.COPY: "Bản sao",
    DocumentKind.CERTIFIED_COPY: "Bản sao có chứng thực",
    DocumentKind.ANY: "Bản chính hoặc bản sao",
}
CHANNEL_WORDS = {
    Channel.DIRECT: "Trực tiếp",
    Channel.POST: "Qua dịch vụ bưu chính",
    Channel.ONLINE: "Trực tuyến",
}
ID_KIND_WORDS = {
    IdKind.CITIZEN_ID: "Số định danh cá nhân (CCCD)",
    IdKind.PASSPORT: "Số hộ chiếu",
    IdKind.TAX_CODE: "Mã số doanh nghiệp/Mã số thuế",
    IdKind.OTHER: "Giấy tờ",
}
COLLECTED_VIA_WORDS = {
    Channel.DIRECT: "Trực tiếp",
    Channel.POST: "Qua bưu chính",
    Channel.ONLINE: "Trực tuyến",
}
COLLECTOR_WORDS = {
    Collector.OWNER: "chủ hồ sơ",
    Collector.AUTHORISED: "người được ủy quyền",
    Collector.POST: "bưu chính",
}
VERDICT_WORDS = {"early": "Trước hạn", "on_time": "Đúng hạn", "late": "Quá hạn"}


def status_words(dossier: Dossier) -> str:
    """The status in Vietnamese, whatever the screen language."""
    with force_locale("vi"):
        return str(STATUS_LABELS[dossier.status])


def vn_date_phrase(day: date) -> str:
    """'ngày 03 tháng 02 năm 2027'."""
    return f"ngày {day:%d} tháng {day:%m} năm {day:%Y}"


def vn_datetime_phrase(moment: datetime | None) -> str:
    """'15 giờ 30 phút, ngày 03 tháng 02 năm 2027', in the centre's local time."""
    if moment is None:
        return ""
    local = to_local(moment)
    return f"{local:%H} giờ {local:%M} phút, {vn_date_phrase(local.date())}"


def money(amount: int) -> str:
    return f"{format_figure(amount, 0, 'vi')} đồng" if amount else "Không thu"


def period_words(dossier: Dossier) -> str:
    if dossier.processing_hours is not None:
        return f"{dossier.processing_hours} giờ làm việc"
    return f"{dossier.processing_days} ngày làm việc"


@dataclass
class Block:
    kind: str  # "para", "fields", "table", "list"
    text: str = ""
    fields: list[tuple[str, str]] = field(default_factory=list)
    headers: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    widths: list[int] = field(default_factory=list)  # relative column widths
    items: list[str] = field(default_factory=list)


@dataclass
class FormDocument:
    slug: str
    form_number: str
    basis: str
    parent_agency: str
    agency: str
    title: str
    place_date: str
    subtitle: str = ""
    number_line: str = ""
    blocks: list[Block] = field(default_factory=list)
    signatures: list[tuple[str, str, str]] = field(default_factory=list)  # title, hint, name
    code: str = ""
    qr_url: str | None = None
    qr_caption: str = ""
    page: str = "A5"
    landscape: bool = False

    @property
    def number_and_basis(self) -> str:
        """'Mẫu số 05 — Thông tư số 03/2025/TT-VPCP', or the basis alone for a form it
        does not number."""
        return " — ".join(part for part in (self.form_number, self.basis) if part)


def _base(settings: dict, slug: str, title_suffix: str = "", **extra) -> FormDocument:
    """A form's heading; its number and title are the settings of the legal basis chosen
    (core.dossiers.settings.FORM_SETS)."""
    return FormDocument(
        slug=slug,
        form_number=settings[f"form_{slug}"],
        basis=settings["form_basis"],
        parent_agency=settings["parent_agency"],
        agency=settings["agency_name"],
        title=settings[f"form_{slug}_title"] + title_suffix,
        place_date=f"{settings['place_name']}, {vn_date_phrase(extra.pop('day', local_today()))}",
        **extra,
    )


def _applicant_fields(
    name: str,
    address: str,
    phone: str,
    email: str = "",
    *,
    organisation: bool = False,
    by_proxy: bool = False,
) -> Block:
    """The owner of the request; `by_proxy` when someone else handed it in for them."""
    person = "Họ và tên chủ hồ sơ" if by_proxy else "Họ và tên người nộp"
    rows = [
        ("Tên tổ chức" if organisation else person, name),
        ("Địa chỉ", address or "…"),
        ("Số điện thoại", phone or "…"),
    ]
    if email:
        rows.append(("Thư điện tử", email))
    return Block("fields", fields=rows)


def identity_words(kind: IdKind | None, number: str, note: str = "") -> tuple[str, str]:
    """An identity document as a printed label and value: ('Số hộ chiếu', 'C1234567')."""
    if kind == IdKind.OTHER:
        return "Giấy tờ", f"{note} số {number}" if number else note
    return ID_KIND_WORDS.get(kind, "Giấy tờ"), number or "…"


def _owner_and_submitter(dossier: Dossier) -> list[Block]:
    """The owner of the request with their identity, then whoever filed it for them."""
    organisation = dossier.applicant_kind == ApplicantKind.ORGANISATION
    owner = _applicant_fields(
        dossier.applicant_name,
        dossier.applicant_address,
        dossier.applicant_phone,
        dossier.applicant_email,
        organisation=organisation,
        by_proxy=dossier.submitted_by_proxy,
    )
    owner.fields.insert(
        1,
        identity_words(
            dossier.applicant_id_kind, dossier.applicant_id_number, dossier.applicant_id_note
        ),
    )
    if not dossier.submitted_by_proxy:
        return [owner]
    submitter = Block(
        "fields",
        fields=[
            ("Họ và tên", dossier.submitter_name),
            identity_words(
                dossier.submitter_id_kind, dossier.submitter_id_number, dossier.submitter_id_note
            ),
            ("Số điện thoại", dossier.submitter_phone or "…"),
            ("Theo văn bản ủy quyền", dossier.submitter_authorisation),
        ],
    )
    return [owner, Block("para", text="Người nộp thay:"), submitter]


def submitter_words(dossier: Dossier | ReceptionSlip) -> str:
    """'Trần Văn Bình (nộp thay)': the register's note of who filed for the owner."""
    return f"{dossier.submitter_name} (nộp thay)" if dossier.submitter_name else ""


def collection_words(dossier: Dossier) -> tuple[str, str]:
    """How the result was collected and by whom, as the register prints them."""
    if dossier.collected_via is None:
        return "", ""
    who = dossier.collector_name
    if dossier.collected_by is not None:
        who = f"{who} ({COLLECTOR_WORDS[dossier.collected_by]})"
    return COLLECTED_VIA_WORDS[dossier.collected_via], who


def due_at_reception(dossier: Dossier) -> datetime:
    """The due time the first receipt promised, whatever moved `due_at` since: a supplement
    restart (the first request kept the due time it was judged against, still the
    reception's) or an apology's new date (which kept the one it replaced)."""
    if dossier.supplement_requests:
        return dossier.supplement_requests[0].due_before
    return dossier.original_due_at or dossier.due_at


def receipt(
    dossier: Dossier,
    settings: dict,
    lookup_url: str,
    after_supplement: DossierSupplementRequest | None = None,
) -> FormDocument:
    """Mẫu 01: Giấy tiếp nhận hồ sơ và hẹn trả kết quả; `after_supplement`: the new
    receipt given when the complete dossier came back (same code, the time restarted)."""
    received_at, due_at = dossier.received_at, due_at_reception(dossier)
    subtitle = f"Mã hồ sơ: {dossier.code} — Mã kiểm tra: {printed_check_part(dossier.code)}"
    if after_supplement is not None:
        received_at, due_at = after_supplement.returned_at, after_supplement.restarted_due_at
        subtitle += " — GIẤY TIẾP NHẬN MỚI SAU KHI BỔ SUNG HỒ SƠ"
    form = _base(
        settings,
        "receipt",
        number_line=f"Số: {dossier.register_number:02d}/{dossier.register_year}",
        subtitle=subtitle,
        day=to_local(received_at).date(),
        code=dossier.code,
        qr_url=lookup_url,
        qr_caption="Quét mã, hoặc nhập mã hồ sơ và mã kiểm tra, để tra cứu tình trạng hồ sơ",
    )
    form.blocks = [
        Block("para", text=f"{settings['desk_name']} — {settings['agency_name']}"),
        Block("para", text="Tiếp nhận hồ sơ của:"),
        *_owner_and_submitter(dossier),
        Block("fields", fields=[("Nội dung yêu cầu giải quyết", dossier.procedure_name)]),
        *(_supplemented_blocks(dossier, after_supplement) if after_supplement else []),
        Block("para", text="Thành phần hồ sơ nộp gồm:"),
        Block(
            "table",
            headers=["TT", "Tên giấy tờ", "Hình thức", "Số lượng"],
            widths=[8, 60, 22, 12],
            rows=[
                [str(index), doc.name, KIND_WORDS[doc.kind], str(doc.quantity)]
                for index, doc in enumerate(dossier.documents, start=1)
            ],
        ),
        Block(
            "fields",
            fields=[
                ("Số lượng hồ sơ", f"{dossier.sets:02d} bộ"),
                ("Hình thức nộp", CHANNEL_WORDS[dossier.channel]),
                ("Thời gian giải quyết theo quy định", period_words(dossier)),
                ("Thời gian nhận hồ sơ", vn_datetime_phrase(received_at)),
                ("Thời gian trả kết quả", vn_datetime_phrase(due_at)),
                ("Nơi nhận kết quả", settings["return_place"]),
                ("Phí, lệ phí", money(dossier.fee_vnd)),
                (
                    "Vào Sổ theo dõi hồ sơ",
                    f"Quyển số {dossier.register_year}, số thứ tự {dossier.register_number:02d}",
                ),
            ],
        ),
    ]
    officer = dossier.received_by.full_name if dossier.received_by else ""
    form.signatures = [
        (
            "NGƯỜI NỘP HỒ SƠ",
            "(Ký và ghi rõ họ tên)",
            dossier.submitter_name or dossier.applicant_name,
        ),
        ("NGƯỜI TIẾP NHẬN HỒ SƠ", "(Ký và ghi rõ họ tên)", officer),
    ]
    return form


def _supplemented_blocks(dossier: Dossier, request: DossierSupplementRequest) -> list[Block]:
    """What a receipt after a supplement adds: which request, what came back, the restart."""
    return [
        Block(
            "para",
            text=f"Giấy tiếp nhận mới: hồ sơ mã {dossier.code} (tiếp nhận lần đầu "
            f"{vn_datetime_phrase(dossier.received_at)}) đã được bổ sung, hoàn thiện theo "
            f"Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ số {supplement_number(request)}; thời "
            "gian giải quyết được tính lại từ đầu kể từ khi nhận đủ hồ sơ.",
        ),
        Block("para", text="Giấy tờ đã bổ sung, hoàn thiện:"),
        Block(
            "table",
            headers=["TT", "Tên giấy tờ"],
            widths=[8, 92],
            rows=[[str(index), item] for index, item in enumerate(request.items, start=1)],
        ),
    ]


def supplement_number(request: DossierSupplementRequest) -> str:
    """'03/2026/PBS': the request's number in its year."""
    return f"{request.number:02d}/{request.year}/PBS"


def supplement_request(request: DossierSupplementRequest, settings: dict) -> FormDocument:
    """Mẫu 02 for a request during processing: Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ."""
    dossier = request.dossier
    form = _base(
        settings,
        "supplement",
        number_line=f"Số: {supplement_number(request)}",
        subtitle=f"Mã hồ sơ: {dossier.code}",
        day=to_local(request.requested_at).date(),
    )
    form.blocks = [
        Block(
            "para",
            text=f"Ngày {to_local(dossier.received_at):%d/%m/%Y}, {settings['desk_name']} "
            "tiếp nhận hồ sơ của:",
        ),
        *_owner_and_submitter(dossier),
        Block("fields", fields=[("Nội dung yêu cầu giải quyết", dossier.procedure_name)]),
        Block("para", text="Yêu cầu bổ sung, hoàn thiện hồ sơ gồm những nội dung sau:"),
        Block(
            "table",
            headers=["TT", "Giấy tờ cần bổ sung, hoàn thiện"],
            widths=[8, 92],
            rows=[[str(index), item] for index, item in enumerate(request.items, start=1)],
        ),
        Block("fields", fields=[("Lý do", request.reason)]),
        Block(
            "para",
            text="Trong quá trình bổ sung, hoàn thiện hồ sơ nếu có vướng mắc, ông/bà liên hệ "
            f"{request.contact} để được hướng dẫn.",
        ),
        Block(
            "para",
            text="Khi nhận đủ hồ sơ đã bổ sung, hoàn thiện, thời gian giải quyết được tính "
            "lại từ đầu và ông/bà được cấp giấy tiếp nhận hồ sơ và hẹn trả kết quả mới.",
        ),
    ]
    officer = request.requested_by.full_name if request.requested_by else ""
    form.signatures = [("NGƯỜI YÊU CẦU BỔ SUNG", "(Ký và ghi rõ họ tên)", officer)]
    return form


def reception_slip(slip: ReceptionSlip, settings: dict) -> FormDocument:
    """Mẫu 02 (yêu cầu bổ sung, hoàn thiện hồ sơ) or Mẫu 03 (từ chối tiếp nhận)."""
    supplement = slip.kind == SlipKind.SUPPLEMENT
    form = _base(
        settings,
        slip.kind.value,
        number_line=f"Số: {slip.id:02d}/{'PBS' if supplement else 'PTC'}",
        day=to_local(slip.created_at).date(),
    )
    form.blocks = [
        Block("para", text=f"{settings['desk_name']} tiếp nhận hồ sơ của:"),
        _applicant_fields(
            slip.applicant_name,
            slip.applicant_address,
            slip.applicant_phone,
            organisation=slip.applicant_kind == ApplicantKind.ORGANISATION,
            by_proxy=bool(slip.submitter_name),
        ),
    ]
    if slip.submitter_name:
        form.blocks.append(
            Block(
                "fields",
                fields=[
                    (
                        "Người nộp thay",
                        ", ".join(filter(None, (slip.submitter_name, slip.submitter_phone))),
                    )
                ],
            )
        )
    form.blocks.append(
        Block("fields", fields=[("Nội dung yêu cầu giải quyết", slip.procedure_name)])
    )
    if supplement:
        form.blocks += [
            Block("para", text="Yêu cầu bổ sung, hoàn thiện hồ sơ gồm những nội dung sau:"),
            Block(
                "table",
                headers=["TT", "Giấy tờ cần bổ sung, hoàn thiện"],
                widths=[8, 92],
                rows=[[str(index), item] for index, item in enumerate(slip.items, start=1)],
            ),
        ]
        if slip.reason:
            form.blocks.append(Block("fields", fields=[("Lý do", slip.reason)]))
        form.blocks.append(
            Block(
                "para",
                text="Trong quá trình hoàn thiện hồ sơ nếu có vướng mắc, ông/bà liên hệ "
                f"{settings['desk_name']} để được hướng dẫn.",
            )
        )
    else:
        form.blocks += _refusal_reasons(slip.reason)
    officer = slip.officer.full_name if slip.officer else ""
    form.signatures = [("NGƯỜI TIẾP NHẬN HỒ SƠ", "(Ký và ghi rõ họ tên)", officer)]
    return form


def _refusal_reasons(reason: str) -> list[Block]:
    return [
        Block(
            "para",
            text="Qua xem xét, cơ quan tiếp nhận thông báo không tiếp nhận, giải quyết "
            "hồ sơ này với lý do cụ thể như sau:",
        ),
        Block("para", text=reason),
        Block("para", text="Xin thông báo để ông/bà được biết và thực hiện."),
    ]


def refusal(dossier: Dossier, settings: dict) -> FormDocument:
    """Mẫu 03 for a dossier refused after review: the refusal is its result."""
    form = _base(
        settings,
        "refusal",
        subtitle=f"Mã hồ sơ: {dossier.code}",
        day=to_local(dossier.resolved_at or dossier.received_at).date(),
    )
    form.blocks = [
        Block("para", text=f"{settings['desk_name']} tiếp nhận hồ sơ của:"),
        *_owner_and_submitter(dossier),
        Block(
            "fields",
            fields=[
                ("Nội dung yêu cầu giải quyết", dossier.procedure_name),
                ("Thời gian nhận hồ sơ", vn_datetime_phrase(dossier.received_at)),
            ],
        ),
        *_refusal_reasons(dossier.result_note),
    ]
    refusal_step = last_event(dossier, Action.REFUSE)
    officer = refusal_step.user.full_name if refusal_step and refusal_step.user else ""
    form.signatures = [
        (
            "NGƯỜI NỘP HỒ SƠ",
            "(Ký và ghi rõ họ tên)",
            dossier.submitter_name or dossier.applicant_name,
        ),
        ("NGƯỜI TIẾP NHẬN HỒ SƠ", "(Ký và ghi rõ họ tên)", officer),
    ]
    return form


def apology(dossier: Dossier, settings: dict) -> FormDocument:
    """Mẫu 04: under the 2025 basis, Văn bản xin lỗi và đề nghị gia hạn thời gian giải
    quyết; under the 2018 one, Phiếu xin lỗi và hẹn lại ngày trả kết quả. Numbered in its
    own yearly series (`Dossier.apology_number`). Issued by the competent agency, whose
    head signs it."""
    settings = issued_by(settings, dossier.agency)
    of_2018 = settings["legal_basis"] == BASIS_2018
    number = dossier.apology_number
    form = _base(
        settings,
        "apology",
        number_line=f"Số: {number:02d}/{'PXL' if of_2018 else 'VBXL'}" if number else "Số: …",
        subtitle=f"Mã hồ sơ: {dossier.code}",
        day=to_local(dossier.apologised_at or dossier.received_at).date(),
    )
    received = (
        f"Ngày {to_local(dossier.received_at):%d/%m/%Y}, {settings['agency_name']} "
        f"tiếp nhận hồ sơ đề nghị giải quyết thủ tục “{dossier.procedure_name}” của ông/bà, "
        f"mã hồ sơ {dossier.code}."
    )
    facts = Block(
        "fields",
        fields=[
            (
                "Thời gian hẹn trả kết quả giải quyết hồ sơ",
                vn_datetime_phrase(dossier.original_due_at),
            ),
            ("Lý do chậm trả kết quả", dossier.apology_reason),
        ],
    )
    if of_2018:
        closing = [
            Block(
                "para",
                text=f"Sự chậm trễ này đã gây phiền hà cho ông/bà. {settings['agency_name']} "
                "xin lỗi ông/bà và sẽ trả kết quả giải quyết hồ sơ cho ông/bà vào "
                f"{vn_datetime_phrase(dossier.due_at)}.",
            ),
            Block("para", text="Xin trân trọng cảm ơn."),
        ]
    else:
        closing = [
            Block(
                "para",
                text=f"{settings['agency_name']} chưa giải quyết xong hồ sơ trong thời hạn đã "
                "hẹn. Sự chậm trễ này đã gây phiền hà cho ông/bà; "
                f"{settings['agency_name']} trân trọng xin lỗi ông/bà.",
            ),
            Block(
                "para",
                text="Đề nghị ông/bà đồng ý gia hạn thời gian giải quyết hồ sơ; "
                f"{settings['agency_name']} sẽ trả kết quả giải quyết hồ sơ cho ông/bà vào "
                f"{vn_datetime_phrase(dossier.due_at)}.",
            ),
            Block("para", text="Xin trân trọng cảm ơn sự hợp tác của ông/bà."),
        ]
    form.blocks = [
        Block("fields", fields=[("Kính gửi", dossier.applicant_name)]),
        Block("para", text=received),
        facts,
        *closing,
    ]
    form.signatures = [("THỦ TRƯỞNG CƠ QUAN", "(Ký, ghi rõ họ tên và đóng dấu)", "")]
    return form


def stop_notice(dossier: Dossier, settings: dict) -> FormDocument:
    """Mẫu 05 (2025): Thông báo dừng giải quyết hồ sơ, with the reason recorded at the stop;
    the 2018 basis has no such form, so it prints without a form number. Issued by the
    competent agency, whose head signs it."""
    settings = issued_by(settings, dossier.agency)
    stop = last_event(dossier, Action.STOP)
    form = _base(
        settings,
        "stop",
        subtitle=f"Mã hồ sơ: {dossier.code}",
        day=to_local(dossier.stopped_at or dossier.received_at).date(),
    )
    form.blocks = [
        Block("fields", fields=[("Kính gửi", dossier.applicant_name)]),
        Block(
            "para",
            text=f"Ngày {to_local(dossier.received_at):%d/%m/%Y}, {settings['agency_name']} "
            f"tiếp nhận hồ sơ đề nghị giải quyết thủ tục “{dossier.procedure_name}” của ông/bà.",
        ),
        Block(
            "fields",
            fields=[
                ("Mã hồ sơ", dossier.code),
                ("Thủ tục", dossier.procedure_name),
                ("Thời gian nhận hồ sơ", vn_datetime_phrase(dossier.received_at)),
                ("Thời gian dừng giải quyết", vn_datetime_phrase(dossier.stopped_at)),
            ],
        ),
        Block(
            "para",
            text=f"{settings['agency_name']} thông báo dừng giải quyết hồ sơ nêu trên với lý do "
            "như sau:",
        ),
        Block("para", text=stop.note if stop else ""),
        Block("para", text="Xin thông báo để ông/bà được biết."),
    ]
    form.signatures = [("THỦ TRƯỞNG CƠ QUAN", "(Ký, ghi rõ họ tên và đóng dấu)", "")]
    return form


def last_event(dossier: Dossier, action: Action):
    """The dossier's last history row of `action`, if any."""
    for event in reversed(dossier.events):
        if event.action == action.value:
            return event
    return None


def control_slip(dossier: Dossier, settings: dict) -> FormDocument:
    """Mẫu 06: Phiếu kiểm soát quá trình giải quyết hồ sơ."""
    form = _base(
        settings,
        "control",
        subtitle=f"Mã hồ sơ: {dossier.code}",
        day=to_local(dossier.received_at).date(),
    )
    handovers = [event for event in dossier.events if event.to_unit]
    rows = []
    for index, event in enumerate(handovers, start=1):
        giver = event.user.full_name if event.user else ""
        rows.append(
            [
                f"{index}. Giao: {event.from_unit}\nNhận: {event.to_unit}",
                f"{vn_datetime_phrase(event.occurred_at)}\nNgười giao: {giver}\n"
                f"Người nhận: {event.receiver_name or '…'}",
                VERDICT_WORDS.get(event.verdict or "", ""),
                event.note,
            ]
        )
    returned = [event for event in dossier.events if event.action == Action.RETURN.value]
    via, collector = collection_words(dossier)
    for event in returned:
        rows.append(
            [
                f"{len(rows) + 1}. Trả kết quả cho tổ chức, cá nhân",
                "\n".join(filter(None, (vn_datetime_phrase(event.occurred_at), via, collector))),
                VERDICT_WORDS.get(event.verdict or "", ""),
                event.note,
            ]
        )
    form.blocks = [
        Block(
            "fields",
            fields=[
                ("Tên tổ chức, cá nhân", dossier.applicant_name),
                *(
                    [
                        (
                            "Người nộp thay",
                            f"{dossier.submitter_name}, theo {dossier.submitter_authorisation}",
                        )
                    ]
                    if dossier.submitted_by_proxy
                    else []
                ),
                (
                    "Địa chỉ / Điện thoại",
                    " / ".join(filter(None, (dossier.applicant_address, dossier.applicant_phone))),
                ),
                ("Thủ tục", dossier.procedure_name),
                ("Thời gian nhận hồ sơ", vn_datetime_phrase(dossier.received_at)),
                ("Thời gian trả kết quả", vn_datetime_phrase(dossier.judged_due_at)),
                *_promised_later(dossier),
                ("Cơ quan (bộ phận) giải quyết", dossier.processing_unit),
                ("Tình trạng hiện nay", status_words(dossier)),
            ],
        ),
        Block(
            "table",
            headers=["Tên cơ quan (bộ phận)", "Thời gian giao, nhận hồ sơ", "Kết quả", "Ghi chú"],
            widths=[30, 40, 14, 16],
            rows=rows or [["—", "Chưa có bước giao nhận", "", ""]],
        ),
    ]
    return form


def _promised_later(dossier: Dossier) -> list[tuple[str, str]]:
    """The later date promised to the applicant (an apology, a late supplement request),
    which the verdicts do not use."""
    if dossier.due_at == dossier.judged_due_at:
        return []
    return [("Hẹn trả cho người nộp (không dùng để đánh giá)", vn_datetime_phrase(dossier.due_at))]


def register(dossiers: list[Dossier], year: int, settings: dict) -> FormDocument:
    """Mẫu 07: Sổ theo dõi hồ sơ (A4, landscape)."""
    form = _base(
        settings,
        "register",
        f" NĂM {year}",
        subtitle=settings["desk_name"],
        page="A4",
        landscape=True,
    )
    form.blocks = [
        Block(
            "table",
            headers=REGISTER_HEADERS,
            widths=[4, 12, 12, 11, 10, 9, 4, 6, 6, 6, 6, 8, 6, 6],
            rows=[register_row(dossier) for dossier in dossiers]
            or [["", "", "Chưa có hồ sơ", *[""] * (len(REGISTER_HEADERS) - 3)]],
        )
    ]
    return form


REGISTER_HEADERS = [
    "STT",
    "Mã hồ sơ",
    "Tên thủ tục",
    "Tên tổ chức, cá nhân",
    "Địa chỉ, số điện thoại",
    "Cơ quan chủ trì giải quyết",
    "Số bộ hồ sơ",
    "Nhận hồ sơ",
    "Hẹn trả kết quả",
    "Trả kết quả",
    "Cách nhận kết quả",
    "Người nhận kết quả",
    "Ký nhận",
    "Tình trạng",
]


def register_row(dossier: Dossier) -> list[str]:
    via, collector = collection_words(dossier)
    return [
        f"{dossier.register_number:02d}",
        dossier.code,
        dossier.procedure_name,
        "\n".join(filter(None, (dossier.applicant_name, submitter_words(dossier)))),
        ", ".join(part for part in (dossier.applicant_address, dossier.applicant_phone) if part),
        dossier.processing_unit,
        f"{dossier.sets:02d}",
        local_text(dossier.received_at),
        local_text(dossier.due_at),
        local_text(dossier.returned_at),
        via,
        collector,
        "",  # the collector signs the printed register
        status_words(dossier),
    ]
