"""Importing the register of an earlier system (CSV or XLSX), all rows or none, so a
centre keeps its history when it switches. Dossier codes make a second import a no-op."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from core.agencies.codes import normalise_agency_code
from core.agencies.registry import home_agency
from core.audit import record_event
from core.clock import local_zone, to_local
from core.dossiers.applicants import (
    Applicant,
    Parties,
    Submitter,
    party_columns,
    party_problems,
)
from core.dossiers.procedures import terms_at_receipt
from core.dossiers.reception import next_register_number
from core.dossiers.sequences import bump_to_at_least, day_scope
from core.dossiers.settings import dossier_settings
from core.errors import InvalidInput
from core.models import (
    Agency,
    ApplicantKind,
    Channel,
    Dossier,
    DossierEvent,
    DossierStatus,
    IdKind,
    Procedure,
)
from core.spreadsheets import read_rows
from extensions import db

COLUMNS = (
    "code",
    "procedure_code",
    "applicant_name",
    "channel",
    "received_at",
    "due_at",
    "resolved_at",
    "returned_at",
    "status",
)
# Optional: the old register's own entry number (kept), and when a dossier was handed to
# the processing unit, withdrawn or stopped.
OPTIONAL_MOMENTS = ("transferred_at", "withdrawn_at", "stopped_at")
# The states that leave the report's table, with the moment each leaves it at.
LEFT_TABLE = {DossierStatus.WITHDRAWN: "withdrawn_at", DossierStatus.STOPPED: "stopped_at"}
# Optional: who the applicant is (a person or an organisation, and their identity document)
# and the authorised submitter, checked as at the counter. Without them a row is a person
# who submitted the dossier themselves, with no identity document recorded.
APPLICANT_COLUMNS = ("applicant_kind", "applicant_id_kind", "applicant_id_number")
SUBMITTER_COLUMNS = (
    "submitter_name",
    "submitter_id_kind",
    "submitter_id_number",
    "submitter_id_note",
    "submitter_phone",
    "submitter_authorisation",
)
# Optional while the centre has one agency, required once it has more: the competent
# agency's code (it must handle the row's procedure).
AGENCY_COLUMN = "agency_code"
CODE_PATTERN = re.compile(
    r"^(?P<agency>[A-Z0-9][A-Z0-9.]{0,30})-(?P<day>\d{6})-(?P<number>\d{4,6})$"
)
RESULT_STATES = {DossierStatus.RESOLVED, DossierStatus.REFUSED, DossierStatus.RETURNED}
OPEN_STATES = {DossierStatus.RECEIVED, DossierStatus.PROCESSING, DossierStatus.SUPPLEMENT}


class ImportRejected(InvalidInput):
    """Some rows are wrong: nothing was imported."""

    code = "import_rejected"
    message = _l("Tệp có {count} dòng lỗi, chưa nhập hồ sơ nào.")

    def __init__(self, problems: list[tuple[int, str]]):
        super().__init__(count=len(problems))
        self.problems = problems


@dataclass
class HistoryRow:
    line: int
    code: str
    procedure: Procedure
    applicant_name: str
    channel: Channel
    status: DossierStatus
    received_at: datetime
    due_at: datetime
    resolved_at: datetime | None
    returned_at: datetime | None
    transferred_at: datetime | None = None
    withdrawn_at: datetime | None = None
    stopped_at: datetime | None = None
    register_number: int | None = None
    parties: Parties | None = None
    agency: Agency | None = None


@dataclass
class ImportResult:
    imported: int
    already_present: int


def parse_moment(text: str, naive_is_local: bool) -> datetime | None:
    if not text:
        return None
    moment = datetime.fromisoformat(text.strip())
    if moment.tzinfo is None:
        if not naive_is_local:
            raise ValueError("no offset")
        moment = moment.replace(tzinfo=local_zone())
    return moment


@dataclass
class AgencyChoice:
    """The agencies a row may name (by code) and the one a row without a code goes to
    (None once the centre has more than one agency: the code is then required)."""

    by_code: dict[str, Agency]
    default: Agency | None

    @classmethod
    def of_centre(cls) -> AgencyChoice:
        agencies = list(db.session.execute(db.select(Agency).order_by(Agency.id)).scalars())
        default = home_agency(dossier_settings()["agency_code"]) if len(agencies) <= 1 else None
        return cls({agency.code: agency for agency in agencies}, default)

    def of_row(self, row: dict[str, str], procedure: Procedure | None, problems: list[str]):
        text = row.get(AGENCY_COLUMN, "").strip()
        if not text:
            if self.default is None and self.by_code:
                problems.append(
                    "thiếu agency_code: trung tâm tiếp nhận cho nhiều cơ quan, "
                    "cần ghi mã cơ quan có thẩm quyền giải quyết"
                )
            return self.default
        agency = self.by_code.get(normalise_agency_code(text))
        if agency is None:
            problems.append(f"không có cơ quan mã “{text}”")
        elif procedure is not None and procedure not in agency.procedures:
            problems.append(f"cơ quan “{agency.code}” không giải quyết thủ tục “{procedure.code}”")
        return agency


def check_row(
    line: int,
    row: dict[str, str],
    procedures: dict[str, Procedure],
    naive_is_local: bool,
    agencies: AgencyChoice | None = None,
) -> tuple[HistoryRow | None, list[str]]:
    """The row as a HistoryRow, or what is wrong with it (in Vietnamese)."""
    problems: list[str] = []
    code = row.get("code", "").strip().upper()
    if not CODE_PATTERN.match(code):
        problems.append(f"mã hồ sơ “{code}” không đúng dạng MÃCƠQUAN-YYMMDD-NNNN")
    procedure = procedures.get(row.get("procedure_code", "").strip())
    if procedure is None:
        problems.append(f"không có thủ tục mã “{row.get('procedure_code', '')}” trong danh mục")
    name = " ".join(row.get("applicant_name", "").split())
    if len(name) < 2 or len(name) > 200:
        problems.append("thiếu tên người nộp")
    channel = enum_value(Channel, row.get("channel", ""), "channel", problems)
    status = enum_value(DossierStatus, row.get("status", ""), "status", problems)
    if status == DossierStatus.TRANSFERRED:
        problems.append("status không hợp lệ: transferred")
    moments = {}
    for column in ("received_at", "due_at", "resolved_at", "returned_at", *OPTIONAL_MOMENTS):
        try:
            moments[column] = parse_moment(row.get(column, ""), naive_is_local)
        except ValueError:
            moments[column] = None
            problems.append(f"{column} “{row.get(column)}” không phải ngày giờ ISO 8601 có múi giờ")
    problems += check_times(moments, status, row)
    register_number = None
    if row.get("register_number", "").strip():
        text = row["register_number"].strip()
        if text.isdigit() and 0 < int(text) < 10_000_000:
            register_number = int(text)
        else:
            problems.append(f"register_number “{text}” phải là số thứ tự dương trong sổ")
    parties = check_parties(row, name, problems)
    agency = (agencies or AgencyChoice.of_centre()).of_row(row, procedure, problems)
    if problems:
        return None, problems
    return (
        HistoryRow(
            line,
            code,
            procedure,
            name,
            channel,
            status,
            moments["received_at"],
            moments["due_at"],
            moments["resolved_at"],
            moments["returned_at"],
            moments["transferred_at"],
            left_table_at(moments, status, "withdrawn_at"),
            left_table_at(moments, status, "stopped_at"),
            register_number,
            parties,
            agency,
        ),
        [],
    )


def left_table_at(moments: dict, status: DossierStatus, column: str) -> datetime | None:
    """A withdrawn (or stopped) dossier leaves the table at its withdrawal (or stop), or at
    its receipt when the old register did not record when."""
    if moments[column] or LEFT_TABLE.get(status) != column:
        return moments[column]
    return moments["received_at"]


def check_parties(row: dict[str, str], name: str, problems: list[str]) -> Parties | None:
    """The applicant's kind and identity and the submitter, when the row gives them."""
    given = {column: row.get(column, "").strip() for column in APPLICANT_COLUMNS}
    submitter_given = row.get("submitter_name", "").strip()
    if not any(given.values()) and not submitter_given:
        return None
    kind = enum_value(
        ApplicantKind, given["applicant_kind"] or "person", "applicant_kind", problems
    )
    # Without a kind of document: a citizen ID for a person, the tax code for an organisation.
    usual = IdKind.TAX_CODE if kind == ApplicantKind.ORGANISATION else IdKind.CITIZEN_ID
    id_kind = enum_value(
        IdKind, given["applicant_id_kind"] or usual.value, "applicant_id_kind", problems
    )
    submitter = None
    if submitter_given:
        submitter_kind = enum_value(
            IdKind,
            row.get("submitter_id_kind", "").strip() or "citizen_id",
            "submitter_id_kind",
            problems,
        )
        submitter = Submitter(
            submitter_given,
            submitter_kind or IdKind.CITIZEN_ID,
            row.get("submitter_id_number", ""),
            row.get("submitter_id_note", ""),
            row.get("submitter_phone", ""),
            row.get("submitter_authorisation", ""),
        )
    if kind is None or id_kind is None:
        return None
    applicant = Applicant(
        name,
        given["applicant_id_number"],
        kind=kind,
        id_kind=id_kind,
        id_note=row.get("applicant_id_note", ""),
    )
    # An old register may know the applicant's kind without an identity document.
    identity = bool(given["applicant_id_number"] or given["applicant_id_kind"])
    parties, found = party_problems(applicant, None, identity=identity)
    if submitter is not None:
        parties.submitter = submitter.cleaned()
        found |= parties.submitter.problems()
    problems += [f"{column}: {problem}" for column, problem in found.items()]
    return parties


