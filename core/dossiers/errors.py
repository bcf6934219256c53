"""Errors of the dossier desk, each with a stable code and a Vietnamese message."""

from flask_babel import lazy_gettext as _l

from core.errors import DomainError, InvalidInput, NotFound


class DossierNotFound(NotFound):
    code = "dossier_not_found"
    message = _l("Không tìm thấy hồ sơ mã “{code}”. Vui lòng kiểm tra lại mã trên giấy hẹn.")


class LookupRefused(NotFound):
    """An unknown code, or a known one with a proof that is not its own: one answer."""

    code = "dossier_lookup_refused"
    message = _l(
        "Không tìm thấy hồ sơ mã “{code}” với mã kiểm tra đã nhập. Vui lòng kiểm tra lại mã hồ sơ"
        " và mã kiểm tra in trên giấy hẹn (hoặc 4 số cuối điện thoại của người nộp)."
    )


class ProcedureNotFound(NotFound):
    code = "procedure_not_found"
    message = _l("Không có thủ tục hành chính mã “{code}”.")


class IllegalTransition(DomainError):
    code = "illegal_transition"
    status = 409
    message = _l("Hồ sơ {dossier} đang ở trạng thái “{status}”, không thể {action}.")


class DossierRuleBroken(DomainError):
    code = "dossier_rule"
    status = 409


class InvalidApplicant(InvalidInput):
    code = "invalid_applicant"


class TicketNotReceivable(DomainError):
    code = "ticket_not_receivable"
    status = 409
    message = _l(
        "Số {number} không phải số đang được gọi hoặc phục vụ hôm nay, không thể tiếp nhận hồ sơ."
    )


class LazyJoin:
    """Translatable parts joined when the message is rendered, in that locale."""

    def __init__(self, parts, separator: str = "; "):
        self.parts = list(parts)
        self.separator = separator

    def __str__(self) -> str:
        return self.separator.join(str(part) for part in self.parts)

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)

    def __bool__(self) -> bool:
        return bool(self.parts)
