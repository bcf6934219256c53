"""The demo history's working days, drawn from one seeded random stream, so the same seed
gives the same history.

Shape: arrivals peaking mid-morning with a smaller afternoon wave, more visitors on Mondays
and in the weeks before Tết, dossiers mostly resolved on the due day, some early, a few late
(most of those with an apology letter), some supplemented (the clock restarts), refused or
withdrawn; what would happen after now is left undone (the dossier is still open).

Tickets follow the desk's rules (core.queue.ticket_flow): a served ticket's service starts
when the citizen arrives at the counter, after the call, and a dossier received from a
ticket is received during that service; an absent citizen was called as many times as the
queue settings require before being marked absent.
"""

from __future__ import annotations

import math
import random
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select

from core.agencies.registry import home_agency
from core.clock import day_start, local_zone
from core.dossiers.calendar import WorkCalendar
from core.dossiers.settings import dossier_settings
from core.models import Agency, Counter, Procedure, Role, Service, User
from core.queue.settings import NO_SHOW_AFTER_CALLS, queue_setting
from demo.history_rows import HistoryRows
from extensions import db

if TYPE_CHECKING:
    from demo.history import HistoryPlan, HistoryResult

HISTORY_OFFICERS = [
    # username, full name: the demo's two officers plus three more for five counters
    ("canbo1", "Nguyễn Thị Lan"),
    ("canbo2", "Trần Văn Minh"),
    ("canbo3", "Lê Thị Hương"),
    ("canbo4", "Phạm Đức Thắng"),
    ("canbo5", "Võ Thị Mai"),
]
# The desk's own agency's queues, then those of the other agencies of the demo centre
# (demo.agencies.OTHER_HALLS), which only a centre of several agencies has.
SERVICE_SHARES = {"GPLX": 0.40, "PTIEN": 0.25, "VTAI": 0.14, "KCHT": 0.05, "TRAKQ": 0.16}
SERVICE_SHARES |= {"XD-CP": 0.06, "XD-HT": 0.03, "CA-GPLX": 0.12, "CA-DKX": 0.08}
SERVICE_SHARES |= {"CA-CT": 0.10, "PH-HT": 0.10, "PH-HKD": 0.04}
# How crowded each queue is (waiting times scale with it) and minutes at the counter.
SERVICE_CROWDING = {"GPLX": 1.5, "PTIEN": 1.0, "VTAI": 0.8, "KCHT": 0.55, "TRAKQ": 0.45}
SERVICE_CROWDING |= {"XD-CP": 0.7, "XD-HT": 0.5, "CA-GPLX": 1.2, "CA-DKX": 1.0}
SERVICE_CROWDING |= {"CA-CT": 1.1, "PH-HT": 0.9, "PH-HKD": 0.5}
SERVICE_MINUTES = {"GPLX": 7.0, "PTIEN": 6.0, "VTAI": 6.5, "KCHT": 9.0, "TRAKQ": 2.5}
SERVICE_MINUTES |= {"XD-CP": 10.0, "XD-HT": 8.0, "CA-GPLX": 6.0, "CA-DKX": 7.5}
SERVICE_MINUTES |= {"CA-CT": 5.0, "PH-HT": 5.5, "PH-HKD": 8.0}
# Arrivals by local hour (weights): a morning peak and a smaller afternoon wave.
HOUR_WEIGHTS = {7: 6, 8: 17, 9: 19, 10: 15, 11: 6, 13: 9, 14: 12, 15: 10, 16: 6}
WEEKDAY_LOAD = (1.18, 1.02, 0.98, 0.97, 0.90, 0.6, 0.5)
SCORES = (("very_satisfied", 0.56), ("satisfied", 0.32), ("neutral", 0.08), ("unsatisfied", 0.04))
REASONS = ("long_wait", "attitude", "unclear_guidance", "many_visits")
FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi")
MIDDLE = ("Văn", "Thị", "Hữu", "Đức", "Minh", "Ngọc", "Thanh", "Quốc", "Thu", "Gia")
GIVEN = ("An", "Bình", "Châu", "Dũng", "Giang", "Hà", "Hải", "Hùng", "Khánh", "Lan", "Linh")
GIVEN += ("Long", "Mai", "Nam", "Nga", "Phong", "Phúc", "Quân", "Sơn", "Tâm", "Trang", "Tuấn")
PLACES = ("Hà Đông, Hà Nội", "Thanh Xuân, Hà Nội", "Long Biên, Hà Nội", "Sơn Tây, Hà Nội")
# A few dossiers belong to companies and a few are filed by an authorised person. They are
# picked by register number, not drawn from the random stream, so a seed's history is the
# same as before apart from them.
COMPANIES = (
    "Công ty TNHH Vận tải Hòa Bình",
    "Công ty Cổ phần Xây dựng Sông Hồng",
    "Hợp tác xã Vận tải Thăng Long",
    "Công ty TNHH Thương mại Minh Phát",
)
COMPANY_EVERY, PROXY_EVERY = 17, 11