def enum_value(enum_class, text: str, column: str, problems: list[str]):
    try:
        return enum_class(text.strip().lower())
    except ValueError:
        choices = ", ".join(member.value for member in enum_class)
        problems.append(f"{column} “{text}” phải là một trong: {choices}")
        return None


def check_times(moments: dict, status: DossierStatus | None, row: dict) -> list[str]:
    problems = []
    received, due = moments["received_at"], moments["due_at"]
    resolved, returned = moments["resolved_at"], moments["returned_at"]
    if received is None and not row.get("received_at"):
        problems.append("thiếu received_at")
    if due is None and not row.get("due_at"):
        problems.append("thiếu due_at")
    if received and due and due < received:
        problems.append("due_at trước received_at")
    if received and resolved and resolved < received:
        problems.append("resolved_at trước received_at")
    if returned and (resolved is None or returned < resolved):
        problems.append("returned_at cần resolved_at và không được trước nó")
    if status in RESULT_STATES and resolved is None and row.get("resolved_at", "") == "":
        problems.append(f"trạng thái {status.value} cần resolved_at")
    if status == DossierStatus.RETURNED and returned is None and row.get("returned_at", "") == "":
        problems.append("trạng thái returned cần returned_at")
    if status in OPEN_STATES and (resolved or returned):
        problems.append(f"trạng thái {status.value} không được có resolved_at / returned_at")
    for column in OPTIONAL_MOMENTS:
        if received and moments[column] and moments[column] < received:
            problems.append(f"{column} trước received_at")
    for left_status, column in LEFT_TABLE.items():
        if moments[column] and status != left_status:
            problems.append(f"{column} chỉ dùng cho trạng thái {left_status.value}")
        if status == left_status and (resolved or returned):
            problems.append(
                f"trạng thái {left_status.value} không được có resolved_at / returned_at"
            )
    return problems


