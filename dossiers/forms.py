"""Forms of the dossier desk (Flask-WTF, CSRF on)."""

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    DateField,
    DateTimeLocalField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
    widgets,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from core.dossiers.applicants import Applicant, Submitter, party_problems
from core.dossiers.states import Action
from core.errors import InvalidInput
from core.models import ApplicantKind, IdKind, NoticeChannel
from core.notices.channels import channels_on
from core.notices.consent import Contact, checked_contact
from core.notices.outbox import CHANNEL_LABELS
from web.forms import Form

CHANNEL_CHOICES = [
    SelectChoice("direct", _l("Trực tiếp tại quầy")),
    SelectChoice("post", _l("Qua bưu chính")),
    SelectChoice("online", _l("Trực tuyến")),
]


class CheckboxesField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


ID_KIND_CHOICES = [
    SelectChoice("citizen_id", _l("Căn cước / CCCD (12 chữ số)")),
    SelectChoice("passport", _l("Hộ chiếu (Việt Nam hoặc nước ngoài)")),
    SelectChoice("tax_code", _l("Mã số doanh nghiệp / mã số thuế")),
    SelectChoice("other", _l("Giấy tờ khác (ghi rõ loại giấy tờ)")),
]
PERSON_ID_KIND_CHOICES = [choice for choice in ID_KIND_CHOICES if choice.value != "tax_code"]
PHONE_REASON = _l("Để báo khi có kết quả hoặc khi hồ sơ cần bổ sung. Không bắt buộc.")


