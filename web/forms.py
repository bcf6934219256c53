"""The one base of every form: Flask-WTF's, with the validators' own messages in the
request's language.

WTForms ships its messages ("This field is required.", "Not a valid integer value.", …)
with translations in a `wtforms` gettext domain, but has no Vietnamese catalogue. Ours is
`translations/vi/LC_MESSAGES/wtforms.po` (the msgids are WTForms' own English texts); in
English the messages stay WTForms' own. `tests/test_vietnamese_pages.py` proves no page shows
one of the English defaults in Vietnamese, and that every form of the app derives from `Form`.
"""

import os
from functools import cache

import wtforms
from babel import support
from flask import current_app
from flask_wtf import FlaskForm

from core.i18n import speaks_english


@cache
def _vietnamese_validator_messages(root: str) -> support.Translations:
    return support.Translations.load(os.path.join(root, "translations"), ["vi"], domain="wtforms")


class _ValidatorMessages:
    """WTForms' gettext interface, answering in the language of the current request."""

    def _catalogue(self):
        if speaks_english():
            return None
        return _vietnamese_validator_messages(current_app.root_path)

    def gettext(self, string):
        catalogue = self._catalogue()
        return string if catalogue is None else catalogue.ugettext(string)

    def ngettext(self, singular, plural, n):
        catalogue = self._catalogue()
        if catalogue is None:
            return singular if n == 1 else plural
        return catalogue.ungettext(singular, plural, n)


VALIDATOR_MESSAGES = _ValidatorMessages()


class Form(FlaskForm):
    """Every form of the app: CSRF, and validators that speak the request's language."""

    class Meta:
        def get_translations(self, form):
            return VALIDATOR_MESSAGES


class SubForm(wtforms.Form):
    """A form inside a form (`FormField`), whose validators speak the same language."""

    class Meta:
        def get_translations(self, form):
            return VALIDATOR_MESSAGES
