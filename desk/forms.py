"""Console forms: every action is a POST carrying a CSRF token."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, SelectField
from wtforms.validators import DataRequired, NumberRange, Optional


class EmptyForm(FlaskForm):
    """A one-button form: only the CSRF token."""


class CounterChoiceForm(FlaskForm):
    counter = IntegerField(_l("Quầy"), validators=[DataRequired(), NumberRange(min=1, max=999_999)])


class ConsoleForm(FlaskForm):
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
