"""Whose request a dossier is and who handed it in: the owner (a person or an organisation)
with an identity document of one of four kinds and, when someone files for them, the
authorised submitter with the authorisation they showed. The same checks serve the counter,
the history import and the return of the result; each problem names the field it is about.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l

from core.dossiers.errors import InvalidApplicant, LazyJoin
from core.errors import InvalidInput
from core.models import ApplicantKind, Channel, Collector, Dossier, IdKind
from core.vntext import is_valid_citizen_id, is_valid_phone, normalise_phone

PASSPORT_PATTERN = re.compile(r"^[A-Z0-9]{6,20}$")
# An enterprise or tax code; a branch or dependent unit adds "-" and three digits.
TAX_CODE_PATTERN = re.compile(r"^\d{10}(-\d{3})?$")
ID_NUMBER_LENGTH = 40
# A person shows a citizen ID, a passport or another document; an organisation its
# enterprise (tax) code or another document (an establishment decision, say).
ID_KINDS_FOR = {
    ApplicantKind.PERSON: (IdKind.CITIZEN_ID, IdKind.PASSPORT, IdKind.OTHER),
    ApplicantKind.ORGANISATION: (IdKind.TAX_CODE, IdKind.OTHER),
}
# The post office that carries a result away, when the officer names no one.
POST_COLLECTOR = "Bưu chính"

ID_PROBLEMS = {
    IdKind.CITIZEN_ID: _l("số CCCD phải gồm đúng 12 chữ số, ba chữ số đầu là mã tỉnh (001–096)"),
    IdKind.PASSPORT: _l("số hộ chiếu gồm 6 đến 20 chữ cái hoặc chữ số, không dấu"),
    IdKind.TAX_CODE: _l(
        "mã số doanh nghiệp/mã số thuế gồm 10 chữ số; chi nhánh thêm dấu “-” và 3 chữ số "
        "(ví dụ 0101234567-001)"
    ),
    IdKind.OTHER: _l("hãy ghi số hoặc ký hiệu của giấy tờ (tối đa 40 ký tự)"),
}


def tidy(text: str | None) -> str:
    return " ".join((text or "").split())


def clean_id_number(kind: IdKind, number: str) -> str:
    """The number as stored: spaces dropped and letters upper-cased, except for another
    document's number, which is kept as written."""
    if kind == IdKind.OTHER:
        return tidy(number)
    return re.sub(r"\s", "", number or "").upper()


def id_number_is_valid(kind: IdKind, number: str) -> bool:
    if kind == IdKind.CITIZEN_ID:
        return is_valid_citizen_id(number)
    if kind == IdKind.PASSPORT:
        return bool(PASSPORT_PATTERN.match(number))
    if kind == IdKind.TAX_CODE:
        return bool(TAX_CODE_PATTERN.match(number))
    return 0 < len(number) <= ID_NUMBER_LENGTH


def identity_problems(kind: IdKind, number: str, note: str, prefix: str) -> dict:
    """What is wrong with an identity document, by field (`prefix` + id_number, id_note)."""
    problems = {}
    if not id_number_is_valid(kind, number):
        problems[f"{prefix}id_number"] = ID_PROBLEMS[kind]
    if kind == IdKind.OTHER and not 2 <= len(note) <= 200:
        problems[f"{prefix}id_note"] = _l(
            "hãy ghi rõ loại giấy tờ (ví dụ: giấy phép lái xe, quyết định thành lập)"
        )
    return problems


def phone_problems(phone: str, field: str) -> dict:
    """A phone is optional; one that is given must be a Vietnamese number."""
    if phone and not is_valid_phone(phone):
        return {field: _l("số điện thoại phải là số Việt Nam 10 chữ số, ví dụ 0912 345 678")}
    return {}


@dataclass
class Applicant:
    """The owner of the request: a person or an organisation."""

    name: str
    id_number: str = ""
    phone: str = ""
    address: str = ""
    email: str = ""
    kind: ApplicantKind = ApplicantKind.PERSON
    id_kind: IdKind = IdKind.CITIZEN_ID
    id_note: str = ""
    birth_date: date | None = None

    def cleaned(self) -> Applicant:
        return Applicant(
            tidy(self.name),
            clean_id_number(self.id_kind, self.id_number),
            normalise_phone(self.phone or ""),
            tidy(self.address),
            (self.email or "").strip(),
            self.kind,
            self.id_kind,
            tidy(self.id_note) if self.id_kind == IdKind.OTHER else "",
            self.birth_date if self.kind == ApplicantKind.PERSON else None,
        )

    def problems(self, *, identity: bool = True) -> dict:
        """What is wrong, by field; `identity` False skips the identity document (a slip
        records none)."""
        problems = {}
        if len(self.name) < 2:
            problems["applicant_name"] = _l("hãy ghi họ tên cá nhân hoặc tên tổ chức")
        if identity:
            if self.id_kind not in ID_KINDS_FOR[self.kind]:
                problems["applicant_id_kind"] = (
                    _l("tổ chức dùng mã số doanh nghiệp/mã số thuế hoặc giấy tờ khác")
                    if self.kind == ApplicantKind.ORGANISATION
                    else _l("cá nhân dùng CCCD, hộ chiếu hoặc giấy tờ khác")
                )
            else:
                problems |= identity_problems(
                    self.id_kind, self.id_number, self.id_note, "applicant_"
                )
        if self.birth_date is not None and not (
            date(1900, 1, 1) <= self.birth_date <= date.today()
        ):
            problems["applicant_birth_date"] = _l("ngày sinh phải là một ngày đã qua")
        return problems | phone_problems(self.phone, "applicant_phone")


