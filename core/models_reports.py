"""Indexes the statistics and the reform report read through (no tables of their own).

They cover every column the period queries read, so a year's figures come from index
scans alone (PostgreSQL index-only scans, SQLite covering indexes), not from the wide rows.
"""

from sqlalchemy import Index

from .models import Ticket
from .models_dossiers import Dossier

# What the official table reads of a dossier, besides the slice's own key columns.
REPORT_COLUMNS = (
    Dossier.field_name,
    Dossier.channel,
    Dossier.due_at,
    Dossier.original_due_at,
    Dossier.apologised_at,
    Dossier.clock_started_at,
    Dossier.withdrawn_at,
    Dossier.id,
)
# Dossiers received within a period.
Index("ix_dossier_report_received", Dossier.received_at, Dossier.resolved_at, *REPORT_COLUMNS)
# Dossiers received before a period and resolved since it began (or never resolved).
Index("ix_dossier_report_resolved", Dossier.resolved_at, Dossier.received_at, *REPORT_COLUMNS)
# A period's tickets by local day, with what the queue figures read.
Index(
    "ix_ticket_report_day",
    Ticket.day,
    Ticket.service_id,
    Ticket.counter_id,
    Ticket.officer_id,
    Ticket.status,
    Ticket.issued_at,
    Ticket.called_at,
    Ticket.serving_started_at,
    Ticket.finished_at,
)
