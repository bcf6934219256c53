"""The dashboard's forms: closing and reopening a report period (the CSRF token and the
period's key, as the statistics page names it)."""

from flask_wtf import FlaskForm
from wtforms import HiddenField
from wtforms.validators import InputRequired, Length


class PeriodForm(FlaskForm):
    period = HiddenField(validators=[InputRequired(), Length(max=40)])
