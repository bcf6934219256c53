"""The dossier list: search by code, applicant name (with or without diacritics), ID
number or phone; filters by status, procedure, competent agency, received dates, due today
and overdue;
pages of 50, newest first (due ones by their due time).

Every search is served by an index at a million dossiers (migration 0020):
- a whole code is the unique index; the start of a code ("000.17.22.H56-2702") is a range
  on it; the code's tail ("270203-0001") names the day it was received, so only that day's
  dossiers are read;
- an ID number or a phone number is an equality on its own index;
- a name is matched word by word against the folded name (`applicant_search`, lower case
  without diacritics): each word typed must start a word of the name; the names are read
  from their index rather than the table;
- the filters are ranges of the list's indexes, newest first, and the page is a LIMIT (an
  agency's dossiers on `ix_dossier_list_agency`, migration 0055).
The count is exact: an index-only count.

Managers see masked names ("Nguyễn V** A**", core/dossiers/privacy.py): their search
matches no more than they see, a person's family name or an organisation's name, and never
an ID or phone number.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, false, func, or_, select

from core.agencies.codes import is_agency_code, normalise_agency_code
from core.clock import day_bounds, local_today, utcnow
from core.dossiers.privacy import sees_personal_data
from core.models import Agency, ApplicantKind, Dossier, DossierStatus
from core.reports.live import due_later_today, overdue_at
from core.vntext import normalise_phone, search_terms
from extensions import db

PAGE_SIZE = 50
DUE_CHOICES = ("today", "overdue")
MAX_QUERY = 200
HIGHEST = "\U0010ffff"  # sorts after every character: the end of a prefix's range

WHOLE_CODE = re.compile(r"^[A-Z0-9][A-Z0-9.]*-\d{6}-\d{4,}$", re.IGNORECASE)
CODE_START = re.compile(r"^[A-Z0-9]+[.\-][A-Z0-9.\-]*$", re.IGNORECASE)
CODE_TAIL = re.compile(r"^-?(\d{2})(\d{2})(\d{2})-(\d{1,})$")
DIGITS = re.compile(r"^\+?[\d .\-()]{6,}$")


@dataclass
class DossierQuery:
    """The list's parameters, checked; what was ignored is said in `problems`."""

    q: str = ""
    status: DossierStatus | None = None
    procedure_id: int | None = None
    agency: str | None = None  # the competent agency's code
    agency_id: int | None = None
    received_from: date | None = None
    received_to: date | None = None
    due: str | None = None
    page: int = 1
    problems: list = field(default_factory=list)

    @property
    def filtered(self) -> bool:
        return bool(
            self.q
            or self.status
            or self.procedure_id
            or self.agency_id
            or self.received_from
            or self.received_to
            or self.due
        )

    def args(self, **changes) -> dict:
        """The query parameters of this search (for links to other pages of it)."""
        values = {
            "q": self.q or None,
            "status": self.status.value if self.status else None,
            "procedure": self.procedure_id,
            "agency": self.agency,
            "received_from": self.received_from.isoformat() if self.received_from else None,
            "received_to": self.received_to.isoformat() if self.received_to else None,
            "due": self.due,
            "page": self.page if self.page > 1 else None,
        } | changes
        return {key: value for key, value in values.items() if value is not None}


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text and re.fullmatch(r"\d{4}-\d{2}-\d{2}", text) else None


def parse_query(args: Mapping[str, str]) -> DossierQuery:
    """The list's parameters from a page's query string: a bad value is left out and named
    in `problems`, never an error."""
    query = DossierQuery()
    query.q = " ".join((args.get("q") or "").split())[:MAX_QUERY]
    status = (args.get("status") or "").strip()
    if status:
        if status in {member.value for member in DossierStatus}:
            query.status = DossierStatus(status)
        else:
            query.problems.append(_l("trạng thái không có trong danh mục"))
    procedure = (args.get("procedure") or "").strip()
    if procedure:
        if procedure.isdigit() and 0 < int(procedure) < 2**31:
            query.procedure_id = int(procedure)
        else:
            query.problems.append(_l("thủ tục không hợp lệ"))
    agency = (args.get("agency") or "").strip()
    if agency:
        query.agency_id = _agency_id(agency)
        if query.agency_id is None:
            query.problems.append(_l("cơ quan không có trong danh mục"))
        else:
            query.agency = normalise_agency_code(agency)
    for name, label in (
        ("received_from", _l("ngày tiếp nhận từ")),
        ("received_to", _l("ngày tiếp nhận đến")),
    ):
        text = (args.get(name) or "").strip()
        if not text:
            continue
        try:
            day = _day(text)
        except ValueError:
            day = None
        if day is None or not 2000 <= day.year <= 2100:
            query.problems.append(_l("%(label)s không phải ngày hợp lệ", label=label))
        else:
            setattr(query, name, day)
    if query.received_from and query.received_to and query.received_from > query.received_to:
        query.problems.append(_l("ngày tiếp nhận “từ” sau ngày “đến”"))
        query.received_from = query.received_to = None
    due = (args.get("due") or "").strip()
    if due:
        if due in DUE_CHOICES:
            query.due = due
        else:
            query.problems.append(_l("hạn xử lý không hợp lệ"))
    page = (args.get("page") or "").strip()
    if page:
        if page.isdigit() and 0 < int(page) < 10**7:
            query.page = int(page)
        else:
            query.problems.append(_l("số trang không hợp lệ"))
    return query


