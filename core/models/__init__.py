"""The tables of the domain: one module per part, imported here in the order their foreign keys
need. Import models from `core.models`, never from its modules; times are stored in UTC
(`core.db.types.UTCDateTime`).
"""

# ruff: noqa: I001  (the modules are imported in the order of their foreign keys)

from core.models.accounts import Role, DeviceKind, User, Device
from core.models.queue import (
    format_ticket_number,
    is_open,
    TicketStatus,
    Counter,
    Service,
    ServiceHours,
    TicketSequence,
    Ticket,
    CallKind,
    CallEvent,
)
from core.models.numbering import ServiceNumberingChange
from core.models.desk import CounterSession, RatingScore, RatingSource, Rating
from core.models.audit import AuditEvent
from core.models.dossiers import (
    OnlineLevel,
    DocumentKind,
    Channel,
    DossierStatus,
    CalendarDayKind,
    SlipKind,
    Field,
    Procedure,
    ProcedureDocument,
    CalendarDay,
    DossierSetting,
    DossierSequence,
    Dossier,
    DossierDocument,
    DossierEvent,
    DossierSupplementRequest,
    ReceptionSlip,
)
from core.models.printing import (
    PrinterState,
    PrintVia,
    PrintJobKind,
    PrintJobStatus,
    Printer,
    PrintJob,
)
from core.models.reports import (
    ReportDay,
    TicketDayFigures,
    TicketDayServiceMinutes,
    TicketDayHours,
    RatingDay,
    DossierDay,
    ClosedReportPeriod,
)

__all__ = [
    "Role",
    "DeviceKind",
    "User",
    "Device",
    "format_ticket_number",
    "is_open",
    "TicketStatus",
    "Counter",
    "Service",
    "ServiceHours",
    "TicketSequence",
    "Ticket",
    "CallKind",
    "CallEvent",
    "ServiceNumberingChange",
    "CounterSession",
    "RatingScore",
    "RatingSource",
    "Rating",
    "AuditEvent",
    "OnlineLevel",
    "DocumentKind",
    "Channel",
    "DossierStatus",
    "CalendarDayKind",
    "SlipKind",
    "Field",
    "Procedure",
    "ProcedureDocument",
    "CalendarDay",
    "DossierSetting",
    "DossierSequence",
    "Dossier",
    "DossierDocument",
    "DossierEvent",
    "DossierSupplementRequest",
    "ReceptionSlip",
    "PrinterState",
    "PrintVia",
    "PrintJobKind",
    "PrintJobStatus",
    "Printer",
    "PrintJob",
    "ReportDay",
    "TicketDayFigures",
    "TicketDayServiceMinutes",
    "TicketDayHours",
    "RatingDay",
    "DossierDay",
    "ClosedReportPeriod",
]