def import_history(
    path: Path, *, user=None, progress: Callable[[Iterable], Iterable] = lambda rows: rows
) -> ImportResult:
    """Check every row, then add the dossiers not yet present; the caller commits.

    Raises ImportRejected listing each wrong row by line number (nothing is written).
    """
    headers, rows = read_rows(path)
    missing = [column for column in COLUMNS if column not in headers]
    if missing:
        raise InvalidInput(_l("Thiếu cột: {columns}."), columns=", ".join(missing))
    procedures = {p.code: p for p in db.session.execute(db.select(Procedure)).scalars()}
    naive_is_local = path.suffix.lower() == ".xlsx"
    agencies = AgencyChoice.of_centre()
    checked, problems, seen, seen_entries = [], [], {}, {}
    with force_locale("vi"):
        for line, row in progress(rows):
            history, row_problems = check_row(line, row, procedures, naive_is_local, agencies)
            if history and history.code in seen:
                row_problems = [f"mã hồ sơ trùng với dòng {seen[history.code]}"]
            entry = history and history.register_number and register_entry(history)
            if entry and entry in seen_entries:
                row_problems = [f"số thứ tự trong sổ trùng với dòng {seen_entries[entry]}"]
            if row_problems:
                problems.append((line, "; ".join(row_problems)))
            else:
                seen[history.code] = line
                if entry:
                    seen_entries[entry] = line
                checked.append(history)
    numbered = [row for row in checked if row.register_number]
    if numbered and len(numbered) < len(checked):
        # The register's numbers are kept only when the file gives all of them; a mix
        # would have the desk number some rows in between the file's own.
        problems += [
            (row.line, "thiếu register_number (tệp có cột này ở các dòng khác)")
            for row in checked
            if not row.register_number
        ]
    if problems:
        raise ImportRejected(sorted(problems))
    present = (
        set(
            db.session.execute(
                db.select(Dossier.code).where(Dossier.code.in_([row.code for row in checked]))
            ).scalars()
        )
        if checked
        else set()
    )
    new_rows = sorted(
        (row for row in checked if row.code not in present), key=lambda r: r.received_at
    )
    taken = entries_taken([row for row in new_rows if row.register_number])
    clashes = [row for row in new_rows if row.register_number and register_entry(row) in taken]
    if clashes:
        raise ImportRejected([(row.line, clash_message(row)) for row in clashes])
    for row in new_rows:
        add_dossier(row, user, row.agency)
    return ImportResult(imported=len(new_rows), already_present=len(present))