def _agency_id(code: str) -> int | None:
    """The id of the agency with this code, or None (a code that is not one, too)."""
    code = normalise_agency_code(code)
    if not is_agency_code(code):
        return None
    return db.session.execute(select(Agency.id).where(Agency.code == code)).scalar()


@dataclass
class DossierPage:
    dossiers: list[Dossier]
    total: int
    page: int
    pages: int
    notes: list = field(default_factory=list)  # what the search could not do for this user


def _like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _starts_with(column, prefix: str):
    """`column` starts with `prefix`: a range of its index, and LIKE for the collation's sake."""
    return and_(
        column >= prefix, column < prefix + HIGHEST, column.like(_like(prefix) + "%", escape="\\")
    )


def _word_starts(term: str):
    """A word of the folded name starts with `term` ("an" finds "An", not "Vân")."""
    return or_(
        Dossier.applicant_search.like(f"{_like(term)}%", escape="\\"),
        Dossier.applicant_search.like(f"% {_like(term)}%", escape="\\"),
    )


def _text_conditions(text: str, user) -> tuple[list, list]:
    """What the free text matches (code, ID number, phone, name) for `user`, and notes."""
    notes: list = []
    full = sees_personal_data(user)
    upper = text.upper().replace(" ", "")
    if WHOLE_CODE.match(upper):
        return [Dossier.code == upper], notes
    tail = CODE_TAIL.match(text.replace(" ", ""))
    if tail:
        year, month, day_of, sequence = tail.groups()
        try:
            day = date(2000 + int(year), int(month), int(day_of))
        except ValueError:
            return [false()], notes
        start, _ = day_bounds(day - timedelta(days=1))
        _, end = day_bounds(day + timedelta(days=1))
        pattern = f"%-{year}{month}{day_of}-{_like(sequence)}%"
        return [
            Dossier.received_at >= start,
            Dossier.received_at < end,
            Dossier.code.like(pattern, escape="\\"),
        ], notes
    if DIGITS.match(text) and sum(char.isdigit() for char in text) >= 6:
        if not full:
            notes.append(
                _l("Cán bộ quản lý không tìm theo số giấy tờ hay số điện thoại của người nộp.")
            )
            return [false()], notes
        numbers = {re.sub(r"\D", "", text), text.replace(" ", "").upper()}
        return [
            or_(
                Dossier.applicant_id_number.in_(sorted(numbers)),
                Dossier.applicant_phone == normalise_phone(text),
            )
        ], notes
    if CODE_START.match(upper) and any(char.isdigit() for char in upper):
        return [_starts_with(Dossier.code, upper)], notes
    terms = search_terms(text)[:8]
    if not terms:
        return [], notes
    if full:
        return [_word_starts(term) for term in terms], notes
    # A manager sees a person's family name only, and an organisation's whole name.
    organisation = and_(
        Dossier.applicant_kind == ApplicantKind.ORGANISATION,
        *(_word_starts(term) for term in terms),
    )
    if len(terms) > 1:
        notes.append(_l("Họ tên được che: cán bộ quản lý chỉ tìm được theo họ của người nộp."))
        return [organisation], notes
    family = and_(
        Dossier.applicant_kind == ApplicantKind.PERSON,
        or_(
            Dossier.applicant_search == terms[0],
            _starts_with(Dossier.applicant_search, terms[0] + " "),
        ),
    )
    return [or_(family, organisation)], notes


def search_conditions(query: DossierQuery, user, now: datetime | None = None):
    """The WHERE conditions of `query` as `user` may search, and notes for the page."""
    now = now or utcnow()
    conditions: list = []
    notes: list = []
    if query.q:
        text_conditions, notes = _text_conditions(query.q, user)
        conditions += text_conditions
    if query.status:
        conditions.append(Dossier.status == query.status)
    if query.procedure_id:
        conditions.append(Dossier.procedure_id == query.procedure_id)
    if query.agency_id:
        conditions.append(Dossier.agency_id == query.agency_id)
    if query.received_from:
        conditions.append(Dossier.received_at >= day_bounds(query.received_from)[0])
    if query.received_to:
        conditions.append(Dossier.received_at < day_bounds(query.received_to)[1])
    if query.due == "today":
        conditions += due_later_today(now, day_bounds(local_today(now))[1])
    elif query.due == "overdue":
        conditions += overdue_at(now)
    return conditions, notes


def list_order(query: DossierQuery) -> tuple:
    """Newest first; the dossiers due today by their due time, the overdue ones the longest
    overdue first (and, a small set of open dossiers, read from the status index rather
    than by walking every dossier newest first)."""
    if query.due == "today":
        return (Dossier.due_at, Dossier.id)
    if query.due == "overdue":
        return (Dossier.judged_due_at, Dossier.id)
    return (Dossier.received_at.desc(), Dossier.id.desc())


def search_dossiers(query: DossierQuery, user, now: datetime | None = None) -> DossierPage:
    """One page (PAGE_SIZE, in `list_order`) of the dossiers matching `query`, and their
    count."""
    conditions, notes = search_conditions(query, user, now)
    total = db.session.execute(select(func.count(Dossier.id)).where(*conditions)).scalar_one()
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(query.page, pages)
    dossiers = list(
        db.session.execute(
            select(Dossier)
            .where(*conditions)
            .order_by(*list_order(query))
            .limit(PAGE_SIZE)
            .offset((page - 1) * PAGE_SIZE)
        ).scalars()
    )
    return DossierPage(dossiers, total, page, pages, notes)
