"""Admin forms: field formats here, the desk's rules in `core`."""

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    FieldList,
    FormField,
    IntegerField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
)
from wtforms.validators import InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from core.models import DeviceKind, Role
from core.queue.opening_hours import PERIODS_PER_DAY
from web.forms import Form, SubForm

REQUIRED = _l("Vui lòng nhập trường này.")
WHOLE_NUMBER = _l("Hãy nhập một số nguyên.")
BAD_CHOICE = _l("Lựa chọn không hợp lệ.")


def required():
    return InputRequired(message=REQUIRED)


def at_most(length: int):
    return Length(max=length, message=_l("Tối đa %(max)d ký tự."))


def optional_int(value):
    """'' means none, for select boxes with an empty first choice."""
    return int(value) if value not in (None, "", "None") else None


class MultiCheckboxField(SelectMultipleField):
    """A list of checkboxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ActionForm(Form):
    """A one-button form (deactivate, revoke…): only the CSRF token."""


class DayHoursForm(SubForm):
    """One weekday: a morning and an afternoon period, each opening and closing time."""

    opens_1 = StringField(validators=[at_most(8)])
    closes_1 = StringField(validators=[at_most(8)])
    opens_2 = StringField(validators=[at_most(8)])
    closes_2 = StringField(validators=[at_most(8)])

    def texts(self) -> list[tuple[str, str]]:
        return [
            (self[f"opens_{index}"].data or "", self[f"closes_{index}"].data or "")
            for index in range(1, PERIODS_PER_DAY + 1)
        ]


class ServiceForm(Form):
    code = StringField(_l("Mã dịch vụ"), validators=[required(), at_most(32)])
    name = StringField(_l("Tên dịch vụ (tiếng Việt)"), validators=[required(), at_most(200)])
    name_en = StringField(_l("Tên tiếng Anh"), validators=[Optional(), at_most(200)])
    prefix = StringField(_l("Tiền tố số thứ tự"), validators=[required(), at_most(8)])
    digits = IntegerField(
        _l("Số chữ số"), validators=[required()], invalid_value_message=WHOLE_NUMBER, default=3
    )
    sort_order = IntegerField(
        _l("Thứ tự hiển thị"),
        validators=[required()],
        invalid_value_message=WHOLE_NUMBER,
        default=0,
    )
    # Left out: the desk's own agency; the one chosen is checked in core (it must exist).
    agency_id = SelectField(_l("Cơ quan"), coerce=optional_int, validate_choice=False)
    active = BooleanField(_l("Đang cấp số"), default=True)
    hours = FieldList(FormField(DayHoursForm), min_entries=7, max_entries=7)
    submit = SubmitField(_l("Lưu dịch vụ"))

    def week_texts(self) -> list[list[tuple[str, str]]]:
        return [entry.form.texts() for entry in self.hours]

    def fill_week(self, rows: list[list[tuple[str, str]]]) -> None:
        for entry, periods in zip(self.hours, rows, strict=True):
            for index, (opens, closes) in enumerate(periods, start=1):
                entry.form[f"opens_{index}"].data = opens
                entry.form[f"closes_{index}"].data = closes


class CounterForm(Form):
    number = IntegerField(
        _l("Số quầy"), validators=[required()], invalid_value_message=WHOLE_NUMBER
    )
    name = StringField(_l("Tên quầy"), validators=[Optional(), at_most(128)])
    # Left out: the desk's own agency; the one chosen is checked in core (it must exist).
    agency_id = SelectField(_l("Cơ quan"), coerce=optional_int, validate_choice=False)
    area = StringField(_l("Khu vực trong sảnh"), validators=[Optional(), at_most(64)])
    active = BooleanField(_l("Đang hoạt động"), default=True)
    services = MultiCheckboxField(
        _l("Dịch vụ quầy phục vụ"), coerce=int, invalid_choice_message=BAD_CHOICE
    )
    submit = SubmitField(_l("Lưu quầy"))


def role_choices():
    from core.accounts.users import ROLE_NAMES

    return [(role.value, ROLE_NAMES[role]) for role in Role]


POST_LABEL = _l("Cơ quan, đơn vị (cán bộ xử lý)")


def post_choices():
    """Where a processing officer works: an agency (its leader) or one of its units."""
    from core.agencies.registry import list_agencies

    choices = [("", _l("— Không (cán bộ một cửa, lãnh đạo, quản trị) —"))]
    for agency in list_agencies():
        choices.append((f"agency:{agency.id}", f"{agency.code} · {agency.name}"))
        choices += [
            (f"unit:{unit.id}", f"{agency.code} · {agency.name} › {unit.name}")
            for unit in agency.units
            if unit.active
        ]
    return choices


class UserCreateForm(Form):
    username = StringField(_l("Tên đăng nhập"), validators=[required(), at_most(64)])
    full_name = StringField(_l("Họ và tên"), validators=[required(), at_most(128)])
    role = SelectField(_l("Vai trò"), choices=role_choices, invalid_choice_message=BAD_CHOICE)
    post = SelectField(POST_LABEL, choices=post_choices, validate_choice=False)
    password = PasswordField(_l("Mật khẩu"), validators=[required(), at_most(128)])
    confirmation = PasswordField(_l("Nhập lại mật khẩu"), validators=[required(), at_most(128)])
    submit = SubmitField(_l("Tạo tài khoản"))


class UserEditForm(Form):
    full_name = StringField(_l("Họ và tên"), validators=[required(), at_most(128)])
    role = SelectField(_l("Vai trò"), choices=role_choices, invalid_choice_message=BAD_CHOICE)
    post = SelectField(POST_LABEL, choices=post_choices, validate_choice=False)
    submit = SubmitField(_l("Lưu thay đổi"))


class PasswordResetForm(Form):
    password = PasswordField(_l("Mật khẩu mới"), validators=[required(), at_most(128)])
    confirmation = PasswordField(_l("Nhập lại mật khẩu mới"), validators=[required(), at_most(128)])
    submit = SubmitField(_l("Đặt mật khẩu mới"))


def kind_choices():
    from core.accounts.devices import KIND_NAMES

    return [(kind.value, KIND_NAMES[kind]) for kind in DeviceKind]


class DeviceEditForm(Form):
    name = StringField(_l("Tên thiết bị"), validators=[required(), at_most(128)])
    printer_url = StringField(_l("Máy in"), validators=[Optional(), at_most(255)])
    counter_id = SelectField(
        _l("Quầy (với thiết bị tại quầy)"),
        coerce=optional_int,
        invalid_choice_message=BAD_CHOICE,
    )
    # A display board's part of the hall (checked in core.queue.areas).
    board_agency_id = SelectField(
        _l("Quầy của cơ quan"), coerce=optional_int, validate_choice=False
    )
    board_area = SelectField(_l("Khu vực"), validate_choice=False)
    submit = SubmitField(_l("Lưu thiết bị"))

    def offer_board_areas(self) -> None:
        """The agencies and the named areas a board may show."""
        from core.queue.areas import named_areas

        self.board_agency_id.choices = [("", _l("— Mọi cơ quan —")), *agency_choices()]
        self.board_area.choices = [("", _l("— Cả sảnh —"))] + [
            (area, area) for area in named_areas()
        ]


class DeviceCreateForm(DeviceEditForm):
    kind = SelectField(_l("Loại thiết bị"), choices=kind_choices, invalid_choice_message=BAD_CHOICE)
    submit = SubmitField(_l("Tạo thiết bị và mã khóa"))


def agency_choices(current_id: int | None = None) -> list[tuple]:
    """Active agencies by code, and the current one even if no longer active."""
    from core.agencies.registry import list_agencies

    return [
        (agency.id, f"{agency.name} ({agency.code})")
        for agency in list_agencies()
        if agency.active or agency.id == current_id
    ]


def counter_choices(counters) -> list[tuple]:
    none = [("", _l("— Không gắn quầy —"))]
    return none + [(counter.id, f"{counter.number} · {counter.name}") for counter in counters]


class QueueSettingsForm(Form):
    """The queue desk's settings; the bounds are checked in core.queue.settings."""

    no_show_after_calls = StringField(
        _l("Số lần gọi trước khi được đánh dấu vắng mặt"), validators=[required(), at_most(4)]
    )
    submit = SubmitField(_l("Lưu cài đặt"))


