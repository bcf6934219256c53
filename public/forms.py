"""The booking page's forms."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, RadioField, StringField, SubmitField
from wtforms.validators import InputRequired, Length

from web.forms import Form


class SlotChoice(Form):
    """A slot among those offered (the choices are set by the view)."""

    start = RadioField(_l("Giờ hẹn"), validators=[InputRequired(_l("Hãy chọn một giờ hẹn."))])


class BookingForm(SlotChoice):
    service = HiddenField()
    name = StringField(_l("Họ và tên"), validators=[InputRequired(), Length(max=200)])
    phone = StringField(_l("Số điện thoại"), validators=[Length(max=20)])
    email = StringField(_l("E-mail"), validators=[Length(max=200)])
    citizen_id = StringField(_l("Số CCCD (không bắt buộc)"), validators=[Length(max=20)])
    consent_sms = BooleanField(_l("Đồng ý nhận tin nhắn SMS về lịch hẹn"))
    consent_zalo = BooleanField(_l("Đồng ý nhận thông báo qua Zalo"))
    consent_email = BooleanField(_l("Đồng ý nhận e-mail về lịch hẹn"))
    submit = SubmitField(_l("Đặt lịch"))


class MoveForm(SlotChoice):
    submit = SubmitField(_l("Đổi sang giờ này"))


class CancelForm(Form):
    cancel = SubmitField(_l("Hủy lịch hẹn"))