class ReceptionForm(Form):
    procedure = HiddenField(validators=[DataRequired()])
    ticket = HiddenField()
    documents = CheckboxesField(_l("Giấy tờ đã nhận"), coerce=int, validate_choice=False)
    applicant_kind = RadioField(
        _l("Chủ hồ sơ là"),
        choices=[
            SelectChoice("person", _l("Cá nhân")),
            SelectChoice("organisation", _l("Tổ chức (doanh nghiệp, cơ quan, hội…)")),
        ],
        default="person",
    )
    applicant_name = StringField(_l("Họ và tên / tên tổ chức"), validators=[Length(max=200)])
    applicant_id_kind = SelectField(
        _l("Loại giấy tờ"), choices=ID_KIND_CHOICES, default="citizen_id"
    )
    applicant_id_number = StringField(_l("Số giấy tờ"), validators=[Length(max=40)])
    applicant_id_note = StringField(
        _l("Tên giấy tờ khác"),
        description=_l("Ví dụ: giấy phép lái xe, quyết định thành lập."),
        validators=[Length(max=200)],
    )
    applicant_phone = StringField(
        _l("Số điện thoại"), description=PHONE_REASON, validators=[Length(max=20)]
    )
    applicant_email = StringField(_l("Thư điện tử (nếu có)"), validators=[Length(max=200)])
    applicant_address = StringField(_l("Địa chỉ"), validators=[Length(max=400)])
    applicant_birth_date = DateField(
        _l("Ngày sinh (nếu có)"),
        format="%Y-%m-%d",  # the browser's date field, shown in the page's language
        validators=[Optional()],
    )
    by_proxy = RadioField(
        _l("Ai nộp hồ sơ"),
        choices=[
            SelectChoice("no", _l("Chủ hồ sơ tự nộp")),
            SelectChoice("yes", _l("Người khác nộp thay (có giấy ủy quyền)")),
        ],
        default="no",
    )
    submitter_name = StringField(_l("Họ và tên người nộp thay"), validators=[Length(max=200)])
    submitter_id_kind = SelectField(
        _l("Loại giấy tờ"), choices=PERSON_ID_KIND_CHOICES, default="citizen_id"
    )
    submitter_id_number = StringField(_l("Số giấy tờ"), validators=[Length(max=40)])
    submitter_id_note = StringField(_l("Tên giấy tờ khác"), validators=[Length(max=200)])
    submitter_phone = StringField(
        _l("Số điện thoại người nộp thay"), description=PHONE_REASON, validators=[Length(max=20)]
    )
    submitter_authorisation = StringField(
        _l("Văn bản ủy quyền"),
        description=_l("Ví dụ: Giấy ủy quyền số 12/UQ ngày 01/12/2026."),
        validators=[Length(max=300)],
    )
    notify_by = CheckboxesField(
        _l("Chủ hồ sơ đồng ý nhận thông báo về hồ sơ qua"),
        description=_l(
            "Chỉ đánh dấu khi người nộp đồng ý. Thông báo khi tiếp nhận, cần bổ sung, hẹn lại "
            "và có kết quả, gửi tới số điện thoại hoặc thư điện tử ghi ở trên."
        ),
    )
    channel = RadioField(_l("Hình thức nộp"), choices=CHANNEL_CHOICES, default="direct")
    sets = IntegerField(_l("Số bộ hồ sơ"), default=1, validators=[NumberRange(1, 20)])
    # Shown where several agencies handle the procedure: the competent one.
    agency_id = SelectField(
        _l("Cơ quan có thẩm quyền giải quyết"),
        coerce=lambda value: int(value) if value not in (None, "", "None") else None,
        validate_choice=False,
    )
    other_items = TextAreaField(
        _l("Giấy tờ khác cần bổ sung (mỗi dòng một mục)"), validators=[Length(max=2000)]
    )
    reason = TextAreaField(
        _l("Lý do (khi yêu cầu bổ sung hoặc từ chối)"), validators=[Length(max=2000)]
    )
    accept = SubmitField(_l("Tiếp nhận và in giấy hẹn"))
    supplement = SubmitField(_l("Lập phiếu yêu cầu bổ sung"))
    refuse = SubmitField(_l("Lập phiếu từ chối tiếp nhận"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.notify_by.choices = [
            SelectChoice(channel.value, CHANNEL_LABELS[channel]) for channel in channels_on()
        ]

    def contacts(self) -> list[Contact]:
        """The channels the applicant agreed to, at the phone or e-mail given above."""
        contacts = []
        for value in self.notify_by.data or []:
            channel = NoticeChannel(value)
            by_email = channel == NoticeChannel.EMAIL
            address = (self.applicant_email if by_email else self.applicant_phone).data or ""
            if not address.strip():
                raise InvalidInput(
                    _l("Hãy ghi thư điện tử của chủ hồ sơ để gửi thông báo qua thư điện tử.")
                    if by_email
                    else _l("Hãy ghi số điện thoại của chủ hồ sơ để gửi thông báo qua {channel}."),
                    channel=CHANNEL_LABELS[channel],
                )
            contacts.append(checked_contact(channel, address))
        return contacts

    def applicant(self) -> Applicant:
        return Applicant(
            self.applicant_name.data or "",
            self.applicant_id_number.data or "",
            self.applicant_phone.data or "",
            self.applicant_address.data or "",
            self.applicant_email.data or "",
            ApplicantKind(self.applicant_kind.data),
            IdKind(self.applicant_id_kind.data),
            self.applicant_id_note.data or "",
            self.applicant_birth_date.data,
        )

    def submitter(self) -> Submitter | None:
        if self.by_proxy.data != "yes":
            return None
        return Submitter(
            self.submitter_name.data or "",
            IdKind(self.submitter_id_kind.data),
            self.submitter_id_number.data or "",
            self.submitter_id_note.data or "",
            self.submitter_phone.data or "",
            self.submitter_authorisation.data or "",
        )

    def validate(self, extra_validators=None) -> bool:
        """The fields, then the applicant and the submitter by the desk's rules, each
        problem beside its field; a slip (not accepted) records no identity document."""
        if not super().validate(extra_validators):
            return False
        _, problems = party_problems(
            self.applicant(), self.submitter(), identity=bool(self.accept.data)
        )
        if self.accept.data and "applicant_phone" not in problems:
            try:
                self.contacts()
            except InvalidInput as error:
                problems["notify_by"] = error.in_request_language()
        for name, problem in problems.items():
            self[name].errors.append(problem)
        return not problems


class MoveForm(Form):
    action = HiddenField(validators=[DataRequired()])
    collected_via = RadioField(
        _l("Hình thức nhận kết quả"),
        choices=[
            SelectChoice("direct", _l("Trực tiếp tại bộ phận một cửa")),
            SelectChoice("post", _l("Qua bưu chính")),
            SelectChoice("online", _l("Trực tuyến")),
        ],
        default="direct",
    )
    collected_by = RadioField(
        _l("Người nhận kết quả"),
        choices=[
            SelectChoice("owner", _l("Chủ hồ sơ")),
            SelectChoice("authorised", _l("Người được ủy quyền")),
            SelectChoice("post", _l("Bưu chính")),
        ],
        default="owner",
    )
    collector_name = StringField(
        _l("Họ tên người nhận"),
        description=_l("Bỏ trống nếu là chủ hồ sơ hoặc người đã nộp thay."),
        validators=[Length(max=200)],
    )
    note = TextAreaField(_l("Ghi chú / lý do"), validators=[Length(max=2000)])
    to_unit = StringField(_l("Đơn vị / người nhận hồ sơ"), validators=[Length(max=200)])
    receiver_name = StringField(_l("Họ tên người nhận"), validators=[Length(max=200)])
    new_due = DateTimeLocalField(_l("Ngày giờ hẹn trả mới"), validators=[Optional()])
    submit = SubmitField(_l("Xác nhận"))

    def action_value(self) -> Action | None:
        try:
            return Action(self.action.data)
        except ValueError:
            return None


class SupplementRequestForm(Form):
    """A supplement request during processing (form 02): everything missing at once."""

    items = TextAreaField(
        _l("Giấy tờ cần bổ sung, hoàn thiện (mỗi dòng một mục, ghi đủ một lần)"),
        validators=[Length(max=8000)],
    )
    reason = TextAreaField(_l("Lý do"), validators=[Length(max=2000)])
    contact = StringField(
        _l("Liên hệ để được hướng dẫn (người, đơn vị, số điện thoại)"),
        validators=[Length(max=2000)],  # the rule (400) is the domain's, said in Vietnamese
    )
    confirmation_reason = TextAreaField(
        _l("Lý do lãnh đạo xác nhận (chỉ khi đã quá hạn giải quyết)"),
        validators=[Length(max=2000)],
    )
    submit = SubmitField(_l("Lập phiếu yêu cầu bổ sung"))


class FindForm(Form):
    class Meta:
        csrf = False

    code = StringField(
        _l("Mã hồ sơ (quét mã QR trên giấy hẹn hoặc gõ mã)"),
        validators=[DataRequired(), Length(max=300)],
    )


class RegisterExportForm(Form):
    """The register of a period as a file, built in the background."""

    start = StringField(_l("Từ ngày"), validators=[DataRequired(), Length(max=10)])
    end = StringField(_l("Đến ngày"), validators=[DataRequired(), Length(max=10)])
    file_format = SelectField(
        _l("Định dạng"),
        choices=[SelectChoice("xlsx", _l("Excel (XLSX)")), SelectChoice("pdf", _l("PDF"))],
        validators=[DataRequired()],
    )


class ProcedureForm(Form):
    code = StringField(_l("Mã thủ tục"), validators=[DataRequired(), Length(max=40)])
    name = StringField(_l("Tên thủ tục"), validators=[DataRequired(), Length(max=400)])
    field = StringField(_l("Lĩnh vực"), validators=[DataRequired(), Length(max=200)])
    period_unit = RadioField(
        _l("Thời hạn tính theo"),
        choices=[
            SelectChoice("days", _l("ngày làm việc")),
            SelectChoice("hours", _l("giờ làm việc")),
        ],
        default="days",
    )
    period = IntegerField(
        _l("Thời hạn giải quyết"),
        validators=[DataRequired(message=_l("Nhập thời hạn.")), NumberRange(0, 365)],
    )
    fee_vnd = IntegerField(
        _l("Phí, lệ phí (đồng)"), default=0, validators=[Optional(), NumberRange(0)]
    )
    processing_unit = StringField(_l("Đơn vị xử lý"), validators=[Length(max=200)])
    online_level = SelectField(
        _l("Mức dịch vụ công trực tuyến"),
        choices=[SelectChoice("full", _l("Toàn trình")), SelectChoice("partial", _l("Một phần"))],
    )
    documents = TextAreaField(
        _l("Thành phần hồ sơ: mỗi dòng một giấy tờ, kèm (bản chính) hoặc (bản sao)"),
        validators=[Length(max=8000)],
    )
    active = SelectField(
        _l("Trạng thái"),
        choices=[SelectChoice("1", _l("Đang áp dụng")), SelectChoice("0", _l("Ngừng áp dụng"))],
    )
    submit = SubmitField(_l("Lưu thủ tục"))


class CatalogueImportForm(Form):
    file = FileField(_l("Tệp danh mục (.csv hoặc .xlsx)"), validators=[FileRequired()])
    submit = SubmitField(_l("Nhập danh mục"))


class CalendarDayForm(Form):
    day = DateField(_l("Ngày"), validators=[DataRequired()])
    kind = SelectField(
        _l("Loại"),
        choices=[
            SelectChoice("day_off", _l("Ngày nghỉ (nghỉ bù, nghỉ lễ)")),
            SelectChoice("working_day", _l("Ngày làm việc bù")),
        ],
    )
    note = StringField(_l("Ghi chú (căn cứ thông báo)"), validators=[Length(max=200)])
    submit = SubmitField(_l("Thêm vào lịch"))


class EmptyForm(Form):
    submit = SubmitField(_l("Xóa"))