class AgencyForm(Form):
    code = StringField(_l("Mã định danh cơ quan"), validators=[required(), at_most(40)])
    name = StringField(_l("Tên cơ quan"), validators=[required(), at_most(200)])
    parent_id = SelectField(
        _l("Cơ quan chủ quản"), coerce=optional_int, invalid_choice_message=BAD_CHOICE
    )
    active = BooleanField(_l("Đang hoạt động"), default=True)
    submit = SubmitField(_l("Lưu cơ quan"))


class UnitForm(Form):
    code = StringField(_l("Mã đơn vị"), validators=[required(), at_most(32)])
    name = StringField(_l("Tên đơn vị"), validators=[required(), at_most(200)])
    active = BooleanField(_l("Đang hoạt động"), default=True)
    submit = SubmitField(_l("Lưu đơn vị"))


class CompetenceForm(Form):
    procedures = MultiCheckboxField(
        _l("Thủ tục cơ quan giải quyết"), coerce=int, invalid_choice_message=BAD_CHOICE
    )
    submit = SubmitField(_l("Lưu danh sách thủ tục"))


class BookingSettingsForm(Form):
    """A service's booking settings; the bounds are checked in core.appointments.settings."""

    enabled = BooleanField(_l("Nhận đặt lịch hẹn"))
    slot_minutes = IntegerField(_l("Độ dài mỗi khung giờ (phút)"), validators=[required()])
    places = IntegerField(_l("Số chỗ mỗi khung giờ"), validators=[required()])
    days_ahead = IntegerField(_l("Đặt trước tối đa (ngày)"), validators=[required()])
    opens = StringField(_l("Nhận đặt từ"), validators=[required(), at_most(5)])
    closes = StringField(_l("Nhận đặt đến"), validators=[required(), at_most(5)])
    cutoff_minutes = IntegerField(
        _l("Ngừng nhận đặt trước giờ hẹn (phút)"), validators=[required()]
    )
    working_days_only = BooleanField(_l("Chỉ ngày làm việc (theo lịch làm việc)"))
    submit = SubmitField(_l("Lưu cài đặt"))


PROCESS_ROWS = 8


class StepRowForm(SubForm):
    """One row of a process: blank rows are left out."""

    role = SelectField(_l("Vai trò"), invalid_choice_message=BAD_CHOICE)
    unit = SelectField(_l("Đơn vị"), invalid_choice_message=BAD_CHOICE)
    allowance = StringField(_l("Thời gian"), validators=[at_most(8)])
    name = StringField(_l("Tên bước"), validators=[at_most(200)])
    next_steps = StringField(_l("Chuyển tiếp tới bước"), validators=[at_most(40)])
    back_step = StringField(_l("Trả lại bước"), validators=[at_most(4)])

    def is_blank(self) -> bool:
        return not (self.role.data or self.allowance.data or self.name.data)


class ProcessForm(Form):
    steps = FieldList(FormField(StepRowForm), min_entries=PROCESS_ROWS, max_entries=PROCESS_ROWS)
    submit = SubmitField(_l("Ban hành phiên bản mới"))
