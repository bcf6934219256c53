"""The in-tray's forms: one per move, field formats only (the rules are in core)."""

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import HiddenField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import Length, Optional

from web.forms import Form

BAD_CHOICE = _l("Lựa chọn không hợp lệ.")


def at_most(length: int):
    return Length(max=length, message=_l("Tối đa %(max)d ký tự."))


class ActionForm(Form):
    """A one-button move (take, send to the desk): only the CSRF token."""


class HandOnForm(Form):
    to_position = SelectField(_l("Chuyển tới bước"), coerce=int, invalid_choice_message=BAD_CHOICE)
    note = StringField(_l("Ghi chú"), validators=[Optional(), at_most(500)])
    submit = SubmitField(_l("Hoàn thành bước, chuyển tiếp"))


class ReasonForm(Form):
    reason = TextAreaField(_l("Lý do"), validators=[Optional(), at_most(1000)])


class SupplementForm(Form):
    items = TextAreaField(
        _l("Giấy tờ cần bổ sung (mỗi dòng một giấy tờ)"), validators=[at_most(2000)]
    )
    reason = TextAreaField(_l("Lý do"), validators=[Optional(), at_most(1000)])
    contact = StringField(_l("Người, nơi liên hệ"), validators=[Optional(), at_most(400)])
    submit = SubmitField(_l("Đề nghị bộ phận một cửa gửi phiếu yêu cầu bổ sung"))


class ResultForm(Form):
    document = FileField(_l("Văn bản kết quả (PDF, JPEG, PNG; tối đa 10 MB)"))
    submit = SubmitField(_l("Tải lên"))


class ReassignForm(Form):
    officer_id = SelectField(_l("Giao cho"), coerce=int, invalid_choice_message=BAD_CHOICE)
    submit = SubmitField(_l("Giao hồ sơ"))


class WeighRefusalForm(Form):
    """The approver's decision on a refusal proposed at an earlier step."""

    reason = TextAreaField(
        _l("Lý do không đồng ý (bắt buộc khi không đồng ý)"),
        validators=[Optional(), at_most(1000)],
    )
    confirm = SubmitField(_l("Đồng ý đề xuất từ chối"))
    reject = SubmitField(_l("Không đồng ý, tiếp tục giải quyết"))


class ToDeskForm(Form):
    """Sending the dossier to the desk: `refusing` is what the page said it would be."""

    refusing = HiddenField()