@dataclass
class Submitter:
    """The person who hands the dossier in for its owner, under an authorisation."""

    name: str
    id_kind: IdKind = IdKind.CITIZEN_ID
    id_number: str = ""
    id_note: str = ""
    phone: str = ""
    authorisation: str = ""

    def cleaned(self) -> Submitter:
        return Submitter(
            tidy(self.name),
            self.id_kind,
            clean_id_number(self.id_kind, self.id_number),
            tidy(self.id_note) if self.id_kind == IdKind.OTHER else "",
            normalise_phone(self.phone or ""),
            tidy(self.authorisation),
        )

    def problems(self, *, identity: bool = True) -> dict:
        problems = {}
        if len(self.name) < 2:
            problems["submitter_name"] = _l("hãy ghi họ tên người nộp thay")
        if identity:
            if self.id_kind not in ID_KINDS_FOR[ApplicantKind.PERSON]:
                problems["submitter_id_kind"] = _l(
                    "người nộp thay là cá nhân: dùng CCCD, hộ chiếu hoặc giấy tờ khác"
                )
            else:
                problems |= identity_problems(
                    self.id_kind, self.id_number, self.id_note, "submitter_"
                )
            if not 5 <= len(self.authorisation) <= 300:
                problems["submitter_authorisation"] = _l(
                    "hãy ghi văn bản ủy quyền, ví dụ “Giấy ủy quyền số 12/UQ ngày 01/12/2026”"
                )
        return problems | phone_problems(self.phone, "submitter_phone")


@dataclass
class Parties:
    """The owner and, when someone files for them, the submitter, cleaned and checked."""

    applicant: Applicant
    submitter: Submitter | None = None


def party_problems(
    applicant: Applicant, submitter: Submitter | None, *, identity: bool = True
) -> tuple[Parties, dict]:
    """The parties cleaned, and what is wrong with them by field."""
    parties = Parties(applicant.cleaned(), submitter.cleaned() if submitter else None)
    problems = parties.applicant.problems(identity=identity)
    if parties.submitter is not None:
        problems |= parties.submitter.problems(identity=identity)
    return parties, problems


def checked_parties(
    applicant: Applicant, submitter: Submitter | None = None, *, identity: bool = True
) -> Parties:
    """The parties cleaned, or InvalidApplicant listing every problem (placed beside the
    first field it names)."""
    parties, problems = party_problems(applicant, submitter, identity=identity)
    if problems:
        parts = [
            LazyJoin([_l("người nộp thay"), problem], ": ")
            if field.startswith("submitter_")
            else problem
            for field, problem in problems.items()
        ]
        raise InvalidApplicant(
            _l("Thông tin người nộp chưa đúng: {problems}."),
            problems=LazyJoin(parts),
            field=next(iter(problems)),
        )
    return parties


def party_columns(parties: Parties) -> dict:
    """The dossier's columns for the owner and the submitter."""
    applicant, submitter = parties.applicant, parties.submitter
    columns = dict(
        applicant_name=applicant.name,
        applicant_kind=applicant.kind,
        applicant_id_kind=applicant.id_kind,
        applicant_id_number=applicant.id_number,
        applicant_id_note=applicant.id_note,
        applicant_phone=applicant.phone,
        applicant_address=applicant.address,
        applicant_email=applicant.email,
        applicant_birth_date=applicant.birth_date,
    )
    if submitter is not None:
        columns |= dict(
            submitter_name=submitter.name,
            submitter_id_kind=submitter.id_kind,
            submitter_id_number=submitter.id_number,
            submitter_id_note=submitter.id_note,
            submitter_phone=submitter.phone,
            submitter_authorisation=submitter.authorisation,
        )
    return columns


def record_collection(dossier: Dossier, via: Channel, by: Collector, name: str = "") -> None:
    """How and by whom the result was collected. An empty name means the owner, the
    submitter who filed for them, or the post, as `by` says."""
    if (via == Channel.POST) != (by == Collector.POST):
        raise InvalidInput(
            _l("Kết quả gửi qua bưu chính thì người nhận là bưu chính, và ngược lại."),
            field="collected_by",
        )
    if via == Channel.ONLINE and by != Collector.OWNER:
        raise InvalidInput(
            _l("Kết quả trực tuyến được trả vào tài khoản của chủ hồ sơ."), field="collected_by"
        )
    name = tidy(name)[:200]
    if by == Collector.OWNER:
        name = name or dossier.applicant_name
    elif by == Collector.AUTHORISED:
        name = name or dossier.submitter_name
        if not name:
            raise InvalidInput(
                _l("Hãy ghi họ tên người được ủy quyền nhận kết quả."), field="collector_name"
            )
    else:
        name = name or POST_COLLECTOR
    dossier.collected_via, dossier.collected_by, dossier.collector_name = via, by, name
