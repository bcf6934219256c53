"""The province and agency from the settings, everywhere they are printed: the DOCX report's
official heading (Nghị định 30/2020/NĐ-CP), the receipt and forms; asked for at the first
run (`init-db`) and edited, with checks, on the admin page."""

import io

import factories
import time_machine
from docx import Document

from conftest import csrf_token, local_time
from core.dossiers.settings import dossier_settings, stored_setting
from tests.reform_history import PERIOD, build_history


def cell_lines(cell) -> list[str]:
    return [paragraph.text for paragraph in cell.paragraphs if paragraph.text]


def runs_of(cell, text):
    return [run for paragraph in cell.paragraphs for run in paragraph.runs if run.text == text]


def test_the_docx_report_opens_with_the_official_heading_and_ends_signed(demo, client, auth):
    build_history()
    auth.login("quantri")
    values = {**dossier_settings(), "province": "Tỉnh Bắc Ninh", "signer_title": "Phó Giám đốc"}
    values.update(parent_agency="", place_name="", signer_name="Trần Thị Hoa")
    values.update(report_symbol="BC-SGTVT", report_recipients="UBND tỉnh; Sở Nội vụ; Lưu: VT")
    saved = client.post(
        "/admin/dossier-settings", data={**values, "csrf_token": csrf_token(client, "/admin/")}
    )
    assert saved.status_code == 302
    auth.login("lanhdao")
    with time_machine.travel(local_time(2026, 3, 20, 9, 0), tick=False):
        response = client.get(f"/dashboard/report.docx?from={PERIOD[0]}&to={PERIOD[1]}")
    document = Document(io.BytesIO(response.data))
    heading = document.tables[0]
    left, right = heading.rows[0].cells
    assert cell_lines(left) == [
        "UBND TỈNH BẮC NINH",
        "SỞ GIAO THÔNG VẬN TẢI",
        "————————",
        "Số:        /BC-SGTVT",
    ]
    assert runs_of(left, "SỞ GIAO THÔNG VẬN TẢI")[0].bold
    assert cell_lines(right) == [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Bắc Ninh, ngày 20 tháng 03 năm 2026",
    ]
    motto = runs_of(right, "Độc lập - Tự do - Hạnh phúc")[0]
    assert motto.bold and motto.underline
    assert runs_of(right, "Bắc Ninh, ngày 20 tháng 03 năm 2026")[0].italic
    titles = [paragraph.text for paragraph in document.paragraphs if paragraph.text][:2]
    assert titles[0] == "BÁO CÁO" and titles[1].startswith("Kết quả giải quyết thủ tục hành chính")
    recipients, signer = document.tables[-1].rows[0].cells
    assert cell_lines(recipients) == ["Nơi nhận:", "- UBND tỉnh;", "- Sở Nội vụ;", "- Lưu: VT."]
    assert cell_lines(signer) == ["PHÓ GIÁM ĐỐC", "Trần Thị Hoa"]


def test_receipts_and_forms_print_the_settings_province_and_agency(demo, client, auth):
    auth.login("quantri")
    values = {**dossier_settings(), "province": "Tỉnh Lạng Sơn", "agency_name": "Sở Tư pháp"}
    values.update(parent_agency="", place_name="")
    token = csrf_token(client, "/admin/")
    assert (
        client.post("/admin/dossier-settings", data={**values, "csrf_token": token}).status_code
        == 302
    )
    dossier = factories.dossier()
    page = client.get(f"/dossiers/{dossier.code}/print/receipt").text
    assert "UBND TỈNH LẠNG SƠN" in page and "SỞ TƯ PHÁP" in page and "Lạng Sơn, ngày" in page
    assert "Hà Nội, ngày" not in page and "Sở Giao thông" not in page
    pdf = client.get(f"/dossiers/{dossier.code}/print/receipt.pdf")
    from conftest import pdf_text

    text = pdf_text(pdf.data)
    assert "UBND TỈNH LẠNG SƠN" in text and "Lạng Sơn, ngày" in text


def test_the_settings_page_checks_the_province_and_the_report_symbol(demo, client, auth):
    auth.login("quantri")
    page = client.get("/admin/dossier-settings").text
    assert 'name="province"' in page and 'aria-required="true"' in page
    token = csrf_token(client, "/admin/")
    for key, value, message in (
        ("province", "Bắc Ninh", "phải bắt đầu bằng “Tỉnh” hoặc “Thành phố”"),
        ("province", "", "không được để trống"),
        ("report_symbol", "báo cáo", "Ký hiệu báo cáo phải có dạng BC-XXX"),
    ):
        values = {**dossier_settings(), key: value, "csrf_token": token}
        response = client.post("/admin/dossier-settings", data=values, follow_redirects=True)
        assert message in response.text, (key, value)
        assert stored_setting(key) != value


def test_the_first_run_asks_for_the_province_and_agency(app, runner):
    answers = "Bắc Ninh\nTỉnh Bắc Ninh\nSở Xây dựng\n\nBộ phận một cửa Sở Xây dựng\n"
    from unittest import mock

    with mock.patch("cli.stdin_is_a_terminal", return_value=True):
        result = runner.invoke(args=["init-db"], input=answers)
    assert result.exit_code == 0, result.output
    assert "phải bắt đầu bằng “Tỉnh” hoặc “Thành phố”" in result.output  # asked again
    settings = dossier_settings()
    assert settings["province"] == "Tỉnh Bắc Ninh" and settings["agency_name"] == "Sở Xây dựng"
    assert (
        settings["parent_agency"] == "UBND Tỉnh Bắc Ninh" and settings["place_name"] == "Bắc Ninh"
    )
    assert settings["desk_name"] == "Bộ phận một cửa Sở Xây dựng"
    again = runner.invoke(args=["init-db"], input="")  # stored: nothing asked any more
    assert again.exit_code == 0 and "Tỉnh, thành phố" not in again.output


def test_the_first_run_takes_its_answers_as_options(app, runner):
    result = runner.invoke(
        args=[
            "init-db",
            "--no-input",
            "--province",
            "Thành phố Đà Nẵng",
            "--agency-name",
            "Sở Y tế",
        ]
    )
    assert result.exit_code == 0, result.output
    settings = dossier_settings()
    assert (settings["province"], settings["agency_name"]) == ("Thành phố Đà Nẵng", "Sở Y tế")
    assert settings["place_name"] == "Đà Nẵng"
    bad = runner.invoke(args=["init-db", "--no-input", "--province", "Đà Nẵng"])
    assert bad.exit_code == 1 and "phải bắt đầu bằng" in bad.output