def register_entry(row: HistoryRow) -> tuple[int, int]:
    """The (year, entry number) a row takes in the register: registers are yearly."""
    return to_local(row.received_at).year, row.register_number


def clash_message(row: HistoryRow) -> str:
    year, number = register_entry(row)
    return f"số thứ tự {number} năm {year} đã có trong sổ"


def entries_taken(rows: list[HistoryRow]) -> set[tuple[int, int]]:
    """Of the rows' own register entries, those the database already holds."""
    wanted = {register_entry(row) for row in rows}
    if not wanted:
        return set()
    years = {year for year, _ in wanted}
    held = db.session.execute(
        db.select(Dossier.register_year, Dossier.register_number).where(
            Dossier.register_year.in_(years)
        )
    ).all()
    return wanted & {tuple(entry) for entry in held}


def add_dossier(row: HistoryRow, user, agency: Agency | None = None) -> Dossier:
    local = to_local(row.received_at)
    procedure = row.procedure
    status = row.status
    if row.register_number:
        register_number = row.register_number
        bump_to_at_least("register", str(local.year), register_number)
    else:
        register_number = next_register_number(local.year)
    dossier = Dossier(
        code=row.code,
        agency=agency,
        register_year=local.year,
        register_number=register_number,
        **terms_at_receipt(procedure),
        **(party_columns(row.parties) if row.parties else {"applicant_name": row.applicant_name}),
        channel=row.channel,
        status=status,
        received_at=row.received_at,
        clock_started_at=row.received_at,
        due_at=row.due_at,
        judged_due_at=row.due_at,
        resolved_at=row.resolved_at,
        refused=status == DossierStatus.REFUSED,
        returned_at=row.returned_at,
        transferred_at=row.transferred_at,
        withdrawn_at=row.withdrawn_at,
        stopped_at=row.stopped_at,
        supplement_items=[],
        imported=True,
    )
    db.session.add(dossier)
    db.session.flush()
    match = CODE_PATTERN.match(row.code)
    day = datetime.strptime(match["day"], "%y%m%d").date()
    # The competent agency's own counter: the desk's next number for it comes after this one.
    scope = day_scope(agency) if agency is not None else "day"
    bump_to_at_least(scope, day.isoformat(), int(match["number"]))
    db.session.add(
        DossierEvent(
            dossier=dossier,
            action="import",
            from_status=None,
            to_status=status.value,
            occurred_at=row.received_at,
            user_id=user.id if user is not None else None,
            note=f"Nhập từ sổ theo dõi cũ (dòng {row.line})",
        )
    )
    record_event("dossier.imported", dossier, user=user, code=dossier.code, line=row.line)
    return dossier
