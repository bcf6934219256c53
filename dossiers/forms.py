"""Forms of the dossier desk (Flask-WTF, CSRF on)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
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

from core.dossiers.states import Action

CHANNEL_CHOICES = [
    SelectChoice("direct", _l("Trực tiếp tại quầy")),
    SelectChoice("post", _l("Qua bưu chính")),
    SelectChoice("online", _l("Trực tuyến")),
]


class CheckboxesField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class ReceptionForm(FlaskForm):
    procedure = HiddenField(validators=[DataRequired()])
    ticket = HiddenField()
    documents = CheckboxesField(_l("Giấy tờ đã nhận"), coerce=int, validate_choice=False)
    applicant_name = StringField(_l("Họ và tên người nộp"), validators=[Length(max=200)])
    applicant_id_number = StringField(_l("Số CCCD (12 chữ số)"), validators=[Length(max=20)])
    applicant_phone = StringField(_l("Số điện thoại"), validators=[Length(max=20)])
    applicant_email = StringField(_l("Thư điện tử (nếu có)"), validators=[Length(max=200)])
    applicant_address = StringField(_l("Địa chỉ"), validators=[Length(max=400)])
    channel = RadioField(_l("Hình thức nộp"), choices=CHANNEL_CHOICES, default="direct")
    sets = IntegerField(_l("Số bộ hồ sơ"), default=1, validators=[NumberRange(1, 20)])
    other_items = TextAreaField(
        _l("Giấy tờ khác cần bổ sung (mỗi dòng một mục)"), validators=[Length(max=2000)]
    )
    reason = TextAreaField(
        _l("Lý do (khi yêu cầu bổ sung hoặc từ chối)"), validators=[Length(max=2000)]
    )
    accept = SubmitField(_l("Tiếp nhận và in giấy hẹn"))
    supplement = SubmitField(_l("Lập phiếu yêu cầu bổ sung"))
    refuse = SubmitField(_l("Lập phiếu từ chối tiếp nhận"))


class MoveForm(FlaskForm):
    action = HiddenField(validators=[DataRequired()])
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


class SupplementRequestForm(FlaskForm):
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


class FindForm(FlaskForm):
    class Meta:
        csrf = False

    code = StringField(
        _l("Mã hồ sơ (quét mã QR trên giấy hẹn hoặc gõ mã)"),
        validators=[DataRequired(), Length(max=300)],
    )


class ProcedureForm(FlaskForm):
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


class CatalogueImportForm(FlaskForm):
    file = FileField(_l("Tệp danh mục (.csv hoặc .xlsx)"), validators=[FileRequired()])
    submit = SubmitField(_l("Nhập danh mục"))


class CalendarDayForm(FlaskForm):
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


class EmptyForm(FlaskForm):
    submit = SubmitField(_l("Xóa"))
