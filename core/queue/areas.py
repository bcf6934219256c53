"""Areas of the hall: the part a display board shows.

A board shows the whole hall, or the counters of one agency, of one named area (`Counter.area`,
e.g. "Khu B"), or of both at once (an agency's counters in that area). Its calls, its counters
and the queues those counters serve are the area's; what boards share is built once per
version and per area (core.queue.board, core.queue.shared).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from core.audit import record_event
from core.errors import InvalidInput
from core.models import Agency, Counter, Device, DeviceKind, User
from extensions import db

AREA_MAX = 64  # characters of an area's name (Counter.area)


def refuse_long_area(area: str, field: str) -> None:
    """InvalidInput on `field` when an area's name is longer than `AREA_MAX`."""
    if len(area) > AREA_MAX:
        raise InvalidInput(_l("Tên khu vực tối đa 64 ký tự."), field=field)


@dataclass(frozen=True)
class BoardArea:
    """The part of the hall a board shows: an agency's id and/or a named area; neither is
    the whole hall. Hashable: part of the key of what boards share."""

    agency_id: int | None = None
    area: str | None = None

    @property
    def whole_hall(self) -> bool:
        return self.agency_id is None and not self.area

    def key(self) -> str:
        """A short text for the board's ETag."""
        return "hall" if self.whole_hall else f"{self.agency_id or ''}:{self.area or ''}"


WHOLE_HALL = BoardArea()


def area_of(device: Device) -> BoardArea:
    return BoardArea(device.agency_id, device.area or None)


def counter_ids(area: BoardArea) -> list[int]:
    """The counters of the area (active or not: a board keeps showing a counter's last call
    while it is switched off the same way the whole hall's board does)."""
    statement = db.select(Counter.id)
    if area.agency_id is not None:
        statement = statement.where(Counter.agency_id == area.agency_id)
    if area.area:
        statement = statement.where(Counter.area == area.area)
    return list(db.session.execute(statement.order_by(Counter.number)).scalars())


def named_areas() -> list[str]:
    """The named areas of the hall's counters, in order."""
    return list(
        db.session.execute(
            db.select(Counter.area).where(Counter.area != "").distinct().order_by(Counter.area)
        ).scalars()
    )


def set_board_area(
    device: Device, agency_id: int | None, area: str | None, actor: User | None
) -> None:
    """What a display board shows: an agency's counters, a named area's, both, or (neither)
    the whole hall. Other devices show no area. Audited when it changes; the caller commits."""
    area = " ".join((area or "").split()) or None
    if device.kind != DeviceKind.DISPLAY:
        if agency_id is not None or area:
            # No field: the form of another kind of device does not show the area's.
            raise InvalidInput(_l("Chỉ màn hình gọi số mới chọn khu vực hiển thị."))
        return
    agency = None
    if agency_id is not None:
        agency = db.session.get(Agency, agency_id)
        if agency is None:
            raise InvalidInput(_l("Cơ quan được chọn không còn tồn tại."), field="board_agency_id")
    if area is not None:
        refuse_long_area(area, "board_area")
        if area not in named_areas():
            raise InvalidInput(
                _l("Không có quầy nào ở khu vực “{area}”."), area=area, field="board_area"
            )
    chosen = BoardArea(agency_id, area)
    if chosen != area_of(device) and not chosen.whole_hall and not counter_ids(chosen):
        raise InvalidInput(
            _l("Không có quầy nào của cơ quan này ở khu vực “{area}”."),
            area=area,
            field="board_area",
        )
    before = area_of(device)
    if chosen == before:
        return
    old_agency = db.session.get(Agency, before.agency_id) if before.agency_id else None
    device.agency_id, device.area = agency_id, area
    db.session.flush()
    record_event(
        "device.board_area_changed",
        device,
        user=actor,
        before={"agency": old_agency.code if old_agency else None, "area": before.area},
        after={"agency": agency.code if agency else None, "area": area},
    )
