"""The demo history's rows on their way to the database: ids taken ahead of it, the year's
register numbers, bulk writing, and moving the id sequences and register counters past
what was written so live numbering carries on unbroken."""

from __future__ import annotations

from sqlalchemy import func, select

from core.db.bulk_insert import BulkWriter
from core.models import Dossier, DossierEvent, Rating, Ticket
from core.vntext import search_key
from extensions import db

# Each row's columns in order; the id comes first and is given by HistoryRows.
TICKET_COLUMNS = (
    "id",
    "service_id",
    "origin_service_id",
    "day",
    "sequence",
    "number",
    "priority",
    "token",
    "status",
    "issued_at",
    "called_at",
    "serving_started_at",
    "finished_at",
    "counter_id",
    "officer_id",
    "call_count",
)
RATING_COLUMNS = (
    "id",
    "ticket_id",
    "counter_id",
    "officer_id",
    "service_id",
    "score",
    "reasons",
    "source",
    "created_at",
)
DOSSIER_COLUMNS = (
    "id",
    "code",
    "register_year",
    "register_number",
    "procedure_id",
    "agency_id",
    "procedure_code",
    "procedure_name",
    "field_name",
    "processing_unit",
    "processing_days",
    "processing_hours",
    "fee_vnd",
    "sets",
    "applicant_name",
    "applicant_id_number",
    "applicant_phone",
    "applicant_email",
    "applicant_address",
    "channel",
    "status",
    "ticket_id",
    "received_by_id",
    "received_at",
    "clock_started_at",
    "transfer_due_at",
    "due_at",
    "judged_due_at",
    "original_due_at",
    "apology_reason",
    "apologised_at",
    "transferred_at",
    "resolved_at",
    "refused",
    "result_note",
    "returned_at",
    "withdrawn_at",
    "supplement_items",
    "imported",
    "created_at",
    "applicant_kind",
    "applicant_id_kind",
    "submitter_name",
    "submitter_id_kind",
    "submitter_id_number",
    "submitter_phone",
    "submitter_authorisation",
    "collected_via",
    "collected_by",
    "collector_name",
    "applicant_search",  # computed by add_dossier from the name
)
NAME_AT = DOSSIER_COLUMNS.index("applicant_name") - 1  # in the values, after the id
EVENT_COLUMNS = (
    "id",
    "dossier_id",
    "action",
    "from_status",
    "to_status",
    "occurred_at",
    "user_id",
    "note",
    "from_unit",
    "to_unit",
    "receiver_name",
)


class HistoryRows:
    """Gives each row its id and hands it to a BulkWriter; `finish` writes what is left and
    moves the counters on."""

    def __init__(self):
        self.bulk = BulkWriter()
        self.next_ids = {
            model: (db.session.execute(select(func.max(model.id))).scalar() or 0) + 1
            for model in (Ticket, Rating, Dossier, DossierEvent)
        }
        self.register: dict[int, int] = {}

    def take_id(self, model) -> int:
        value = self.next_ids[model]
        self.next_ids[model] = value + 1
        return value

    def next_register_number(self, year: int) -> int:
        """The year's next register number, after those already in the database."""
        if year not in self.register:
            self.register[year] = (
                db.session.execute(
                    select(func.max(Dossier.register_number)).where(Dossier.register_year == year)
                ).scalar()
                or 0
            )
        self.register[year] += 1
        return self.register[year]

    def add_ticket(self, values: tuple) -> int:
        """A ticket row (TICKET_COLUMNS after the id); returns its id."""
        ticket_id = self.take_id(Ticket)
        self.bulk.add(Ticket.__table__, TICKET_COLUMNS, (ticket_id, *values))
        return ticket_id

    def add_rating(self, values: tuple) -> None:
        """A rating row (RATING_COLUMNS after the id)."""
        self.bulk.add(Rating.__table__, RATING_COLUMNS, (self.take_id(Rating), *values))

    def add_dossier(self, values: tuple) -> int:
        """A dossier row (DOSSIER_COLUMNS after the id); returns its id."""
        dossier_id = self.take_id(Dossier)
        folded = search_key(values[NAME_AT])[:200]
        self.bulk.add(Dossier.__table__, DOSSIER_COLUMNS, (dossier_id, *values, folded))
        return dossier_id

    def add_dossier_event(self, values: tuple) -> None:
        """A dossier event row (EVENT_COLUMNS after the id)."""
        row = (self.take_id(DossierEvent), *values)
        self.bulk.add(DossierEvent.__table__, EVENT_COLUMNS, row)

    def finish(self) -> None:
        """Flush, move id sequences and the register counters past what was written."""
        from core.dossiers.sequences import bump_to_at_least

        self.bulk.flush()
        self.bulk.reset_sequences()
        for year, last in self.register.items():
            existing = (
                db.session.execute(
                    select(func.max(Dossier.register_number)).where(Dossier.register_year == year)
                ).scalar()
                or 0
            )
            bump_to_at_least("register", str(year), max(last, existing))