def seasonal_load(day: date) -> float:
    """Busier in the weeks before Tết (January–February) and in early autumn."""
    phase = 2 * math.pi * (day.timetuple().tm_yday - 20) / 365
    return (1 + 0.14 * math.cos(phase) + 0.05 * math.cos(2 * phase)) * WEEKDAY_LOAD[day.weekday()]


class HistoryGenerator:
    """Generates one working day at a time and hands its rows to `rows`, counting them in
    `result`."""

    def __init__(
        self, plan: HistoryPlan, calendar: WorkCalendar, rows: HistoryRows, result: HistoryResult
    ):
        self.plan = plan
        self.calendar = calendar
        self.zone = local_zone()
        self.random = random.Random(plan.seed)
        self.rows = rows
        self.result = result
        self.officers = self._officers()
        self.services = {s.code: s for s in db.session.execute(select(Service)).scalars()}
        self.counters = self._counters()
        self.procedures = list(
            db.session.execute(
                select(Procedure).where(Procedure.active.is_(True)).order_by(Procedure.id)
            ).scalars()
        )
        self.procedure_weights = [
            3 if p.field.name.startswith("Đường bộ") else 1 for p in self.procedures
        ]
        self.calls_before_absent = queue_setting(NO_SHOW_AFTER_CALLS)
        self.competent = self._competent_agencies()
        self.due_cache: dict[tuple[date, bool, int | None], datetime] = {}
        self.now = datetime.now(self.zone)

    def _competent_agencies(self) -> dict[int, list[tuple[int | None, str]]]:
        """Per procedure: the (id, code) of the agencies of the demo centre (the first
        `plan.agencies`, as `demo.processes.seed_demo_centre` takes them) competent for it;
        the desk's own agency where none is (or on a single-agency desk)."""
        code = dossier_settings()["agency_code"]
        home = home_agency(code)
        own = [(home.id, home.code) if home is not None else (None, code)]
        if self.plan.agencies <= 1:
            return {procedure.id: own for procedure in self.procedures}
        centre = db.session.execute(
            select(Agency.id).order_by(Agency.id).limit(self.plan.agencies)
        ).scalars()
        centre = set(centre)
        competent = {}
        for procedure in self.procedures:
            agencies = [
                (agency.id, agency.code)
                for agency in sorted(procedure.agencies, key=lambda agency: agency.id)
                if agency.id in centre and agency.active
            ]
            competent[procedure.id] = agencies or own
        return competent

    def competent_agency(self, procedure: Procedure) -> tuple[int | None, str]:
        """The agency a dossier of `procedure` is received for: drawn where several handle
        it (only then, so a single-agency history is the same as it always was)."""
        agencies = self.competent[procedure.id]
        return agencies[0] if len(agencies) == 1 else self.random.choice(agencies)

    def _officers(self) -> list[User]:
        """The history's officers, added where missing with a random password nobody is
        told (an admin sets one to sign in as them)."""
        from core.accounts.users import add_user, new_username
        from demo.desk import random_password

        existing = {u.username: u for u in db.session.execute(select(User)).scalars()}
        officers = []
        for username, full_name in HISTORY_OFFICERS:
            user = existing.get(username) or add_user(
                new_username(username),
                Role.OFFICER.value,
                random_password(username),
                full_name,
                None,
            )
            officers.append(user)
        db.session.flush()
        return officers

    def _counters(self) -> dict[str, list[tuple[int, int]]]:
        """Per service code: the (counter id, officer id) pairs that serve it."""
        serving: dict[str, list[tuple[int, int]]] = {code: [] for code in SERVICE_SHARES}
        counters = db.session.execute(select(Counter).order_by(Counter.number)).scalars().all()
        for index, counter in enumerate(counters):
            officer = self.officers[index % len(self.officers)]
            for service in counter.services:
                serving.setdefault(service.code, []).append((counter.id, officer.id))
        return serving

    def at(self, day: date, minutes: float) -> datetime:
        return day_start(day, self.zone) + timedelta(minutes=minutes)

    def arrival_minute(self) -> float:
        hour = self.random.choices(list(HOUR_WEIGHTS), weights=list(HOUR_WEIGHTS.values()))[0]
        start = 7 * 60 + 30 if hour == 7 else hour * 60
        end = 11 * 60 + 30 if hour == 11 else (hour + 1) * 60
        return self.random.uniform(start, end)

    # --- tickets ---------------------------------------------------------------------

    def write_tickets(self, day: date, load: float) -> list[tuple]:
        """The day's tickets and ratings; returns served (id, start, counter, officer, end,
        the service's agency)."""
        count = int(self.plan.tickets_per_day * load * self.random.uniform(0.9, 1.1))
        codes = [code for code in SERVICE_SHARES if code in self.services]
        if not codes or not count:
            return []
        weights = [SERVICE_SHARES[code] for code in codes]
        picks = self.random.choices(codes, weights=weights, k=count)
        arrivals = sorted((self.arrival_minute(), code) for code in picks)
        sequences: dict[str, int] = {}
        served = []
        for minute, code in arrivals:
            service = self.services[code]
            sequences[code] = sequences.get(code, 0) + 1
            sequence = sequences[code]
            issued = self.at(day, minute)
            busy = HOUR_WEIGHTS.get(int(minute // 60), 5) / 10
            roll = self.random.random()
            status = "done" if roll < 0.93 else ("no_show" if roll < 0.98 else "cancelled")
            counter_id = officer_id = called = started = finished = None
            calls = 0
            if status != "cancelled" and self.counters.get(code):
                counter_id, officer_id = self.random.choice(self.counters[code])
                scale = 3.2 * busy * load * SERVICE_CROWDING[code] + 0.5
                wait = self.random.gammavariate(2.0, scale)
                called = issued + timedelta(minutes=wait)
                if status == "done":  # called once, arrived, served
                    calls = 1
                    started = called + timedelta(seconds=self.random.uniform(20, 90))
                    length = self.random.lognormvariate(math.log(SERVICE_MINUTES[code]), 0.45)
                    finished = started + timedelta(minutes=length)
                else:  # called as often as the settings require, a minute apart, then absent
                    calls = self.calls_before_absent
                    finished = called + timedelta(minutes=calls)
            else:
                status = "cancelled"
            ticket_id = self.rows.add_ticket(
                (
                    service.id,
                    service.id,
                    day,
                    sequence,
                    service.format_number(sequence),
                    self.random.random() < 0.04,
                    f"{self.random.getrandbits(128):032x}",
                    status,
                    issued,
                    called,
                    started,
                    finished,
                    counter_id,
                    officer_id,
                    calls,
                )
            )
            self.result.tickets += 1
            if status == "done":
                served.append(
                    (ticket_id, started, counter_id, officer_id, finished, service.agency_id)
                )
                if self.random.random() < 0.42:
                    self.write_rating(ticket_id, counter_id, officer_id, service.id, finished)
        return served

    def write_rating(self, ticket_id, counter_id, officer_id, service_id, finished) -> None:
        score = self.random.choices([s for s, _ in SCORES], weights=[w for _, w in SCORES])[0]
        reasons = []
        if score in ("neutral", "unsatisfied"):
            reasons = sorted(
                self.random.sample(REASONS, self.random.randint(1, 2)), key=REASONS.index
            )
        self.rows.add_rating(
            (
                ticket_id,
                counter_id,
                officer_id,
                service_id,
                score,
                reasons,
                "counter" if self.random.random() < 0.8 else "tracking",
                finished + timedelta(seconds=self.random.uniform(5, 90)),
            )
        )
        self.result.ratings += 1

    # --- dossiers --------------------------------------------------------------------

    def due_after(self, moment: datetime, procedure: Procedure) -> datetime:
        """The due time by the desk's one rule (`WorkCalendar.due`); a period in days is
        cached by the day of receipt and the side of the cut-off, all it can depend on."""
        days, hours = procedure.processing_days, procedure.processing_hours
        if hours is not None:
            return self.calendar.due(moment, days, hours)
        local = moment.astimezone(self.zone)
        key = (local.date(), local.time() >= self.calendar.cutoff, days)
        if key not in self.due_cache:
            self.due_cache[key] = self.calendar.due(moment, days, hours)
        return self.due_cache[key]

    def working_moment(self, day: date, offset_days: int) -> datetime:
        """A moment in office hours `offset_days` working days after `day`."""
        target = self.calendar.add_working_days(day, offset_days) if offset_days else day
        return self.at(target, self.random.uniform(8 * 60, 16 * 60 + 45))

    def write_dossiers(self, day: date, load: float, served: list) -> None:
        count = int(self.plan.dossiers_per_day * load * self.random.uniform(0.9, 1.1))
        if not self.procedures or not count:
            return
        picks = self.random.choices(self.procedures, weights=self.procedure_weights, k=count)
        # A dossier received in person came with a ticket of one of its agency's queues.
        candidates: dict[int | None, list[tuple]] = {}
        for item in served:
            if item[1] is not None:
                candidates.setdefault(item[5], []).append(item)
        moments = []
        for procedure in picks:
            agency = self.competent_agency(procedure)
            channel = self.random.choices(("online", "direct", "post"), weights=(35, 60, 5))[0]
            link = None
            if channel == "direct" and candidates.get(agency[0]):
                link = self.random.choice(candidates[agency[0]])
                # During the service: after the start, before the end.
                start, end = link[1], link[4]
                received = start + (end - start) * self.random.uniform(0.3, 0.9)
            else:
                received = self.at(day, self.arrival_minute())
            moments.append((received, procedure, agency, channel, link))
        moments.sort(key=lambda item: item[0])
        sequences: dict[int | None, int] = {}  # each agency numbers its own day's dossiers
        for received, procedure, agency, channel, link in moments:
            sequences[agency[0]] = sequence = sequences.get(agency[0], 0) + 1
            self.write_dossier(day, sequence, received, procedure, agency, channel, link)

    def write_dossier(self, day, sequence, received, procedure, agency, channel, link) -> None:
        rng = self.random
        days = procedure.processing_days or 1  # how the outcome is drawn, not the due time
        first_day = self.calendar.handling_day(received)
        first_due = due = self.due_after(received, procedure)
        clock_started = received
        transferred = received + timedelta(minutes=rng.uniform(20, 200))
        officer_id = link[3] if link else rng.choice(self.officers).id
        resolved = returned = withdrawn = apologised = None
        refused, apology_reason, items, events = False, "", [], []
        roll = rng.random()
        if roll < 0.03:  # withdrawn at the applicant's request
            withdrawn = self.working_moment(first_day, rng.randint(0, 3))
        elif roll < 0.11:  # a supplement asked for in time; it usually comes back: the clock
            # restarts, and so does the due time the dossier is judged against
            asked = self.working_moment(received.date(), rng.randint(1, 3))
            items = ["Bản sao giấy tờ tùy thân có chứng thực"]
            events.append(("request_supplement", "processing", "supplement", asked))
            if rng.random() < 0.88:
                back = self.working_moment(asked.date(), rng.randint(1, 8))
                events.append(("supplement_received", "supplement", "processing", back))
                clock_started, due = back, self.due_after(back, procedure)
            else:  # never completed: withdrawn after a few weeks
                withdrawn = self.working_moment(asked.date(), rng.randint(15, 30))
        original_due = None
        if withdrawn is None:
            resolved, refused, late_by = self.outcome(transferred, clock_started, due, days)
            if late_by and rng.random() < 0.7:  # the apology letter, the day before the due day
                apologised = self.at(self.previous_working_day(due.date()), rng.uniform(480, 960))
                if apologised > clock_started:
                    original_due, apology_reason = due, "Cần xác minh thêm với cơ quan liên quan"
                    new_day = self.calendar.add_working_days(due.date(), late_by + 1)
                    due = self.calendar.at(new_day, self.calendar.closing_time)
                else:
                    apologised = None
            if rng.random() < 0.9:
                returned = resolved + timedelta(days=rng.uniform(0.1, 4))
        # What has not happened yet by now is left undone: the dossier is still open.
        now = self.now
        events = [event for event in events if event[3] <= now]
        if len(events) == 1:  # asked for a supplement that has not come back yet
            clock_started, due = received, first_due
            resolved = returned = apologised = original_due = None
            refused, apology_reason = False, ""
        if withdrawn and withdrawn > now:
            withdrawn = None
        if apologised and apologised > now:
            due, apologised, original_due, apology_reason = original_due, None, None, ""
        if resolved and resolved > now:
            resolved, returned, refused = None, None, False
        if returned and returned > now:
            returned = None
        if withdrawn:
            status = "withdrawn"
        elif returned:
            status = "returned"
        elif resolved:
            status = "refused" if refused else "resolved"
        elif events and events[-1][0] == "request_supplement":
            status = "supplement"
        else:
            status = "processing" if transferred <= now else "received"
        year = received.year
        register_number = self.rows.next_register_number(year)
        owner_name, owner_id = self.owner(
            register_number,
            self.applicant_name(),
            f"0{rng.randint(10, 99)}{rng.randint(10**8, 10**9 - 1)}",
        )
        dossier_id = self.rows.add_dossier(
            (
                f"{agency[1]}-{day:%y%m%d}-{sequence:04d}",
                year,
                register_number,
                procedure.id,
                agency[0],
                procedure.code,
                procedure.name,
                procedure.field.name,
                procedure.processing_unit,
                procedure.processing_days,
                procedure.processing_hours,
                procedure.fee_vnd,
                1,
                owner_name,
                owner_id,
                f"09{rng.randint(10**7, 10**8 - 1)}",
                "",
                rng.choice(PLACES),
                channel,
                status,
                link[0] if link else None,
                officer_id,
                received,
                clock_started,
                self.calendar.transfer_due(received),
                due,
                original_due or due,  # every demo supplement is asked for in time
                original_due,
                apology_reason,
                apologised,
                transferred if status != "received" else None,
                resolved,
                refused,
                "Từ chối: hồ sơ không đủ điều kiện" if refused else "",
                returned,
                withdrawn,
                items,
                False,
                received,
                *self.parties(register_number, channel, returned, owner_name),
            )
        )
        self.result.dossiers += 1
        for action, before, after, moment in events:
            row = (dossier_id, action, before, after, moment)
            self.rows.add_dossier_event((*row, officer_id, "", "", "", ""))

    def outcome(self, transferred, clock_started, due, days) -> tuple[datetime, bool, int]:
        """When the result comes, whether it is a refusal, and how many days late."""
        rng = self.random
        roll = rng.random()
        if roll < 0.04:
            refusal = self.working_moment(transferred.date(), rng.randint(0, 1))
            return max(refusal, transferred + timedelta(minutes=30)), True, 0
        if roll < 0.30 and days > 1:
            return self.working_moment(clock_started.date(), rng.randint(1, days - 1)), False, 0
        if roll < 0.945:
            return self.at(due.date(), rng.uniform(8 * 60, 16 * 60 + 50)), False, 0
        late_by = rng.randint(1, 5)
        return self.working_moment(due.date(), late_by), False, late_by

    def previous_working_day(self, day: date) -> date:
        day -= timedelta(days=1)
        while not self.calendar.is_working_day(day):
            day -= timedelta(days=1)
        return day

    @staticmethod
    def owner(register_number: int, name: str, citizen_id: str) -> tuple[str, str]:
        """The owner's name and ID number: every COMPANY_EVERY-th dossier a company's."""
        if register_number % COMPANY_EVERY:
            return name, citizen_id
        company = COMPANIES[register_number // COMPANY_EVERY % len(COMPANIES)]
        return company, f"01{register_number * 7919 % 10**8:08d}"

    def parties(self, register_number: int, channel: str, returned, owner: str) -> tuple:
        """Kind, ID kind, the submitter (a company's employee, or someone authorised for
        every PROXY_EVERY-th person) and how a returned result was collected."""
        company = register_number % COMPANY_EVERY == 0
        proxy = company or register_number % PROXY_EVERY == 0
        submitter = ("", None, "", "", "")
        if proxy and channel != "online":
            name = (
                f"{FAMILY[register_number % len(FAMILY)]} Văn {GIVEN[register_number % len(GIVEN)]}"
            )
            paper = "Giấy giới thiệu" if company else "Giấy ủy quyền"
            submitter = (
                name,
                "citizen_id",
                f"001{register_number * 104729 % 10**9:09d}",
                f"09{register_number * 31 % 10**8:08d}",
                f"{paper} số {register_number % 90 + 10}/UQ",
            )
        collected = (None, None, "")
        if returned is not None:
            if channel == "post":
                collected = ("post", "post", "Bưu chính")
            elif channel == "online":
                collected = ("online", "owner", owner)
            elif submitter[0]:
                collected = ("direct", "authorised", submitter[0])
            else:
                collected = ("direct", "owner", owner)
        kind = ("organisation", "tax_code") if company else ("person", "citizen_id")
        return (*kind, *submitter, *collected)

    def applicant_name(self) -> str:
        rng = self.random
        return f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
