"""`flask --app wsgi agencies …`: the agencies of the centre and their processing units, as
the admin screens register them (one writer transaction each; a refused rule writes nothing
and exits with code 1)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from cli import commit_or_fail
from core.agencies.registry import (
    AgencyFields,
    create_agency,
    find_agency,
    find_parent,
    list_agencies,
    procedures_by_codes,
    update_agency,
)
from core.agencies.units import UnitFields, add_unit
from core.dossiers.procedures import find_procedure
from core.dossiers.workdays import work_calendar
from core.errors import DomainError, InvalidInput
from core.models import StepRole
from core.processes.definition import (
    UNIT_ROLES,
    StepFields,
    agency_processes,
    allowance_text,
    define_process,
)

agencies_group = AppGroup("agencies", help="Cơ quan và đơn vị xử lý của trung tâm (agencies).")


@agencies_group.command("add")
@click.argument("code")
@click.argument("name")
@click.option("--parent", "parent_code", help="Mã định danh của cơ quan chủ quản.")
@click.option(
    "--procedures",
    "procedure_codes",
    help="Mã các thủ tục cơ quan giải quyết, cách nhau bởi dấu phẩy (mặc định: mọi thủ tục).",
)
def add_agency(code: str, name: str, parent_code: str | None, procedure_codes: str | None):
    """Register the agency CODE (its national electronic code) named NAME, competent for
    every procedure of the catalogue unless --procedures narrows it."""

    def run():
        parent = find_parent(parent_code) if parent_code else None
        procedures = (
            procedures_by_codes(procedure_codes.split(",")) if procedure_codes is not None else None
        )
        fields = AgencyFields(code=code, name=name, parent_id=parent.id if parent else None)
        return create_agency(fields, None, procedures)

    agency = commit_or_fail(run)
    click.echo(
        f"Đã thêm cơ quan {agency.code} “{agency.name}”, giải quyết "
        f"{len(agency.procedures)} thủ tục."
    )


@agencies_group.command("edit")
@click.argument("code")
@click.option("--name", help="Tên mới.")
@click.option("--parent", "parent_code", help="Mã cơ quan chủ quản mới.")
@click.option("--no-parent", is_flag=True, help="Bỏ cơ quan chủ quản.")
@click.option("--active/--inactive", default=None, help="Hoạt động hay ngừng hoạt động.")
def edit_agency(
    code: str, name: str | None, parent_code: str | None, no_parent: bool, active: bool | None
):
    """Change the name, parent or state of the agency CODE (its code stays)."""

    def run():
        agency = find_agency(code)
        parent_id = agency.parent_id
        if no_parent:
            parent_id = None
        elif parent_code:
            parent_id = find_parent(parent_code).id
        fields = AgencyFields(
            code=agency.code,
            name=agency.name if name is None else name,
            parent_id=parent_id,
            active=agency.active if active is None else active,
        )
        update_agency(agency, fields, None)
        return agency

    agency = commit_or_fail(run)
    click.echo(f"Đã lưu cơ quan {agency.code} “{agency.name}”.")


@agencies_group.command("add-unit")
@click.argument("agency_code")
@click.argument("unit_code")
@click.argument("name")
def add_unit_command(agency_code: str, unit_code: str, name: str):
    """Add the processing unit UNIT_CODE named NAME to the agency AGENCY_CODE."""
    unit = commit_or_fail(
        lambda: add_unit(find_agency(agency_code), UnitFields(code=unit_code, name=name), None)
    )
    click.echo(f"Đã thêm đơn vị {unit.code} “{unit.name}” vào cơ quan {unit.agency.code}.")


@agencies_group.command("list")
def list_command():
    """List the agencies with their parent, units and number of procedures."""
    for agency in list_agencies():
        state = "" if agency.active else " (ngừng hoạt động)"
        parent = f" · thuộc {agency.parent.code}" if agency.parent else ""
        click.echo(
            f"{agency.code}  {agency.name}{parent} · {len(agency.procedures)} thủ tục{state}"
        )
        for unit in agency.units:
            unit_state = "" if unit.active else " (ngừng hoạt động)"
            click.echo(f"    {unit.code}  {unit.name}{unit_state}")


def parse_step(text: str) -> StepFields:
    """'desk:4h', 'specialist:QLPT:3', 'unit_head:QLPT:4h:Trưởng phòng duyệt'."""
    parts = [part.strip() for part in text.split(":")]
    role = parts.pop(0) if parts else ""
    unit = parts.pop(0) if role in {r.value for r in UNIT_ROLES} and parts else ""
    if not parts:
        raise InvalidInput(
            "Bước “{step}” thiếu thời gian; dạng VAI_TRÒ[:ĐƠN_VỊ]:THỜI_GIAN[:TÊN], ví dụ "
            "specialist:QLPT:3 hoặc desk:4h.",
            step=text,
        )
    allowance = parts.pop(0)
    return StepFields(role=role, unit_code=unit, allowance=allowance, name=":".join(parts))


@agencies_group.command("process")
@click.argument("agency_code")
@click.argument("procedure_code")
@click.option(
    "--step",
    "steps",
    multiple=True,
    required=True,
    help=(
        "Một bước, theo thứ tự: VAI_TRÒ[:ĐƠN_VỊ]:THỜI_GIAN[:TÊN]; vai trò "
        + ", ".join(role.value for role in StepRole)
        + "; thời gian 3 (ngày làm việc) hoặc 4h (giờ)."
    ),
)
def process_command(agency_code: str, procedure_code: str, steps: tuple[str, ...]):
    """Define the internal process of PROCEDURE_CODE at AGENCY_CODE, as its next version:
    dossiers received from now on follow it, those already received keep theirs."""

    def run():
        agency = find_agency(agency_code)
        procedure = find_procedure(procedure_code)
        fields = [parse_step(step) for step in steps]
        return define_process(agency, procedure, fields, None, work_calendar())

    process = commit_or_fail(run)
    click.echo(
        f"Đã ban hành quy trình {process.procedure.code} tại {process.agency.code}, "
        f"phiên bản {process.version}, {len(process.steps)} bước."
    )


@agencies_group.command("processes")
@click.argument("agency_code")
def processes_command(agency_code: str):
    """List the current internal process of each procedure of the agency AGENCY_CODE."""
    try:
        agency = find_agency(agency_code)
    except DomainError as error:
        raise click.ClickException(error.messages()["vi"]) from None
    processes = agency_processes(agency)
    for procedure in agency.procedures:
        process = processes.get(procedure.id)
        if process is None:
            click.echo(f"{procedure.code}  (chưa có quy trình)")
            continue
        click.echo(f"{procedure.code}  phiên bản {process.version}")
        for step in process.steps:
            unit = f" · {step.unit.code}" if step.unit else ""
            click.echo(
                f"    {step.position}. {step.role.value}{unit} · {allowance_text(step)} · "
                f"{step.name}"
            )


commands = [agencies_group]
