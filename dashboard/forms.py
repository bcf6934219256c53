"""The dashboard's forms: closing and reopening a report period (the CSRF token and the
period's key, as the statistics page names it)."""

from wtforms import HiddenField
from wtforms.validators import InputRequired, Length

from web.forms import Form


class PeriodForm(Form):
    period = HiddenField(validators=[InputRequired(), Length(max=40)])
