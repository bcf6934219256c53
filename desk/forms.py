"""Console forms: every action is a POST carrying a CSRF token."""

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, IntegerField, SelectField
from wtforms.validators import DataRequired, NumberRange, Optional

from web.forms import Form


class EmptyForm(Form):
    """A one-button form: only the CSRF token."""


class CounterChoiceForm(Form):
    counter = IntegerField(_l("Quầy"), validators=[DataRequired(), NumberRange(min=1, max=999_999)])


class ConsoleForm(Form):
    """A console action; `ticket` is the ticket the console showed (empty when none)."""

    ticket = HiddenField()

    def shown_ticket_id(self) -> int | None:
        value = (self.ticket.data or "").strip()
        return int(value) if value.isdigit() else None


class TransferForm(ConsoleForm):
    service = SelectField(_l("Sang dịch vụ"), validators=[Optional()], validate_choice=False)
    counter = SelectField(_l("Sang quầy"), validators=[Optional()], validate_choice=False)

    def target_service(self) -> str | None:
        return (self.service.data or "").strip() or None

    def target_counter(self) -> int | None:
        value = (self.counter.data or "").strip()
        return int(value) if value.isdigit() else None
