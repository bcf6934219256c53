"""Vietnamese first, and every message has its English translation."""

from pathlib import Path

from babel.messages.pofile import read_po

PROJECT = Path(__file__).resolve().parent.parent


def test_english_catalogue_translates_every_message():
    with (PROJECT / "translations/en/LC_MESSAGES/messages.po").open("rb") as handle:
        catalogue = read_po(handle)
    untranslated = [message.id for message in catalogue if message.id and not message.string]
    fuzzy = [message.id for message in catalogue if message.id and message.fuzzy]
    assert untranslated == [] and fuzzy == []


def test_english_catalogue_is_compiled_and_current():
    po = PROJECT / "translations/en/LC_MESSAGES/messages.po"
    mo = PROJECT / "translations/en/LC_MESSAGES/messages.mo"
    assert mo.exists() and mo.stat().st_size > 1000
    with po.open("rb") as handle:
        count = sum(1 for message in read_po(handle) if message.id)
    assert count > 50


def test_pages_default_to_vietnamese(client, demo):
    page = client.get("/kiosk/").get_data(as_text=True)
    assert '<html lang="vi">' in page
    assert "Cấp, đổi giấy phép lái xe" in page
    english = client.get("/kiosk/?lang=en").get_data(as_text=True)
    assert "Driving licences" in english and "Take a ticket" in english
