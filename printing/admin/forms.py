from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Length

from printing.printers import MODE_CHOICES, PAPER_CHOICES, PROFILES, VIA_CHOICES
from web.forms import Form


class PrinterSettingsForm(Form):
    url = StringField(
        _l("Địa chỉ máy in"),
        validators=[DataRequired(), Length(max=255)],
        description=_l("tcp://192.168.1.50:9100, usb://0416:5011, file:///dev/usb/lp0… hoặc none"),
    )
    paper_dots = SelectField(_l("Khổ giấy"), coerce=int)
    profile = SelectField(_l("Loại máy in"))
    mode = SelectField(_l("Cách in chữ"))
    via = SelectField(_l("Ai gửi lệnh in"))
    check_status = BooleanField(_l("Hỏi trạng thái máy in trước khi in (DLE EOT)"))
    submit = SubmitField(_l("Lưu cài đặt"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.paper_dots.choices = [(dots, str(label)) for dots, label in PAPER_CHOICES.items()]
        self.profile.choices = [(name, f"{name}: {label}") for name, label in PROFILES.items()]
        self.mode.choices = [(mode, str(label)) for mode, label in MODE_CHOICES.items()]
        self.via.choices = [(via.value, str(label)) for via, label in VIA_CHOICES.items()]


class ActionForm(Form):
    """A button that changes something: CSRF and where to go back to."""

    next = HiddenField()


class ReprintTicketForm(Form):
    number = StringField(
        _l("Số thứ tự hôm nay"), validators=[DataRequired(), Length(max=16)], description="A012"
    )
    device = SelectField(_l("In ra máy"), coerce=int)
    submit = SubmitField(_l("In lại phiếu"))
