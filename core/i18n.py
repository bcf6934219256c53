"""The languages: Vietnamese first, English available; which one the current request speaks.

The request's language is chosen once per request by the app (`?lang=en`, remembered in a
cookie); these helpers only read Flask-Babel's choice, so the domain never reads the request.
"""

from babel import Locale
from babel.numbers import format_decimal
from flask_babel import force_locale, get_locale

LOCALES = {code: Locale.parse(code) for code in ("vi", "en")}


def locale_for(code: str | None) -> Locale:
    """The locale of a language code, Vietnamese for anything else."""
    return LOCALES.get(code, LOCALES["vi"])


def speaks_english() -> bool:
    """Whether the current request chose English (Vietnamese otherwise, and outside one)."""
    locale = get_locale()
    return locale is not None and locale.language == "en"


def in_request_language(messages: dict[str, str]) -> str:
    """Of a message in both languages, the one the current request speaks."""
    return messages["en" if speaks_english() else "vi"]


def in_both_languages(message, **details) -> dict[str, str]:
    """A translatable message rendered in Vietnamese and in English."""
    result = {}
    for locale in ("vi", "en"):
        with force_locale(locale):
            result[locale] = str(message).format(**details)
    return result


def format_figure(value, decimals: int = 0, language: str | None = None) -> str:
    """A number as pages, documents and charts show it: Babel's format for the language
    (`language`, else the request's): Vietnamese 1.234.567,5, English 1,234,567.5, with
    `decimals` places; "–" for a figure that does not exist."""
    if value is None or value == "":
        return "–"
    if language is None:
        language = "en" if speaks_english() else "vi"
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return format_decimal(value, format=pattern, locale=locale_for(language))
