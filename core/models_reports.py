"""Indexes the statistics and the reform report read through (no tables of their own)."""

from sqlalchemy import Index

from .models import Ticket
from .models_dossiers import Dossier

# Dossiers received before a period and resolved since it began (or never resolved).
Index("ix_dossier_resolved_received", Dossier.resolved_at, Dossier.received_at)
# A period's tickets, by local day.
Index("ix_ticket_day", Ticket.day)
